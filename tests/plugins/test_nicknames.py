"""The nicknames plugin in the example community: reminders of the right name, /nicknames."""

from __future__ import annotations

from pathlib import Path

import pytest
from tortoise import connections

from sanshe.core.actions import Action, DirectMessage
from sanshe.core.config import CommunityFile, ConfigError
from sanshe.core.contributions import vocabulary
from sanshe.core.hookspecs import hookimpl
from sanshe.core.personal_data import erase, export
from sanshe.core.plugins import plugin_manager
from sanshe.core.storage.models import Timer
from sanshe.plugins.nicknames.models import SeenMember
from sanshe.testing.sandbox import DIRECT, Sandbox
from tests.conftest import example_text, write_community

REMINDER = "您在1号楼居民群的群昵称“{name}”不符合本群的命名规范，请改为：{form}"


def told(actions: list[Action], who: str) -> list[str]:
    """What the bot wrote privately to ``who`` (a direct message, or in their private chat)."""
    return [
        text
        for a in actions
        if (isinstance(a, DirectMessage) and a.user == who)
        or getattr(a, "chat", None) == f"{DIRECT}:{who}"
        if (text := getattr(a, "text", None)) is not None
    ]


def reminders(actions: list[Action], who: str) -> list[str]:
    """The nickname reminders ``who`` got."""
    return [t for t in told(actions, who) if "命名规范" in t or "naming convention" in t]


async def says(sandbox: Sandbox, who: str, where: str, name: str) -> list[str]:
    """The reminders ``who``, shown as ``name``, gets for a message in ``where``."""
    return reminders(await sandbox.send(who, where, "你好", name=name), who)


async def test_a_joiner_with_a_wrong_name_is_reminded_privately_once_a_day(
    community: Sandbox,
) -> None:
    joined = await community.join("maria", "building-1", name="玛丽亚")
    assert reminders(joined, "maria") == [REMINDER.format(name="玛丽亚", form="1-房号自住/租住")]
    assert community.texts(a for a in joined if not isinstance(a, DirectMessage)) == []
    again = await community.send("maria", "building-1", "大家好", name="玛丽亚")
    assert reminders(again, "maria") == []
    await community.advance(hours=23)
    assert await says(community, "maria", "building-1", "玛丽亚") == []
    await community.advance(hours=2)
    later = await community.send("maria", "building-1", "有人吗", name="玛丽亚")
    assert reminders(later, "maria") == [REMINDER.format(name="玛丽亚", form="1-房号自住/租住")]


async def test_the_quiet_time_holds_across_a_restart(tmp_path: Path) -> None:
    db = f"sqlite://{tmp_path / 'db.sqlite3'}"
    async with Sandbox(db_url=db) as sandbox:
        assert reminders(await sandbox.join("maria", "building-1", name="玛丽亚"), "maria")
        await sandbox.restart()
        assert await says(sandbox, "maria", "building-1", "玛丽亚") == []
        listed = told(await sandbox.send("zhao", "dm", "/nicknames building-1"), "zhao")
        assert listed == [
            "1号楼居民群中群昵称不符合命名规范的成员（1位，共见过1位）：\n"
            "• 玛丽亚 → 应改为：1-房号自住/租住"
        ]


async def test_a_rename_to_the_right_form_stops_the_reminders(community: Sandbox) -> None:
    await community.join("maria", "building-1", name="玛丽亚")
    assert reminders(await community.rename("maria", "building-1", "1-302 自住"), "maria") == []
    await community.advance(hours=25)
    for name in ("1-302 自住", "1-302自住", "１－３０２租住", "1-302\u200b自住"):
        assert await says(community, "maria", "building-1", name) == []
    wrong_building = await community.rename("maria", "building-1", "2-302自住")
    assert reminders(wrong_building, "maria") == [
        REMINDER.format(name="2-302自住", form="1-房号自住/租住")
    ]


async def test_staff_are_asked_for_their_role_and_name(community: Sandbox) -> None:
    async def form_for(who: str, where: str, name: str) -> list[str]:
        return [text.rsplit("请改为：", 1)[1] for text in await says(community, who, where, name)]

    assert await form_for("sun", "focus-1", "孙") == ["医务 孙医生"]
    assert await form_for("he", "focus-1", "何") == ["秘书 何秘书"]
    assert await form_for("wang", "building-1", "王") == ["社工 王芳"]
    assert await form_for("zhao", "building-1", "赵") == ["社区 赵网格"]
    assert await form_for("xu", "focus-1", "心理咨询徐老师") == []
    assert await form_for("chen", "building-3", "楼长 陈楼长") == []
    # A client of a consultation group is asked nothing of their name.
    assert await form_for("maria", "focus-1", "M") == []


