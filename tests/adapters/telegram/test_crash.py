"""``sanshe run`` killed with SIGKILL during a burst of 200 updates, then started again.

Each of 200 people sends /start in their private chat; the bot answers each with one
reply.  After some replies arrived, the server holds every sendMessage (so no reply is
half-sent when the process dies: Telegram either has it or not), the test waits until
the bot has recorded every reply Telegram accepted, and kills the process.  After the
restart every /start must have exactly one answer.

A kill between Telegram accepting a message and the bot recording that it did would
repeat that one message on restart: the Bot API has no idempotency key.  Holding the
sends keeps the test about what Sanshe controls; the adapter's README says so.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest

from sanshe.core.storage.sealed import Seal, key_of
from tests.botapi import BotApiServer

from .conftest import wait_for

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

TOKEN = "777:crash-TEST-token_never-logged"
PEOPLE = range(5000, 5200)


def community(server: BotApiServer) -> str:
    settings = {"token": TOKEN, "base_url": server.base_url, "poll_timeout": 2}
    return (
        "community: {id: crash, name: Crash Test, locale: en}\n"
        f"adapters:\n  telegram: {json.dumps(settings)}\n"
    )


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db, timeout=10) as connection:
        return connection.execute(sql).fetchall()


def outbox(db: Path) -> list[dict[str, object]]:
    """Actions checkpointed and not yet performed, as the bot stored them."""
    if not db.exists():
        return []
    rows = query(db, "SELECT payload FROM outbox_action")
    if not rows:
        return []
    # Sealed with the key the first run made beside the database.
    seal = Seal(key_of(db.with_name(db.name + ".key").read_text("ascii"), "key"))
    return [json.loads(seal.open(payload)) for (payload,) in rows]


def stored_offset(db: Path) -> int | None:
    """The update offset the bot stored (all updates before it are handled)."""
    if not db.exists():
        return None
    rows = query(db, "SELECT value FROM adapter_state WHERE key = 'offset'")
    return int(rows[0][0]) if rows else None


async def sanshe_run(config: Path, db: Path, log: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANSHE_")}
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "sanshe.core.cli", "-vv", "run"),
        *("--config", str(config), "--db", f"sqlite://{db}"),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("wb"),
        env=env,
    )


async def test_sigkill_during_a_burst_then_restart_answers_each_update_once(
    tmp_path: Path,
) -> None:
    async with BotApiServer(TOKEN) as server:
        for person in PEOPLE:
            server.add_user(person, f"Person {person}")
        config, db = tmp_path / "community.yaml", tmp_path / "x.sqlite3"
        config.write_text(community(server), encoding="utf-8")
        logs = [tmp_path / "first.log", tmp_path / "second.log"]

        first = await sanshe_run(config, db, logs[0])
        try:
            for person in PEOPLE:
                server.user_starts_bot(person)
            await wait_for(lambda: len(server.sent) >= 50, "50 replies before the kill", 30)
            server.hold("sendMessage")
            answered = {record.chat_id for record in server.sent}
            await wait_for(
                lambda: (
                    not any(int(a["chat"]) in answered for a in outbox(db))
                    and stored_offset(db) is not None
                ),
                "the bot to record every reply Telegram accepted, and an offset",
            )
        finally:
            first.kill()
            await first.wait()
        server.release(perform=False)
        # The crash left work behind: replies decided but not sent, updates not confirmed.
        assert outbox(db)
        offset = stored_offset(db)
        assert offset is not None and offset <= server.pending_updates[-1]["update_id"]

        second = await sanshe_run(config, db, logs[1])
        try:
            await wait_for(lambda: len(server.sent) >= len(PEOPLE), "200 replies in all", 45)
            await wait_for(
                lambda: not server.pending_updates and not outbox(db),
                "every update confirmed and nothing left to send",
            )
        finally:
            second.send_signal(signal.SIGINT)
            await asyncio.wait_for(second.wait(), 20)

    replies = Counter(
        (r.chat_id, server.messages[(r.chat_id, r.message_id)]["reply_to_message"]["message_id"])
        for r in server.sent
    )
    assert len(server.sent) == len(PEOPLE)
    assert replies == Counter({(person, 1): 1 for person in PEOPLE})  # each /start, once
    handled = "SELECT count(*) FROM handled_event WHERE network = 'telegram'"  # not the plugins'
    assert query(db, handled) == [(len(PEOPLE),)]
    assert second.returncode in (0, 130)
    for log in logs:
        assert TOKEN not in log.read_text(encoding="utf-8", errors="replace")
