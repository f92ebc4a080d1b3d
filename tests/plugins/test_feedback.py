"""The feedback plugin on the example community: suggestions privately and in a resident group
(deleted there, acknowledged privately), the weekly summary the prevention work group reads
(per building, personal data masked, nobody named), /suggestions for staff, wrong input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sanshe.core.actions import ALL_ACTIONS, Action, Delete, DirectMessage, Reply, Send
from sanshe.core.personal_data import erase, export
from sanshe.plugins.feedback.models import Suggestion
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import write_community
from tests.plugins.households import settle_in, zhang_of_building_1

DIRECT = "dm"
#: 07:30 in Shanghai, Thursday 3 December 2026.
MORNING = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
#: Monday 7 December 2026, 09:00 in Shanghai: the weekly summary's time.
MONDAY = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


@pytest.fixture
async def town(tmp_path: Path):
    async with Sandbox(
        write_community(tmp_path, zhang_of_building_1()), clock=ManualClock(MORNING)
    ) as s:
        yield s


def dms(actions: list[Action], user: str) -> list[str]:
    return [a.text for a in actions if isinstance(a, DirectMessage) and a.user == user]


def posted(actions: list[Action], chat: str) -> list[str]:
    """What was posted in the chat ``chat``."""
    return [a.text for a in actions if isinstance(a, Send | Reply) and a.chat == chat]


def in_groups(actions: list[Action]) -> list[Action]:
    return [a for a in actions if isinstance(a, Send | Reply) and not a.chat.startswith("dm:")]


async def until_monday(s: Sandbox) -> list[Action]:
    """Move the clock to Monday 09:00, the actions of that moment."""
    await s.advance(MONDAY - s.clock.now() - timedelta(minutes=1))
    return await s.advance(minutes=1)


async def test_a_private_suggestion_is_kept_with_the_households_building(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    actions = await town.send("maria", DIRECT, "/建议 希望延长物资保障点的开放时间")
    assert town.texts(actions) == [
        "谢谢您的意见建议，已经收到。社区会每周汇总转交防控工作组，汇总中不会出现您的姓名。"
    ]
    [row] = await Suggestion.all()
    assert (row.building, row.text) == ("1", "希望延长物资保障点的开放时间")


async def test_a_suggestion_in_a_group_is_deleted_and_acknowledged_privately(
    town: Sandbox,
) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    actions = await town.send("maria", "building-1", "/意见 楼道里的垃圾两天没人收了")
    [deleted] = [a for a in actions if isinstance(a, Delete)]
    assert deleted.chat == "building-1"
    assert in_groups(actions) == []
    assert dms(actions, "maria") == [
        "谢谢您的意见建议，已经收到。为保护您的隐私，群里的消息已删除；社区会每周汇总转交防控工作组，"
        "汇总中不会出现您的姓名。以后可以直接私信我发送 /建议 内容。"
    ]
    [row] = await Suggestion.all()
    assert (row.building, row.text) == ("1", "楼道里的垃圾两天没人收了")


async def test_where_the_network_cannot_delete_the_acknowledgement_says_nothing_of_it(
    tmp_path: Path,
) -> None:
    can = [kind for kind in ALL_ACTIONS if kind is not Delete]
    path = write_community(tmp_path, zhang_of_building_1())
    async with Sandbox(path, clock=ManualClock(MORNING), capabilities=can) as s:
        await settle_in(s, "maria", "building-1", "302", "王家")
        actions = await s.send("maria", "building-1", "/建议 希望增加核酸检测点")
        assert [a for a in actions if isinstance(a, Delete)] == [] and in_groups(actions) == []
        assert dms(actions, "maria") == [
            "谢谢您的意见建议，已经收到。社区会每周汇总转交防控工作组，汇总中不会出现您的姓名。"
        ]


async def test_the_weekly_summary_tells_the_prevention_group_per_building_masked(
    town: Sandbox,
) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await settle_in(town, "bob", "building-1", "101", "鲍家")
    await settle_in(town, "wei", "building-3", "101", "魏家")
    await town.send(
        "maria", DIRECT, "/建议 王家老人需要代购药品，请打13812345678联系，住1号楼302室"
    )
    await town.send("bob", "building-1", "/建议 希望延长物资保障点的开放时间")
    await town.send(
        "wei", DIRECT, "/suggest the lift of 5-2-302 needs cleaning, my ID 110101199003074514"
    )
    friday = await town.advance(days=1, hours=1, minutes=30)  # Friday 09:00: not the day
    assert posted(friday, "prevention") == []
    monday = await until_monday(town)
    assert posted(monday, "prevention") == [
        "居民意见建议汇总（11月30日至12月6日）：共3条。个人信息已隐去。\n"
        "1号楼：2条\n"
        "• ***老人需要代购药品，请打***联系，住***\n"
        "• 希望延长物资保障点的开放时间\n"
        "3号楼：1条\n"
        "• the lift of *** needs cleaning, my ID ***"
    ]
    assert {a.chat for a in in_groups(monday)} == {"prevention"}
    assert [a for a in monday if isinstance(a, DirectMessage)] == []
    # The next Monday covers the week after: none came.
    again = await town.advance(days=7)
    assert posted(again, "prevention") == [
        "居民意见建议汇总（12月7日至12月13日）：这段时间没有收到居民的意见建议。"
    ]


async def test_the_summary_due_while_the_bot_was_stopped_comes_at_start(tmp_path: Path) -> None:
    clock = ManualClock(MORNING)
    path = write_community(tmp_path, zhang_of_building_1())
    async with Sandbox(path, db_url=f"sqlite://{tmp_path}/db.sqlite3", clock=clock) as s:
        await settle_in(s, "maria", "building-1", "302", "王家")
        await s.send("maria", DIRECT, "/建议 希望增加核酸检测点")
        await s.stop()
        clock.set(MONDAY + timedelta(days=2))  # Wednesday: the bot was stopped over Monday
        await s.start()
        actions = await s.advance()
        assert posted(actions, "prevention") == [
            "居民意见建议汇总（11月30日至12月6日）：共1条。个人信息已隐去。\n"
            "1号楼：1条\n"
            "• 希望增加核酸检测点"
        ]
        assert posted(await s.advance(days=4), "prevention") == []  # once, until next Monday
        assert len(posted(await s.advance(days=1), "prevention")) == 1


async def test_staff_ask_for_the_summary_privately(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await town.send("maria", DIRECT, "/建议 希望延长物资保障点的开放时间")
    town.clock.advance(timedelta(days=3))
    await town.send("maria", "building-1", "/建议 小区门口需要增加消毒")
    assert town.texts(await town.send("li", DIRECT, "/意见汇总")) == [
        "居民意见建议汇总（11月30日至12月6日）：共2条。个人信息已隐去。\n"
        "1号楼：2条\n"
        "• 希望延长物资保障点的开放时间\n"
        "• 小区门口需要增加消毒"
    ]
    assert town.texts(await town.send("li", DIRECT, "/suggestions 2")) == [
        "居民意见建议汇总（12月5日至12月6日）：共1条。个人信息已隐去。\n"
        "1号楼：1条\n"
        "• 小区门口需要增加消毒"
    ]
    assert town.texts(await town.send("li", DIRECT, "/意见汇总 一周")) == [
        "“一周”不是天数，请写1到90之间的数字。请这样写：/意见汇总 [天数]，例如 /意见汇总 14"
        "（最近14天），不写天数为最近7天。"
    ]
    # 张敏 is a community worker of building 1 only: the summary is for the whole community's.
    for who in ("maria", "zhang"):
        assert town.texts(await town.send(who, DIRECT, "/意见汇总")) == [
            "只有社区工作者、社区党委书记可以查看居民意见建议汇总。"
        ]
    assert town.texts(await town.send("gao", DIRECT, "/suggestions")) == [
        "Only staff (community worker, community party secretary) may read the residents' "
        "suggestions."
    ]


async def test_wrong_input_says_how_to_write_it(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    assert town.texts(await town.send("maria", DIRECT, "/建议")) == [
        "缺少意见或建议。请这样写：/建议 <意见或建议>，例如 /建议 希望延长物资保障点的开放时间。"
    ]
    long = await town.send("maria", "building-1", "/建议 " + "很" * 1001)
    assert [a for a in long if isinstance(a, Delete)] and in_groups(long) == []
    assert dms(long, "maria") == [
        "您的意见有1001个字，最多1000个字，请分几次发送或写得简短一些。请这样写：/建议 <意见或建议>，"
        "例如 /建议 希望延长物资保障点的开放时间。"
    ]
    assert town.texts(await town.send("gao", DIRECT, "/suggest")) == [
        "Missing: suggestion. Write it as /suggest <suggestion>, for example /suggest please "
        "keep the supply point open longer."
    ]
    assert not await Suggestion.exists()


async def test_help_lists_the_commands(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    [resident] = town.texts(await town.send("maria", DIRECT, "/help"))
    assert "/suggest /建议 /意见" in resident and "/suggestions" not in resident
    [staff] = town.texts(await town.send("li", DIRECT, "/help"))
    assert "/suggestions /意见汇总 /建议汇总" in staff


async def test_export_and_erasure_cover_the_suggestions(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    await town.send("maria", DIRECT, "/建议 希望增加核酸检测点")
    maria = town.bot.directory.person("console", "maria")
    bot = town.bot
    exported = await export(town.storage, town.community, bot.pm, maria.id)
    [row] = exported["plugins"]["feedback"]["suggestions"]
    assert (row["building"], row["text"]) == ("1", "希望增加核酸检测点")
    await erase(town.storage, town.community, bot.pm, maria.id)
    assert not await Suggestion.exists()
