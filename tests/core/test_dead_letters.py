"""Events core cannot handle: a bounded number of tries, a dead letter, the admins told, a replay."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from sanshe.core.actions import DirectMessage
from sanshe.core.bot import Bot
from sanshe.core.cli import main
from sanshe.core.events import Event, Message
from sanshe.core.storage.models import DeadLetter, EventTry, HandledEvent
from sanshe.testing import Sandbox
from tests.conftest import write_community

COMMUNITY = """\
community:
  id: c
  name: Test
  locale: en
  dead_letter_after: 3
groups:
  - {id: b1, kind: resident, name: Building 1}
people:
  - {id: li, name: Li, handles: {console: li}, roles: [community_worker]}
  - {id: zhao, name: Zhao, handles: {console: zhao}, roles: [{role: community_worker, groups: [b1]}]}
  - {id: wang, name: Wang, handles: {console: wang}, roles: [social_worker]}
"""


class Fault:
    """Makes :meth:`Bot.handle` raise, as a fault core cannot isolate would, while ``on``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.on = True
        self.tries = 0
        handle = Bot.handle

        async def faulty(bot: Bot, event: Event, writes: Any = None) -> Any:
            if self.on and event.network == "console":  # not the plugins' own (timers, start-up)
                self.tries += 1
                raise RuntimeError("the fault's message, which may quote 13812345678")
            return await handle(bot, event, writes)

        monkeypatch.setattr(Bot, "handle", faulty)


def whoami(event_id: str = "ev-1") -> Message:
    return Message(
        network="console",
        chat="b1",
        event_id=event_id,
        sender="wang",
        text="/whoami 13812345678",
        message_id="7",
    )


async def deliver_until_handled(sandbox: Sandbox, event: Event, most: int = 10) -> list[Any]:
    """Deliver ``event`` again after each failure, as a network does; the actions once handled."""
    for _ in range(most):
        try:
            return await sandbox.deliver(event)
        except (RuntimeError, TypeError):  # what the faults of these tests raise
            continue
    raise AssertionError(f"{event.event_id} was still not handled after {most} deliveries")


async def test_an_event_failing_every_try_is_set_aside_after_the_tries_and_the_admins_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fault = Fault(monkeypatch)
    async with Sandbox(write_community(tmp_path, COMMUNITY)) as sandbox:
        event = whoami()
        for _ in range(2):
            with pytest.raises(RuntimeError):
                await sandbox.deliver(event)
            assert not await HandledEvent.filter(event_id="ev-1").exists()
        with caplog.at_level(logging.ERROR, logger="sanshe"):
            told = await sandbox.deliver(event)
        assert fault.tries == 3
        [note] = told
        assert isinstance(note, DirectMessage) and note.user == "li"  # zhao's grant is one group's
        assert "dead letter 1" in note.text and "the group “Building 1” on console" in note.text
        assert "tried 3 times" in note.text and "RuntimeError at " in note.text
        assert "`sanshe dead-letters --replay 1`" in note.text
        assert "whoami" not in note.text and "138" not in note.text and "wang" not in note.text
        [line] = [r.getMessage() for r in caplog.records if "set aside" in r.getMessage()]
        for part in ("ev-1", "console", "chat b1", "3 tries", "RuntimeError at ", "--replay 1"):
            assert part in line
        assert not any("138" in r.getMessage() for r in caplog.records)
        letter = await DeadLetter.get(id=1)
        assert (letter.network, letter.chat, letter.kind, letter.tries) == (
            "console",
            "b1",
            "Message",
            3,
        )
        assert letter.event["text"] == event.text and letter.event["sender"] == "wang"
        assert await HandledEvent.filter(event_id="ev-1").exists()
        assert not await EventTry.filter(event_id="ev-1").exists()
        assert await sandbox.deliver(event) == []  # the network may stop delivering it
        assert fault.tries == 3  # this process checkpointed it: not decided again
        assert await DeadLetter.all().count() == 1 and await sandbox.pending() == []


async def test_a_try_the_process_did_not_live_through_counts(tmp_path: Path) -> None:
    sandbox = Sandbox(
        write_community(tmp_path, COMMUNITY), db_url=f"sqlite://{tmp_path}/db.sqlite3"
    )
    await sandbox.start()
    try:
        event = whoami("ev-crash")
        for _ in range(3):  # three tries began, and the process died during each
            await sandbox.storage.begin([event])
        await sandbox.restart()
        [note] = await sandbox.deliver(event)
        assert "each try was cut short" in note.text
        letter = await DeadLetter.get(event_id="ev-crash")
        assert (letter.tries, letter.error) == (3, "")
    finally:
        await sandbox.stop()


