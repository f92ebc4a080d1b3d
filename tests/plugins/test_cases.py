"""The cases plugin: opening through its hook, /case, /cases, /note, /close, follow-up
reminders, who may read what, /stats, a person's data."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sanshe.core.actions import Action, DirectMessage, Reply, Send
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.personal_data import erase, export
from sanshe.core.services import call_offered
from sanshe.plugins.cases.models import Case, CaseNote, Conflict
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import EXAMPLE

#: 14:00 in Shanghai, the example community's time zone.
NOON = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


class Opener:
    """A stand-in for the intake plugin: ``/ask <question>`` opens the sender's case through
    the hook; ``/answered <n>`` tells the plugin a human answered (as the crisis /ack does)."""

    @hookimpl
    def sanshe_commands(self) -> Iterable[ChatCommand]:
        return [
            ChatCommand("ask", self.ask, help="cases.help.case"),
            ChatCommand("answered", self.answered, help="cases.help.case"),
        ]

    async def ask(self, ctx: Context) -> Action:
        assert ctx.command is not None
        number = await ctx.call(
            "cases_open",
            context=ctx,
            person=ctx.person,
            source="request",
            category="psychological",
            reason=ctx.command.args,
            origin=ctx.group,
            record=None,
        )
        return ctx.reply(f"case {number}")

    async def answered(self, ctx: Context) -> Action:
        assert ctx.command is not None
        await ctx.call("cases_answered", context=ctx, number=int(ctx.command.args))
        return ctx.reply("ok")


def sandbox(db_url: str = "sqlite://:memory:") -> Sandbox:
    return Sandbox(EXAMPLE, db_url=db_url, clock=ManualClock(NOON), plugins=[Opener()])


@pytest.fixture
async def sunshine() -> AsyncIterator[Sandbox]:
    async with sandbox() as s:
        yield s


def told(actions: Iterable[Action]) -> dict[str, list[str]]:
    """What each person was told privately, by handle."""
    found: dict[str, list[str]] = {}
    for action in actions:
        if isinstance(action, DirectMessage):
            found.setdefault(action.user, []).append(action.text)
        elif isinstance(action, Reply | Send) and action.chat.startswith("dm:"):
            found.setdefault(action.chat[3:], []).append(action.text)
    return found


def said(actions: Iterable[Action], chat: str) -> list[str]:
    return [a.text for a in actions if isinstance(a, Reply | Send) and a.chat == chat]


async def ask(s: Sandbox, who: str, where: str = "building-1", text: str = "睡不着，很焦虑") -> int:
    [answer] = s.texts(await s.send(who, where, f"/ask {text}"))
    return int(answer.split()[1])


async def test_a_case_is_opened_through_the_hook_numbered_and_given_back(
    sunshine: Sandbox,
) -> None:
    assert await ask(sunshine, "maria") == 1
    assert await ask(sunshine, "maria", "dm", "again") == 1  # one open case per person
    assert await ask(sunshine, "ahmed") == 2
    case = await Case.get(number=1)
    assert (case.person, case.source, case.category, case.origin) == (
        "console:maria",
        "request",
        "psychological",
        "building-1",
    )
    assert (case.opened_by, case.reason, case.status, case.tier) == (
        "console:maria",
        "睡不着，很焦虑",
        "open",
        "intake",
    )
    assert case.requested_at == NOON and case.first_reply_at is None
    assert [e.subject for e in await sunshine.audit(action="create")] == ["case:1", "case:2"]
    bot = sunshine.bot
    assert await call_offered(bot, "cases_of", client="console:maria") == 1
    assert await call_offered(bot, "cases_of", client="console:nobody") is None


async def test_the_case_goes_to_a_social_worker_privately_never_into_a_group(
    sunshine: Sandbox,
) -> None:
    await sunshine.send("maria", "building-1", "大家好", name="1-101自住")
    await ask(sunshine, "maria", "dm", "失眠，电话 13812345678")
    actions = await sunshine.send("wang", "focus-1", "/个案 1")
    assert said(actions, "focus-1") == ["已私信发送给您。"]
    [shown] = told(actions)["wang"]
    assert shown.splitlines()[:3] == [
        "1 号个案（处理中，待分流）",
        "服务对象：1-101自住",
        "来源：本人求助 · 来自：— · 类别：心理",
    ]
    assert "问题：失眠，电话 ***" in shown
    assert "13812345678" not in shown
    assert "暂无跟进记录。" in shown
    assert [e.subject for e in await sunshine.audit(who="wang", action="read")] == ["case:1"]


async def test_a_client_sees_the_state_of_their_own_case_and_nobody_elses(
    sunshine: Sandbox,
) -> None:
    await ask(sunshine, "maria")
    assert told(await sunshine.send("maria", "dm", "/case 1"))["maria"] == [
        "您的求助（1 号个案）：处理中，待分流。"
    ]
    assert sunshine.texts(await sunshine.send("ahmed", "dm", "/case 1")) == [
        "您不能查看 1 号个案：社工可查看所有个案，志愿者只能查看其所服务群的个案。"
    ]
    assert sunshine.texts(await sunshine.send("ahmed", "dm", "/cases")) == [
        "个案列表仅供服务个案的工作人员（社工、志愿者、社区工作者）查看。"
    ]


async def test_a_volunteer_reads_only_the_cases_of_the_groups_they_serve(
    sunshine: Sandbox,
) -> None:
    await ask(sunshine, "maria")  # from building-1, which escalates to focus-1
    [sun] = told(await sunshine.send("sun", "dm", "/case 1"))["sun"]
    assert sun.startswith("1 号个案（处理中，待分流）")
    assert sunshine.texts(await sunshine.send("gao", "dm", "/case 1")) == [
        "Case 1 is not one you may see: social workers see every case, volunteers those of "
        "the groups they serve in."
    ]
    refused = "您不能查看 1 号个案：社工可查看所有个案，志愿者只能查看其所服务群的个案。"
    await Case.filter(number=1).update(group="key-1", tier="key")
    assert sunshine.texts(await sunshine.send("he", "dm", "/case 1")) == [refused]  # focus-1 only
    [xu] = told(await sunshine.send("xu", "dm", "/case 1"))["xu"]
    assert xu.startswith("1 号个案（处理中，重点陪助）")
    assert sunshine.texts(await sunshine.send("he", "dm", "/cases")) == ["没有您可查看的未结个案。"]


async def test_who_declared_they_know_the_client_keeps_away(sunshine: Sandbox) -> None:
    await ask(sunshine, "maria")
    await Conflict.create(client="console:maria", staff="wang", at=NOON)
    assert sunshine.texts(await sunshine.send("wang", "dm", "/case 1")) == [
        "您已申明认识 1 号个案的服务对象：按照熟人规避原则，由其他工作人员服务。"
    ]
    assert sunshine.texts(await sunshine.send("wang", "dm", "/note 1 心理 已回访")) == [
        "您已申明认识 1 号个案的服务对象：按照熟人规避原则，由其他工作人员服务。"
    ]
    assert await call_offered(sunshine.bot, "cases_avoid", client="console:maria") == ["wang"]


async def test_a_note_with_a_follow_up_reminds_on_the_day_also_after_a_restart(
    db_url: str,
) -> None:
    s = sandbox(db_url)
    async with s:
        await ask(s, "maria")
        [noted] = s.texts(
            await s.send("he", "dm", "/跟进记录 1 心理 已电话回访，情绪平稳 明天 9点")
        )
        assert noted == ("已记入 1 号个案（心理）。下次跟进 12月3日周四 09:00：届时将私信提醒您。")
        note = await CaseNote.get(case__number=1)
        assert (note.psychological, note.medical, note.by) == ("已电话回访，情绪平稳", "", "he")
        assert "he" not in told(await s.advance(hours=18))  # 08:00 the next day
        await s.restart()
        reminded = told(await s.advance(hours=1))
        assert reminded["he"] == [
            "跟进提醒：1 号个案（maria，心理）计划于12月3日周四 09:00跟进。"
            "/个案 1 查看个案；/跟进记录 1 … 记录跟进情况。"
        ]
        [listed] = told(await s.send("he", "dm", "/cases overdue"))["he"]
        assert listed.splitlines()[1] == (
            "1 号 · 处理中，待分流 · 心理 · — · maria · 跟进已逾期（12月3日周四 09:00）"
        )
        await s.send("he", "dm", "/note 1 other 已送药")  # the follow-up that was due
        assert told(await s.send("he", "dm", "/cases overdue"))["he"] == ["没有逾期的跟进。"]


async def test_the_owner_is_reminded_not_the_writer_and_never_after_closing(
    sunshine: Sandbox,
) -> None:
    await ask(sunshine, "maria")
    await ask(sunshine, "ahmed")
    await Case.filter(number__in=[1, 2]).update(owner="wang", group="key-1", tier="key")
    [noted] = sunshine.texts(await sunshine.send("xu", "dm", "/note 1 psychological calmer 18:00"))
    assert noted.endswith("下次跟进 12月2日周三 18:00：届时将私信提醒王芳。")
    await sunshine.send("xu", "dm", "/note 2 medical blood pressure fine 18:00")
    assert sunshine.texts(await sunshine.send("xu", "dm", "/close 2 好转")) == [
        "只有社工和个案负责人可以结案，您不能结案 2 号个案。"
    ]
    assert sunshine.texts(await sunshine.send("wang", "dm", "/结案 2 已好转，转回社区")) == [
        "2 号个案已结案。"
    ]
    reminded = told(await sunshine.advance(hours=4))
    assert list(reminded) == ["wang"]
    assert reminded["wang"][0].startswith("跟进提醒：1 号个案")
    closed = await Case.get(number=2)
    assert (closed.status, closed.result, closed.closed_at) == ("closed", "已好转，转回社区", NOON)
    assert sunshine.texts(await sunshine.send("wang", "dm", "/note 2 other x")) == [
        "2 号个案已经结案。"
    ]


async def test_wrong_input_says_what_is_wrong_and_how(sunshine: Sandbox) -> None:
    await ask(sunshine, "maria")
    [wrong] = sunshine.texts(await sunshine.send("wang", "dm", "/note 1 food 已送菜"))
    assert "“food”" in wrong and "医疗" in wrong
    assert "例如 /跟进记录 12 心理" in wrong
    [bad] = sunshine.texts(await sunshine.send("wang", "dm", "/case abc"))
    assert "“abc”不是个案编号" in bad
    assert sunshine.texts(await sunshine.send("wang", "dm", "/case 9")) == ["没有 9 号个案。"]
    [past] = sunshine.texts(await sunshine.send("wang", "dm", "/note 1 心理 回访 今天 9点"))
    assert "跟进时间12月2日周三 09:00已经过去" in past
    group = sunshine.texts(await sunshine.send("wang", "focus-1", "/note 1 心理 回访"))
    assert group[-1] == "/note 只能在与我的私聊中使用，不能在群里使用。"
    assert await CaseNote.all().count() == 0


async def test_lists_of_cases(sunshine: Sandbox) -> None:
    await ask(sunshine, "maria")
    await ask(sunshine, "ahmed", "dm")
    await sunshine.send("sun", "dm", "/note 2 medical 已问诊")
    [listed] = told(await sunshine.send("wang", "prevention", "/个案列表"))["wang"]
    assert listed.splitlines() == [
        "您可查看的未结个案（2 个）：",
        "1 号 · 处理中，待分流 · 心理 · — · maria",
        "2 号 · 处理中，待分流 · 心理 · — · ahmed",
    ]
    [mine] = told(await sunshine.send("sun", "dm", "/cases 我的"))["sun"]
    assert mine.splitlines()[1:] == ["2 号 · 处理中，待分流 · 心理 · — · ahmed"]


async def test_stats_give_the_median_time_to_a_first_human_reply_per_group(
    sunshine: Sandbox,
) -> None:
    await ask(sunshine, "maria")
    await ask(sunshine, "ahmed")
    await ask(sunshine, "lena")
    await sunshine.advance(minutes=10)
    await sunshine.send("he", "dm", "/note 1 other 已联系")
    await sunshine.advance(minutes=20)
    await sunshine.send("wang", "dm", "/answered 2")  # as the crisis /ack
    await sunshine.advance(minutes=5)
    await sunshine.send("wang", "dm", "/note 2 other 已联系")  # not a first reply again
    assert (await Case.get(number=2)).first_reply_at == NOON + timedelta(minutes=30)
    assert sunshine.texts(await sunshine.send("zhang", "prevention", "/统计")) == [
        "各群求助情况（自第一条求助起）：\n"
        "聚焦服务群：未结 3 个，尚未回复 1 个；首次人工回复中位时间 20分钟（共 2 个已回复）"
    ]
    assert sunshine.texts(await sunshine.send("he", "dm", "/stats")) == [
        "统计仅供社工和社区工作者查看。"
    ]


async def test_a_persons_cases_are_exported_and_erased(sunshine: Sandbox) -> None:
    await ask(sunshine, "maria")
    await sunshine.send("wang", "dm", "/note 1 心理 已回访 明天 9点")
    await Conflict.create(client="console:maria", staff="xu", at=NOON)
    storage, community, pm = sunshine.storage, sunshine.community, sunshine.bot.pm
    data: dict[str, Any] = (await export(storage, community, pm, "console:maria"))["plugins"]
    [case] = data["cases"]["cases"]
    assert (case["number"], case["reason"]) == (1, "睡不着，很焦虑")
    assert [n["psychological"] for n in case["notes"]] == ["已回访"]
    assert data["cases"]["acquaintances_about_them"] == 1
    staff = (await export(storage, community, pm, "wang"))["plugins"]["cases"]
    assert [n["case"] for n in staff["notes_written"]] == [1]
    await erase(storage, community, pm, "console:maria")
    assert await Case.all().count() == 0
    assert await CaseNote.all().count() == 0
    assert await Conflict.all().count() == 0
    assert told(await sunshine.advance(days=1)) == {}  # no reminder for an erased case


async def test_erasing_a_worker_leaves_cases_naming_nobody(sunshine: Sandbox) -> None:
    await ask(sunshine, "maria")
    await Case.filter(number=1).update(owner="wang")
    await sunshine.send("wang", "dm", "/note 1 other 已联系")
    await erase(sunshine.storage, sunshine.community, sunshine.bot.pm, "wang")
    case = await Case.get(number=1)
    note = await CaseNote.get(case_id=case.id)
    assert (case.owner, note.by) == ("erased", "erased")


async def test_the_handover_lists_open_cases_and_follow_ups_by_number(
    tmp_path: Path,
) -> None:
    async with sandbox() as s:
        await ask(s, "maria")
        await ask(s, "ahmed")
        await s.send("he", "dm", "/note 2 other 已联系 明天 9点")
        ctx = s.bot.context_for("console", None, s.community.group("focus-1"))
        lines = await call_offered(
            s.bot,
            "shifts_handover_items",
            context=ctx,
            group=s.community.group("focus-1"),
            start=NOON,
            end=NOON + timedelta(hours=4),
        )
        assert lines == [["未结个案（2 个）：1、2", "尚未首次回复（1 个）：1", "待跟进（1 个）：2"]]
