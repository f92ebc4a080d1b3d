"""Crisis alert latency: a resident's crisis message to the on-shift social worker's client.

On Matrix: a private Synapse (the test harness's), a Sanshe bot with the built-in plugins, a
resident group (building-1) escalating to a consultation group (focus-1), where the social
worker claims the shift under way with ``/claim`` from their own client.  A resident writes a
crisis message in building-1; the time runs until the social worker's own sync shows the alert
in their private room with the bot (opened by a first alert, not timed), and they ``/ack`` it
before the next.  First in a quiet room (the baseline), then while ``--residents`` other
residents each post an ordinary message every ``--every`` seconds.

On the loopback Bot API server (Telegram's default flood limits: 30 messages/s, one a second
in a chat): first with nothing queued (the baseline), then each crisis message as soon as a
notice to ``--groups`` group chats has begun going out (telegram_broadcast.py's ``/notice``,
typed by the social worker privately); the time runs until the server accepts the alert for
the social worker's private chat.

Each crisis comes 1.5 s after the last one's ``/ack`` was answered.  Prints the median and p95
of each, the ratios to their baselines (target: under 5 s in both), and the detector's
recall, precision and cost per message on tests/crisis' tuning, development and held-out
sets.  It prints; it does not assert.

    python bench/crisis_alert.py [--crises 50] [--residents 20] [--every 1] [--groups 300]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import nio
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.matrix_latency import client_for, summary  # noqa: E402
from bench.telegram_broadcast import Notices  # noqa: E402
from sanshe.adapters.matrix import MatrixAdapter  # noqa: E402
from sanshe.adapters.telegram import TelegramAdapter  # noqa: E402
from sanshe.core.adapter import Adapter  # noqa: E402
from sanshe.core.bot import Bot  # noqa: E402
from sanshe.core.config import load_community  # noqa: E402
from sanshe.core.contributions import vocabulary  # noqa: E402
from sanshe.core.plugins import plugin_manager  # noqa: E402
from sanshe.core.storage import Storage  # noqa: E402
from sanshe.core.storage.tables import plugin_tables  # noqa: E402
from sanshe.plugins.crisis.detector import Detector, LexiconSettings  # noqa: E402
from sanshe.plugins.crisis.evaluation import Figures, evaluate  # noqa: E402
from tests.botapi import BotApiServer, Limits, SentRecord  # noqa: E402
from tests.synapse.harness import Homeserver  # noqa: E402

#: What the residents in crisis write, in turn (each read as one by the shipped lexicon).
CRISES = ["我真的撑不下去了，不想活了", "I cannot take it anymore, I want to end my life"]
#: What the other residents write (none read as a crisis, none with personal data).
ORDINARY = [
    "Has the vegetable delivery come yet?",
    "今天的菜什么时候到？",
    "The heating in our stairwell is off again",
    "电梯又好了，谢谢物业",
    "Is the pharmacy on the corner open today?",
    "楼下快递放在哪里了？",
    "Could someone lend me a ladder this afternoon?",
    "Thanks for the water, neighbours!",
]
#: How the alert and the answer to /ack begin (the plugin's English catalogue).
ALERT, ACKED = "URGENT crisis alert", "Done: case"
#: One shift a day in focus-1, all day (in UTC), today's and tomorrow's: the bench may run
#: across midnight; the social worker claims both.
SHIFTS = {
    "templates": [
        {
            "groups": ["focus-1"],
            "shifts": [{"start": "00:00", "end": "24:00", "needs": {"social_worker": 1}}],
        }
    ],
    "plan_days": 2,
}
TIMEOUT = 60.0
#: Seconds between an /ack answered and the next crisis: Telegram lets a bot write to one chat
#: once a second, so an alert right after the answer would wait for that, not for the queue.
REST = 1.5
TOKEN, BOT_ID, WORKER, RESIDENT = "123:crisis-bench", 123, 7, 8


def write_community(
    path: Path,
    network: str,
    settings: dict[str, Any],
    chats: list[str],
    people: list[dict[str, Any]],
) -> Path:
    """building-1 (escalating to focus-1), focus-1 and a resident group for each further chat;
    ``people`` (the social worker first); the shifts roster of focus-1."""
    groups: list[dict[str, Any]] = [
        {
            "id": "building-1",
            "kind": "resident",
            "name": "Building 1",
            "escalates_to": "focus-1",
            "chats": {network: chats[0]},
        },
        {
            "id": "focus-1",
            "kind": "focus_service",
            "name": "Focus",
            "administered_by": ["social_worker"],
            "chats": {network: chats[1]},
        },
    ]
    groups += [
        {"id": f"g{n}", "kind": "resident", "name": f"G{n}", "chats": {network: chat}}
        for n, chat in enumerate(chats[2:], 3)
    ]
    data = {
        "community": {"id": "bench", "name": "Bench", "locale": "en", "timezone": "UTC"},
        "groups": groups,
        "people": people,
        "plugins": {"shifts": SHIFTS},
        "adapters": {network: settings},
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@contextlib.asynccontextmanager
async def running(
    config: Path, make: Callable[[dict[str, Any]], Adapter], extra: list[object]
) -> AsyncIterator[Adapter]:
    """The bot of ``config`` on the adapter ``make`` builds from its settings, with the
    built-in plugins (and ``extra``), checkpointing to an SQLite file beside ``config``."""
    pm = plugin_manager(extra=extra)
    community = load_community(config, vocabulary(pm))
    adapter = make(next(iter(community.adapters.values())))
    storage = Storage(f"sqlite://{config.parent / 'sanshe.sqlite3'}", plugin_tables(pm))
    await storage.open()
    bot = Bot(community, adapter, storage, pm=pm, config_path=config)
    await bot.start()
    task = asyncio.create_task(adapter.run(bot))
    try:
        yield adapter
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bot.stop()
        await storage.close()


def text_of(event: nio.Event) -> str:
    return str(event.source.get("content", {}).get("body", ""))


class Inbox:
    """A person's Matrix client syncing in the background: every event, and when it came;
    it joins the rooms it is invited to."""

    FILTER: dict[str, Any] = {
        "presence": {"not_types": ["*"]},
        "room": {"timeline": {"limit": 100}, "ephemeral": {"not_types": ["*"]}},
    }

    def __init__(self, client: nio.AsyncClient, bot: str) -> None:
        self.client, self.bot = client, bot
        self.received: list[tuple[float, str, nio.Event]] = []
        self.invited: list[str] = []
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        first = await self.client.sync(timeout=0, sync_filter=self.FILTER)
        assert isinstance(first, nio.SyncResponse), first
        self._task = asyncio.create_task(self._sync(first.next_batch))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _sync(self, since: str) -> None:
        while True:
            response = await self.client.sync(30_000, sync_filter=self.FILTER, since=since)
            if not isinstance(response, nio.SyncResponse):
                await asyncio.sleep(0.1)
                continue
            at = time.perf_counter()
            since = response.next_batch
            for room_id, room in response.rooms.join.items():
                self.received += [(at, room_id, event) for event in room.timeline.events]
            for room_id in response.rooms.invite:
                if room_id not in self.invited:  # the bot opening a private room
                    assert isinstance(await self.client.join(room_id), nio.JoinResponse)
                    self.invited.append(room_id)
            async with self._changed:
                self._changed.notify_all()

    async def invitation(self) -> str:
        """The room of the first invitation accepted."""

        async def look() -> str:
            async with self._changed:
                await self._changed.wait_for(lambda: bool(self.invited))
            return self.invited[0]

        return await asyncio.wait_for(look(), TIMEOUT)

    def mark(self) -> int:
        """Where the events to come begin."""
        return len(self.received)

    async def from_bot(self, room_id: str, opening: str, start: int) -> tuple[float, int]:
        """When the first message of the bot's in ``room_id`` from ``start`` on that begins
        with ``opening`` came, and where the events after it begin."""

        async def look() -> tuple[float, int]:
            seen = start
            async with self._changed:
                while True:
                    for n in range(seen, len(self.received)):
                        at, room, event = self.received[n]
                        if (
                            room == room_id
                            and event.sender == self.bot
                            and isinstance(event, nio.RoomMessage)
                            and text_of(event).startswith(opening)
                        ):
                            return at, n + 1
                    seen = len(self.received)
                    await self._changed.wait()

        return await asyncio.wait_for(look(), TIMEOUT)

    async def say(self, room_id: str, text: str) -> None:
        sent = await self.client.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": text}
        )
        assert isinstance(sent, nio.RoomSendResponse), sent

    async def ask(self, room_id: str, text: str, opening: str = "") -> str:
        """``text`` written in ``room_id``; the bot's next message there (beginning so)."""
        start = self.mark()
        await self.say(room_id, text)
        _, after = await self.from_bot(room_id, opening, start)
        return text_of(self.received[after - 1][2])


