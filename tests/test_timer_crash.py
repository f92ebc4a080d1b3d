"""A real ``sanshe run`` SIGKILLed around a timer's firing: after a restart, each action once.

A small installed plugin schedules a timer a second ahead on ``/drill``; when it
falls due, its ``sanshe_timer`` sends three messages on the console.  The run is
stopped (by :data:`sanshe.core.bot.STOP_VARIABLE`, the test-only hook) right
before the firing's checkpoint, or between that checkpoint and the performing
of its actions, SIGKILLed there, and started again on the same SQLite file.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from sanshe.core.bot import STOP_VARIABLE
from tests.conftest import install_plugin

DRILL = """
    from datetime import timedelta

    from sanshe.core.actions import Send
    from sanshe.core.commands import ChatCommand
    from sanshe.core.hookspecs import hookimpl


    def drill(context):
        context.timers("drill").after("drill", timedelta(seconds=1))
        return context.reply("set")


    @hookimpl
    def sanshe_commands():
        return [ChatCommand(name="drill", handler=drill, help="arguments.name.duration")]


    @hookimpl
    def sanshe_timer(context, timer):
        late = " (late)" if timer.late >= timedelta(seconds=1) else ""
        return [Send(network="console", chat="building-1", text=f"drill {n} of 3{late}") for n in (1, 2, 3)]
"""

COMMUNITY = """\
community: {id: drill, name: Drill, locale: en}
groups:
  - {id: building-1, kind: resident, name: Building 1}
"""

#: What the console prints for the timer's three messages (the message numbers left out).
DRILLS = re.compile(r"^send building-1: (drill \d of 3(?: \(late\))?) \(b\d+\)$")


class Run:
    """One ``sanshe run`` on the console, its input kept open (the run ends when it is closed)."""

    def __init__(self, tmp_path: Path, number: int) -> None:
        self.tmp_path = tmp_path
        self.log = tmp_path / f"run-{number}.log"
        self.process: asyncio.subprocess.Process

    async def start(self, stop_at: str = "") -> Run:
        base = {k: v for k, v in os.environ.items() if not k.startswith("SANSHE_")}
        env = {
            **base,
            "PYTHONPATH": str(self.tmp_path / "site-drill"),
            "SANSHE_LANG": "en",
        }
        if stop_at:
            env[STOP_VARIABLE] = stop_at
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "sanshe.core.cli", "run"),
                *("--config", str(self.tmp_path / "community.yaml")),
                *("--db", f"sqlite://{self.tmp_path}/drill.sqlite3"),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
                env=env,
                cwd=self.tmp_path,
            )
        return self

    async def say(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{line}\n".encode())
        await self.process.stdin.drain()

    async def printed(self, count: int, timeout: float = 30) -> list[str]:
        """The next ``count`` lines the run prints."""
        assert self.process.stdout is not None
        lines = []
        for _ in range(count):
            line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
            assert line, f"the run ended; see {self.log}"
            lines.append(line.decode().rstrip("\n"))
        return lines

    async def stopped(self, timeout: float = 15) -> None:
        """Wait until the run has stopped itself at the point it was told."""
        deadline = time.monotonic() + timeout
        stat = Path(f"/proc/{self.process.pid}/stat")
        while stat.read_text().rpartition(") ")[2][:1] != "T":
            assert self.process.returncode is None, f"the run ended; see {self.log}"
            assert time.monotonic() < deadline, f"the run never stopped; see {self.log}"
            await asyncio.sleep(0.01)

    async def kill(self) -> list[str]:
        """SIGKILL the run; what it printed and had not been read yet."""
        self.process.kill()
        assert await asyncio.wait_for(self.process.wait(), 30) == -signal.SIGKILL
        return await self.rest()

    async def end(self) -> list[str]:
        """Close the run's input (so it stops as it should); what it printed since read."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert await asyncio.wait_for(self.process.wait(), 30) == 0, self.log.read_text()
        return await self.rest()

    async def rest(self) -> list[str]:
        assert self.process.stdout is not None
        return (await self.process.stdout.read()).decode().splitlines()


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db, timeout=10) as connection:
        return connection.execute(sql).fetchall()


