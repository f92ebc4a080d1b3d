"""Issue 13's casework path on the console, as the people in it read it: a request for help
through the intake dialog, the case, its assessment, routing to the focus service tier,
escalating to key accompaniment, notes and closing; transfers that keep a declared
acquaintance away; who may not route or read.

The example community at 14:00 in Shanghai, when shift 1 (focus-1) and shift 2 (key-1) run
(12:00–18:00); wang (王芳) is its social worker, he (何秘书) a general volunteer of focus-1, sun
(孙医生) and xu (徐老师) medical and psychological volunteers of focus-1 and key-1, gao (Gao Lin)
an English-speaking volunteer of the volunteer pool, zhang (张敏) and li (李书记) community
workers (the community's admins); maria, bob and lena are residents the bot does not know.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sanshe.core.actions import Action, DirectMessage, Edit, Invite, Reply, Send
from sanshe.plugins.cases.models import Case
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import EXAMPLE

#: 14:00 in Shanghai: no daily timer of the example (12:00, 20:00) is near.
NOON = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
PHONE = "13812345678"
ADDRESS = "1号楼101"
QUESTION = "我头疼发烧三天了，家里没有退烧药"
#: What the group read when maria asked for help there.
ASKED_PRIVATELY = "我已私聊您，请在私聊中回答。群里不会出现任何内容。"


def sandbox(tmp_path: Path) -> Sandbox:
    """The example community on a file database (it survives a restart), at 14:00 local."""
    return Sandbox(EXAMPLE, db_url=f"sqlite://{tmp_path / 'bot.sqlite3'}", clock=ManualClock(NOON))


def told(actions: Iterable[Action], user: str) -> list[str]:
    """What ``user`` read privately among ``actions``."""
    return [
        a.text
        for a in actions
        if (isinstance(a, DirectMessage) and a.user == user)
        or (isinstance(a, Send | Reply) and a.chat == f"dm:{user}")
    ]


def reached(actions: Iterable[Action]) -> set[str]:
    """Everyone written to privately among ``actions``."""
    found = set()
    for a in actions:
        if isinstance(a, DirectMessage):
            found.add(a.user)
        elif isinstance(a, Send | Reply) and a.chat.startswith("dm:"):
            found.add(a.chat[3:])
    return found


def in_groups(actions: Iterable[Action]) -> list[str]:
    """What the bot posted in group chats."""
    return [a.text for a in actions if isinstance(a, Send | Reply) and not a.chat.startswith("dm:")]


async def say(s: Sandbox, who: str, text: str, where: str = "dm") -> str:
    """The one text ``who`` reads back for ``text``."""
    [answer] = told(await s.send(who, where, text), who)
    return answer


async def answer(s: Sandbox, who: str, *answers: str, language: str | None = None) -> list[Action]:
    """``who`` sends ``answers`` privately, one by one; every action performed meanwhile."""
    seen: list[Action] = []
    for text in answers:
        seen += await s.send(who, "dm", text, language=language)
    return seen


async def on_shift(s: Sandbox, who: str, shift: int) -> None:
    """``who`` claims today's shift ``shift`` (1: focus-1's, 2: key-1's, both 12:00–18:00)."""
    assert (await say(s, who, f"/claim {shift}")).startswith(f"您已认领{shift}号班次")


async def referred(s: Sandbox, who: str = "maria") -> None:
    """zhang refers ``who`` (seen in building-1 first) for help: case 1."""
    await s.send(who, "building-1", "大家好")
    done = await s.send("zhang", "building-1", f"/refer @{who} 独居老人，药快吃完了")
    assert told(done, "zhang")[0].startswith("已为")