async def test_a_try_that_succeeds_in_time_forgets_the_tries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fault = Fault(monkeypatch)
    async with Sandbox(write_community(tmp_path, COMMUNITY)) as sandbox:
        event = whoami("ev-late")
        for _ in range(2):
            with pytest.raises(RuntimeError):
                await sandbox.deliver(event)
        fault.on = False
        [reply] = await sandbox.deliver(event)
        assert "You are Wang" in reply.text
        assert not await DeadLetter.exists()
        assert not await EventTry.exists()


async def test_an_action_no_database_can_store_fails_its_event_alone(tmp_path: Path) -> None:
    from sanshe.core.hookspecs import hookimpl

    class Unstorable:
        @hookimpl
        def sanshe_message(self, context: Any) -> Any:
            if "poison" in context.event.text:
                return context.reply(object())  # type: ignore[arg-type]
            return context.reply("fine")

    async with Sandbox(write_community(tmp_path, COMMUNITY), plugins=[Unstorable()]) as sandbox:
        poison = Message(network="console", chat="b1", event_id="p", sender="x", text="poison")
        other = Message(network="console", chat="b2", event_id="o", sender="y", text="other")
        results = await asyncio.gather(
            sandbox.bot.submit(poison), sandbox.bot.submit(other), return_exceptions=True
        )
        assert isinstance(results[0], TypeError) and results[1] is None
        told = await deliver_until_handled(sandbox, poison)
        assert [type(a) for a in told] == [DirectMessage]
        assert "TypeError at " in told[0].text
        assert sandbox.texts(sandbox.adapter.performed).count("fine") == 1


def test_the_cli_lists_dead_letters_and_replays_one_once_the_fault_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SANSHE_LANG", "en")
    config = write_community(tmp_path, COMMUNITY)
    db = f"sqlite://{tmp_path}/db.sqlite3"
    fault = Fault(monkeypatch)

    async def fail_it() -> None:
        async with Sandbox(config, db_url=db) as sandbox:
            await deliver_until_handled(sandbox, whoami())

    asyncio.run(fail_it())
    options = ["--config", str(config), "--db", db]
    assert main(["dead-letters", *options]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split() == ["id", "set", "aside", "network", "chat", "event", "tries", "error"]
    assert listed[1].split()[:7] == ["1", *listed[1].split()[1:3], "console", "b1", "message", "3"]
    assert "RuntimeError at " in listed[1]
    assert "whoami" not in "\n".join(listed) and "138" not in "\n".join(listed)
    assert "--replay ID" in listed[2]

    assert main(["dead-letters", "--text", *options]) == 0
    assert "    text: /whoami 13812345678" in capsys.readouterr().out

    assert main(["dead-letters", "--replay", "1", *options]) == 1
    said = capsys.readouterr()
    assert "Dead letter 1 could not be handled again (RuntimeError at " in said.err
    assert "it stays set aside" in said.err and "138" not in said.err
    assert main(["dead-letters", *options]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("1 ")

    fault.on = False
    assert main(["dead-letters", "--replay", "1", *options]) == 0
    out = capsys.readouterr().out
    assert "reply b1: You are Wang." in out
    assert "Dead letter 1 was handled again (1 action performed)" in out
    assert main(["dead-letters", *options]) == 0
    assert capsys.readouterr().out.strip() == "No dead letters: every event was handled."
    assert main(["dead-letters", "--replay", "1", *options]) == 1
    assert "There is no dead letter 1" in capsys.readouterr().err


async def test_an_event_another_bot_checkpointed_meanwhile_is_not_set_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = Bot.handle

    async def elsewhere(bot: Bot, event: Event, writes: Any = None) -> Any:
        actions = await handle(bot, event, writes)
        await bot.storage.checkpoint([(event, [])])  # as a second process on the database would
        return actions

    monkeypatch.setattr(Bot, "handle", elsewhere)
    last_try = COMMUNITY.replace("dead_letter_after: 3", "dead_letter_after: 1")
    async with Sandbox(write_community(tmp_path, last_try)) as sandbox:
        assert await sandbox.deliver(whoami()) == []
        assert not await DeadLetter.exists()
