"""Someone given a role in chat (/grant) is told what the role is told, like the people the
community file names: a building leader granted at runtime gets the building's missing
check-in list, a community worker granted for a building its fever alerts."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanshe.testing import ManualClock, Sandbox
from tests.conftest import example_text, write_community
from tests.plugins.households import DIRECT, dms, settle_in
from tests.plugins.test_checkins import MORNING


@pytest.fixture
async def town(tmp_path: Path):
    async with Sandbox(write_community(tmp_path, example_text()), clock=ManualClock(MORNING)) as s:
        yield s


async def test_a_building_leader_granted_in_chat_gets_the_missing_list(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await settle_in(town, "bob", "building-1", "101", "鲍家")
    [granted] = town.texts(await town.send("zhang", "building-1", "/grant @bob building_leader"))
    assert granted == "鲍家现在在1号楼居民群担任楼门栋长。"
    await town.send("bob", DIRECT, "/打卡 36.5")
    actions = await town.advance(hours=2, minutes=30)  # 10:00
    assert dms(actions, "bob") == ["1号楼今日还有1户未健康打卡：\n• 302（王家）：王家"]


async def test_a_community_worker_granted_for_a_building_gets_its_fever_alerts(
    town: Sandbox,
) -> None:
    await settle_in(town, "wei", "building-3", "101", "魏家")
    await settle_in(town, "amy", "building-3", "205", "艾家")
    await town.send("zhang", "building-3", "/grant @amy community_worker")
    actions = await town.send("wei", DIRECT, "/打卡 38.2")
    assert dms(actions, "amy") == [
        "健康打卡提醒：3号楼101的魏家今日打卡报告了发热（38.2℃）。请私下联系了解情况，不要在群里讨论。"
    ]
    assert dms(actions, "zhang") == []  # the building has its own community worker now


async def test_a_community_worker_granted_for_a_building_hears_of_errands_nobody_takes(
    town: Sandbox,
) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await settle_in(town, "amy", "building-1", "205", "艾家")
    await town.send("zhang", "building-1", "/grant @amy community_worker")
    await town.send("amy", DIRECT, "/困难群体 登记 @maria 独居老人")
    actions = await town.send("maria", DIRECT, "/代购 买药 降压药两盒")  # no volunteer here
    untaken = "代办单#1（买药，1号楼，王家）还没有志愿者接单，请安排人手或另想办法。"
    assert dms(actions, "amy") == [untaken]
    assert dms(actions, "zhang") == []  # the building has its own community worker now
