"""``sanshe run`` with several networks in the YAML: one process, one bot, every network at once."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

import pytest

from tests.botapi import BotApiServer

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

TOKEN = "4243:several-NETWORKS_token"
GROUP, WANG = -1001, 21


def community(tmp_path: Path, telegram: dict[str, object]) -> Path:
    """A community served on the console and on Telegram; ``ping`` is answered ``pong``."""
    path = tmp_path / "community.yaml"
    path.write_text(
        "community: {id: test, name: Test, locale: en}\n"
        "groups:\n"
        '  - {id: building-1, kind: resident, name: Building 1, chats: {telegram: "-1001"}}\n'
        "rules:\n"
        "  - {id: ping, when: {keywords: [ping]}, do: [{reply: pong}]}\n"
        "adapters:\n"
        f"  console: {{files: {json.dumps(str(tmp_path / 'files'))}}}\n"
        f"  telegram: {json.dumps(telegram)}\n",
        encoding="utf-8",
    )
    return path


async def sanshe_run(config: Path, tmp_path: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANSHE_")}
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "sanshe.core.cli", "run", "--config", str(config)),
        *("--db", f"sqlite://{tmp_path}/db.sqlite3"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**env, "SANSHE_LANG": "en"},
    )


async def test_the_console_and_telegram_are_served_together_by_one_run(tmp_path: Path) -> None:
    async with BotApiServer(TOKEN) as server:
        server.add_user(WANG, "Wang")
        server.add_chat(GROUP, "Building 1")
        server.add_member(GROUP, server.bot_id, "administrator")
        server.add_member(GROUP, WANG)
        settings = {"token": TOKEN, "base_url": server.base_url, "poll_timeout": 1}
        process = await sanshe_run(community(tmp_path, settings), tmp_path)
        assert process.stdin is not None and process.stdout is not None
        try:
            server.inject_message(GROUP, WANG, "ping from Telegram")
            deadline = time.monotonic() + 30
            while not any(r.chat_id == GROUP for r in server.sent):
                assert process.returncode is None, await process.stderr.read()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "no answer on Telegram"
                await asyncio.sleep(0.05)
            assert [r.text for r in server.sent if r.chat_id == GROUP] == ["pong"]

            process.stdin.write(b"wang@building-1: ping from the console\n")
            await process.stdin.drain()
            line = await asyncio.wait_for(process.stdout.readline(), 30)
            assert line.decode().startswith("reply building-1: pong")
            process.stdin.close()  # the console's input ends: so does the run, every network
            assert await asyncio.wait_for(process.wait(), 30) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def test_a_network_that_cannot_start_stops_the_run_saying_why(tmp_path: Path) -> None:
    async with BotApiServer(TOKEN) as server:
        wrong = {"token": "4243:not-THE-token", "base_url": server.base_url}
        process = await sanshe_run(community(tmp_path, wrong), tmp_path)
        _out, err = await asyncio.wait_for(process.communicate(b""), 60)
        assert process.returncode == 1
        assert "Telegram did not accept the bot token" in err.decode()
        assert "Traceback" not in err.decode()
