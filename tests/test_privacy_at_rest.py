"""Personal data posted in a group is written nowhere in clear text: not in any table, not in
the database files, not in the logs.

The example community runs on a SQLite file; people post phone, ID and card
numbers and an address in groups (where the privacy rules delete them), in a
group no rule watches, privately to the bot, as a command's argument and as a
display name; a message holding one is reported; a plugin fails on one such
message, and core on another until it is set aside as a dead letter.  Then every column of every row, the files'
raw bytes and every log line (at debug level, formatted as ``sanshe run`` logs
them) are searched for each number, also with its spaces and dashes taken out.
The same posts through ``sanshe -vvv run`` on the console leave nothing either.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sanshe.core.actions import Delete
from sanshe.core.bot import Bot
from sanshe.core.cli import TracebacksWithoutText
from sanshe.core.context import Context
from sanshe.core.events import Event, Message
from sanshe.core.hookspecs import hookimpl
from sanshe.core.plugins import TRACE_VARIABLE
from sanshe.core.storage.models import DeadLetter
from sanshe.testing import NETWORK, Sandbox
from tests.conftest import EXAMPLE

PHONE = "139 8765 4321"
ID_NUMBER = "440305198706152839"
CARD = "6217-0012-3456-7890-122"
ADDRESS = "7栋3单元1502"
SECRETS = (PHONE, ID_NUMBER, CARD, ADDRESS)

POSTS = [
    ("maria", "building-1", f"我的电话是{PHONE}，有事找我"),
    ("maria", "building-1", f"身份证号{ID_NUMBER}"),
    ("maria", "building-2", f"退款请打到卡号{CARD}"),
    ("maria", "focus-1", f"我住在{ADDRESS}，电话{PHONE}"),
    ("gao", "volunteers", f"my phone is {PHONE}"),
    ("maria", "dm", f"我的身份证{ID_NUMBER}"),
    ("gao", "volunteers", f"/rules {PHONE}"),
    ("wang", "focus-1", f"/warn {CARD}"),
    ("gao", "volunteers", f"fail: {ID_NUMBER}"),
    ("wang", "volunteers", f"/warn @gao 在群里发了电话{PHONE}"),
]


def _message(event_id: str, sender: str, chat: str, text: str, **more: str) -> Message:
    return Message(
        network=NETWORK,
        chat=chat,
        event_id=event_id,
        sender=sender,
        text=text,
        message_id=event_id,
        **more,
    )


class Failing:
    """A plugin that fails on a message starting ``fail:``, quoting the message as it fails."""

    @hookimpl
    def sanshe_message(self, context: Context) -> None:
        if context.text.startswith("fail:"):
            raise ValueError(f"cannot handle {context.text!r}")


def _forms(value: str) -> list[bytes]:
    """``value`` as stored text could hold it: as written, without its separators, in the
    encodings a database may use."""
    bare = re.sub(r"[\s\-]", "", value)
    return [v.encode(e) for v in {value, bare} for e in ("utf-8", "utf-16-le", "utf-16-be")]


def _leaks(data: bytes) -> list[str]:
    return [secret for secret in SECRETS if any(form in data for form in _forms(secret))]


def _rows(path: Path) -> dict[str, list[str]]:
    """Per table, the secrets found in any column of any row (each value as text and bytes)."""
    found: dict[str, list[str]] = {}
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            values = [v for row in db.execute(f'SELECT * FROM "{table}"') for v in row]
            data = b"\0".join(v if isinstance(v, bytes) else str(v).encode("utf-8") for v in values)
            if leaks := _leaks(data):
                found[table] = leaks
    return found


async def test_personal_data_posted_in_groups_is_nowhere_at_rest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(TRACE_VARIABLE, "1")  # every hook call logged too
    db = tmp_path / "sanshe.sqlite3"
    sandbox = Sandbox(EXAMPLE, db_url=f"sqlite://{db}", plugins=[Failing()])
    async with sandbox:
        deleted = 0
        for who, where, text in POSTS:
            actions = await sandbox.send(who, where, text)
            deleted += len([a for a in actions if isinstance(a, Delete)])
            assert not _leaks("\n".join(sandbox.texts(actions)).encode()), (text, actions)
        # Named after a number; a report quoting a message; an event core fails on (set aside
        # as a dead letter after the example's three tries).
        stranger = _message("s1", "stranger", "building-2", f"卡号 {CARD}", sender_name=PHONE)
        deleted += len([a for a in await sandbox.deliver(stranger) if isinstance(a, Delete)])
        await sandbox.send("gao", "volunteers", f"call {PHONE}")
        report = _message(
            "r1", "wang", "volunteers", "/report", reply_to="1", reply_to_text=f"call {PHONE}"
        )
        await sandbox.deliver(report)
        crash = _message("c1", "maria", "volunteers", f"crash: {ID_NUMBER}")
        handle = Bot.handle

        async def faulty(bot: Bot, event: Event, writes: Any = None) -> Any:
            if event.event_id == crash.event_id:
                raise RuntimeError(f"cannot handle {getattr(event, 'text', '')}")
            return await handle(bot, event, writes)

        with monkeypatch.context() as fault:
            fault.setattr(Bot, "handle", faulty)
            for _ in range(2):
                with pytest.raises(RuntimeError):
                    await sandbox.deliver(crash)
            await sandbox.deliver(crash)
        assert await DeadLetter.filter(event_id="c1").exists()
        assert deleted == 6  # the guard was there: the six posts its rules watch
        assert await sandbox.audit(action="privacy")
    assert _rows(db) == {}
    files = {f.name: _leaks(f.read_bytes()) for f in tmp_path.iterdir() if f.suffix != ".key"}
    assert files == dict.fromkeys(files, []), files

    formatter = TracebacksWithoutText("%(name)s %(levelname)s %(message)s")
    lines = []
    for record in caplog.records:
        record.exc_text = None  # as caplog's own handler formatted it, with the message
        lines.append(formatter.format(record))
    assert any("failed in sanshe_message" in line for line in lines)  # the failure was logged
    leaked = [line for line in lines if _leaks(line.encode())]
    assert leaked == [], leaked


def test_a_console_run_logs_and_stores_none_of_it(tmp_path: Path) -> None:
    """``sanshe -vvv run`` (every log line, SQL statements too) on the example community."""
    lines = [f"{who}@{where}: {text}" for who, where, text in POSTS]
    env = {k: v for k, v in os.environ.items() if k not in ("SANSHE_KEY", "SANSHE_KEY_FILE")}
    result = subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", "-vvv", "run", "--config", str(EXAMPLE)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "SANSHE_DB_URL": f"sqlite://{tmp_path}/sanshe.sqlite3"},
    )
    assert result.returncode == 0, result.stderr
    assert "delete focus-1:" in result.stdout and "DEBUG tortoise.db_client" in result.stderr
    assert _leaks(result.stdout.encode()) == [] and _leaks(result.stderr.encode()) == []
    assert _rows(tmp_path / "sanshe.sqlite3") == {}
    files = {f.name: _leaks(f.read_bytes()) for f in tmp_path.iterdir() if f.suffix != ".key"}
    assert files == dict.fromkeys(files, []), files
