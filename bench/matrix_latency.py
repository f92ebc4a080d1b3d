"""Reply latency on Matrix: Sanshe against a bare matrix-nio echo bot, same homeserver, same run.

Starts a private Synapse (the test harness's), one resident, a Sanshe bot (the
Matrix adapter, core, the built-in plugins and a one-line "ping" plugin, checkpointing
to an SQLite file) and a bare matrix-nio bot that answers in its sync loop.  The
resident writes ``ping N`` alternately to each bot's room, one message at a time, and
times the moment its own sync shows the answer.  Prints the median and p95 of both and
the ratio Sanshe / bare (target <= 1.2).  It prints; it does not assert.

    python bench/matrix_latency.py [--messages 100] [--warmup 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nio
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sanshe.adapters.matrix import MatrixAdapter  # noqa: E402
from sanshe.core.bot import Bot  # noqa: E402
from sanshe.core.config import load_community  # noqa: E402
from sanshe.core.context import Context  # noqa: E402
from sanshe.core.contributions import vocabulary  # noqa: E402
from sanshe.core.hookspecs import hookimpl  # noqa: E402
from sanshe.core.plugins import plugin_manager  # noqa: E402
from sanshe.core.storage import Storage  # noqa: E402
from tests.synapse.harness import Homeserver, RegisteredUser  # noqa: E402


class Pong:
    """The Sanshe side's plugin: answers ``ping N`` with ``pong N``."""

    @hookimpl
    def sanshe_message(self, context: Context) -> object:
        if context.text.startswith("ping"):
            return context.reply("pong" + context.text[4:])
        return None


def client_for(homeserver: Homeserver, user: RegisteredUser) -> nio.AsyncClient:
    client = nio.AsyncClient(homeserver.url, user.user_id)
    client.restore_login(user.user_id, user.device_id, user.access_token)
    return client


async def bare_echo_bot(client: nio.AsyncClient) -> None:
    """What a minimal matrix-nio bot does: sync, and answer each ``ping`` at once."""
    first = await client.sync(timeout=0)
    assert isinstance(first, nio.SyncResponse), first
    since = first.next_batch
    while True:
        response = await client.sync(timeout=30_000, since=since)
        if not isinstance(response, nio.SyncResponse):
            continue
        for room_id, room in response.rooms.join.items():
            for event in room.timeline.events:
                if isinstance(event, nio.RoomMessageText) and event.body.startswith("ping"):
                    await client.room_send(
                        room_id,
                        "m.room.message",
                        {
                            "msgtype": "m.notice",
                            "body": "pong" + event.body[4:],
                            "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
                        },
                    )
        since = response.next_batch


async def room_with(staff: nio.AsyncClient, resident: nio.AsyncClient, bot: str) -> str:
    created = await staff.room_create(name="bench", invite=[bot, resident.user_id])
    assert isinstance(created, nio.RoomCreateResponse), created
    joined = await resident.join(created.room_id)
    assert isinstance(joined, nio.JoinResponse), joined
    return created.room_id


async def join_when_invited(client: nio.AsyncClient, room_id: str) -> None:
    for _ in range(100):
        if isinstance(await client.join(room_id), nio.JoinResponse):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{client.user_id} could not join {room_id}")


async def round_trip(
    resident: nio.AsyncClient, room_id: str, text: str, timeout: float = 30
) -> float:
    """Seconds from sending ``text`` to seeing the answer in the resident's own sync."""
    started = time.perf_counter()
    sent = await resident.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": text})
    assert isinstance(sent, nio.RoomSendResponse), sent
    while time.perf_counter() - started < timeout:
        response = await resident.sync(timeout=10_000)
        assert isinstance(response, nio.SyncResponse), response
        room = response.rooms.join.get(room_id)
        for event in room.timeline.events if room else ():
            relates = event.source.get("content", {}).get("m.relates_to") or {}
            if (relates.get("m.in_reply_to") or {}).get("event_id") == sent.event_id:
                return time.perf_counter() - started
    raise RuntimeError(f"no answer to {text!r} in {room_id} within {timeout} s")


def summary(name: str, times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    median = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"{name:<16} median {median * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (n={len(times)})"
    )
    return median, p95


async def main(messages: int, warmup: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sanshe-bench-") as tmp:
        work = Path(tmp)
        homeserver = Homeserver(work / "synapse")
        await homeserver.start()
        tasks: list[asyncio.Task[None]] = []
        clients: list[nio.AsyncClient] = []
        bot: Bot | None = None
        storage: Storage | None = None
        try:
            tag = uuid.uuid4().hex[:6]
            staff_user = await homeserver.register(f"staff-{tag}")
            resident_user = await homeserver.register(f"resident-{tag}")
            sanshe_user = await homeserver.register(f"sanshe-{tag}")
            echo_user = await homeserver.register(f"echo-{tag}")
            staff, resident, echo = (
                client_for(homeserver, u) for u in (staff_user, resident_user, echo_user)
            )
            clients += [staff, resident, echo]
            sanshe_room = await room_with(staff, resident, sanshe_user.user_id)
            echo_room = await room_with(staff, resident, echo_user.user_id)
            await join_when_invited(echo, echo_room)

            config = work / "community.yaml"
            settings = {
                "homeserver": homeserver.url,
                "user_id": sanshe_user.user_id,
                "access_token": sanshe_user.access_token,
                "store_path": str(work / "matrix-store"),
            }
            config.write_text(
                yaml.safe_dump(
                    {
                        "community": {"id": "bench", "name": "Bench", "locale": "en"},
                        "groups": [
                            {
                                "id": "building-1",
                                "kind": "resident",
                                "name": "Building 1",
                                "chats": {"matrix": sanshe_room},
                            }
                        ],
                        "people": [
                            {
                                "id": "staff",
                                "handles": {"matrix": staff_user.user_id},
                                "roles": ["grid_worker"],
                            }
                        ],
                        "adapters": {"matrix": settings},
                    }
                )
            )
            pm = plugin_manager(extra=[Pong()])
            community = load_community(config, vocabulary(pm))
            adapter = MatrixAdapter.from_settings(community.adapters["matrix"])
            storage = Storage(f"sqlite://{work / 'sanshe.sqlite3'}")
            await storage.open()
            bot = Bot(community, adapter, storage, pm=pm)
            await bot.start()
            tasks.append(asyncio.create_task(adapter.run(bot)))
            tasks.append(asyncio.create_task(bare_echo_bot(echo)))

            first = await resident.sync(timeout=0)
            assert isinstance(first, nio.SyncResponse), first
            for n in range(warmup):
                await round_trip(resident, sanshe_room, f"ping warm {n}")
                await round_trip(resident, echo_room, f"ping warm {n}")
            sanshe_times: list[float] = []
            echo_times: list[float] = []
            for n in range(messages):
                sanshe_times.append(await round_trip(resident, sanshe_room, f"ping {n}"))
                echo_times.append(await round_trip(resident, echo_room, f"ping {n}"))

            print(f"Synapse on loopback, {messages} messages each, one at a time, alternating")
            sanshe_median, sanshe_p95 = summary("Sanshe", sanshe_times)
            echo_median, echo_p95 = summary("bare matrix-nio", echo_times)
            print(
                f"ratio Sanshe / bare: median {sanshe_median / echo_median:.2f}, "
                f"p95 {sanshe_p95 / echo_p95:.2f}   (target <= 1.2)"
            )
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.warmup))
