"""The check-in's short form: ``/checkin`` alone (打卡) asks the temperature, then the symptoms,
privately, with /back and /cancel; what it keeps is the check-in ``/checkin 36.8 cough`` keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sanshe.core.actions import Action, Delete, DirectMessage, Reply
from sanshe.core.personal_data import erase
from sanshe.plugins.checkins.models import Checkin, Draft
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import write_community
from tests.plugins.households import dms, in_groups, settle_in, zhang_of_building_1

DIRECT = "dm"
#: 07:30 in Shanghai, Thursday 3 December 2026: inside the reporting window (06:00-10:00).
MORNING = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
TEMPERATURE = (
    "健康打卡（1/2）：您今天的体温是多少？请写数字（摄氏度），例如 36.5。发送 /取消 放弃本次打卡。"
)
SYMPTOMS = (
    "健康打卡（2/2）：有哪些症状？可填写：咳嗽、咽痛、乏力、呼吸困难、腹泻、嗅觉味觉减退；"
    "可以写几个，用顿号隔开；没有症状请回复“无”。发送 /返回 改体温，/取消 放弃本次打卡。"
)


@pytest.fixture
async def town(tmp_path: Path):
    async with Sandbox(
        write_community(tmp_path, zhang_of_building_1()), clock=ManualClock(MORNING)
    ) as s:
        await settle_in(s, "maria", "building-1", "302", "王家")
        yield s


def replies(actions: list[Action]) -> list[str]:
    """What the sender read in their private chat."""
    return [a.text for a in actions if isinstance(a, Reply)]


async def stored() -> list[tuple[str, str, list[str]]]:
    return [(r.day.isoformat(), r.temperature, r.symptoms) for r in await Checkin.all()]


async def test_the_short_form_asks_each_field_and_keeps_the_same_checkin(town: Sandbox) -> None:
    assert town.texts(await town.send("maria", DIRECT, "/打卡")) == [TEMPERATURE]
    assert town.texts(await town.send("maria", DIRECT, "36.5度")) == [SYMPTOMS]
    done = await town.send("maria", DIRECT, "咳嗽、喉咙痛")
    assert replies(done) == [
        "已记录今日健康打卡：体温36.5℃，症状：咳嗽、咽痛。谢谢！",
        "您报告了发热或不适，社区工作人员会私下与您联系。请在家休息，减少外出；情况紧急请立即拨打120。",
    ]
    assert dms(done, "zhang") == [
        "健康打卡提醒：1号楼302的王家今日打卡报告了咳嗽、咽痛。请私下联系了解情况，不要在群里讨论。"
    ]
    assert await stored() == [("2026-12-03", "36.5", ["cough", "sore_throat"])]
    assert not await Draft.exists()
    # The same as the one-line check-in, which replaces it.
    await town.send("maria", DIRECT, "/checkin 36.5 cough sore throat")
    assert await stored() == [("2026-12-03", "36.5", ["cough", "sore_throat"])]
    # Answers after the form are no answers to it.
    assert town.texts(await town.send("maria", DIRECT, "37")) != [SYMPTOMS]


async def test_wrong_answers_are_said_and_asked_again_back_and_cancel(town: Sandbox) -> None:
    await town.send("maria", DIRECT, "/打卡")
    assert town.texts(await town.send("maria", DIRECT, "abc")) == [
        "“abc”不是体温，体温请写数字（摄氏度）。\n" + TEMPERATURE
    ]
    assert town.texts(await town.send("maria", DIRECT, "48")) == [
        "48℃不像是体温，请填写35.0到42.0之间的读数。\n" + TEMPERATURE
    ]
    assert town.texts(await town.send("maria", DIRECT, "/返回")) == [
        "已经是第一个问题了。\n" + TEMPERATURE
    ]
    assert town.texts(await town.send("maria", DIRECT, "37.6")) == [SYMPTOMS]
    assert town.texts(await town.send("maria", DIRECT, "头痛")) == [
        "“头痛”不在可填写的症状中。可填写的症状：咳嗽、咽痛、乏力、呼吸困难、腹泻、嗅觉味觉减退；"
        "没有症状就只写体温。\n" + SYMPTOMS
    ]
    assert town.texts(await town.send("maria", DIRECT, "/back")) == [TEMPERATURE]
    assert town.texts(await town.send("maria", DIRECT, "36.6")) == [SYMPTOMS]
    assert town.texts(await town.send("maria", DIRECT, "/取消")) == [
        "已取消本次健康打卡，没有记录任何内容。"
    ]
    assert not await Checkin.exists() and not await Draft.exists()
    # A fever with no symptom, answered "无".
    await town.send("maria", DIRECT, "/打卡")
    await town.send("maria", DIRECT, "37.6")
    fever = await town.send("maria", DIRECT, "无")
    assert replies(fever)[0] == "已记录今日健康打卡：体温37.6℃，症状：无。谢谢！"
    assert dms(fever, "zhang") == [
        "健康打卡提醒：1号楼302的王家今日打卡报告了发热（37.6℃）。请私下联系了解情况，不要在群里讨论。"
    ]


async def test_in_a_group_it_is_deleted_and_asked_privately(town: Sandbox) -> None:
    actions = await town.send("maria", "building-1", "/打卡")
    assert [a.chat for a in actions if isinstance(a, Delete)] == ["building-1"]
    assert in_groups(actions) == []
    assert dms(actions, "maria") == [TEMPERATURE]
    assert {a.user for a in actions if isinstance(a, DirectMessage)} == {"maria"}


async def test_english_and_a_form_left_till_the_next_day_is_dropped(tmp_path: Path) -> None:
    async with Sandbox(
        write_community(tmp_path, zhang_of_building_1()), clock=ManualClock(MORNING)
    ) as s:
        await settle_in(s, "gao", "building-1", "101", "Gao")
        assert s.texts(await s.send("gao", DIRECT, "/checkin")) == [
            "Health check-in (1/2): what is your temperature today? Write a number (degrees "
            "Celsius), for example 36.5. Send /cancel to leave it."
        ]
        assert s.texts(await s.send("gao", DIRECT, "36.7")) == [
            "Health check-in (2/2): any symptoms? You may write: cough, sore throat, fatigue, "
            "shortness of breath, diarrhoea, loss of taste or smell; several, separated by "
            "commas; with none, answer “none”. Send /back to change the temperature, /cancel "
            "to leave it."
        ]
        s.clock.advance(days=1)
        assert s.texts(await s.send("gao", DIRECT, "none")) != [
            "Today's check-in is recorded: 36.7 °C, symptoms: none. Thank you!"
        ]
        assert not await Checkin.exists() and not await Draft.exists()


async def test_erasure_drops_a_short_form_under_way(town: Sandbox) -> None:
    await town.send("maria", DIRECT, "/打卡")
    await town.send("maria", DIRECT, "37.1")
    assert await Draft.exists()
    maria = town.bot.directory.person("console", "maria")
    await erase(town.storage, town.community, town.bot.pm, maria.id)
    assert not await Draft.exists()
