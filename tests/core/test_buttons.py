"""Buttons: a press reaches the handler that made the button, if the presser may press it."""

from __future__ import annotations

import pytest

from sanshe.core.actions import Action, AnswerButton, Send
from sanshe.core.adapter import ActionFailed, Adapter, performs
from sanshe.core.buttons import ButtonHandler
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE


def close_case(ctx: Context) -> Action:
    assert ctx.press is not None
    return ctx.answer(f"case {ctx.press.payload} closed")


CLOSE = ButtonHandler("cases.close", close_case, roles=frozenset({"social_worker"}))


class Cases:
    @hookimpl
    def sanshe_buttons(self) -> list[ButtonHandler]:
        return [CLOSE]


async def test_a_button_for_a_role_refuses_others_and_serves_the_role() -> None:
    async with Sandbox(EXAMPLE, plugins=[Cases()]) as community:
        data = CLOSE.button("Close", "17").data
        [refused] = await community.press("maria", "building-1", data)
        assert isinstance(refused, AnswerButton)
        assert refused.text == "你在这里的角色不能使用这个按钮。"
        [done] = await community.press("wang", "building-1", data)
        assert isinstance(done, AnswerButton) and done.text == "case 17 closed"


async def test_a_press_for_no_handler_is_answered_stale() -> None:
    async with Sandbox(EXAMPLE) as community:
        [stale] = community.texts(await community.press("maria", "building-1", "gone.away|1"))
        assert stale == "这个按钮已经失效，请重新获取。"


def test_a_handler_name_and_payload_fit_every_network() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        CLOSE.button("Close", "案" * 20)
    with pytest.raises(ValueError, match="<plugin>.<what>"):
        ButtonHandler("close", close_case)


class SendsOnly(Adapter):
    network = "test"

    @performs(Send)
    async def send(self, action: Send) -> None:
        """Nothing to do."""


async def test_an_adapter_can_do_what_it_has_a_method_for_and_nothing_else() -> None:
    adapter = SendsOnly()
    assert adapter.capabilities == frozenset({Send})
    await adapter.perform(Send(chat="c", text="hi"))
    with pytest.raises(ActionFailed, match="cannot perform AnswerButton"):
        await adapter.perform(AnswerButton(callback_id="1", chat="c"))


def half_done(ctx: Context) -> Action:
    ctx.audit("update", "case:17", "closed")
    raise RuntimeError("the plugin fails after noting a write")


class Failing:
    @hookimpl
    def sanshe_buttons(self) -> list[ButtonHandler]:
        return [ButtonHandler("cases.half", half_done)]

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [ChatCommand("half", half_done, help="")]


async def test_what_a_failing_handler_noted_is_not_kept() -> None:
    async with Sandbox(EXAMPLE, plugins=[Failing()]) as community:
        [failed] = community.texts(await community.send("wang", "dm", "/half"))
        assert failed == "抱歉，/half 这次没有成功。已记录问题，请稍后再试。"
        data = ButtonHandler("cases.half", half_done).button("Half", "17").data
        [pressed] = await community.press("wang", "building-1", data)
        assert isinstance(pressed, AnswerButton)
        assert await community.audit(subject="case:17") == []


class FailingDialog:
    @hookimpl
    async def sanshe_dialog(self, context: Context) -> list[Action] | None:
        if context.event.text != "half":
            return None
        context.audit("update", "case:18", "answered")
        raise RuntimeError("the dialog fails after noting a write")


async def test_what_a_failing_hook_noted_is_not_kept() -> None:
    async with Sandbox(EXAMPLE, plugins=[FailingDialog()]) as community:
        await community.send("wang", "dm", "half")
        await community.send("wang", "dm", "/whoami")  # the next event is handled as ever
        assert await community.audit(subject="case:18") == []