def drills(lines: list[str]) -> list[str]:
    """The timer's messages among ``lines``, as texts."""
    return [m.group(1) for line in lines if (m := DRILLS.match(line))]


def prepare(tmp_path: Path) -> Path:
    install_plugin(tmp_path, "drill", "drill_plugin", DRILL)
    (tmp_path / "community.yaml").write_text(COMMUNITY, encoding="utf-8")
    return tmp_path / "drill.sqlite3"


async def test_a_kill_between_a_timers_checkpoint_and_its_sends_performs_each_once(
    tmp_path: Path,
) -> None:
    db = prepare(tmp_path)
    first = await Run(tmp_path, 1).start(stop_at="timer:perform")
    try:
        await first.say("wang@building-1: /drill")
        assert await first.printed(1) == ["reply building-1: set (b1)"]
        await first.stopped()
        # Stopped right after the firing's checkpoint: kept, with its actions, nothing sent yet.
        assert query(db, "SELECT network FROM outbox_action") == [("console",)] * 3
        assert query(db, "SELECT count(*) FROM timer WHERE plugin = 'drill'") == [(0,)]
        assert query(db, "SELECT event_id FROM handled_event WHERE network = 'timer'") != []
        before = await first.kill()
    finally:
        if first.process.returncode is None:
            first.process.kill()
            await first.process.wait()
    assert drills(before) == []

    second = await Run(tmp_path, 2).start()
    after = await second.printed(3)
    await asyncio.sleep(2)  # the timer was due a second after /drill: it does not fire again
    after += await second.end()
    assert [re.sub(r" \(late\)$", "", text) for text in drills(after)] == [
        "drill 1 of 3",
        "drill 2 of 3",
        "drill 3 of 3",
    ]
    assert len(after) == 3, after
    assert query(db, "SELECT count(*) FROM outbox_action") == [(0,)]
    assert query(db, "SELECT count(*) FROM timer WHERE plugin = 'drill'") == [(0,)]
    logs = first.log.read_text() + second.log.read_text()
    assert "Traceback" not in logs


async def test_a_kill_before_a_timers_checkpoint_fires_it_once_late_after_the_restart(
    tmp_path: Path,
) -> None:
    db = prepare(tmp_path)
    first = await Run(tmp_path, 1).start(stop_at="timer:checkpoint")
    try:
        await first.say("wang@building-1: /drill")
        assert await first.printed(1) == ["reply building-1: set (b1)"]
        await first.stopped()
        # Stopped after the plugin decided, before the checkpoint: nothing of the firing kept.
        assert query(db, "SELECT count(*) FROM outbox_action") == [(0,)]
        assert query(db, "SELECT plugin, key FROM timer WHERE plugin = 'drill'") == [
            ("drill", "drill")
        ]
        assert query(db, "SELECT count(*) FROM handled_event WHERE network = 'timer'") == [(0,)]
        before = await first.kill()
    finally:
        if first.process.returncode is None:
            first.process.kill()
            await first.process.wait()
    assert drills(before) == []
    await asyncio.sleep(1)  # it was due when the run stopped: a second later, it is late

    second = await Run(tmp_path, 2).start()
    after = await second.printed(3)
    await asyncio.sleep(2)
    after += await second.end()
    assert drills(after) == ["drill 1 of 3 (late)", "drill 2 of 3 (late)", "drill 3 of 3 (late)"]
    assert len(after) == 3, after
    assert query(db, "SELECT count(*) FROM outbox_action") == [(0,)]
    assert query(db, "SELECT count(*) FROM timer WHERE plugin = 'drill'") == [(0,)]
    logs = first.log.read_text() + second.log.read_text()
    assert "Traceback" not in logs
