"""Killed in the middle of a burst, ``sanshe run`` handles every message exactly once after a restart."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import nio

from tests.synapse.clients import MatrixUserFactory
from tests.synapse.harness import Homeserver, RegisteredUser

from .conftest import BOT_PASSWORD, bot_joined, create_room, join, say, wait_until, write_community

BURST = 200


class BotProcess:
    """``sanshe run`` as a subprocess; its log goes to a file, quoted when a wait fails."""

    def __init__(self, config: Path, db: Path, log: Path) -> None:
        self.command = [
            sys.executable,
            "-m",
            "sanshe.core.cli",
            "-v",
            "run",
            "--config",
            str(config),
            "--db",
            f"sqlite://{db}",
        ]
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = {**os.environ, "SANSHE_MATRIX_PASSWORD": BOT_PASSWORD}
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                *self.command, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out, env=env
            )

    async def kill(self) -> None:
        """SIGKILL: no chance to finish anything."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), 10)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])


class Replies:
    """Counts the bot's replies per message, as a staff member's client sees them."""

    def __init__(self, client: nio.AsyncClient, bot: str) -> None:
        self.client = client
        self.bot = bot
        self.count: Counter[str] = Counter()

    async def watch(self) -> None:
        while True:
            response = await self.client.sync(timeout=1000)
            assert isinstance(response, nio.SyncResponse), response
            for room in response.rooms.join.values():
                for event in room.timeline.events:
                    relates = event.source.get("content", {}).get("m.relates_to") or {}
                    to = (relates.get("m.in_reply_to") or {}).get("event_id")
                    if event.sender == self.bot and to:
                        self.count[to] += 1

    async def of(self, ids: list[str], what: str, process: BotProcess, timeout: float) -> None:
        """Wait until every message of ``ids`` has a reply."""

        async def all_answered() -> bool | None:
            return True if all(self.count[i] for i in ids) else None

        try:
            await wait_until(all_answered, what, timeout)
        except AssertionError as exc:
            missing = sum(1 for i in ids if not self.count[i])
            raise AssertionError(f"{exc}; {missing} unanswered\n{process.tail()}") from None


@contextlib.asynccontextmanager
async def watching(replies: Replies) -> AsyncIterator[None]:
    task = asyncio.create_task(replies.watch())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_sigkill_in_a_burst_loses_and_repeats_nothing(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
) -> None:
    admin = await matrix_user("admin")
    replies = Replies(admin, bot_account.user_id)
    residents = [await matrix_user("resident") for _ in range(4)]
    rooms = [
        await create_room(admin, [bot_account.user_id, *(r.user_id for r in pair)])
        for pair in (residents[:2], residents[2:])
    ]
    for number, resident in enumerate(residents):
        await join(resident, rooms[number // 2])
    groups = [
        {
            "id": f"building-{n}",
            "kind": "resident",
            "name": f"Building {n}",
            "chats": {"matrix": room},
        }
        for n, room in enumerate(rooms, start=1)
    ]
    people = [{"id": "zhao", "handles": {"matrix": admin.user_id}, "roles": ["grid_worker"]}]
    config = write_community(
        tmp_path / "community.yaml",
        homeserver,
        bot_account,
        groups=groups,
        people=people,
        adapter={"access_token": None},  # password login; the session is kept in store_path
    )
    bot = BotProcess(config, tmp_path / "sanshe.sqlite3", tmp_path / "bot.log")
    await bot.start()
    try:
        async with watching(replies):
            for room in rooms:
                await bot_joined(admin, room, bot_account.user_id)
            ready = [await say(residents[0], rooms[0], "/start")]
            await replies.of(ready, "the bot to answer a first message", bot, timeout=30)

            sent: list[str] = []

            async def burst(resident: nio.AsyncClient, room: str) -> None:
                for _ in range(BURST // len(residents)):
                    sent.append(await say(resident, room, "/start"))

            senders = [
                asyncio.create_task(burst(r, rooms[n // 2])) for n, r in enumerate(residents)
            ]

            async def some_answered() -> bool | None:
                return True if sum(replies.count[i] for i in sent) >= 20 else None

            await wait_until(some_answered, "the bot to answer 20 messages of the burst")
            await bot.kill()
            answered_before_kill = sum(1 for i in sent if replies.count[i])
            await asyncio.gather(*senders)
            assert len(sent) == BURST
            assert answered_before_kill < BURST  # killed in the middle, not after

            await bot.start()
            await replies.of(sent, f"the bot to answer all {BURST} messages", bot, timeout=120)
            # Each room handles its events in order: once these are answered, nothing else is due.
            last = [
                await say(residents[0], rooms[0], "/start"),
                await say(residents[2], rooms[1], "/start"),
            ]
            await replies.of(last, "the answers to the last messages", bot, timeout=30)
        assert {i: replies.count[i] for i in sent} == dict.fromkeys(sent, 1)
        assert set(replies.count) == set(sent) | set(ready) | set(last)
        assert all(n == 1 for n in replies.count.values())
    finally:
        await bot.stop()
