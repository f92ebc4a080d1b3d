"""A community-wide ban on Matrix: seconds until the person is out of every room, throttled and not.

Starts a private Synapse with Synapse's own default rate limits (not the test
harness's raised ones: a plain account may send 0.2 events a second after a burst
of 10, and a ban, a redaction and a state event are each such an event), a Sanshe
bot on the Matrix adapter with the built-in plugins, and ``--rooms`` group rooms
that two residents have joined and written in.  A community admin types ``/ban``
about the first resident with the bot throttled, then about the others with the
bot exempted through Synapse's admin API (``override_ratelimit`` with 0 and 0), each once the
bot is idle again (the ban before's redactions all done, exempted, so a ban is not
queued behind them): first with core banning in one room at a time (the baseline: what core
did before it performed a run of bans side by side), then as core does
(``core.performing.SIDE_BY_SIDE`` rooms at once), and the ratio of the two.
Each time it prints the seconds from the command to the person being banned from
every room (as the admin's own sync sees it), and to their rule appearing in the
community's policy room.  The setting up is exempted (it is not measured).  It
prints; it does not assert.

    python bench/ban_propagation.py [--rooms 100] [--exempted-only]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import nio
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sanshe.adapters.matrix import MatrixAdapter  # noqa: E402
from sanshe.core import performing  # noqa: E402
from sanshe.core.bot import Bot  # noqa: E402
from sanshe.core.config import load_community  # noqa: E402
from sanshe.core.contributions import vocabulary  # noqa: E402
from sanshe.core.plugins import plugin_manager  # noqa: E402
from sanshe.core.storage import Storage  # noqa: E402
from sanshe.core.storage.tables import plugin_tables  # noqa: E402
from tests.synapse.harness import Homeserver, RegisteredUser  # noqa: E402

#: Synapse's defaults for what a community ban makes the bot do (synapse/config/ratelimiting.py).
DEFAULT_LIMITS = {
    "rc_message (bans, redactions, state events, messages)": "0.2/s after a burst of 10",
    "rc_admin_redaction": "not set: redactions count as rc_message",
    "rc_joins.local": "0.1/s after a burst of 10",
    "rc_invites.per_room": "0.3/s after a burst of 10",
}
EXEMPT = {"messages_per_second": 0, "burst_count": 0}
COMMUNITY = "bench"


class DefaultLimitsHomeserver(Homeserver):
    """The harness's Synapse with every ``rc_*`` option left out: Synapse's own defaults apply."""

    def write_config(self) -> Path:
        path = super().write_config()
        config = json.loads(path.read_text())
        path.write_text(json.dumps({k: v for k, v in config.items() if not k.startswith("rc_")}))
        return path


def client_for(homeserver: Homeserver, user: RegisteredUser) -> nio.AsyncClient:
    client = nio.AsyncClient(homeserver.url, user.user_id)
    client.restore_login(user.user_id, user.device_id, user.access_token)
    return client


class Operator:
    """The homeserver admin, exempting accounts from rate limits (and putting them back)."""

    def __init__(self, homeserver: Homeserver, admin: RegisteredUser) -> None:
        self.base = f"{homeserver.url}/_synapse/admin/v1/users"
        self.headers = {"Authorization": f"Bearer {admin.access_token}"}

    async def exempt(self, user: str, exempt: bool = True) -> None:
        async with aiohttp.ClientSession(headers=self.headers) as http:
            url = f"{self.base}/{user}/override_ratelimit"
            answer = await (http.post(url, json=EXEMPT) if exempt else http.delete(url))
            if answer.status != 200:
                raise RuntimeError(f"override_ratelimit {user}: {await answer.text()}")


def checked(what: str, response: Any, kind: type) -> Any:
    """``response``, when it is a ``kind``; else RuntimeError saying ``what`` failed."""
    if not isinstance(response, kind):
        raise RuntimeError(f"{what}: {response}")
    return response


async def set_up_rooms(
    staff: nio.AsyncClient,
    residents: list[nio.AsyncClient],
    bot: str,
    count: int,
    written: dict[str, list[tuple[str, str]]],
) -> list[str]:
    """``count`` rooms made by ``staff``, the bot at 50, each resident in and having written
    (each message's room and event id in ``written``, by resident)."""
    rooms = []
    for n in range(count):
        created = checked(
            "create a room",
            await staff.room_create(
                name=f"Building {n + 1}",
                invite=[bot, *(r.user_id for r in residents)],
                power_level_override={"users": {bot: 50}},
            ),
            nio.RoomCreateResponse,
        )
        rooms.append(created.room_id)
        for resident in residents:
            checked("join", await resident.join(created.room_id), nio.JoinResponse)
            sent = checked(
                "write",
                await resident.room_send(
                    created.room_id, "m.room.message", {"msgtype": "m.text", "body": "buy now!"}
                ),
                nio.RoomSendResponse,
            )
            written.setdefault(resident.user_id, []).append((created.room_id, sent.event_id))
    return rooms


def write_community(
    path: Path,
    homeserver: Homeserver,
    bot: RegisteredUser,
    rooms: list[str],
    staff: str,
    residents: list[str],
) -> None:
    """A community of a group a room, a community worker (``staff``) and the residents."""
    groups = [
        {
            "id": f"building-{n}",
            "kind": "resident",
            "name": f"Building {n}",
            "chats": {"matrix": room},
        }
        for n, room in enumerate(rooms, 1)
    ]
    people = [
        {"id": "zhao", "name": "Zhao", "handles": {"matrix": staff}, "roles": ["community_worker"]}
    ] + [
        {"id": f"resident-{n}", "name": f"Resident {n}", "handles": {"matrix": handle}}
        for n, handle in enumerate(residents, 1)
    ]
    data = {
        "community": {"id": COMMUNITY, "name": "Bench", "locale": "en"},
        "groups": groups,
        "people": people,
        "adapters": {
            "matrix": {
                "homeserver": homeserver.url,
                "user_id": bot.user_id,
                "access_token": bot.access_token,
                "store_path": str(path.parent / "matrix-store"),
            }
        },
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


#: What the admin's sync asks for: memberships only, so that watching weighs little on Synapse.
MEMBERSHIPS: dict[str, Any] = {
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
    "room": {
        "timeline": {"types": ["m.room.member"], "limit": 50},
        "state": {"not_types": ["*"]},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
}


async def banned_everywhere(
    staff: nio.AsyncClient, since: str, person: str, rooms: list[str], started: float
) -> tuple[float, str]:
    """Seconds from ``started`` until ``staff``'s sync has shown ``person`` banned from every room."""
    left = set(rooms)
    while left:
        response = await staff.sync(timeout=5_000, since=since, sync_filter=MEMBERSHIPS)
        if not isinstance(response, nio.SyncResponse):
            continue
        since = response.next_batch
        for room_id, room in response.rooms.join.items():
            for event in room.timeline.events:
                if (
                    isinstance(event, nio.RoomMemberEvent)
                    and event.state_key == person
                    and event.membership == "ban"
                ):
                    left.discard(room_id)
    return time.perf_counter() - started, since


async def rule_published(reader: nio.AsyncClient, alias: str, person: str, started: float) -> float:
    """Seconds from ``started`` until the policy room at ``alias`` holds ``person``'s rule.

    Synapse makes a room's alias before the room is open to all: its joining is tried again.
    """
    room = None
    while True:
        if room is None:
            joined = await reader.join(alias)
            room = joined.room_id if isinstance(joined, nio.JoinResponse) else None
        if room is not None:
            found = await reader.room_get_state_event(room, "m.policy.rule.user", f"rule:{person}")
            if isinstance(found, nio.RoomGetStateEventResponse) and found.content:
                return time.perf_counter() - started
        await asyncio.sleep(0.5)


async def redacted(staff: nio.AsyncClient, messages: list[tuple[str, str]]) -> None:
    """Once every one of ``messages`` (room, event id) is redacted: the bot has done the ban's
    last step, so what it does next is not queued behind it."""
    left = list(messages)
    while left:
        room, event_id = left[0]
        found = await staff.room_get_event(room, event_id)
        if isinstance(found, nio.RoomGetEventResponse) and isinstance(
            found.event, nio.RedactedEvent
        ):
            left.pop(0)
        else:
            await asyncio.sleep(0.5)


async def measure(
    staff: nio.AsyncClient,
    reader: nio.AsyncClient,
    rooms: list[str],
    person: str,
    alias: str,
    since: str,
    timeout: float,
) -> tuple[float, float, str]:
    """``/ban`` typed by ``staff``: seconds until out of every room, until the rule is published.

    Raises TimeoutError when either takes longer than ``timeout`` seconds.
    """
    started = time.perf_counter()
    checked(
        "type /ban",
        await staff.room_send(
            rooms[0], "m.room.message", {"msgtype": "m.text", "body": f"/ban {person} spam"}
        ),
        nio.RoomSendResponse,
    )
    (out, since), published = await asyncio.wait_for(
        asyncio.gather(
            banned_everywhere(staff, since, person, rooms, started),
            rule_published(reader, alias, person, started),
        ),
        timeout,
    )
    return out, published, since


async def main(rooms: int, timeout: float, throttled: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="sanshe-bench-") as tmp:
        work = Path(tmp)
        homeserver = DefaultLimitsHomeserver(work / "synapse")
        await homeserver.start()
        clients: list[nio.AsyncClient] = []
        task: asyncio.Task[None] | None = None
        bot: Bot | None = None
        storage: Storage | None = None
        try:
            tag = uuid.uuid4().hex[:6]
            operator = Operator(homeserver, await homeserver.register(f"op-{tag}", admin=True))
            staff_user = await homeserver.register(f"staff-{tag}")
            reader_user = await homeserver.register(f"draupnir-{tag}")
            resident_users = [await homeserver.register(f"resident{n}-{tag}") for n in (1, 2, 3)]
            sanshe_user = await homeserver.register(f"sanshe-{tag}")
            for user in (staff_user, reader_user, sanshe_user, *resident_users):
                await operator.exempt(user.user_id)  # setting up is not measured
            staff, reader, *residents = (
                client_for(homeserver, u) for u in (staff_user, reader_user, *resident_users)
            )
            clients += [staff, reader, *residents]
            written: dict[str, list[tuple[str, str]]] = {}
            group_rooms = await set_up_rooms(staff, residents, sanshe_user.user_id, rooms, written)

            config = work / "community.yaml"
            handles = [r.user_id for r in residents]
            write_community(
                config, homeserver, sanshe_user, group_rooms, staff_user.user_id, handles
            )
            pm = plugin_manager()
            community = load_community(config, vocabulary(pm))
            adapter = MatrixAdapter.from_settings(community.adapters["matrix"])
            storage = Storage(f"sqlite://{work / 'sanshe.sqlite3'}", plugin_tables(pm))
            await storage.open()
            bot = Bot(community, adapter, storage, pm=pm, config_path=config)
            await bot.start()
            task = asyncio.create_task(adapter.run(bot))
            while adapter.client is None or not set(group_rooms) <= set(adapter.client.rooms):
                await asyncio.sleep(0.2)  # the bot joins the rooms of the file as it starts
            first = checked("sync", await staff.sync(timeout=0), nio.SyncResponse)
            since = first.next_batch
            alias = f"#{COMMUNITY}-bans:{homeserver.server_name}"

            print(f"ban propagation: one /ban, {rooms} rooms on Synapse (loopback), the bot at 50")
            print("  Synapse's default rate limits (no rc_* option set):")
            for name, limit in DEFAULT_LIMITS.items():
                print(f"    {name}: {limit}")
            print("  the person wrote once in every room; redact_recent: 24h (the default)")
            side_by_side = performing.SIDE_BY_SIDE
            runs = [
                ("throttled (a plain account)", False, side_by_side, residents[0].user_id),
                ("exempted, one room at a time (baseline)", True, 1, residents[1].user_id),
                (
                    f"exempted, {side_by_side} rooms at once",
                    True,
                    side_by_side,
                    residents[2].user_id,
                ),
            ]
            outs: list[float] = []
            for label, exempt, at_once, person in runs[0 if throttled else 1 :]:
                await operator.exempt(sanshe_user.user_id, exempt)
                performing.SIDE_BY_SIDE = at_once
                try:
                    out, published, since = await measure(
                        staff, reader, group_rooms, person, alias, since, timeout
                    )
                except TimeoutError:
                    print(f"  {label}: not out of every room within {timeout:.0f} s")
                    break
                print(f"  {label}:")
                target = "   (target < 10 s)" if exempt else ""
                print(f"    out of every room: {out:.1f} s{target}")
                print(f"    rule in the policy room: {published:.1f} s")
                if exempt:
                    outs.append(out)
                # the next ban is not to wait behind this one's redactions
                await operator.exempt(sanshe_user.user_id, True)
                await asyncio.wait_for(redacted(staff, written[person]), timeout)
            if len(outs) == 2:
                print(f"  ratio, one at a time / side by side: {outs[0] / outs[1]:.2f}")
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if bot is not None:
                await bot.stop()
            if storage is not None:
                await storage.close()
            for client in clients:
                await client.close()
            await homeserver.stop()


if __name__ == "__main__":
    # nio logs an error for each alias not found yet, while the policy room is looked for
    logging.getLogger("nio").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds a ban may take")
    parser.add_argument(
        "--exempted-only", action="store_true", help="leave out the throttled ban (about 8 min)"
    )
    args = parser.parse_args()
    asyncio.run(main(args.rooms, args.timeout, not args.exempted_only))