async def test_nicknames_lists_who_does_not_conform_to_the_groups_admins(
    community: Sandbox,
) -> None:
    await community.join("maria", "building-1", name="玛丽亚")
    await community.join("lucy", "building-1", name="1-101租住")
    await community.send("bob", "building-1", "你好", name="Bob 13812345678")
    await community.send("wang", "building-1", "大家好", name="王")
    asked = await community.send("zhao", "building-1", "/昵称")
    assert community.texts(a for a in asked if not isinstance(a, DirectMessage)) == [
        "已私信发给您。"
    ]
    assert told(asked, "zhao") == [
        "1号楼居民群中群昵称不符合命名规范的成员（3位，共见过4位）：\n"
        "• Bob *** → 应改为：1-房号自住/租住\n"
        "• 王 → 应改为：社工 王芳\n"
        "• 玛丽亚 → 应改为：1-房号自住/租住"
    ]
    await community.rename("maria", "building-1", "1-302自住")
    await community.leave("bob", "building-1")
    [listed] = told(await community.send("zhao", "dm", "/nicknames building-1"), "zhao")
    assert listed == (
        "1号楼居民群中群昵称不符合命名规范的成员（1位，共见过3位）：\n• 王 → 应改为：社工 王芳"
    )


async def test_nicknames_is_refused_to_a_resident_and_names_its_group_privately(
    community: Sandbox,
) -> None:
    await community.join("maria", "building-1", name="玛丽亚")
    [refused] = community.texts(await community.send("maria", "building-1", "/nicknames"))
    assert refused.startswith("抱歉，/nicknames 仅限以下身份使用：群管理员。")
    [elsewhere] = community.texts(await community.send("zhao", "focus-1", "/昵称 building-1"))
    assert elsewhere.startswith("抱歉，/昵称 仅限以下身份使用：群管理员。")
    [unnamed] = community.texts(await community.send("zhao", "dm", "/nicknames"))
    assert unnamed.startswith("抱歉，/nicknames 仅限以下身份使用：群管理员。")
    [none] = community.texts(await community.send("zhao", "dm", "/nicknames building-2"))
    assert none == "2号楼居民群中本机器人见过的0位成员，群昵称都符合命名规范。"


class Households:
    """A stand-in for the joining plugin's hook: maria's household is 1-302, rented."""

    @staticmethod
    @hookimpl(optionalhook=True)
    def joining_household(person_id: str) -> dict[str, str] | None:
        if person_id.endswith(":maria"):
            return {"building": "1", "room": "302", "tenure": "tenant", "household": "M"}
        return None


async def test_a_resident_s_household_fills_the_right_form() -> None:
    async with Sandbox(plugins=[Households()]) as sandbox:
        joined = await sandbox.join("maria", "building-1", name="玛丽亚")
        assert reminders(joined, "maria") == [REMINDER.format(name="玛丽亚", form="1-302租住")]
        [info] = sandbox.texts(await sandbox.send("maria", "building-1", "/groupinfo"))
        assert "您在本群的群昵称应为：1-302租住" in info.split("\n")


async def test_groupinfo_says_the_senders_right_name_here(community: Sandbox) -> None:
    [info] = community.texts(await community.send("sun", "focus-1", "/groupinfo"))
    assert "您在本群的群昵称应为：医务 孙医生" in info.split("\n")
    [client] = community.texts(await community.send("maria", "focus-1", "/groupinfo"))
    assert not any(line.startswith("您在本群的群昵称") for line in client.split("\n"))


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (
            "{building-{room}",
            "“pattern”无效：“{building-{room}”的第1个字符“{”后面没有对应的“}”",
        ),
        ("社工 {姓名}", "“pattern”无效：“社工 {姓名}”第4个字符处的“{姓名}”不是可用的占位符"),
        ("{building}-{room}}", "“pattern”无效：“{building}-{room}}”的第18个字符“}”前面没有"),
        ("{自住|}", "“pattern”无效：“{自住|}”第1个字符处的选项中有空的一项"),
        ("  ", "“pattern”无效：昵称格式是空的"),
    ],
)
def test_a_bad_pattern_is_refused_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str, problem: str
) -> None:
    monkeypatch.setenv("SANSHE_LANG", "zh_CN")
    text = example_text().replace('pattern: "社工 {name}"', f'pattern: "{pattern}"', 1)
    path = write_community(tmp_path, text)
    written = f'pattern: "{pattern}"'
    line = next(n for n, t in enumerate(text.split("\n"), 1) if written in t)
    column = text.split("\n")[line - 1].index(written) + len("pattern: ") + 1
    with pytest.raises(ConfigError) as refused:
        CommunityFile.read(path).check(vocabulary(plugin_manager()))
    [found] = [str(p) for p in refused.value.problems]
    assert found.startswith(f"{path}:{line}:{column}: {problem}") or found.startswith(
        f"{path.name}:{line}:{column}: {problem}"
    ), found


