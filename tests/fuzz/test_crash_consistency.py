"""``sanshe run`` killed with SIGKILL at 20 seeded random moments while 30 people fill a form.

Each person, in a private chat on the loopback Bot API server, sends /start, then
``/form intake`` and five answers of their own (a name, a phone, an age, a temperature,
a note), interleaved with the others; a person may type their next answer before the
bot has taken the previous one.  The bot is killed after a random number of messages
were sent and a random number of replies arrived since, then started again, until
every message is confirmed.  Then every stored record is checked field by field:
exactly one per person, every field what that person answered to that question, and
no dialog left holding answers.

A message the bot had taken but not yet checkpointed when it died is delivered again
on restart; it must change nothing (issue 8, item 1).

Each run is ``sanshe run`` (the command's ``main``) in a process of its own, forked
from a launcher that has imported Sanshe once: 21 cold starts of Python would take
most of a minute by themselves.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sanshe.core.storage.sealed import Seal, key_of
from tests.botapi import BotApiServer, Limits

from .conftest import tally

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

TOKEN = "778:crash-FORMS-token_never-logged"
SEED = 8_2026
PEOPLE = range(7000, 7030)
KILLS = 20
#: Flood windows 10x shorter than Telegram's (the adapter is told so).
FAST = {"second": 0.1, "minute": 6.0}
FORM = """\
forms:
  - id: intake
    title: Intake
    fields:
      - {id: name, type: text, label: Name}
      - {id: phone, type: phone, label: Phone, sensitive: true}
      - {id: age, type: age, label: Age}
      - {id: temp, type: temperature, label: Temperature}
      - {id: note, type: text, label: Note, required: false}
"""


def expected(person: int) -> dict[str, Any]:
    """What ``person`` answers, field by field (distinct for every person)."""
    n = person - PEOPLE[0]
    return {
        "name": f"Person {n}",
        "phone": f"1391234{n:04d}",
        "age": 20 + n,
        "temp": round(36.0 + n / 10, 1),
        "note": f"note of {n}",
    }


def script(person: int) -> list[str]:
    """The messages ``person`` sends after /start, in order."""
    return ["/form intake", *(str(v) for v in expected(person).values())]


def community(server: BotApiServer) -> str:
    settings = {"token": TOKEN, "base_url": server.base_url, "poll_timeout": 1, "limits": FAST}
    # Twenty kills in a few seconds leave some messages in flight at three kills running: a
    # message the process dies with that often is set aside as a dead letter (dead_letter_after,
    # 3 by default), which is for messages that kill the bot, not the kills of this test.
    return (
        "community: {id: crash, name: Crash Test, locale: en, dead_letter_after: 25}\n"
        f"adapters:\n  telegram: {json.dumps(settings)}\n" + FORM
    )


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    if not db.exists():
        return []
    with sqlite3.connect(db, timeout=10) as connection:
        try:
            return connection.execute(sql).fetchall()
        except sqlite3.OperationalError:  # the schema is not there yet
            return []


#: Forks one ``sanshe run`` per ``run <log>`` line (printing its pid); ``wait <pid>``
#: prints how it ended (its exit code, or minus the signal that killed it).
LAUNCHER = """
import os, sys
import sanshe.adapters.telegram, sanshe.core.cli, sanshe.plugins.basics, sanshe.plugins.forms
for line in sys.stdin:
    verb, _, arg = line.strip().partition(" ")
    if verb == "wait":
        status = os.waitpid(int(arg), 0)[1]
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
        print(code, flush=True)
        continue
    pid = os.fork()
    if pid == 0:
        log = os.open(arg, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0), os.dup2(null, 1), os.dup2(log, 2)
        code = 1
        try:
            code = sanshe.core.cli.main(sys.argv[1:])
        finally:
            os._exit(code or 0)
    print(pid, flush=True)
"""


class Runs:
    """``sanshe run`` on one config and database, started, killed and stopped."""

    def __init__(self, config: Path, db: Path, folder: Path) -> None:
        self.args = ("run", "--config", str(config), "--db", f"sqlite://{db}")
        self.folder = folder
        self.logs: list[Path] = []
        self.pid = 0
        self._launcher: asyncio.subprocess.Process

    async def __aenter__(self) -> Runs:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SANSHE_")}
        self._launcher = await asyncio.create_subprocess_exec(
            *(sys.executable, "-c", LAUNCHER, *self.args),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._launcher.stdin is not None
        self._launcher.stdin.close()
        await asyncio.wait_for(self._launcher.wait(), 10)

    async def _say(self, line: str) -> int:
        assert self._launcher.stdin is not None and self._launcher.stdout is not None
        self._launcher.stdin.write(f"{line}\n".encode())
        await self._launcher.stdin.drain()
        return int(await asyncio.wait_for(self._launcher.stdout.readline(), 20))

    async def start(self) -> None:
        self.logs.append(self.folder / f"run-{len(self.logs)}.log")
        self.pid = await self._say(f"run {self.logs[-1]}")

    def running(self) -> bool:
        """Whether the run is alive (a run that ended stays a zombie until ``wait``)."""
        try:
            state = Path(f"/proc/{self.pid}/stat").read_text().rpartition(") ")[2][:1]
        except FileNotFoundError:
            return False
        return state not in ("Z", "X")

    async def end(self, sig: signal.Signals) -> int:
        """Send ``sig`` and return how the run ended."""
        os.kill(self.pid, sig)
        return await self._say(f"wait {self.pid}")


def pending_of(server: BotApiServer, person: int) -> int:
    """How many of ``person``'s messages the bot has not yet confirmed."""
    return sum(1 for u in server.pending_updates if u["message"]["chat"]["id"] == person)


