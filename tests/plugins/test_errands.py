"""The errands plugin on the example community: the registry of vulnerable households, volunteers'
areas, an errand offered to the building's volunteers, taken first come first served and closed,
offered wider when nobody takes it, and who may do what."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sanshe.core.actions import Action, Delete, DirectMessage, Reply, Send
from sanshe.core.personal_data import erase, export
from sanshe.core.storage.models import stored_person
from sanshe.plugins.errands.models import Errand, ServingArea, Vulnerable
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import write_community
from tests.plugins.households import DIRECT, dms, in_groups, settle_in, zhang_of_building_1

#: 10:00 in Shanghai, Thursday 3 December 2026.
MORNING = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
async def town(tmp_path: Path):
    async with Sandbox(
        write_community(tmp_path, zhang_of_building_1()), clock=ManualClock(MORNING)
    ) as s:
        yield s


def told(actions: list[Action]) -> set[str]:
    """Who was written to privately (a reply in a private chat counts for its chat's person)."""
    users = {a.user for a in actions if isinstance(a, DirectMessage)}
    return users | {
        a.chat[3:] for a in actions if isinstance(a, Send | Reply) and a.chat.startswith("dm:")
    }


def errands(actions: list[Action]) -> list[str]:
    """The texts about errands (other plugins' timers come too as the clock moves)."""
    return [t for t in Sandbox.texts(actions) if "代办" in t or "rrand" in t]


async def registered(s: Sandbox) -> None:
    """王家 (maria) of building 1, room 302, in the registry; 何秘书 (he) takes errands of building
    1, 徐老师 (xu) of building 2 (the same area, 东区), Gao Lin of 西区 (building 3)."""
    await settle_in(s, "maria", "building-1", "302", "王家")
    added = await s.send("zhang", DIRECT, "/困难群体 登记 @maria 独居老人 耳背")
    assert s.texts(added) == ["已登记，编号1：1号楼302，高龄空巢老人。"]
    assert s.texts(await s.send("he", DIRECT, "/服务区域 1")) == [
        "已登记：1号楼（东区）的代办单会优先派给您。接单请写 /接单 编号。"
    ]
    assert s.texts(await s.send("xu", DIRECT, "/服务区域 2号楼")) == [
        "已登记：2号楼（东区）的代办单会优先派给您。接单请写 /接单 编号。"
    ]
    assert s.texts(await s.send("gao", DIRECT, "/area 西区")) == [
        "Registered: you are offered the errands of 西区 first. Take one with /take <number>."
    ]


OFFER_1 = "代办单#1：1号楼一户需要买药。接单请回复 /接单 1（先到先得，接单后可看到具体需要）。"


async def test_a_request_is_taken_by_a_volunteer_of_the_building_and_closed(town: Sandbox) -> None:
    await registered(town)
    asked = await town.send("maria", DIRECT, "/代购 买药 降压药两盒，到了打13812345678")
    assert dms(asked, "maria") + town.texts(
        a for a in asked if not isinstance(a, DirectMessage)
    ) == ["您的代办申请#1（买药）已私下转给1号楼的志愿者，有人接单后会告诉您是谁。"]
    assert dms(asked, "he") == [OFFER_1]  # the kind and the building, not the detail
    assert told(asked) == {"maria", "he"}  # not 徐老师 of building 2, not Gao Lin of 西区
    taken = await town.send("he", DIRECT, "/接单 1")
    assert town.texts(a for a in taken if isinstance(a, Reply)) == [
        "您接下了代办单#1：为1号楼302室的王家买药。具体需要：降压药两盒，到了打***。"
        "完成后请写 /完成 1。"
    ]
    assert dms(taken, "maria") == [
        "您的代办申请#1（买药）已有人接单：一般志愿者（群秘书）何秘书会为您办理。"
    ]
    assert told(taken) == {"he", "maria"}
    closed = await town.send("he", DIRECT, "/完成 1")
    assert town.texts(a for a in closed if isinstance(a, Reply)) == [
        "代办单#1已结单，谢谢您的帮助！"
    ]
    assert dms(closed, "maria") == [
        "您的代办申请#1（买药）已办好，何秘书已结单。如有遗漏，请告诉社区工作人员。"
    ]
    assert town.texts(await town.send("he", DIRECT, "/完成 1")) == ["代办单#1已经结单了。"]
    # Nobody else is offered it once it is taken: its wait is cancelled.
    assert errands(await town.advance(hours=2)) == []


async def test_the_second_taker_and_a_volunteer_of_another_area_are_refused(town: Sandbox) -> None:
    await registered(town)
    await town.send("xu", DIRECT, "/服务区域 1")  # now of building 1 too
    asked = await town.send("maria", DIRECT, "/代购 买药 降压药两盒")
    assert dms(asked, "he") == [OFFER_1] and dms(asked, "xu") == [OFFER_1]
    assert dms(asked, "gao") == []
    assert town.texts(await town.send("gao", DIRECT, "/take 1")) == [
        "Errand #1 was not offered to you: it is for the volunteers serving its building or area."
    ]
    first = await town.send("xu", DIRECT, "/接单 1")
    assert dms(first, "maria") == [
        "您的代办申请#1（买药）已有人接单：心理咨询志愿者徐老师会为您办理。"
    ]
    second = await town.send("he", DIRECT, "/接单 1")
    assert town.texts(second) == ["代办单#1已被其他志愿者接单，谢谢您！"]
    assert told(second) == {"he"}
    assert town.texts(await town.send("xu", DIRECT, "/接单 1")) == [
        "代办单#1已经是您接的了。完成后请写 /完成 1。"
    ]
    assert town.texts(await town.send("he", DIRECT, "/完成 1")) == [
        "代办单#1不是您接的，只有接单的志愿者或该楼的社区工作人员可以结单。"
    ]


async def test_an_untaken_errand_goes_wider_then_to_the_community_worker(town: Sandbox) -> None:
    await registered(town)
    asked = await town.send("zhang", DIRECT, "/代购 @maria 买菜 青菜和大米")
    assert town.texts(a for a in asked if isinstance(a, Reply)) == [
        "为王家申请的代办#1（买菜）已私下转给1号楼的志愿者，有人接单后会告诉您和对方是谁。"
    ]
    assert told(asked) == {"zhang", "he"}
    assert errands(await town.advance(minutes=29)) == []
    area = await town.advance(minutes=1)  # 30 minutes: the area's volunteers
    assert dms(area, "xu") == [
        "代办单#1：1号楼一户需要买菜。接单请回复 /接单 1（先到先得，接单后可看到具体需要）。"
    ]
    assert errands(area) == dms(area, "xu")
    everyone = await town.advance(minutes=30)  # every volunteer
    assert dms(everyone, "gao") == [
        "Errand #1: groceries for a household of Building 1. To take it: /take 1 "
        "(first come, first served; you read the details once it is yours)."
    ]
    assert errands(everyone) == dms(everyone, "gao")
    workers = await town.advance(minutes=30)  # nobody left: the building's community worker
    assert dms(workers, "zhang") == [
        "代办单#1（买菜，1号楼，王家）还没有志愿者接单，请安排人手或另想办法。"
    ]
    assert errands(workers) == dms(workers, "zhang")
    assert errands(await town.advance(hours=3)) == []
    # Gao Lin takes it at last: 王家 and 张敏, who asked for them, are told who is coming.
    taken = await town.send("gao", DIRECT, "/take 1")
    assert town.texts(a for a in taken if isinstance(a, Reply)) == [
        "Errand #1 is yours: groceries for 王家, Building 1 room 302. Needed: 青菜和大米. "
        "Once done: /done 1."
    ]
    assert dms(taken, "maria") == [
        "您的代办申请#1（买菜）已有人接单：一般志愿者（群秘书）Gao Lin会为您办理。"
    ]
    assert dms(taken, "zhang") == [
        "为王家申请的代办#1（买菜）已有人接单：一般志愿者（群秘书）Gao Lin会去办理。"
    ]


async def test_a_request_in_a_group_is_deleted_and_answered_privately(town: Sandbox) -> None:
    await registered(town)
    actions = await town.send("maria", "building-1", "/need medicine 布洛芬一盒")
    assert [a.chat for a in actions if isinstance(a, Delete)] == ["building-1"]
    assert in_groups(actions) == []
    assert dms(actions, "maria") == [
        "您的代办申请#1（买药）已私下转给1号楼的志愿者，有人接单后会告诉您是谁。"
    ]
    assert "布洛芬" not in " ".join(town.texts(actions))


async def test_the_registry_is_kept_by_community_workers_of_their_buildings(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    assert town.texts(await town.send("maria", DIRECT, "/vulnerable add 1-301 elderly")) == [
        "困难群体名单由社区工作者登记和管理。如果您知道有需要帮助的邻居，请私信告诉楼长或社区工作人员。"
    ]
    assert town.texts(await town.send("he", DIRECT, "/困难群体")) == [
        "困难群体名单由社区工作者登记和管理。如果您知道有需要帮助的邻居，请私信告诉楼长或社区工作人员。"
    ]
    # 张敏 keeps building 1 only; 李书记 keeps every building.
    assert town.texts(await town.send("zhang", DIRECT, "/困难群体 登记 3-101 残疾人")) == [
        "3号楼的困难群体名单不归您管理，请联系该楼的社区工作人员。"
    ]
    assert town.texts(await town.send("li", DIRECT, "/困难群体 登记 3-101 残疾人 轮椅")) == [
        "已登记，编号1：3号楼101，残疾人。"
    ]
    assert town.texts(await town.send("zhang", DIRECT, "/困难群体 登记 1-302 低保")) == [
        "已登记，编号2：1号楼302，低保对象。"
    ]
    assert town.texts(await town.send("zhang", DIRECT, "/困难群体 登记 @maria 独居老人")) == [
        "1号楼302已经登记过了（编号2）。"
    ]
    assert town.texts(await town.send("zhang", DIRECT, "/困难群体")) == [
        "困难群体名单（共1户）：\n1号楼：\n• #2 302室 —：低保对象（—）"
    ]
    assert town.texts(await town.send("li", DIRECT, "/困难群体")) == [
        "困难群体名单（共2户）：\n1号楼：\n• #2 302室 —：低保对象（—）\n3号楼：\n• #1 101室 —：残疾人（轮椅）"
    ]
    assert town.texts(await town.send("zhang", DIRECT, "/困难群体 删除 1")) == [
        "3号楼的困难群体名单不归您管理，请联系该楼的社区工作人员。"
    ]
    assert town.texts(await town.send("li", DIRECT, "/困难群体 删除 1")) == [
        "已从名单中删除编号1（3号楼）。"
    ]
    # The household's member asks for herself: her household is in the registry.
    asked = await town.send("maria", DIRECT, "/代购 快递 菜鸟驿站的两个包裹")
    assert town.texts(a for a in asked if isinstance(a, Reply)) == [
        "您的代办申请#1（取快递）已记录，但1号楼暂时没有接单的志愿者，已通知社区工作人员安排。"
    ]
    assert dms(asked, "zhang") == [
        "代办单#1（取快递，1号楼，王家）还没有志愿者接单，请安排人手或另想办法。"
    ]


async def test_wrong_input_and_people_outside_the_registry_are_told_what_to_do(
    town: Sandbox,
) -> None:
    await settle_in(town, "wei", "building-3", "101", "魏家")
    await settle_in(town, "maria", "building-1", "302", "王家")
    assert town.texts(await town.send("maria", DIRECT, "/代购 买药 感冒药")) == [
        "代购代办服务面向登记在册的困难群体（高龄空巢老人、困境儿童、残疾人、精神障碍人群、低保对象、"
        "确诊患者及家属、医学观察人员及家属）。您家还没有登记，请私信张敏为您登记。"
    ]
    assert town.texts(await town.send("wei", DIRECT, "/代购 买药 感冒药")) == [
        "代购代办服务面向登记在册的困难群体（高龄空巢老人、困境儿童、残疾人、精神障碍人群、低保对象、"
        "确诊患者及家属、医学观察人员及家属）。您家还没有登记，请私信李书记为您登记。"
    ]
    usage = "请这样写：/困难群体 登记 人员或楼号-房号 类别 [备注]（例如 /困难群体 登记 1-302 独居老人 耳背），/困难群体 删除 编号；只写 /困难群体 查看名单。"
    assert town.texts(await town.send("zhang", DIRECT, "/困难群体 登记 1-302 富人")) == [
        "“富人”不是困难群体的类别。可选类别：elderly（高龄空巢老人）、children（困境儿童）、"
        "disabled（残疾人）、mental（精神障碍人群）、low_income（低保对象）、"
        "confirmed（确诊患者及家属）、observation（医学观察人员及家属）。" + usage
    ]
    assert town.texts(await town.send("zhang", DIRECT, "/困难群体 登记 @zhou 独居老人")) == [
        "周物业没有登记住户，请改写楼号和房号。" + usage
    ]
    await town.send("zhang", DIRECT, "/困难群体 登记 @maria 独居老人")
    assert town.texts(await town.send("maria", DIRECT, "/代购 青菜两斤")) == [
        "“青菜两斤”不是代办的类型。可选类型：groceries（买菜）、medicine（买药）、parcel（取快递）、"
        "other（其他代办）。请这样写：/代购 类型 具体需要，例如 /代购 买药 降压药两盒。类型：买菜、买药、快递、其他。"
    ]
    assert town.texts(await town.send("maria", DIRECT, "/代购 买药")) == [
        "缺少具体需要。请这样写：/代购 类型 具体需要，例如 /代购 买药 降压药两盒。类型：买菜、买药、快递、其他。"
    ]
    assert town.texts(await town.send("maria", DIRECT, "/接单 1")) == [
        "代办由志愿者（一般志愿者（群秘书）、医务志愿者、心理咨询志愿者）接单。想参与帮忙，请私信报名志愿者：/volunteer。"
    ]
    assert town.texts(await town.send("gao", DIRECT, "/take 9")) == [
        "There is no errand 9. Write it as /take <number>, the number of the errand offered to you."
    ]
    assert town.texts(await town.send("gao", DIRECT, "/area Mars")) == [
        "“Mars” is no building or area of the community. You can give: Building 1, Building 2, "
        "Building 3, 东区, 西区. Write it as /area <building or area>, for example /area 1, "
        "or /area off to stop taking errands."
    ]
    assert town.texts(await town.send("gao", DIRECT, "/area off")) == [
        "You take no errands yet. Say where: /area <building or area> (Building 1, Building 2, "
        "Building 3, 东区, 西区)."
    ]


async def test_the_wait_for_a_taker_is_kept_across_a_restart(tmp_path: Path) -> None:
    clock = ManualClock(MORNING)
    path = write_community(tmp_path, zhang_of_building_1())
    async with Sandbox(path, db_url=f"sqlite://{tmp_path}/db.sqlite3", clock=clock) as s:
        await registered(s)
        await s.send("maria", DIRECT, "/代购 其他 帮忙倒垃圾")
        await s.stop()
        clock.advance(minutes=45)  # the bot was stopped over the 30 minutes
        await s.start()
        wider = await s.advance()
        assert errands(wider) == [
            "代办单#1：1号楼一户需要其他代办。接单请回复 /接单 1（先到先得，接单后可看到具体需要）。"
        ]
        assert dms(wider, "xu") == errands(wider)


async def test_a_persons_errands_are_exported_and_erased_with_them(town: Sandbox) -> None:
    await registered(town)
    await town.send("maria", DIRECT, "/代购 买药 降压药两盒")
    await town.send("he", DIRECT, "/接单 1")
    bot, storage = town.bot, town.storage
    maria = bot.directory.person("console", "maria").id
    theirs = await export(storage, town.community, bot.pm, "he")
    assert theirs["plugins"]["errands"]["area"] == {"building": "1", "area": "东区"}
    data = (await export(storage, town.community, bot.pm, maria))["plugins"]["errands"]
    [asked] = data["errands"]
    assert (asked["kind"], asked["detail"], asked["state"]) == ("medicine", "降压药两盒", "taken")
    assert [(e["room"], e["category"], e["note"]) for e in data["vulnerable"]] == [
        ("302", "elderly", "耳背")
    ]
    await erase(storage, town.community, bot.pm, "he")
    [errand] = await Errand.all()
    assert errand.taker == "" and not await ServingArea.filter(person="he").exists()
    await erase(storage, town.community, bot.pm, maria)
    assert not await Errand.exists() and not await Vulnerable.exists()


async def test_help_lists_the_errands_commands_to_whom_they_serve(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    [before] = town.texts(await town.send("maria", DIRECT, "/help"))
    assert "/need" not in before and "/take" not in before
    await town.send("zhang", DIRECT, "/困难群体 登记 @maria 独居老人")
    [resident] = town.texts(await town.send("maria", DIRECT, "/help"))
    assert "/need /代购 /代办" in resident and "/vulnerable" not in resident
    [worker] = town.texts(await town.send("zhang", DIRECT, "/help"))
    assert "/vulnerable /困难群体 /困难户" in worker and "/need" in worker and "/take" not in worker
    [volunteer] = town.texts(await town.send("gao", DIRECT, "/help"))
    assert "/area" in volunteer and "/take" in volunteer and "/done" in volunteer
    assert "/vulnerable" not in volunteer and "/need" not in volunteer


async def test_two_volunteers_taking_at_the_same_moment_one_gets_it(town: Sandbox) -> None:
    """Two /take of one errand from two private chats, handled side by side: only one takes it,
    the other is told it is taken, and the person is told of one volunteer coming."""
    await registered(town)
    await town.send("xu", DIRECT, "/服务区域 1")
    await town.send("maria", DIRECT, "/代购 买药 降压药两盒")
    by_he, by_xu = await asyncio.gather(
        town.send("he", DIRECT, "/接单 1"), town.send("xu", DIRECT, "/接单 1")
    )
    performed = by_he + [a for a in by_xu if a not in by_he]  # each sees both, as they overlap
    answers = {
        who: town.texts(a for a in performed if isinstance(a, Reply) and a.chat == f"dm:{who}")
        for who in ("he", "xu")
    }
    [winner] = [who for who, [text] in answers.items() if text.startswith("您接下了代办单#1")]
    [loser] = {"he", "xu"} - {winner}
    assert answers[loser] == ["代办单#1已被其他志愿者接单，谢谢您！"]
    assert len(dms(performed, "maria")) == 1
    [errand] = await Errand.all()
    assert (errand.state, errand.taker) == ("taken", stored_person(winner))


async def test_each_offer_reads_where_the_volunteers_serve_once(
    town: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    await registered(town)
    reads: list[str] = []
    every = ServingArea.all

    def counted() -> object:
        reads.append("read")
        return every()

    monkeypatch.setattr(ServingArea, "all", staticmethod(counted))
    await town.send("zhang", DIRECT, "/代购 @maria 买菜 青菜和大米")
    assert len(reads) == 1
    area = await town.advance(minutes=30)  # the area's volunteers, not those of the building
    assert told(area) == {"xu"}
    assert len(reads) == 2
    everyone = await town.advance(minutes=30)
    assert told(everyone) == {"gao"}
    assert len(reads) == 3
