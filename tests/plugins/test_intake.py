"""Intake: /request (求助) and /refer (转介求助) in the example community.

The example's social worker is wang (王芳, community-wide), an admin of the focus service
group that building-1 escalates to; nobody is on shift, so the admins are told.  maria and bob
are people the bot does not know; zhang is a community worker, zhao a grid worker of
building-1 and building-2.  Every test asserts what people read, and that nothing personal is
posted in a group.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sanshe.core.actions import Action, Delete, DirectMessage, Reply, Send
from sanshe.plugins.cases.models import Case
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE

PHONE = "13812345678"
ADDRESS = "1号楼101"
QUESTION = "我头疼发烧三天了，家里没有退烧药"


def told(actions: Iterable[Action], user: str) -> list[str]:
    """What ``user`` read privately among ``actions``."""
    return [
        a.text
        for a in actions
        if (isinstance(a, DirectMessage) and a.user == user)
        or (isinstance(a, Send | Reply) and a.chat == f"dm:{user}")
    ]


def in_groups(actions: Iterable[Action]) -> list[str]:
    """What the bot posted in group chats."""
    return [a.text for a in actions if isinstance(a, Send | Reply) and not a.chat.startswith("dm:")]


def private(actions: Iterable[Action]) -> str:
    """Everything the bot wrote privately, to anyone, as one text."""
    return "\n".join(
        a.text
        for a in actions
        if isinstance(a, DirectMessage)
        or (isinstance(a, Send | Reply) and a.chat.startswith("dm:"))
    )


async def answer(sandbox: Sandbox, who: str, *answers: str) -> list[Action]:
    """``who`` sends ``answers`` privately, one by one; every action performed meanwhile."""
    seen: list[Action] = []
    for text in answers:
        seen += await sandbox.send(who, "dm", text)
    return seen


async def test_a_request_from_a_group_is_asked_privately_survives_a_restart_and_opens_a_case(
    tmp_path: Path,
) -> None:
    sandbox = Sandbox(EXAMPLE, db_url=f"sqlite://{tmp_path / 'bot.sqlite3'}")
    async with sandbox:
        started = await sandbox.send("maria", "building-1", "/求助")
        assert in_groups(started) == ["我已私聊您，请在私聊中回答。群里不会出现任何内容。"]
        [first] = told(started, "maria")
        assert "求助登记" in first and "（1/7）您的姓名" in first
        seen = list(started)
        seen += await answer(sandbox, "maria", "玛丽亚", "女")
        [wrong] = told(await sandbox.send("maria", "dm", "200"), "maria")
        assert wrong == (
            "这个回答未被接受：数值应在 0 到 130 之间。\n（3/7）年龄\n（/back /返回 上一题 · /cancel /取消 放弃填写）"
        )
        [back] = told(await sandbox.send("maria", "dm", "/back"), "maria")
        assert back.startswith("（2/7）性别")
        seen += await answer(sandbox, "maria", "女", "45", ADDRESS)
        await sandbox.restart()
        [asked] = told(await sandbox.send("maria", "dm", PHONE), "maria")
        assert asked.startswith("（6/7）咨询类别")  # the dialog went on where it was
        last = await answer(sandbox, "maria", "1", QUESTION)
        seen += last
        summary, opened = told(last, "maria")[-2:]
        assert "联系电话: 138****5678" in summary and PHONE not in summary
        assert opened == (
            "谢谢您。您的求助已登记为 1 号个案。当班社工会私聊联系您，您不需要在群里重复任何信息。"
            "如情况紧急请立即拨打 120。"
        )
        assert told(last, "wang") == [
            "新的求助：聚焦服务群收到 1 号个案（医疗）。请私聊发送 /个案 1 查看。"
        ]
        staff = "\n".join(told(last, "wang"))
        for detail in (PHONE, ADDRESS, "玛丽亚", "发烧", "45"):
            assert detail not in staff
        assert in_groups(seen) == ["我已私聊您，请在私聊中回答。群里不会出现任何内容。"]
        case = await Case.get(number=1)
        assert (case.source, case.category, case.origin) == ("request", "medical", "building-1")
        [record] = await sandbox.records("help_request")
        assert case.record == record.id and record.data["age"] == 45


async def test_a_cancelled_request_opens_no_case() -> None:
    async with Sandbox(EXAMPLE) as sandbox:
        await sandbox.send("bob", "dm", "/request")
        await answer(sandbox, "bob", "Bob", "男")
        [cancelled] = told(await sandbox.send("bob", "dm", "/cancel"), "bob")
        assert cancelled == "已放弃填写“求助登记”，没有保存任何内容。"
        assert await sandbox.form_dialog("bob") is None
        assert not await Case.all().exists()


async def test_a_private_message_gets_the_commands_and_a_button_that_asks_for_help() -> None:
    async with Sandbox(EXAMPLE) as sandbox:
        actions = await sandbox.send("bob", "dm", "你好，我家老人需要帮助")
        [text] = told(actions, "bob")
        lines = text.split("\n")
        assert lines[0] == "我没看懂这条消息。您可以使用以下命令（随时发送 /help 查看）："
        assert "/request /求助 /我要求助 — 求助：在私聊中回答几个问题，工作人员随后跟进" in lines
        assert lines[-1] == "需要帮助吗？请点击下面的按钮或发送 /求助，我会私下问您几个问题。"
        [button] = sandbox.buttons(actions)
        assert button.label == "我要求助"
        pressed = await sandbox.press("bob", "dm", button)
        [question] = told(pressed, "bob")
        assert "（1/7）您的姓名" in question
        await sandbox.send("bob", "dm", "/cancel")
        helped = await sandbox.send("bob", "dm", "/help")
        [help_text] = told(helped, "bob")
        assert help_text.startswith("您在这里可以使用的命令：")
        assert "/request /求助 /我要求助" in help_text and not sandbox.buttons(helped)


async def test_a_community_worker_refers_someone_and_nothing_of_the_reason_stays_in_the_group() -> (
    None
):
    async with Sandbox(EXAMPLE) as sandbox:
        await sandbox.send("maria", "building-1", "大家好")  # the bot has seen maria
        actions = await sandbox.send(
            "zhang", "building-1", "/refer @maria 独居老人，腿脚不便，药快吃完了"
        )
        assert in_groups(actions) == ["已收到转介，我已私聊您。"]
        assert any(isinstance(a, Delete) and a.chat == "building-1" for a in actions)
        assert told(actions, "zhang") == [
            "已为maria建立 1 号个案。已私聊邀请对方补充情况，并通知了当班社工。"
        ]
        [invited] = told(actions, "maria")
        assert "1 号个案" in invited and "独居" not in invited
        assert told(actions, "wang") == [
            "转介：已为聚焦服务群建立 1 号个案（其他）。请私聊发送 /个案 1 查看。"
        ]
        assert "独居" not in private(actions).replace(invited, "")
        case = await Case.get(number=1)
        assert (case.source, case.origin) == ("referral", "building-1")
        assert "药快吃完了" in case.reason
        [button] = [
            b
            for a in actions
            if isinstance(a, DirectMessage) and a.user == "maria"
            for b in a.buttons
        ]
        pressed = await sandbox.press("maria", "dm", button)
        assert "（1/7）您的姓名" in told(pressed, "maria")[0]
        last = await answer(sandbox, "maria", "玛丽亚", "女", "78", ADDRESS, PHONE, "3", "需要买药")
        assert told(last, "maria")[-1] == (
            "谢谢您。您填写的内容已补充到您已有的 1 号个案中，社工会私聊联系您。"
        )
        assert told(last, "wang") == [
            "1 号个案（其他）：服务对象已填写求助登记表。请私聊发送 /个案 1 查看。"
        ]
        assert await Case.all().count() == 1


async def test_who_may_refer_and_where() -> None:
    async with Sandbox(EXAMPLE) as sandbox:
        await sandbox.send("maria", "building-1", "大家好")
        [refused] = sandbox.texts(await sandbox.send("bob", "building-1", "/refer @maria 需要帮助"))
        assert (
            refused.startswith("抱歉，/refer 仅限以下身份使用：")
            and "您在这里的身份是：居民。" in refused
        )
        [outside] = sandbox.texts(
            await sandbox.send("zhao", "building-3", "/转介求助 @maria 需要帮助")
        )
        assert outside.startswith("抱歉，/转介求助 仅限以下身份使用：")  # zhao's scope ends there
        [elsewhere] = sandbox.texts(await sandbox.send("wang", "focus-1", "/refer @maria 需要帮助"))
        assert (
            elsewhere
            == "/refer 只能在居民群或社区防控工作群中使用。请在那里发送：/refer @某人 <原因>。"
        )
        [nobody] = sandbox.texts(
            await sandbox.send("zhao", "building-1", "/refer @nobody 需要帮助")
        )
        assert nobody.startswith("不认识“@nobody”。") and "/refer <成员> <原因>" in nobody
        [no_reason] = sandbox.texts(await sandbox.send("zhao", "building-1", "/refer @maria"))
        assert "原因" in no_reason and "/refer <成员> <原因>" in no_reason
        [private_chat] = sandbox.texts(await sandbox.send("zhang", "dm", "/refer @maria 需要帮助"))
        assert private_chat == "/refer 只能在群里使用，不能在私聊中使用。"
        assert not await Case.all().exists()
        done = await sandbox.send("zhang", "prevention", "/refer @maria 家里断粮")
        assert in_groups(done) == ["已收到转介，我已私聊您。"]
        assert (await Case.get(number=1)).origin == "prevention"