async def test_the_whole_path_from_a_request_to_closing(tmp_path: Path) -> None:
    s = sandbox(tmp_path)
    async with s:
        for who, shift in (("he", 1), ("sun", 1), ("xu", 2)):
            await on_shift(s, who, shift)
        performed: list[Action] = []  # by the adapters before each restart

        # The intake dialog: given up once, begun again, a wrong age, a step back, a restart.
        started = await s.send("maria", "building-1", "/求助")
        assert in_groups(started) == [ASKED_PRIVATELY]
        await answer(s, "maria", "玛丽亚", "女")
        assert await say(s, "maria", "/cancel") == "已放弃填写“求助登记”，没有保存任何内容。"
        again = await s.send("maria", "building-1", "/求助")
        assert "（1/7）您的姓名" in told(again, "maria")[0]
        await answer(s, "maria", "玛丽亚", "女")
        assert await say(s, "maria", "二百") == (
            "这个回答未被接受：请填写整数，例如 35。\n（3/7）年龄\n（/back /返回 上一题 · /cancel /取消 放弃填写）"
        )
        assert (await say(s, "maria", "/back")).startswith("（2/7）性别")
        await answer(s, "maria", "女", "45", ADDRESS)
        performed += s.adapter.performed
        await s.restart()
        last = await answer(s, "maria", PHONE, "1", QUESTION)
        assert told(last, "maria")[-1] == (
            "谢谢您。您的求助已登记为 1 号个案。当班社工会私聊联系您，您不需要在群里重复任何信息。"
            "如情况紧急请立即拨打 120。"
        )
        alert = "新的求助：聚焦服务群收到 1 号个案（医疗）。请私聊发送 /个案 1 查看。"
        assert (told(last, "he"), told(last, "sun"), told(last, "wang")) == ([alert], [alert], [])

        # The case, read privately by the social worker.
        shown = await say(s, "wang", "/个案 1")
        assert shown.splitlines()[:4] == [
            "1 号个案（处理中，待分流）",
            "服务对象：玛丽亚",
            "来源：本人求助 · 来自：1号楼居民群 · 类别：医疗",
            "层级：接案 · 服务群：— · 负责社工：—",
        ]

        # The assessment (form 4): boxes ticked with buttons (a press after a restart counts),
        # then notes typed.
        form = await s.send("wang", "dm", "/评估 1")
        assert told(form, "wang") == [
            "1 号个案（玛丽亚）的需求评估：\n医疗需求：—\n照护需求：—\n支持需求：—\n关注问题：—\n"
            "备注：—\n点按选项勾选或取消，然后点“完成”。备注：/评估 <编号> 备注 <内容>。"
        ]
        buttons = {b.label: b for b in s.buttons(form)}
        assert len(buttons) == 15 and "☐ 健康建议" in buttons and "完成" in buttons
        ticked = await s.press("wang", "dm", buttons["☐ 健康建议"])
        [edit] = [a for a in ticked if isinstance(a, Edit)]
        assert "医疗需求：健康建议" in edit.text
        buttons = {b.label: b for b in edit.buttons}
        ticked = await s.press("wang", "dm", buttons["☐ 日常照护"])
        buttons = {b.label: b for b in s.buttons(ticked)}
        performed += s.adapter.performed
        await s.restart()
        done = await s.press("wang", "dm", buttons["完成"])
        assert told(done, "wang") == [
            "1 号个案的需求评估已保存：\n医疗需求：健康建议\n照护需求：日常照护\n支持需求：—\n"
            "关注问题：—\n备注：—"
        ]
        assert await say(s, "wang", "/评估 1 备注 独居，行动不便") == (
            "1 号个案的需求评估已保存：\n医疗需求：健康建议\n照护需求：日常照护\n支持需求：—\n"
            "关注问题：—\n备注：独居，行动不便"
        )

        # Routed to the focus service tier: the client invited and told, the on-duty staff told
        # privately the number, category and name only; nothing in any group.
        routed = await s.send("wang", "dm", "/分流 1 聚焦")
        assert told(routed, "wang") == [
            "1 号个案已分流到聚焦服务群（聚焦服务）。\n已邀请服务对象入群，并私信告知。\n"
            "已私信通知该群当班人员：何秘书、孙医生。"
        ]
        assert [a for a in routed if isinstance(a, Invite)] == [
            Invite(chat="focus-1", user="maria", network="console")
        ]
        assert told(routed, "maria") == [
            "您的求助（1 号个案）已转到聚焦服务群，邀请已发送给您。请不要在群里发布电话、住址或健康"
            "情况，私事请私聊工作人员。"
        ]
        coming = "1 号个案（医疗）转入聚焦服务群：玛丽亚，由王芳分流。用 /个案 1 查看。"
        assert (told(routed, "he"), told(routed, "sun")) == ([coming], [coming])
        assert reached(routed) == {"wang", "maria", "he", "sun"}
        assert in_groups(routed) == []
        assert await say(s, "maria", "/个案 1") == "您的求助（1 号个案）：处理中，聚焦服务。"
        assert await say(s, "wang", "/分流 1 聚焦") == "1 号个案已在聚焦服务群服务。"

        # Escalated to key accompaniment: the router owns it; key-1's on-duty volunteer is told.
        escalated = await s.send("wang", "dm", "/分流 1 重点")
        assert told(escalated, "wang") == [
            "1 号个案已分流到重点陪助群（重点陪助）。\n负责社工：王芳。\n"
            "已邀请服务对象入群，并私信告知。\n已私信通知该群当班人员：徐老师。"
        ]
        assert [a for a in escalated if isinstance(a, Invite)] == [
            Invite(chat="key-1", user="maria", network="console")
        ]
        assert told(escalated, "xu") == [
            "1 号个案（医疗）转入重点陪助群：玛丽亚，由王芳分流。用 /个案 1 查看。"
        ]
        assert reached(escalated) == {"wang", "maria", "xu"}

        # Notes (form 5) by the volunteer serving there and by the owner; then closing.
        assert await say(s, "xu", "/跟进记录 1 心理 已电话回访，情绪平稳") == (
            "已记入 1 号个案（心理）。"
        )
        assert await say(s, "wang", "/跟进记录 1 医疗 已送退烧药 明天 9点") == (
            "已记入 1 号个案（医疗）。下次跟进 12月3日周四 09:00：届时将私信提醒王芳。"
        )
        shown = await say(s, "wang", "/个案 1")
        assert "层级：重点陪助 · 服务群：重点陪助群 · 负责社工：王芳" in shown.splitlines()
        assert shown.splitlines()[-3:] == [
            "跟进记录（2 条）：",
            "• 12月2日周三 14:00 心理：已电话回访，情绪平稳（负责人：徐老师）",
            "• 12月2日周三 14:00 医疗：已送退烧药（负责人：王芳）",
        ]
        assert await say(s, "wang", "/结案 1 已退烧，转回社区") == "1 号个案已结案。"
        assert await say(s, "maria", "/个案 1") == "您的求助（1 号个案）：已结案。"
        case = await Case.get(number=1)
        assert (case.status, case.tier, case.group, case.owner) == (
            "closed",
            "key",
            "key-1",
            "wang",
        )

        # From the first /求助 on, a group read only that the questions came privately, and
        # no staff member read the phone, the address, the question or the age.
        everything = performed + s.adapter.performed
        assert in_groups(everything) == [ASKED_PRIVATELY, ASKED_PRIVATELY]
        for staff in ("he", "sun", "xu"):
            read = "\n".join(told(everything, staff))
            for detail in (PHONE, ADDRESS, "发烧", "45", "独居"):
                assert detail not in read, (staff, detail)