async def until(condition: Any, timeout: float) -> bool:
    """Wait until ``condition()`` holds; False after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.002)
    return True


async def test_kills_during_interleaved_form_filling_leave_every_record_right(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    messages = {p: script(p) for p in PEOPLE}
    total = len(PEOPLE) * (1 + len(script(PEOPLE[0])))
    kill_after = sorted(rng.sample(range(10, total), KILLS))
    counts = tally("random kills during form filling")
    async with BotApiServer(TOKEN, "sanshe_bot", Limits(**FAST)) as server:
        for person in PEOPLE:
            server.add_user(person, f"Person {person}")
        config, db = tmp_path / "community.yaml", tmp_path / "crash.sqlite3"
        config.write_text(community(server), encoding="utf-8")

        sent = dict.fromkeys(PEOPLE, -1)  # -1: not even /start yet
        injected = 0

        def inject_one() -> bool:
            nonlocal injected
            ready = [p for p in PEOPLE if sent[p] < len(messages[p]) and pending_of(server, p) <= 1]
            if not ready:
                return False
            person = rng.choice(ready)
            if sent[person] < 0:
                server.user_starts_bot(person)
            else:
                server.inject_message(person, person, messages[person][sent[person]])
            sent[person] += 1
            injected += 1
            return True

        async def feed(count: int, replies: int = 0) -> None:
            """Send messages as people do, a few at a time, until ``count`` were sent
            (and the bot sent ``replies`` in all, or everything was sent)."""
            deadline = time.monotonic() + 20
            while injected < count or (len(server.sent) < replies and injected < total):
                if not runs.running():
                    raise AssertionError(f"sanshe run ended by itself; see {runs.logs[-1]}")
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"seed {SEED}: the bot took none of {len(server.pending_updates)} "
                        f"messages for 20 s; see {runs.logs[-1]}"
                    )
                if not inject_one():
                    await asyncio.sleep(0.005)
                elif rng.random() < 0.3:
                    await asyncio.sleep(rng.uniform(0, 0.01))

        async with Runs(config, db, tmp_path) as runs:
            await runs.start()
            try:
                for threshold in kill_after:
                    await feed(threshold)
                    # Kill while the bot is busy: after a few more replies, a moment later.
                    await feed(threshold, len(server.sent) + rng.randint(1, 6))
                    await asyncio.sleep(rng.uniform(0, 0.02))
                    assert await runs.end(signal.SIGKILL) == -signal.SIGKILL
                    counts["tried"] += 1
                    await runs.start()
                await feed(total)
                records = "SELECT count(*) FROM record"
                assert await until(
                    lambda: (
                        not server.pending_updates
                        and query(db, records) == [(len(PEOPLE),)]
                        and query(db, "SELECT count(*) FROM outbox_action") == [(0,)]
                    ),
                    30,
                ), f"seed {SEED}: not every message was taken; see {runs.logs[-1]}"
            finally:
                ended = await runs.end(signal.SIGINT)
        logs = runs.logs

    assert ended in (0, 130)
    # The database is sealed with the key the first run made beside it.
    seal = Seal(key_of(db.with_name(db.name + ".key").read_text("ascii"), "key"))
    stored = query(db, "SELECT person, data FROM record ORDER BY person")
    found = {person: json.loads(seal.open(data)) for person, data in stored}
    wrong = {
        p: found.get(f"telegram:{p}") for p in PEOPLE if found.get(f"telegram:{p}") != expected(p)
    }
    texts = [log.read_text("utf-8", "replace") for log in logs]
    counts["wrong answers"] += len(wrong) + abs(len(stored) - len(PEOPLE))
    counts["tracebacks"] += sum("Traceback" in text for text in texts)
    counts["leaks"] += sum(expected(p)["phone"] in text for p in PEOPLE for text in texts)
    assert len(stored) == len(PEOPLE), f"seed {SEED}: {len(stored)} records for 30 people"
    assert wrong == {}, f"seed {SEED}: records with wrong fields: {wrong}"
    dialogs = query(db, "SELECT answers FROM form_session")
    assert [json.loads(seal.open(answers)) for (answers,) in dialogs] == [{}] * len(dialogs)
    for person in PEOPLE:
        said = [r.text or "" for r in server.sent if r.chat_id == person]
        assert any("“Intake” is saved" in text for text in said), f"{person} was never told"
    assert counts["tracebacks"] == 0, f"seed {SEED}: a traceback in {[str(p) for p in logs]}"
    assert counts["leaks"] == 0 and not any(TOKEN in text for text in texts)
