"""The homeserver goes away for 10 s: the bot reconnects by itself and answers what comes next."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.synapse.harness import Homeserver

from .conftest import Scene, body, reply_of, say


async def test_the_bot_reconnects_after_the_homeserver_restarts(
    scene: Scene, homeserver: Homeserver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sanshe.adapters.matrix")
    await homeserver.stop()
    try:
        await asyncio.sleep(10)  # the outage
    finally:
        await homeserver.start()
    first = await say(scene.resident, scene.room, "ping after the outage")
    reply = await reply_of(
        scene.resident, scene.room, scene.bot, first, "the first answer after it"
    )
    assert body(reply) == "pong after the outage"
    second = await say(scene.resident, scene.room, "ping again")
    await reply_of(scene.resident, scene.room, scene.bot, second, "the next answer")

    messages = [r.getMessage() for r in caplog.records]
    assert any(
        m.startswith(f"cannot reach the Matrix homeserver {homeserver.url}")
        and "Check that it is running" in m
        for m in messages
    ), messages
    assert any("reached the Matrix homeserver" in m and "again" in m for m in messages), messages
