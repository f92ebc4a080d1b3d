"""The check-ins plugin on the example community: the daily health check-in privately and in a
resident group, the fever alert, the missing-report list and reminders, wrong input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sanshe.core.actions import Delete, DirectMessage, Reply
from sanshe.core.personal_data import erase, export
from sanshe.plugins.checkins.models import Checkin
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import write_community
from tests.plugins.households import DIRECT, dms, in_groups, settle_in, zhang_of_building_1

#: 07:30 in Shanghai, Thursday 3 December 2026: inside the reporting window (06:00-10:00).
MORNING = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)


@pytest.fixture
async def town(tmp_path: Path):
    async with Sandbox(
        write_community(tmp_path, zhang_of_building_1()), clock=ManualClock(MORNING)
    ) as s:
        yield s


async def test_a_private_checkin_is_recorded_and_confirmed(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    actions = await town.send("maria", DIRECT, "/打卡 36.6")
    assert town.texts(actions) == ["已记录今日健康打卡：体温36.6℃，症状：无。谢谢！"]
    again = await town.send("maria", DIRECT, "/健康打卡 36.4度")
    assert town.texts(again) == ["已记录今日健康打卡：体温36.4℃，症状：无。谢谢！"]  # replacing it
    [row] = await Checkin.all()
    assert (row.day.isoformat(), row.building, row.room, row.temperature, row.symptoms) == (
        "2026-12-03",
        "1",
        "302",
        "36.4",
        [],
    )


async def test_a_checkin_in_a_group_is_deleted_and_confirmed_privately(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    actions = await town.send("maria", "building-1", "/checkin 36.5 咳嗽、喉咙痛")
    [deleted] = [a for a in actions if isinstance(a, Delete)]
    assert deleted.chat == "building-1"
    assert in_groups(actions) == []
    assert dms(actions, "maria") == [
        "已记录今日健康打卡：体温36.5℃，症状：咳嗽、咽痛。谢谢！",
        "您报告了发热或不适，社区工作人员会私下与您联系。请在家休息，减少外出；情况紧急请立即拨打120。",
    ]
    assert dms(actions, "zhang") == [
        "健康打卡提醒：1号楼302的王家今日打卡报告了咳嗽、咽痛。请私下联系了解情况，不要在群里讨论。"
    ]
    assert {a.user for a in actions if isinstance(a, DirectMessage)} == {"maria", "zhang"}


async def test_a_fever_alerts_only_the_community_worker_of_that_building(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await settle_in(town, "wei", "building-3", "101", "魏家")
    normal = await town.send("maria", DIRECT, "/打卡 37.2")
    assert dms(normal, "zhang") == [] and dms(normal, "li") == []
    fever = await town.send("maria", DIRECT, "/打卡 37.3")
    assert dms(fever, "zhang") == [
        "健康打卡提醒：1号楼302的王家今日打卡报告了发热（37.3℃）。请私下联系了解情况，不要在群里讨论。"
    ]
    assert {a.user for a in fever if isinstance(a, DirectMessage)} == {"zhang"}
    assert [a.chat for a in fever if isinstance(a, Reply)] == ["dm:maria", "dm:maria"]
    # Building 3 has no community worker of its own: the community-wide one is alerted.
    other = await town.send("wei", "building-3", "/打卡 38.1 乏力")
    assert in_groups(other) == []
    assert dms(other, "li") == [
        "健康打卡提醒：3号楼101的魏家今日打卡报告了发热（38.1℃）、乏力。请私下联系了解情况，不要在群里讨论。"
    ]
    assert {a.user for a in other if isinstance(a, DirectMessage)} == {"wei", "li"}


async def test_the_missing_report_list_goes_to_each_buildings_leaders_with_reminders(
    town: Sandbox,
) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await settle_in(town, "bob", "building-1", "101", "鲍家")
    await settle_in(town, "wei", "building-3", "101", "魏家")
    await settle_in(town, "amy", "building-3", "205", "艾家")
    await town.send("maria", DIRECT, "/打卡 36.5")
    await town.send("amy", "building-3", "/打卡 36.7")
    early = await town.advance(hours=2, minutes=29)  # 09:59
    assert dms(early, "zhao") == [] and dms(early, "bob") == []
    actions = await town.advance(minutes=1)  # 10:00
    assert dms(actions, "zhao") == ["1号楼今日还有1户未健康打卡：\n• 101（鲍家）：鲍家"]
    assert dms(actions, "chen") == ["3号楼今日还有1户未健康打卡：\n• 101（魏家）：魏家"]
    reminder = (
        "您家今天还没有健康打卡。请私信发送 /打卡 体温，例如 /打卡 36.5；有症状请写在体温后面。"
        "每日打卡时间：06:00-10:00。"
    )
    assert dms(actions, "bob") == [reminder] and dms(actions, "wei") == [reminder]
    assert dms(actions, "maria") == [] and dms(actions, "amy") == []
    assert in_groups(actions) == []
    # A late check-in is taken, and says when check-ins are taken.
    late = await town.send("bob", DIRECT, "/打卡 36.6")
    assert town.texts(late) == [
        "已记录今日健康打卡：体温36.6℃，症状：无。谢谢！（每日打卡时间为06:00-10:00，请尽量在这个时间内打卡。）"
    ]
    tomorrow = await town.advance(days=1)  # 10:00 the next day: nobody has reported yet
    assert dms(tomorrow, "zhao") == [
        "1号楼今日还有2户未健康打卡：\n• 101（鲍家）：鲍家\n• 302（王家）：王家"
    ]


async def test_the_list_due_while_the_bot_was_stopped_comes_at_start(tmp_path: Path) -> None:
    clock = ManualClock(MORNING)
    path = write_community(tmp_path, zhang_of_building_1())
    async with Sandbox(path, db_url=f"sqlite://{tmp_path}/db.sqlite3", clock=clock) as s:
        await settle_in(s, "bob", "building-1", "101", "鲍家")
        await s.advance(hours=2)  # 09:30
        await s.stop()
        clock.advance(hours=1)  # 10:30: the bot was stopped over 10:00
        await s.start()
        actions = await s.advance()
        assert dms(actions, "zhao") == ["1号楼今日还有1户未健康打卡：\n• 101（鲍家）：鲍家"]
        assert len(dms(actions, "bob")) == 1
        assert dms(await s.advance(hours=12), "zhao") == []  # once a day


async def test_wrong_input_says_how_to_write_it_in_the_senders_language(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    usage = (
        "请这样写：/打卡 <体温> [症状]，例如 /打卡 36.8，有症状时写在体温后面：/打卡 37.5 咳嗽。"
    )
    assert town.texts(await town.send("maria", DIRECT, "/打卡 abc")) == [
        "“abc”不是体温，体温请写数字（摄氏度）。" + usage
    ]
    assert town.texts(await town.send("maria", DIRECT, "/打卡 48")) == [
        "48℃不像是体温，请填写35.0到42.0之间的读数。" + usage
    ]
    assert town.texts(await town.send("maria", DIRECT, "/打卡 36.5 头痛")) == [
        "“头痛”不在可填写的症状中。可填写的症状：咳嗽、咽痛、乏力、呼吸困难、腹泻、嗅觉味觉减退；"
        "没有症状就只写体温。" + usage
    ]
    wrong = await town.send("maria", "building-1", "/打卡 48")
    assert [a for a in wrong if isinstance(a, Delete)] and in_groups(wrong) == []
    assert dms(wrong, "maria") == ["48℃不像是体温，请填写35.0到42.0之间的读数。" + usage]
    english = (
        " Write it as /checkin <temperature> [symptoms], for example /checkin 36.8, "
        "with any symptoms after the temperature: /checkin 37.5 cough."
    )
    assert town.texts(await town.send("gao", DIRECT, "/checkin abc")) == [
        "“abc” is not a temperature: write it as a number (degrees Celsius)." + english
    ]
    assert town.texts(await town.send("gao", DIRECT, "/checkin 48")) == [
        "48 °C does not look like a body temperature: write a reading from 35.0 to 42.0." + english
    ]
    assert not await Checkin.exists()


async def test_only_a_registered_household_checks_in(town: Sandbox) -> None:
    assert town.texts(await town.send("zhang", DIRECT, "/打卡 36.5")) == [
        "只有已登记住户的居民才能健康打卡。请先申请加入您所在楼栋的居民群，审核通过后即可打卡。"
    ]
    assert town.texts(await town.send("gao", DIRECT, "/checkin 36.5 cough")) == [
        "Only residents registered for a household can check in. Ask to join your building's "
        "resident group first; once you are let in, you can check in."
    ]
    assert not await Checkin.exists()


async def test_help_lists_checkin_to_residents(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    [private] = town.texts(await town.send("maria", DIRECT, "/help"))
    assert "/checkin /打卡 /健康打卡" in private
    [staff] = town.texts(await town.send("zhang", DIRECT, "/help"))
    assert "/checkin" not in staff


async def test_export_and_erasure_cover_the_checkins(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await town.send("maria", DIRECT, "/打卡 37.5 cough")
    town.clock.advance(timedelta(days=1))
    await town.send("maria", DIRECT, "/打卡 36.6")
    maria = town.bot.directory.person("console", "maria")
    bot = town.bot
    exported = await export(town.storage, town.community, bot.pm, maria.id)
    assert [
        (c["day"], c["room"], c["temperature"], c["symptoms"])
        for c in exported["plugins"]["checkins"]["checkins"]
    ] == [("2026-12-03", "302", "37.5", ["cough"]), ("2026-12-04", "302", "36.6", [])]
    await erase(town.storage, town.community, bot.pm, maria.id)
    assert not await Checkin.exists()
