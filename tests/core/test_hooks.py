"""Hooks behave as pluggy promises: subset arguments, wrappers, historic registration, offered hooks."""

from __future__ import annotations

import logging
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from sanshe.core.actions import Action, Send
from sanshe.core.commands import ChatCommand
from sanshe.core.hookspecs import hookimpl, hookspec
from sanshe.core.plugins import then
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE, write_community
from tests.core.test_forms import FORM_COMMUNITY


class OnlyTheResult:
    """Implements ``sanshe_form_submitted`` with only one of its two arguments."""

    @hookimpl
    def sanshe_form_submitted(self, result: Any) -> Action:
        return Send(chat="lobby", text=f"new record of {result.form.id}")


async def test_an_implementation_taking_some_of_the_arguments_is_called(tmp_path: Path) -> None:
    config = write_community(tmp_path, FORM_COMMUNITY)
    async with Sandbox(config, plugins=[OnlyTheResult()]) as community:
        await community.send("ann", "dm", "/form checkin")
        texts: list[str] = []
        for answer in ("36.6", "13812345678", "fine"):
            texts = community.texts(await community.send("ann", "dm", answer))
        assert "new record of checkin" in texts


class Shouter:
    """A wrapper: sees what the other plugins answered to a message and changes it."""

    @hookimpl(wrapper=True)
    def sanshe_message(self) -> Generator[None, list[Any], list[Any]]:
        answers = yield
        return then(answers, lambda actions: [_loud(a) for a in actions])


class Pinger:
    @hookimpl
    async def sanshe_message(self, context: Any) -> Action | None:
        if context.text == "ping":
            return Send(chat=context.event.chat, text="pong")
        return None


def _loud(action: Action) -> Action:
    return Send(chat=action.chat, text=action.text.upper()) if isinstance(action, Send) else action


async def test_a_wrapper_sees_the_others_answers_and_changes_them() -> None:
    async with Sandbox(EXAMPLE, plugins=[Pinger(), Shouter()]) as community:
        assert community.texts(await community.send("maria", "building-1", "ping")) == ["PONG"]


class LateCommands:
    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [ChatCommand("late", lambda ctx: ctx.reply("here"), help="basics.help.start")]


async def test_a_plugin_registered_late_still_contributes_its_commands() -> None:
    async with Sandbox(EXAMPLE) as community:
        before = community.texts(await community.send("maria", "building-1", "/late"))
        assert "/late" in before[0]  # not a command yet: "no /late command"
        community.bot.pm.register(LateCommands(), name="late")
        assert community.texts(await community.send("maria", "building-1", "/late")) == ["here"]


class Ready:
    """Life-cycle hooks taking none of their arguments."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl
    def sanshe_startup(self) -> None:
        self.seen.append("startup")

    @hookimpl
    async def sanshe_shutdown(self) -> None:
        self.seen.append("shutdown")


async def test_life_cycle_hooks_may_take_no_argument() -> None:
    ready = Ready()
    async with Sandbox(EXAMPLE, plugins=[ready]):
        assert ready.seen == ["startup"]
    assert ready.seen == ["startup", "shutdown"]


class DutySpecs:
    """What a shifts plugin offers to the others."""

    @hookspec(firstresult=True)
    def shifts_on_duty(self, group_id: str) -> str | None:
        """Who is on duty for ``group_id`` now."""


class Shifts:
    """Offers ``shifts_on_duty`` and answers it."""

    @hookimpl
    def sanshe_addhooks(self, pluginmanager: Any) -> None:
        pluginmanager.add_hookspecs(DutySpecs)

    @hookimpl
    async def shifts_on_duty(self, group_id: str) -> str:
        return f"volunteer on duty for {group_id}"


class Triage:
    """Asks whoever offers ``shifts_on_duty`` without importing it."""

    @hookimpl
    async def sanshe_message(self, context: Any) -> Action | None:
        if context.text != "who is on duty?":
            return None
        answer = await context.call("shifts_on_duty", group_id=context.group.id)
        return context.reply(answer or "nobody offers duty rosters")


async def test_a_plugin_asks_another_through_the_hook_it_offers() -> None:
    async with Sandbox(EXAMPLE, plugins=[Triage(), Shifts()]) as community:
        texts = community.texts(await community.send("maria", "building-1", "who is on duty?"))
        assert texts == ["volunteer on duty for building-1"]


async def test_a_hook_nobody_offers_answers_nothing() -> None:
    async with Sandbox(EXAMPLE, plugins=[Triage()]) as community:
        texts = community.texts(await community.send("maria", "building-1", "who is on duty?"))
        assert texts == ["nobody offers duty rosters"]


class Broken:
    @hookimpl
    def sanshe_message(self) -> None:
        raise RuntimeError("out of order")


async def test_a_raising_implementation_is_named_and_the_others_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Sandbox(EXAMPLE, plugins=[Pinger(), Broken()]) as community:
        assert community.texts(await community.send("maria", "building-1", "ping")) == ["pong"]
    assert "plugin 'Broken' failed in sanshe_message" in caplog.text


async def test_hook_tracing_logs_each_call_with_its_plugins(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SANSHE_TRACE_HOOKS", "1")
    caplog.set_level(logging.INFO, logger="sanshe")
    async with Sandbox(EXAMPLE, plugins=[Pinger()]) as community:
        assert community.texts(await community.send("maria", "building-1", "ping")) == ["pong"]
    traced = [r.getMessage() for r in caplog.records if r.name == "sanshe.core.trace"]
    assert any(m.startswith("hook sanshe_message: ") and m.endswith("from Pinger") for m in traced)
    timed = [r.getMessage() for r in caplog.records if r.name == "sanshe.core.plugins"]
    assert any(m.startswith("hook sanshe_message: Pinger took ") for m in timed)


class Junk:
    @hookimpl
    def sanshe_message(self) -> str:
        return "not an action"


async def test_an_answer_that_is_not_actions_is_left_out_and_the_others_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Sandbox(EXAMPLE, plugins=[Pinger(), Junk()]) as community:
        assert community.texts(await community.send("maria", "building-1", "ping")) == ["pong"]
    assert "expected actions, got str" in caplog.text
