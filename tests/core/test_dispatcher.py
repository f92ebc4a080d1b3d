"""The dispatcher and the bot's event path: order per chat, chats in parallel, isolation, checkpoints."""

from __future__ import annotations

import asyncio
import logging
import random

import pytest

from sanshe.core.actions import Reply, Send
from sanshe.core.context import Context
from sanshe.core.dispatcher import Dispatcher
from sanshe.core.events import Event, Message
from sanshe.core.hookspecs import hookimpl
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE


def message(chat: str, n: int) -> Message:
    return Message(network="t", chat=chat, event_id=f"{chat}-{n}", sender="x", text=str(n))


async def test_events_of_one_chat_are_handled_in_order() -> None:
    seen: dict[str, list[int]] = {"a": [], "b": []}

    async def process(events: list[Event]) -> list[None]:
        for event in events:
            await asyncio.sleep(random.random() / 500)
            assert isinstance(event, Message)
            seen[event.chat].append(int(event.text))
        return [None] * len(events)

    dispatcher = Dispatcher(process)
    futures = [dispatcher.submit(message(chat, n)) for n in range(100) for chat in ("a", "b")]
    await asyncio.gather(*futures)
    assert seen == {"a": list(range(100)), "b": list(range(100))}
    await dispatcher.close()


async def test_a_slow_chat_does_not_hold_up_another() -> None:
    release = asyncio.Event()
    done: list[str] = []

    async def process(events: list[Event]) -> list[None]:
        for event in events:
            if event.chat == "slow":
                await release.wait()
            done.append(event.chat)
        return [None] * len(events)

    dispatcher = Dispatcher(process)
    slow = dispatcher.submit(message("slow", 1))
    await asyncio.wait_for(dispatcher.submit(message("fast", 1)), 2)
    assert done == ["fast"] and not slow.done()
    release.set()
    await asyncio.wait_for(slow, 2)
    assert done == ["fast", "slow"]
    await dispatcher.close()


async def test_a_failed_event_fails_its_future_and_the_chat_goes_on() -> None:
    async def process(events: list[Event]) -> list[BaseException | None]:
        return [RuntimeError("boom") if e.event_id == "c-0" else None for e in events]

    dispatcher = Dispatcher(process)
    first, second = dispatcher.submit(message("c", 0)), dispatcher.submit(message("c", 1))
    with pytest.raises(RuntimeError):
        await first
    await second
    await dispatcher.close()


async def test_a_batch_that_cannot_be_handled_fails_every_future_and_the_chat_goes_on() -> None:
    calls: list[list[str]] = []

    async def process(events: list[Event]) -> list[None]:
        calls.append([e.event_id for e in events])
        if len(calls) == 1:
            raise OSError("database unreachable")
        return [None] * len(events)

    dispatcher = Dispatcher(process)
    futures = [dispatcher.submit(message("c", n)) for n in range(3)]
    results = await asyncio.gather(*futures, return_exceptions=True)
    assert all(isinstance(r, OSError) for r in results)
    assert calls == [["c-0", "c-1", "c-2"]], "queued events of a chat are handled together"
    await dispatcher.submit(message("c", 3))
    await dispatcher.close()


class Broken:
    """A plugin that always fails."""

    @hookimpl
    def sanshe_message(self, context: Context) -> None:
        raise ValueError("broken plugin")


class Echo:
    """A plugin that answers every group message."""

    @hookimpl
    async def sanshe_message(self, context: Context) -> Send:
        return Send(chat=context.event.chat, text=f"echo {context.text}")


async def test_a_plugin_that_raises_is_logged_by_name_and_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Sandbox(EXAMPLE, plugins=[Broken(), Echo()]) as sandbox:
        with caplog.at_level(logging.ERROR):
            actions = await sandbox.send("maria", "building-1", "good morning")
    assert sandbox.texts(actions) == ["echo good morning"]
    failures = [r for r in caplog.records if r.exc_info and "broken plugin" in str(r.exc_info[1])]
    assert len(failures) == 1
    assert failures[0].getMessage() == "plugin 'Broken' failed in sanshe_message"


async def test_event_is_checkpointed_before_its_future_completes_and_never_handled_twice() -> None:
    async with Sandbox(EXAMPLE, plugins=[Echo()]) as sandbox:
        event = Message(
            network="console",
            chat="building-1",
            event_id="net-42",
            sender="maria",
            text="hi",
            message_id="42",
        )
        first = await sandbox.deliver(event)
        assert sandbox.texts(first) == ["echo hi"]
        assert await sandbox.handled(event)
        assert await sandbox.pending() == []
        again = await sandbox.deliver(event)
        assert again == []


async def test_actions_left_in_the_outbox_by_a_crash_are_performed_on_start(tmp_path) -> None:
    url = f"sqlite://{tmp_path}/crash.sqlite3"
    sandbox = Sandbox(EXAMPLE, db_url=url)
    await sandbox.start()
    reply = Reply(chat="building-1", to="7", text="decided before the crash")
    handled = Message(
        network="console", chat="building-1", event_id="ev-7", sender="maria", text="hi"
    )
    await sandbox.storage.checkpoint([(handled, [reply])])
    assert await sandbox.pending() == [reply]
    await sandbox.restart()
    try:
        assert sandbox.adapter.performed == [reply]
        assert await sandbox.pending() == []
    finally:
        await sandbox.stop()