async def test_a_requester_writing_in_english_is_told_in_english_when_routed(
    tmp_path: Path,
) -> None:
    async with sandbox(tmp_path) as s:
        await s.send("bob", "dm", "/request", language="en")
        last = await answer(
            s,
            "bob",
            "Bob",
            "male",
            "61",
            "Building 2, 101",
            PHONE,
            "psychological",
            "I cannot sleep",
            language="en",
        )
        assert told(last, "bob")[-1].startswith("Thank you. Your request is case 1.")
        routed = await s.send("wang", "dm", "/分流 1 聚焦")
        assert told(routed, "bob") == [
            "Your request (case 1) is now served in 聚焦服务群: you have been invited to it. Please "
            "do not post your phone, address or health details in the group; tell the staff "
            "privately."
        ]
        assert told(await s.send("gao", "dm", "/route 1 key"), "gao") == [
            "Only social workers route cases; you may not route case 1."
        ]


async def test_a_referral_takes_the_category_and_the_record_of_the_clients_request(
    tmp_path: Path,
) -> None:
    async with sandbox(tmp_path) as s:
        await referred(s)
        assert (await say(s, "wang", "/个案 1")).splitlines()[2] == (
            "来源：转介 · 来自：1号楼居民群 · 类别：其他"
        )
        await s.send("maria", "dm", "/求助")
        last = await answer(s, "maria", "玛丽亚", "女", "78", ADDRESS, PHONE, "1", "需要买降压药")
        assert told(last, "wang") == [
            "1 号个案（医疗）：服务对象已填写求助登记表。请私聊发送 /个案 1 查看。"
        ]
        assert (await say(s, "wang", "/个案 1")).splitlines()[2] == (
            "来源：转介 · 来自：1号楼居民群 · 类别：医疗"
        )
        [record] = await s.records("help_request")
        case = await Case.get(number=1)
        assert (case.record, case.category, case.source) == (record.id, "medical", "referral")
        assert "药快吃完了" in case.reason  # the referrer's reason stays


