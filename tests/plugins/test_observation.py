"""Home medical observation files on the example community, the clock injected: a community
worker opens a file, reads its daily temperature series, is reminded on the period's last day
and told of a day without a temperature; the person's requests reach that worker only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sanshe.core.actions import Action, DirectMessage, Reply
from sanshe.core.personal_data import erase, export
from sanshe.plugins import checkins
from sanshe.plugins.observation.models import Need, Observation
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import write_community
from tests.plugins.households import DIRECT, dms, in_groups, settle_in, zhang_of_building_1

#: 07:30 in Shanghai, Thursday 3 December 2026.
MORNING = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)


@pytest.fixture
async def town(tmp_path: Path):
    async with Sandbox(
        write_community(tmp_path, zhang_of_building_1()), clock=ManualClock(MORNING)
    ) as s:
        yield s


def nothing_of_it_in_groups(actions: list[Action]) -> bool:
    """Whether no group post says anything of an observation (other plugins post theirs)."""
    return not any("观察" in a.text or "王家" in a.text for a in in_groups(actions))


OPENED = (
    "已建立1号居家医学观察档案：王家（1号楼302），观察14天，12月3日至12月16日。"
    "TA每天的健康打卡即体温记录（/观察 1）；12月16日当天会提醒您，某天没有体温也会告诉您。"
)
TOLD = (
    "社区工作人员张敏已为您建立居家医学观察健康档案：观察14天，12月3日至12月16日。"
    "请每天健康打卡报告体温（/打卡 36.5）。需要生活物资配送、代取快递或清运生活垃圾，请私信我："
    "/观察 需要 物资|快递|垃圾 具体需要，只有社区工作人员能看到。"
)
ENDS = (
    "居家观察提醒：1号档案王家（1号楼302）的观察期今天（12月16日，第14天）结束。"
    "请与TA确认后结束档案：/观察 结束 1。"
)
TOLD_ENDS = "您的居家医学观察期今天（12月16日）结束，社区工作人员会与您联系确认；确认前请继续居家。"


async def test_a_worker_opens_a_file_and_the_person_is_told_privately(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    actions = await town.send("zhang", DIRECT, "/观察 @maria 武汉返回")
    assert dms(actions, "maria") == [TOLD]
    assert [a.text for a in actions if isinstance(a, Reply)] == [OPENED]
    assert in_groups(actions) == []
    assert town.texts(await town.send("zhang", DIRECT, "/观察 @maria")) == [
        "王家已在居家观察中：1号档案（/观察 1）。"
    ]
    # Typed in a group it is refused, and nothing of a file is said there.
    assert town.texts(await town.send("zhang", "building-1", "/观察 @maria")) == [
        "/观察 只能在与我的私聊中使用，不能在群里使用。"
    ]


async def test_the_file_shows_the_daily_temperature_series_and_the_list_the_last(
    town: Sandbox,
) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await town.send("zhang", DIRECT, "/观察 @maria 14 武汉返回")
    await town.send("maria", DIRECT, "/打卡 36.6")
    town.clock.advance(days=2)
    await town.send("maria", DIRECT, "/打卡 37.5 咳嗽")
    assert town.texts(await town.send("zhang", DIRECT, "/观察")) == [
        "您进行中的居家观察档案（1份）：\n"
        "#1 王家（1号楼302）：第3/14天，最近体温37.5℃（发热），咳嗽（12月5日），12月16日结束\n"
        "发送 /观察 编号 查看体温记录，/观察 结束 编号 结束观察。"
    ]
    assert town.texts(await town.send("zhang", DIRECT, "/观察 1")) == [
        "1号居家医学观察档案（观察中）：王家（1号楼302），观察14天，12月3日至12月16日。\n"
        "原因：武汉返回\n每日体温：\n"
        "• 12月3日（第1天）：36.6℃\n"
        "• 12月4日（第2天）：未报告\n"
        "• 12月5日（第3天）：37.5℃（发热），咳嗽"
    ]
    # The community-wide worker reads it too; a resident is told who keeps files.
    assert town.texts(await town.send("li", DIRECT, "/观察 1"))[0].startswith("1号居家医学观察档案")
    assert town.texts(await town.send("maria", DIRECT, "/观察 1")) == [
        "请这样写：/观察 需要 物资|快递|垃圾 具体需要，例如 /观察 需要 物资 大米和食用油，"
        "或 /观察 需要 快递 北门一个箱子。"
    ]
    [entry] = await town.audit(who="zhang", action="read")
    assert entry.detail == "observation 1"


async def test_a_request_for_supplies_reaches_only_the_files_worker(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await town.send("zhang", DIRECT, "/观察 @maria")
    actions = await town.send("maria", DIRECT, "/观察 需要 物资 大米和食用油")
    assert dms(actions, "zhang") == [
        "居家观察1号档案：王家（1号楼302）需要生活物资配送：大米和食用油。请安排并私下回复TA。"
    ]
    assert [a.text for a in actions if isinstance(a, Reply)] == [
        "您的生活物资配送需求已私下转告社区工作人员张敏，TA会安排并回复您。"
    ]
    assert {a.user for a in actions if isinstance(a, DirectMessage)} == {"zhang"}
    assert in_groups(actions) == []
    parcel = await town.send("maria", DIRECT, "/观察 需要 快递 北门一个箱子")
    assert dms(parcel, "zhang") == [
        "居家观察1号档案：王家（1号楼302）需要代取快递：北门一个箱子。请安排并私下回复TA。"
    ]
    [text] = town.texts(await town.send("zhang", DIRECT, "/观察 1"))
    assert text.endswith(
        "服务需求：\n• 12月3日 生活物资配送：大米和食用油\n• 12月3日 代取快递：北门一个箱子"
    )
    assert town.texts(await town.send("maria", DIRECT, "/观察")) == [
        "您正在居家医学观察：第1/14天，至12月16日。请每天健康打卡报告体温（/打卡 36.5）。"
        "需要生活物资、代取快递或清运垃圾：/观察 需要 物资|快递|垃圾 具体需要。"
    ]
    assert town.texts(await town.send("maria", DIRECT, "/观察 需要 外卖 x")) == [
        "请这样写：/观察 需要 物资|快递|垃圾 具体需要，例如 /观察 需要 物资 大米和食用油，"
        "或 /观察 需要 快递 北门一个箱子。"
    ]


async def test_a_day_without_a_temperature_is_flagged_to_the_worker(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await town.send("zhang", DIRECT, "/观察 @maria 14")
    await town.send("maria", DIRECT, "/打卡 36.6")
    reported = await town.advance(hours=3)  # 10:30: she reported today
    assert dms(reported, "zhang") == []
    missed = await town.advance(days=1)  # 10:30 the next day: nothing reported
    assert dms(missed, "zhang") == [
        "居家观察提醒：您的1份档案今天还没有报告体温：\n• #1 王家（1号楼302），第2/14天"
    ]
    assert dms(missed, "li") == [] and nothing_of_it_in_groups(missed)


async def test_the_period_end_is_reminded_on_its_last_day_across_a_restart(
    tmp_path: Path,
) -> None:
    clock = ManualClock(MORNING)
    path = write_community(tmp_path, zhang_of_building_1())
    async with Sandbox(path, db_url=f"sqlite://{tmp_path}/db.sqlite3", clock=clock) as s:
        await settle_in(s, "maria", "building-1", "302", "王家")
        await s.send("zhang", DIRECT, "/观察 @maria")
        before = await s.advance(days=12, hours=1)  # 08:30 on 15 December
        assert ENDS not in dms(before, "zhang")
        await s.stop()
        clock.advance(days=1, hours=1)  # 09:30 on the 16th: stopped over its 09:00
        await s.start()
        actions = await s.advance()
        assert dms(actions, "zhang") == [ENDS]
        assert dms(actions, "maria") == [TOLD_ENDS]
        assert nothing_of_it_in_groups(actions)
        ended = await s.send("zhang", DIRECT, "/观察 结束 1")
        assert s.texts(ended) == [
            "1号居家观察档案已结束：王家（1号楼302）。",
            "您的居家医学观察已经结束，感谢您的配合！请继续每天健康打卡。",
        ]
        assert dms(ended, "maria") == [
            "您的居家医学观察已经结束，感谢您的配合！请继续每天健康打卡。"
        ]
        assert s.texts(await s.send("zhang", DIRECT, "/观察")) == [
            "您没有进行中的居家观察档案。建档请发 /观察 人员 [天数] [原因]。"
        ]


async def test_an_ended_file_is_not_reminded(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await town.send("zhang", DIRECT, "/观察 @maria 2 密接")
    await town.send("zhang", DIRECT, "/观察 结束 1")
    actions = await town.advance(days=2)
    assert dms(actions, "zhang") == [] and dms(actions, "maria") == []
    assert town.texts(await town.send("zhang", DIRECT, "/观察 结束 1")) == [
        "1号居家观察档案已经结束。"
    ]


async def test_who_may_keep_files_and_wrong_input(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await settle_in(town, "wei", "building-3", "101", "魏家")
    usage = (
        "请这样写：/观察 <成员> [天数] [原因]，例如 /观察 @maria 14 武汉返回；只发 /观察 列出您的档案，"
        "/观察 3 查看3号档案，/观察 结束 3 结束观察。"
    )
    assert town.texts(await town.send("zhang", DIRECT, "/观察 @maria 99")) == [
        "“99”不是天数，请写1到60之间的数字。" + usage
    ]
    assert town.texts(await town.send("zhang", DIRECT, "/观察 @wei")) == [
        "3号楼的居家观察档案只有该楼的社区工作人员或全社区的社区工作人员可以建立和查看。"
    ]
    assert town.texts(await town.send("zhang", DIRECT, "/观察 @wang")) == [
        "王芳还没有登记住户：档案需要TA的楼栋和房号，每天的体温来自TA的健康打卡。"
        "请先让TA申请加入所在楼栋的居民群。"
    ]
    assert town.texts(await town.send("zhang", DIRECT, "/观察 结束 x")) == [
        "请这样写：/观察 结束 档案编号，例如 /观察 结束 3（/观察 列出您的档案）。"
    ]
    assert town.texts(await town.send("zhang", DIRECT, "/观察 7")) == [
        "没有7号居家观察档案，/观察 可列出您的档案。"
    ]
    assert town.texts(await town.send("maria", DIRECT, "/观察 @maria")) == [
        "居家观察档案由社区工作者建立和管理。如果您在居家观察，社区工作人员会为您建档。"
    ]
    assert town.texts(await town.send("wei", DIRECT, "/观察 需要 物资 米")) == [
        "您不在居家观察中，没有可以提出需求的档案。需要代办或帮助，请私信楼长或发送 /求助。"
    ]
    assert town.texts(await town.send("gao", DIRECT, "/observe")) == [
        "Observation files are kept by: community worker. If you are under home observation, "
        "your community worker opens your file."
    ]
    # The community-wide worker opens one in building 3; 张敏 (building 1) may not read it.
    await town.send("li", DIRECT, "/观察 @wei 7")
    assert town.texts(await town.send("zhang", DIRECT, "/观察 1")) == [
        "1号居家观察档案属于3号楼，只有该楼的社区工作人员或全社区的社区工作人员可以查看。"
    ]


async def test_help_lists_observe_to_workers_and_to_people_under_observation(
    town: Sandbox,
) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    assert "/observe" not in town.texts(await town.send("maria", DIRECT, "/help"))[0]
    assert "/observe /观察 /居家观察" in town.texts(await town.send("zhang", DIRECT, "/help"))[0]
    await town.send("zhang", DIRECT, "/观察 @maria")
    assert "/observe /观察 /居家观察" in town.texts(await town.send("maria", DIRECT, "/help"))[0]


async def test_export_and_erasure_cover_the_files(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await town.send("zhang", DIRECT, "/观察 @maria 14 武汉返回")
    await town.send("maria", DIRECT, "/观察 需要 垃圾 两袋")
    maria = town.bot.directory.person("console", "maria")
    bot = town.bot
    exported = (await export(town.storage, town.community, bot.pm, maria.id))["plugins"]
    assert exported["observation"]["files"] == [
        {
            "number": 1,
            "building": "1",
            "room": "302",
            "reason": "武汉返回",
            "start": "2026-12-03",
            "end": "2026-12-16",
            "open": True,
        }
    ]
    assert [(n["kind"], n["detail"]) for n in exported["observation"]["needs"]] == [
        ("rubbish", "两袋")
    ]
    await erase(town.storage, town.community, bot.pm, maria.id)
    assert not await Observation.exists() and not await Need.exists()


async def test_a_file_whose_worker_left_goes_to_who_serves_the_building(tmp_path: Path) -> None:
    """张敏 opens the file, then is no longer a community worker: the day without a temperature
    and the person's requests go to 李书记, the community-wide one, as a fever alert would."""
    path = write_community(tmp_path, zhang_of_building_1())
    async with Sandbox(path, clock=ManualClock(MORNING)) as s:
        await settle_in(s, "maria", "building-1", "302", "王家")
        await s.send("zhang", DIRECT, "/观察 @maria 14")
        text = path.read_text(encoding="utf-8")
        left = "    roles: [{role: community_worker, groups: [building-1]}]\n"
        path.write_text(text.replace(left, "    roles: []\n"), encoding="utf-8")
        await s.bot.reload()
        await s.advance(hours=3)  # 10:30: the first day of the file
        missed = await s.advance(days=1)  # 10:30 the next day: nothing reported
        assert dms(missed, "li") == [
            "居家观察提醒：您的1份档案今天还没有报告体温：\n• #1 王家（1号楼302），第2/14天"
        ]
        assert dms(missed, "zhang") == [] and nothing_of_it_in_groups(missed)
        asked = await s.send("maria", DIRECT, "/观察 需要 物资 大米")
        assert dms(asked, "li") == [
            "居家观察1号档案：王家（1号楼302）需要生活物资配送：大米。请安排并私下回复TA。"
        ]
        assert dms(asked, "zhang") == []


async def test_the_missing_temperatures_ask_the_check_ins_once_for_all_files(
    town: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await settle_in(town, "wei", "building-3", "101", "魏家")
    await town.send("zhang", DIRECT, "/观察 @maria 14")
    await town.send("li", DIRECT, "/观察 @wei 14")
    asked: list[list[str]] = []
    reported = checkins._reported

    async def counted(*args: Any) -> list[dict[str, str]]:
        asked.append(args[1])
        return await reported(*args)

    await town.advance(hours=3)  # 10:30: the first day of the files
    monkeypatch.setattr(checkins, "_reported", counted)
    missed = await town.advance(days=1)  # 10:30 the next day: nothing reported
    assert [len(people) for people in asked] == [2]  # one question, of both files' people
    assert len(dms(missed, "zhang")) == 1 and len(dms(missed, "li")) == 1
