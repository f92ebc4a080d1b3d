"""On the loopback Bot API server: an update that fails every try is set aside, acknowledged to
Telegram, an admin told privately, and ``sanshe dead-letters --replay`` answers it later."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sanshe.adapters.telegram import TelegramAdapter
from sanshe.core.bot import Bot
from sanshe.core.config import load_community
from sanshe.core.contributions import vocabulary
from sanshe.core.events import Event, Message
from sanshe.core.plugins import plugin_manager
from sanshe.core.storage import Storage
from sanshe.core.storage.models import DeadLetter
from tests.botapi import BotApiServer
from tests.conftest import install_plugin, sanshe

from .conftest import BUILDING, COMMUNITY, FAST, RESIDENT, TOKEN, WANG, Gatekeeper, World, wait_for


async def test_an_update_failing_every_try_is_set_aside_acknowledged_told_and_replayed(
    server: BotApiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = yaml.safe_load(COMMUNITY)
    data["community"].update(admins=["social_worker"], dead_letter_after=2)  # wang is the admin
    data["adapters"] = {
        "telegram": {"token": TOKEN, "base_url": server.base_url, "poll_timeout": 5, "limits": FAST}
    }
    config = tmp_path / "community.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    db = tmp_path / "bot.sqlite3"

    fault = {"on": True, "tries": 0}
    handle = Bot.handle

    async def faulty(self: Bot, event: Event, writes: Any = None) -> Any:
        if fault["on"] and isinstance(event, Message) and event.text == "ping":
            fault["tries"] += 1
            raise RuntimeError("a fault core cannot isolate")
        return await handle(self, event, writes)

    monkeypatch.setattr(Bot, "handle", faulty)
    pm = plugin_manager(extra=[Gatekeeper()])
    community = load_community(config, vocabulary(pm))
    storage = Storage(f"sqlite://{db}")
    await storage.open()
    adapter = TelegramAdapter.from_settings(community.adapters["telegram"])
    bot = Bot(community, adapter, storage, pm=pm, config_path=config)
    world = World(server, bot, adapter, Gatekeeper(), storage)
    try:
        await bot.start()
        world.start()
        server.user_starts_bot(WANG)
        await world.said(WANG, 1, "the welcome to the admin")
        server.inject_message(BUILDING, RESIDENT, "ping")
        [_welcome, note] = await world.said(WANG, 2, "the admin's private note")
        assert "死信 1：telegram 上“1号楼居民群”中的一条消息，已尝试 2 次（RuntimeError at " in note
        assert "`sanshe dead-letters --replay 1`" in note
        assert "ping" not in note and str(RESIDENT) not in note
        assert fault["tries"] == 2
        await wait_for(lambda: not server.pending_updates, "the update to be confirmed to Telegram")
        assert world.texts(BUILDING) == []
        letter = await DeadLetter.get(id=1)
        assert (letter.network, letter.chat, letter.tries) == ("telegram", str(BUILDING), 2)

        options = ["--config", str(config), "--db", f"sqlite://{db}"]
        code, out, err = await sanshe("dead-letters", *options)
        assert code == 0, err
        [row] = [line for line in out.splitlines() if line.startswith("1 ")]
        assert ["telegram", str(BUILDING), "message", "2"] == row.split()[3:7]
        assert "ping" not in out

        fault["on"] = False
        code, out, err = await sanshe("dead-letters", "--replay", "1", *options)
        assert code == 0, err
        assert "Dead letter 1 was handled again (1 action performed)" in out
        assert world.texts(BUILDING) == ["pong"]
        code, out, err = await sanshe("dead-letters", *options)
        assert out.strip() == "No dead letters: every event was handled."
        assert fault["tries"] == 2  # Telegram did not deliver it again
    finally:
        await world.stop()
        with contextlib.suppress(Exception):
            await bot.stop()
        await storage.close()


CRASHER = """
import os

from sanshe.core.hookspecs import hookimpl


@hookimpl
def sanshe_message(context):
    if context.event.text == "crash me":
        os._exit(3)  # as a fault in a C extension would: nothing after it runs
    return None
"""


async def test_an_update_the_bot_never_lives_through_is_set_aside_after_its_tries(
    server: BotApiServer, tmp_path: Path
) -> None:
    data = yaml.safe_load(COMMUNITY)
    data["community"].update(admins=["social_worker"], dead_letter_after=2)
    data["adapters"] = {
        "telegram": {"token": TOKEN, "base_url": server.base_url, "poll_timeout": 2, "limits": FAST}
    }
    config = tmp_path / "community.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    site = install_plugin(tmp_path, "crasher", "crasher_plugin", CRASHER)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANSHE_")}
    env["PYTHONPATH"] = str(site)
    command = [sys.executable, "-m", "sanshe.core.cli", "run", "--config", str(config)]
    command += ["--db", f"sqlite://{tmp_path}/bot.sqlite3"]
    log = tmp_path / "bot.log"

    async def start() -> asyncio.subprocess.Process:
        with log.open("ab") as out:
            return await asyncio.create_subprocess_exec(
                *command, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out, env=env
            )

    server.user_starts_bot(WANG)
    bot = await start()
    try:
        # A fresh process: imports, every plugin's tables made in the file database, the key.
        await wait_for(lambda: len(server_texts(server, WANG)) == 1, "the welcome to the admin", 60)
        server.inject_message(BUILDING, RESIDENT, "crash me")
        for _cut_short in (1, 2):
            code = await asyncio.wait_for(bot.wait(), 60)
            assert code == 3, log.read_text(errors="replace")
            bot = await start()  # Telegram delivers the update again
        await wait_for(lambda: len(server_texts(server, WANG)) == 2, "the admin's note", 60)
        note = server_texts(server, WANG)[1]
        assert (
            "死信 1：telegram 上“1号楼居民群”中的一条消息，已尝试 2 次（每次尝试都因机器人中途停止而未完成）"
            in note
        )
        await wait_for(lambda: not server.pending_updates, "the update to be confirmed", 30)
        server.inject_message(BUILDING, RESIDENT, "ping")
        await wait_for(lambda: server_texts(server, BUILDING) == ["pong"], "the bot to go on", 30)
        assert bot.returncode is None
    finally:
        if bot.returncode is None:
            bot.terminate()
            await asyncio.wait_for(bot.wait(), 30)


def server_texts(server: BotApiServer, chat: int) -> list[str]:
    """What the bot has posted in ``chat``, in order."""
    return [r.text or "" for r in server.sent if r.chat_id == chat]