async def test_a_transfer_never_assigns_nor_alerts_who_declared_they_know_the_client(
    tmp_path: Path,
) -> None:
    async with sandbox(tmp_path) as s:
        granted = "徐老师现在在全社区担任社会工作者。"
        assert await say(s, "wang", "/grant @xu social_worker") == granted  # a second one
        await on_shift(s, "xu", 1)  # focus-1, as its social worker
        await on_shift(s, "he", 1)
        await on_shift(s, "sun", 2)  # key-1
        await referred(s)
        to_xu = await s.send("wang", "dm", "/分流 1 重点 徐老师")
        assert told(to_xu, "wang")[0].splitlines()[:2] == [
            "1 号个案已分流到重点陪助群（重点陪助）。",
            "负责社工：徐老师。",
        ]
        assert told(to_xu, "xu")[0].endswith("\n1 号个案由您负责。")

        # xu knows maria: no longer the owner, never again told of her case.
        assert await say(s, "xu", "/回避 1") == (
            "已记录：您认识 1 号个案的服务对象。按照熟人规避，今后不会通知您或安排您负责其个案。\n"
            "您不再负责 1 号个案：请社工用 /分流 1 重点 <姓名> 另行指定负责人，或用 /转介 转介。"
        )
        moved = await s.send("wang", "dm", "/转介 1 focus-1")
        assert told(moved, "wang") == [
            "1 号个案已转介到聚焦服务群（聚焦服务）。\n已邀请服务对象入群，并私信告知。\n"
            "已私信通知该群当班人员：何秘书。"
        ]
        assert "xu" not in reached(moved)  # on shift in focus-1, but keeps away
        assert await say(s, "wang", "/分流 1 重点 徐老师") == (
            "这位社工已声明认识 1 号个案的服务对象，请另行指定负责人。"
        )
        back = await s.send("wang", "dm", "/分流 1 重点")
        assert told(back, "wang")[0].splitlines()[1] == "负责社工：王芳。"
        assert reached(back) == {"wang", "maria", "sun"}
        refused = "您已申明认识 1 号个案的服务对象：按照熟人规避原则，由其他工作人员服务。"
        assert await say(s, "xu", "/个案 1") == refused
        assert await say(s, "xu", "/分流 1 聚焦") == refused
        assert await say(s, "xu", "/cases") == "没有您可查看的未结个案。"

        # Her own request later: the staff told of it leave xu out too.
        await s.send("maria", "dm", "/求助")
        filled = await answer(s, "maria", "玛丽亚", "女", "78", ADDRESS, PHONE, "3", "需要买药")
        assert reached(filled) == {"maria", "he"}  # focus-1's on duty, where it came in

        # Another community: the admins are told the number, but not the one who knows her.
        assert await say(s, "zhang", "/回避 1") == (
            "已记录：您认识 1 号个案的服务对象。按照熟人规避，今后不会通知您或安排您负责其个案。"
        )
        away = await s.send("wang", "dm", "/转介 1 社区")
        assert told(away, "wang") == [
            "已私信告知社区管理员 1 号个案需要转介到其他社区：李书记。"
            "交接完成后请用 /结案 1 <结果> 结案。"
        ]
        assert told(away, "li") == [
            "1 号个案需要转介到其他社区（本社区工作人员认识服务对象）：王芳请您安排转介。"
        ]
        assert reached(away) == {"wang", "li"}
        assert in_groups(s.adapter.performed) == ["已收到转介，我已私聊您。"]