async def chatter(client: nio.AsyncClient, room_id: str, every: float, posted: list[int]) -> None:
    """An ordinary message in ``room_id`` every ``every`` seconds (from a random moment on)."""
    rng = random.Random(client.user_id)
    await asyncio.sleep(rng.uniform(0, every))
    while True:
        started = time.perf_counter()
        content = {"msgtype": "m.text", "body": rng.choice(ORDINARY)}
        sent = await client.room_send(room_id, "m.room.message", content)
        posted[0] += isinstance(sent, nio.RoomSendResponse)
        await asyncio.sleep(max(0.0, every - (time.perf_counter() - started)))


async def matrix_crisis(
    resident: nio.AsyncClient, building: str, worker: Inbox, private: str, text: str
) -> float:
    """Seconds from ``text`` sent in ``building`` to the alert in the worker's sync; then /ack."""
    start = worker.mark()
    started = time.perf_counter()
    content = {"msgtype": "m.text", "body": text}
    sent = await resident.room_send(building, "m.room.message", content)
    assert isinstance(sent, nio.RoomSendResponse), sent
    at, _ = await worker.from_bot(private, ALERT, start)
    await worker.ask(private, "/ack", ACKED)
    await asyncio.sleep(REST)
    return at - started


async def on_matrix(crises: int, residents: int, every: float) -> None:
    async with contextlib.AsyncExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sanshe-bench-")))
        homeserver = Homeserver(work / "synapse")
        await homeserver.start()
        stack.push_async_callback(homeserver.stop)
        tag = uuid.uuid4().hex[:6]
        users = [
            await homeserver.register(f"{name}-{tag}")
            for name in ("sanshe", "wang", "zhao", "resident", *map(str, range(residents)))
        ]
        sanshe, *accounts = users
        clients = [client_for(homeserver, user) for user in accounts]
        for client in clients:
            stack.push_async_callback(client.close)
        wang, zhao, resident, *others = clients
        bot = sanshe.user_id
        created = await zhao.room_create(
            name="Building 1", invite=[bot, resident.user_id, *(o.user_id for o in others)]
        )
        assert isinstance(created, nio.RoomCreateResponse), created
        building = created.room_id
        for member in (resident, *others):
            assert isinstance(await member.join(building), nio.JoinResponse)
        focused = await wang.room_create(name="Focus", invite=[bot])
        assert isinstance(focused, nio.RoomCreateResponse), focused
        focus = focused.room_id
        settings = {
            "homeserver": homeserver.url,
            "user_id": bot,
            "access_token": sanshe.access_token,
            "store_path": str(work / "matrix-store"),
        }
        people = [
            {"id": "wang", "name": "Wang", "handles": {"matrix": wang.user_id}}
            | {"roles": ["social_worker"]},
            {"id": "zhao", "name": "Zhao", "handles": {"matrix": zhao.user_id}}
            | {"roles": [{"role": "grid_worker", "groups": ["building-1"]}]},
        ]
        config = write_community(
            work / "community.yaml", "matrix", settings, [building, focus], people
        )
        adapter = await stack.enter_async_context(running(config, MatrixAdapter.from_settings, []))
        assert isinstance(adapter, MatrixAdapter)
        while adapter.client is None or not {building, focus} <= set(adapter.client.rooms):
            await asyncio.sleep(0.2)  # the bot joins the rooms staff invited it to as it starts
        inbox = Inbox(wang, bot)
        await inbox.start()
        stack.push_async_callback(inbox.stop)
        for shift in (1, 2):
            await inbox.ask(focus, f"/claim {shift}", "You have claimed")
        duty = await inbox.ask(focus, "/onduty", "On shift")
        # The first alert opens the bot's private room with the social worker, and the case.
        content = {"msgtype": "m.text", "body": CRISES[0]}
        assert isinstance(
            await resident.room_send(building, "m.room.message", content), nio.RoomSendResponse
        )
        private = await inbox.invitation()
        await inbox.from_bot(private, ALERT, 0)
        await inbox.ask(private, "/ack", ACKED)
        quiet = [
            await matrix_crisis(resident, building, inbox, private, CRISES[n % len(CRISES)])
            for n in range(crises)
        ]
        posted = [0]
        chatting = [asyncio.create_task(chatter(o, building, every, posted)) for o in others]
        await asyncio.sleep(every)  # all of them are posting
        posted[0], began = 0, time.perf_counter()
        busy = [
            await matrix_crisis(resident, building, inbox, private, CRISES[n % len(CRISES)])
            for n in range(crises)
        ]
        rate = posted[0] / (time.perf_counter() - began)
        for task in chatting:
            task.cancel()
        await asyncio.gather(*chatting, return_exceptions=True)

    print("crisis alert on Matrix: a resident's crisis message in building-1 to the alert in the")
    print("  on-shift social worker's sync (Synapse on loopback; building-1 escalates to focus-1)")
    print(f"  /onduty in focus-1: {duty}")
    quiet_median, quiet_p95 = summary("  quiet room", quiet)
    busy_median, busy_p95 = summary("  busy room", busy)
    print(
        f"    (busy: {residents} other residents posted {rate:.1f} ordinary messages/s meanwhile)"
    )
    print(
        f"  ratio busy / quiet: median {busy_median / quiet_median:.2f}, "
        f"p95 {busy_p95 / quiet_p95:.2f}   (target: both under 5 s)"
    )