async def test_a_resident_let_in_by_the_joining_plugin_is_asked_for_their_room(
    community: Sandbox,
) -> None:
    await community.ask_to_join("maria", "building-1")
    for answer in ("是", "302", "自住", "王家"):
        await community.send("maria", DIRECT, answer)
    await community.send("zhao", DIRECT, "/批准 #1")
    joined = await community.join("maria", "building-1", name="玛丽亚")
    assert reminders(joined, "maria") == [REMINDER.format(name="玛丽亚", form="1-302自住")]
    [listed] = told(await community.send("zhao", "building-1", "/nicknames"), "zhao")
    assert listed.endswith("\n• 玛丽亚 → 应改为：1-302自住")
    assert await says(community, "maria", "building-1", "1-302自住") == []


ENGLISH = """
community: {id: c, name: Test, locale: en}
groups:
  - {id: b7, kind: resident, name: Building 7, building: "7", administered_by: [building_leader]}
people:
  - {id: lee, name: Lee, handles: {console: lee}, roles: [{role: building_leader, groups: [b7]}]}
plugins:
  nicknames:
    remind_every: 2h
    patterns:
      - {groups: [b7], roles: [building_leader], pattern: "leader {name}"}
      - {kinds: [resident], pattern: "{building}-{room} {owner|tenant}"}
"""


async def test_english_reminders_and_listing() -> None:
    async with Sandbox.from_yaml(ENGLISH) as sandbox:
        reminder = (
            "Your name in Building 7, “Ann”, does not follow the group's naming convention. "
            "Please change it to: 7-<room> owner/tenant"
        )
        assert told(await sandbox.join("ann", "b7", name="Ann"), "ann") == [reminder]
        assert await says(sandbox, "ann", "b7", "Ann") == []
        await sandbox.advance(hours=3)
        assert await says(sandbox, "ann", "b7", "Ann") == [reminder]
        assert await says(sandbox, "lee", "b7", "LEADER Lee") == []
        assert await says(sandbox, "ann", "b7", "7-12 Tenant") == []
        [listed] = told(await sandbox.send("lee", "b7", "/nicknames"), "lee")
        assert (
            listed
            == "In Building 7, the names of all 2 members I have seen follow the naming convention."
        )


async def test_without_the_plugin_nobody_is_asked_for_a_name() -> None:
    text = example_text().replace("  disable: []", "  disable: [nicknames]", 1)
    async with Sandbox.from_yaml(text) as sandbox:
        assert reminders(await sandbox.join("maria", "building-1", name="玛丽亚"), "maria") == []
        [info] = sandbox.texts(await sandbox.send("maria", "building-1", "/groupinfo"))
        assert not any(line.startswith("您在本群的群昵称") for line in info.split("\n"))


async def test_export_and_erasure_cover_the_names_seen_and_the_quiet_times(
    community: Sandbox,
) -> None:
    await community.ask_to_join("maria", "building-1")
    for answer in ("是", "302", "自住", "王家"):
        await community.send("maria", DIRECT, answer)
    await community.send("zhao", DIRECT, "/批准 #1")
    assert reminders(await community.join("maria", "building-1", name="玛丽亚"), "maria")
    maria = community.bot.directory.person("console", "maria")
    bot = community.bot
    exported = await export(community.storage, community.community, bot.pm, maria.id)
    assert exported["plugins"]["nicknames"] == {"seen": [{"group": "building-1", "name": "玛丽亚"}]}
    rows = await connections.get(next(iter(connections.db_config))).execute_query_dict(
        'SELECT "name" FROM "nicknames_member"'
    )
    assert rows and not [r for r in rows if "玛丽亚".encode() in bytes(r["name"])]
    assert await Timer.filter(plugin="nicknames").exists()  # when she was reminded
    await erase(community.storage, community.community, bot.pm, maria.id)
    assert not await SeenMember.exists()
    assert not await Timer.filter(plugin="nicknames").exists()