async def test_a_resident_cannot_route_and_a_volunteer_reads_only_their_groups_cases(
    tmp_path: Path,
) -> None:
    async with sandbox(tmp_path) as s:
        await referred(s)
        await s.send("lena", "building-1", "大家好")
        # A resident: told in one sentence that routing is for social workers, whether or not
        # the case exists (that is not told either).
        assert await say(s, "lena", "/分流 1 聚焦") == "只有社工可以分流个案，您不能分流 1 号个案。"
        assert await say(s, "lena", "/分流 9 聚焦") == "只有社工可以分流个案，您不能分流 9 号个案。"
        assert await say(s, "lena", "/评估 1") == "只有社工可以评估个案；您不能评估 1 号个案。"
        assert await say(s, "lena", "/转介 1 key-1") == (
            "只有社工可以转介个案；您不能转介 1 号个案。"
        )
        assert await say(s, "lena", "/回避 1") == "只有服务个案的工作人员才需要声明熟人回避。"
        assert await say(s, "maria", "/分流 1 聚焦") == (
            "1 号个案是您本人的求助：可用 /个案 1 查看进展，其余由服务您的工作人员处理。"
        )
        assert await say(s, "he", "/分流 1 聚焦") == "只有社工可以分流个案，您不能分流 1 号个案。"
        # he serves focus-1: the case is his to read until it is routed to key-1.
        assert (await say(s, "he", "/个案 1")).startswith("1 号个案（处理中，待分流）")
        await s.send("wang", "dm", "/分流 1 重点")
        assert await say(s, "he", "/个案 1") == (
            "您不能查看 1 号个案：社工可查看所有个案，志愿者只能查看其所服务群的个案。"
        )
        assert await say(s, "he", "/跟进记录 1 其他 已联系") == "您不能为 1 号个案写跟进记录。"
        assert (await say(s, "sun", "/个案 1")).startswith("1 号个案（处理中，重点陪助）")
        assert await Case.filter(number=1, tier="key").exists()


async def test_wrong_input_says_what_is_wrong_then_how_each_a_sentence(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as s:
        await referred(s)
        expected = {
            ("wang", "/评估 1 fly"): "“fly”不是评估的选项。请这样写：/评估 <个案编号> [内容]。",
            ("wang", "/评估 1 medical=daily_care"): (
                "“daily_care”不是“医疗需求”一项的选项。请这样写："
            ),
            ("wang", "/评估 1 foo=bar"): (
                "“foo”不是评估的项目（医疗、照护、支持、关注）。请这样写："
            ),
            ("wang", "/分流 1 聚焦 key-1"): (
                "key-1 不是聚焦服务群（这类群有：focus-1）。请这样写：/分流 <个案编号>"
            ),
            ("wang", "/分流 1 聚焦 王芳"): "只有重点陪助个案才指定负责社工。请这样写：/分流 ",
            ("wang", "/转介 1 building-1"): (
                "“building-1”既不是咨询服务群（focus-1、key-1），也不是“社区”。请这样写："
            ),
            (
                "wang",
                "/个案 abc",
            ): "“abc”不是个案编号（请写编号，如 12）。请这样写：/个案 <个案编号>。",
            ("wang", "/跟进记录 1 心理 回访 今天 9点"): (
                "跟进时间12月2日周三 09:00已经过去。请这样写："
            ),
            ("gao", "/case abc"): (
                "“abc” is not a case number (write the number, such as 12). Write it as /case "
            ),
        }
        got = {(who, text): await say(s, who, text) for who, text in expected}
        assert {k: v[: len(expected[k])] for k, v in got.items()} == expected