async def telegram_crisis(server: BotApiServer, building: int, text: str) -> tuple[float, float]:
    """Seconds from the resident's ``text`` in ``building`` to the alert accepted for the
    worker's private chat, and when it was accepted; then /ack."""
    start = len(server.sent)
    started = time.monotonic()
    server.inject_message(building, RESIDENT, text)
    alert = await accepted(server, start, to_worker, ALERT)
    start = len(server.sent)
    server.inject_message(WORKER, WORKER, "/ack")
    await accepted(server, start, to_worker, ACKED)
    await asyncio.sleep(REST)
    return alert - started, alert


async def accepted(
    server: BotApiServer,
    start: int,
    where: Callable[[SentRecord], bool],
    opening: str,
    count: int = 1,
) -> float:
    """When the server accepted the ``count``-th message from ``start`` on that ``where``
    takes and that begins with ``opening``."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        found = [
            r.time for r in server.sent[start:] if where(r) and (r.text or "").startswith(opening)
        ]
        if len(found) >= count:
            return found[count - 1]
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {opening!r} within {TIMEOUT:.0f} s")
        await asyncio.sleep(0.01)


def in_groups(record: SentRecord) -> bool:
    return record.chat_id < 0


def to_worker(record: SentRecord) -> bool:
    return record.chat_id == WORKER


async def on_telegram(crises: int, groups: int) -> None:
    chats = [-1001 - n for n in range(groups)]
    async with contextlib.AsyncExitStack() as stack:
        server = await stack.enter_async_context(BotApiServer(TOKEN))
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sanshe-bench-")))
        server.add_user(WORKER, "Wang")
        server.add_user(RESIDENT, "Resident")
        for n, chat in enumerate(chats):
            server.add_chat(chat, f"G{n + 1}")
        server.add_member(chats[0], BOT_ID, "administrator")  # it reads every message there
        server.add_member(chats[0], RESIDENT)
        server.add_member(chats[1], WORKER)
        people = [
            {"id": "wang", "name": "Wang", "handles": {"telegram": WORKER}}
            | {"roles": ["social_worker"]}
        ]
        settings = {"token": TOKEN, "base_url": server.base_url, "menus": False}
        config = write_community(
            work / "community.yaml", "telegram", settings, [str(c) for c in chats], people
        )
        await stack.enter_async_context(running(config, TelegramAdapter.from_settings, [Notices()]))
        server.user_starts_bot(WORKER)
        server.user_starts_bot(RESIDENT)
        for shift in (1, 2):
            start = len(server.sent)
            server.inject_message(chats[1], WORKER, f"/claim {shift}")
            await accepted(server, start, lambda r: r.chat_id == chats[1], "You have claimed")

        await telegram_crisis(server, chats[0], CRISES[0])  # opens the case
        empty = [
            (await telegram_crisis(server, chats[0], CRISES[n % len(CRISES)]))[0]
            for n in range(crises)
        ]
        queued: list[float] = []
        ahead: list[int] = []
        for n in range(crises):
            notice = f"Water is handed out at the gate this afternoon (notice {n + 1})."
            start = len(server.sent)
            server.inject_message(WORKER, WORKER, f"/notice {notice}")
            await accepted(server, start, in_groups, notice)  # the broadcast is going out
            latency, at = await telegram_crisis(server, chats[0], CRISES[n % len(CRISES)])
            queued.append(latency)
            await accepted(server, start, in_groups, notice, count=groups)  # all of it went
            sent = sum(r.time <= at and r.text == notice for r in server.sent[start:])
            ahead.append(groups - sent)
        refused = server.stats.too_many_requests

    print(
        f"crisis alert on Telegram: the loopback Bot API server, limit "
        f"{Limits().global_per_second} messages/s; to the alert accepted for the social "
        "worker's private chat"
    )
    empty_median, empty_p95 = summary("  empty queue", empty)
    queued_median, queued_p95 = summary("  notice queued", queued)
    print(
        f"    (queued: a notice to {groups} groups going out; its messages still unsent when "
        f"the alert went: median {statistics.median(ahead):.0f}; 429 answers: {refused})"
    )
    print(
        f"  ratio queued / empty: median {queued_median / empty_median:.2f}, "
        f"p95 {queued_p95 / empty_p95:.2f}   (target: both under 5 s)"
    )


def detector_figures(passes: int = 5) -> None:
    """Recall, precision and µs a message on the tuning, development and held-out sets (µs:
    best of ``passes``)."""
    detector = Detector.shipped(LexiconSettings())
    sets = ROOT / "tests" / "crisis"

    def best(name: str, language: str | None = None) -> Figures:
        runs = [evaluate(sets / name, detector, language) for _ in range(passes)]
        return min(runs, key=lambda figures: figures.microseconds)

    print(f"crisis detector, shipped lexicon (µs: best of {passes} passes over each set)")
    print("  " + best("tuning.jsonl").line("tuning set"))
    print("  " + best("dev.jsonl").line("development set"))
    target = "   (target: recall >= 0.97, precision >= 0.8)"
    print("  " + best("heldout.jsonl").line("held-out set") + target)
    for language in ("zh", "en"):
        print("  " + best("heldout.jsonl", language).line(f"held-out set, {language}"))


async def main(crises: int, residents: int, every: float, groups: int) -> None:
    await on_matrix(crises, residents, every)
    await on_telegram(crises, groups)
    detector_figures()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crises", type=int, default=50, help="crisis messages a measurement")
    parser.add_argument("--residents", type=int, default=20, help="residents posting meanwhile")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between their posts")
    parser.add_argument("--groups", type=int, default=300, help="group chats of the notice")
    args = parser.parse_args()
    asyncio.run(main(args.crises, args.residents, args.every, args.groups))
