"""One community on Telegram and Matrix at once: a resident's Telegram message reaches staff on Matrix.

One real ``sanshe run`` with both adapters in its YAML, against the loopback Bot API
server and the session's real Synapse; a plugin installed by entry point tells a
person who has only a Matrix handle.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path

import nio
import pytest

from tests.botapi import BotApiServer
from tests.conftest import install_plugin
from tests.synapse.clients import MatrixUserFactory, sync_until, timeline
from tests.synapse.harness import Homeserver, RegisteredUser

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

TOKEN = "4244:two-NETWORKS_token"
GROUP, RESIDENT = -1001, 31

NOTIFIER = """
from sanshe.core.hookspecs import hookimpl


@hookimpl
def sanshe_message(context):
    if context.event.network != "telegram" or "help" not in context.text:
        return None
    zhao = context.community.person("zhao")
    told = context.tell(zhao, "Building 1 asks for help on Telegram")
    return told or context.reply("nobody could be told")
"""


def community(
    tmp_path: Path, server: BotApiServer, homeserver: Homeserver, bot: RegisteredUser, zhao: str
) -> Path:
    """Building 1 on Telegram; Zhao, its grid worker, only on Matrix."""
    telegram = {"token": TOKEN, "base_url": server.base_url, "poll_timeout": 1}
    matrix = {
        "homeserver": homeserver.url,
        "user_id": bot.user_id,
        "access_token": bot.access_token,
        "store_path": str(tmp_path / "matrix-store"),
    }
    path = tmp_path / "community.yaml"
    path.write_text(
        "community: {id: test, name: Test, locale: en}\n"
        "groups:\n"
        '  - {id: building-1, kind: resident, name: Building 1, chats: {telegram: "-1001"}}\n'
        "people:\n"
        f"  - {{id: zhao, name: Zhao, handles: {{matrix: {json.dumps(zhao)}}},"
        " roles: [grid_worker]}\n"
        f"adapters:\n  telegram: {json.dumps(telegram)}\n  matrix: {json.dumps(matrix)}\n",
        encoding="utf-8",
    )
    return path


async def test_a_telegram_message_makes_a_plugin_write_privately_to_someone_on_matrix(
    tmp_path: Path, homeserver: Homeserver, matrix_user: MatrixUserFactory
) -> None:
    zhao = await matrix_user("zhao")
    bot = await homeserver.register(f"sanshe-{uuid.uuid4().hex[:10]}", "bot-pw")
    site = install_plugin(tmp_path, "notifier", "sanshe_test_notifier", NOTIFIER)
    log = tmp_path / "run.log"
    async with BotApiServer(TOKEN) as server:
        server.add_user(RESIDENT, "Li Lei")
        server.add_chat(GROUP, "Building 1")
        server.add_member(GROUP, server.bot_id, "administrator")
        server.add_member(GROUP, RESIDENT)
        config = community(tmp_path, server, homeserver, bot, zhao.user_id)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SANSHE_")}
        env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "sanshe.core.cli", "-v", "run", "--config", str(config)),
                *("--db", f"sqlite://{tmp_path}/db.sqlite3"),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                env=env,
            )
        try:
            deadline = time.monotonic() + 60
            while not server.calls_to("getUpdates"):  # Telegram is served, Matrix prepared
                assert process.returncode is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                await asyncio.sleep(0.05)
            server.inject_message(GROUP, RESIDENT, "we need help with the stairs")

            def invited(response: nio.SyncResponse) -> str | None:
                return next(iter(response.rooms.invite), None)

            room = await sync_until(zhao, invited, timeout=30)
            assert isinstance(await zhao.join(room), nio.JoinResponse)

            def told(response: nio.SyncResponse) -> str | None:
                said = [
                    e.body
                    for e in timeline(response, room)
                    if e.sender == bot.user_id and isinstance(e, nio.RoomMessage)
                ]
                return said[0] if said else None

            assert await sync_until(zhao, told, timeout=30) == (
                "Building 1 asks for help on Telegram"
            )
            assert [r.text for r in server.sent if r.chat_id == GROUP] == []  # not in the group
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), 30)
