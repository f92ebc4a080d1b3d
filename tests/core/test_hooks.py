"""Hooks behave as pluggy promises: subset arguments, wrappers, historic registration, offered hooks."""

from __future__ import annotations

import functools
import logging
from collections.abc import Generator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sanshe.core.actions import Action, Reply, Send
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
    return replace(action, text=action.text.upper()) if isinstance(action, Send | Reply) else action


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
    def roster_on_duty(self, group_id: str) -> str | None:
        """Who is on duty for ``group_id`` now."""


class Shifts:
    """Offers ``roster_on_duty`` and answers it."""

    @hookimpl
    def sanshe_addhooks(self, pluginmanager: Any) -> None:
        pluginmanager.add_hookspecs(DutySpecs)

    @hookimpl
    def roster_on_duty(self, group_id: str) -> str:
        return f"volunteer on duty for {group_id}"


class NoRoster:
    """Another plugin answering the offered hook, with no opinion."""

    @hookimpl(tryfirst=True)
    def roster_on_duty(self) -> None:
        return None


class Triage:
    """Asks whoever offers ``roster_on_duty`` without importing it."""

    @hookimpl
    async def sanshe_message(self, context: Any) -> Action | None:
        if context.text != "who is on duty?":
            return None
        answer = await context.call("roster_on_duty", group_id=context.group.id)
        return context.reply(answer or "nobody offers duty rosters")


async def test_a_plugin_asks_another_through_the_hook_it_offers() -> None:
    async with Sandbox(EXAMPLE, plugins=[Triage(), Shifts()]) as community:
        texts = community.texts(await community.send("maria", "building-1", "who is on duty?"))
        assert texts == ["volunteer on duty for building-1"]


async def test_an_offered_first_answer_hook_asks_past_those_with_no_opinion() -> None:
    async with Sandbox(EXAMPLE, plugins=[Triage(), Shifts(), NoRoster()]) as community:
        texts = community.texts(await community.send("maria", "building-1", "who is on duty?"))
        assert texts == ["volunteer on duty for building-1"]


class AsyncRoster:
    @hookimpl
    async def roster_on_duty(self) -> str:
        return "whoever"


async def test_an_async_answer_to_a_first_answer_hook_is_refused_by_name(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Sandbox(EXAMPLE, plugins=[AsyncRoster(), Triage(), Shifts()]) as community:
        texts = community.texts(await community.send("maria", "building-1", "who is on duty?"))
        assert texts == ["volunteer on duty for building-1"]
        assert "AsyncRoster" in community.bot.pm.broken
    assert "roster_on_duty is a firstresult hook" in caplog.text
    assert "'AsyncRoster' must be a plain function, not async def" in caplog.text


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
    answered = [m.rsplit(" from ", 1) for m in traced if m.startswith("hook sanshe_message: ")]
    assert any("Pinger" in plugins.split(", ") for _m, plugins in answered)
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


class Keeper:
    """A dialog that takes every message of its conversation."""

    @hookimpl
    def sanshe_dialog(self, context: Any) -> Action | None:
        return context.reply("kept") if context.text == "mine" else None


class Counter:
    """A plain dialog that would act on the message if it ran."""

    def __init__(self) -> None:
        self.ran = 0

    @hookimpl(trylast=True)
    def sanshe_dialog(self) -> None:
        self.ran += 1


async def test_dialogs_after_the_one_that_takes_the_message_do_not_run() -> None:
    counter = Counter()
    async with Sandbox(EXAMPLE, plugins=[counter, Keeper()]) as community:
        assert community.texts(await community.send("maria", "dm", "mine")) == ["kept"]
        assert counter.ran == 0
        await community.send("maria", "dm", "someone else's")
        assert counter.ran == 1


class DialogWrapper:
    """Around the dialogs: the one that takes the message keeps it, its text marked."""

    @hookimpl(wrapper=True)
    def sanshe_dialog(self) -> Generator[None, list[Any], list[Any]]:
        answers = yield
        return then(answers, lambda actions: [_loud(a) for a in actions], first=True)


class Other:
    @hookimpl(trylast=True)
    async def sanshe_dialog(self, context: Any) -> Action | None:
        return context.reply("other") if context.text == "mine" else None


async def test_a_wrapper_around_dialogs_keeps_first_answer_semantics() -> None:
    async with Sandbox(EXAMPLE, plugins=[Other(), Keeper(), DialogWrapper()]) as community:
        [kept] = await community.send("maria", "dm", "mine")
        assert kept.text == "KEPT"


class Clumsy:
    """A wrapper whose change raises."""

    @hookimpl(wrapper=True)
    def sanshe_message(self) -> Generator[None, list[Any], list[Any]]:
        answers = yield
        return then(answers, lambda actions: [a.no_such_field for a in actions])


async def test_a_wrapper_whose_change_raises_leaves_the_answers_and_the_event(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Sandbox(EXAMPLE, plugins=[Pinger(), Clumsy()]) as community:
        assert community.texts(await community.send("maria", "building-1", "ping")) == ["pong"]
    assert "a wrapper's change failed" in caplog.text


def flaky(function: Any) -> Any:
    """A decorator hiding that ``function`` is a coroutine function."""

    @functools.wraps(function)
    def call(*args: Any) -> Any:
        return function(*args)

    return call


class Decorated:
    @hookimpl
    @flaky
    async def sanshe_message(self) -> None:
        raise RuntimeError("database down")


async def test_a_decorated_coroutine_that_raises_is_isolated(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Sandbox(EXAMPLE, plugins=[Pinger(), Decorated()]) as community:
        assert community.texts(await community.send("maria", "building-1", "ping")) == ["pong"]
    assert "plugin 'Decorated' failed in sanshe_message" in caplog.text


async def test_a_second_plugin_under_a_taken_name_leaves_the_first() -> None:
    async with Sandbox(EXAMPLE) as community:
        pm = community.bot.pm
        pm.register(LateCommands(), name="late")
        with pytest.raises(ValueError, match="already registered"):
            pm.register(LateCommands(), name="late")
        assert community.texts(await community.send("maria", "building-1", "/late")) == ["here"]


async def test_tracing_survives_a_reload_that_changes_the_plugins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SANSHE_TRACE_HOOKS", "1")
    config = write_community(tmp_path, FORM_COMMUNITY)
    async with Sandbox(config) as community:
        config.write_text(FORM_COMMUNITY + "plugins: {disable: [moderation]}\n", encoding="utf-8")
        assert await community.bot.reload() == []
        assert community.bot.pm.get_plugin("moderation") is None
