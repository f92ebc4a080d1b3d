"""Warnings, then removal: /warn, /warnings, /unwarn and the rules' warn step, through the
example community with its moderation log in the prevention work group."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from sanshe.core.actions import (
    Action,
    Ban,
    Delete,
    DirectMessage,
    Remove,
    Reply,
    Restrict,
    Send,
    Unrestrict,
)
from sanshe.core.personal_data import erase, export
from sanshe.core.storage.models import AuditEntry
from sanshe.plugins.warnings.models import WarningEntry
from sanshe.testing import Sandbox
from tests.conftest import example_text

BUILDING = "building-1"
NOTICE_1 = (
    "maria已被群管理员警告（1/3）。请大家遵守本群服务规则（/群规），30天内累计3次警告将被移出本群。"
)
NOTE_1 = (
    "您在1号楼居民群收到一次警告（1/3）：不要刷屏\n"
    "30天内累计3次警告将被移出本群。如有疑问，请私聊群管理员。"
)


def community(settings: str = "", dry_run: bool = False) -> Sandbox:
    """The example (its moderation log: the prevention group), with ``settings`` for the warnings
    plugin; ``dry_run``: the plugin runs dry."""
    text = example_text()
    assert "  moderation_log: prevention " in text and "  dry_run: []" in text
    if dry_run:
        text = text.replace("  dry_run: []", "  dry_run: [warnings]", 1)
    if settings:  # in place of the example's own
        text = re.sub(r"\n  warnings:.*\n(    .*\n)+", f"\n  warnings: {settings}\n", text, count=1)
    return Sandbox.from_yaml(text)


def to(actions: Iterable[Action], kind: type[Action], where: str) -> list[str]:
    """The texts of the actions of ``kind`` to the chat or person ``where``."""
    return [
        getattr(a, "text", "")
        for a in actions
        if isinstance(a, kind) and where in (getattr(a, "chat", None), getattr(a, "user", None))
    ]


async def warn(s: Sandbox, reason: str = "不要刷屏", by: str = "zhao") -> list[Action]:
    """``by`` answers a message of Maria's in building 1 with /警告 ``reason``."""
    return await s.send(by, BUILDING, f"/警告 {reason}", reply_to="m1", reply_to_sender="maria")


async def test_a_warning_by_reply_tells_the_group_the_member_and_the_log() -> None:
    async with community() as s:
        actions = await warn(s)
        assert to(actions, Send, BUILDING) == [NOTICE_1]
        assert to(actions, DirectMessage, "maria") == [NOTE_1]
        assert to(actions, Reply, "prevention") + to(actions, Send, "prevention") == [
            "赵网格在1号楼居民群警告了maria（1/3）：不要刷屏"
        ]
        [entry] = await WarningEntry.all()
        assert (entry.group_id, entry.person, entry.by, entry.rule_id, entry.reason) == (
            BUILDING,
            s.person_key("maria"),
            "zhao",
            "",
            "不要刷屏",
        )
        audited = await AuditEntry.filter(action="warn")
        assert [a.detail for a in audited] == ["warnings.log.warned"]


async def test_a_warning_by_mention_names_the_member() -> None:
    async with community() as s:
        await s.send("maria", BUILDING, "大家好")
        actions = await s.send("zhao", BUILDING, "/warn @maria 不要刷屏")
        assert to(actions, Send, BUILDING) == [NOTICE_1]
        assert to(actions, DirectMessage, "maria") == [NOTE_1]


async def test_a_resident_and_an_admin_of_another_group_may_not_warn() -> None:
    async with community() as s:
        await s.send("maria", BUILDING, "大家好")
        [resident] = s.texts(await s.send("lisa", BUILDING, "/warn @maria 不要刷屏"))
        assert resident.startswith("抱歉，/warn 仅限以下身份使用：群管理员。")
        [other] = s.texts(await s.send("chen", BUILDING, "/警告 @maria 不要刷屏"))
        assert other.startswith("抱歉，/警告 仅限以下身份使用：群管理员。")
        assert await WarningEntry.all().count() == 0


async def test_a_warning_needs_a_member_and_a_reason_without_personal_data() -> None:
    async with community() as s:
        await s.send("maria", BUILDING, "大家好")
        [nobody] = s.texts(await s.send("zhao", BUILDING, "/警告"))
        assert nobody.startswith("缺少成员。")
        [no_reason] = s.texts(await s.send("zhao", BUILDING, "/警告 @maria"))
        assert no_reason.startswith("缺少警告原因。")
        # (In a resident group the privacy rule takes the message first: test it in another.)
        [personal] = s.texts(await s.send("li", "prevention", "/警告 @maria 别发13812345678"))
        assert personal.startswith("警告原因会私信发给本人并记入管理日志，请不要写入电话")
        [self_] = s.texts(await s.send("zhao", BUILDING, "/警告 @zhao 测试"))
        assert self_ == "不能警告自己。"
        [admin] = s.texts(await s.send("zhao", "building-3", "/警告 @chen 测试"))
        assert admin.startswith("抱歉")  # zhao is no admin of building 3
        [admin] = s.texts(await s.send("chen", "building-3", "/警告 @liu 测试"))
        assert admin == "刘组长是本群管理员，不能被警告。如有问题，请联系社区工作人员。"
        assert await WarningEntry.all().count() == 0


async def test_someone_not_in_the_group_is_not_warned() -> None:
    async with community() as s:
        s.members(BUILDING, "zhao")
        await s.send("maria", "building-2", "大家好")  # seen, but in another group
        actions = await s.send("zhao", BUILDING, "/警告 @maria 不要刷屏")
        assert s.texts(actions) == [
            "maria不是本群成员，不能在本群警告。请确认对象：回复其消息写 /警告 原因，"
            "或写 /警告 @成员 原因。"
        ]
        assert await WarningEntry.all().count() == 0
        assert await AuditEntry.filter(action="warn").count() == 0
        await s.join("maria", BUILDING)
        joined = await s.send("zhao", BUILDING, "/警告 @maria 不要刷屏")
        assert to(joined, Send, BUILDING) == [NOTICE_1]
        assert to(joined, DirectMessage, "maria") == [NOTE_1]


async def test_a_member_who_left_is_not_warned_by_answering_an_old_message() -> None:
    async with community() as s:
        await s.send("maria", BUILDING, "大家好")
        await s.leave("maria", BUILDING)
        actions = await s.send(
            "zhao",
            BUILDING,
            "/warn spamming",
            reply_to="m1",
            reply_to_sender="maria",
            language="en",
        )
        assert s.texts(actions) == [
            "maria is not a member of this group, so they cannot be warned here. Check whom you "
            "meant: answer their message with /warn <reason>, or write /warn @member <reason>."
        ]
        assert await WarningEntry.all().count() == 0


async def test_a_rules_warning_is_counted_with_the_admins() -> None:
    async with community() as s:
        rule = await s.send("maria", "building-2", "内部消息：明天封楼")
        assert [type(a) for a in rule][:2] == [Delete, Send]
        assert to(rule, Send, "building-2") == [
            "提醒maria：请只转发官方发布的信息，不实消息会被删除。（警告 1/3）"
        ]
        [note] = to(rule, DirectMessage, "maria")
        assert note.startswith("您在2号楼居民群收到一次警告（1/3）：请只转发官方发布的信息")
        assert to(rule, Reply, "prevention") + to(rule, Send, "prevention") == [
            "服务规则“no-rumours”在2号楼居民群警告了maria（1/3）：请只转发官方发布的信息，不实消息会被删除。"
        ]
        [entry] = await WarningEntry.all()
        assert (entry.rule_id, entry.by) == ("no-rumours", "")
        admin = await s.send(
            "zhao", "building-2", "/warn 刷屏", reply_to="m1", reply_to_sender="maria"
        )
        assert "（2/3）" in to(admin, Send, "building-2")[0]


async def test_the_third_warning_within_30_days_removes_the_member() -> None:
    async with community() as s:
        await warn(s, "第一次")
        await s.advance(days=10)
        await warn(s, "第二次")
        await s.advance(days=10)
        third = await warn(s, "第三次")
        assert to(third, Send, BUILDING) == ["maria在30天内已收到3次警告，已被移出本群。"]
        assert to(third, DirectMessage, "maria") == [
            "您在1号楼居民群又收到一次警告：第三次\n"
            "您在30天内已收到3次警告，已被移出本群。如有疑问，请联系群管理员。"
        ]
        [removal] = [a for a in third if isinstance(a, Remove)]
        assert (removal.chat, removal.user) == (BUILDING, "maria")
        assert to(third, Reply, "prevention") + to(third, Send, "prevention") == [
            "赵网格在1号楼居民群警告了maria（3/3）：第三次",
            "警告上限（3次）将maria移出了1号楼居民群。原因：30天内收到3次警告",
        ]
        audited = [a.action for a in await AuditEntry.all().order_by("id")]
        assert audited.count("warn") == 3 and audited[-1] == "remove"


async def test_a_warning_older_than_30_days_no_longer_counts() -> None:
    async with community() as s:
        await warn(s, "第一次")
        await s.advance(days=31)
        await warn(s, "第二次")
        second_round = await warn(s, "第三次")
        assert not [a for a in second_round if isinstance(a, Remove)]
        assert "（2/3）" in to(second_round, Send, BUILDING)[0]


async def test_a_withdrawn_warning_no_longer_counts() -> None:
    async with community() as s:
        await warn(s, "第一次")
        await warn(s, "第二次")
        withdrawn = await s.send("zhao", BUILDING, "/撤销警告 @maria 1")
        assert s.texts(withdrawn)[0] == "已撤销maria在1号楼居民群的第1条警告。目前有效警告 1/3。"
        assert to(withdrawn, DirectMessage, "maria") == [
            "您在1号楼居民群的第1条警告已被群管理员撤销。"
        ]
        assert to(withdrawn, Reply, "prevention") + to(withdrawn, Send, "prevention") == [
            "赵网格撤销了maria在1号楼居民群的第1条警告（目前有效 1/3）。"
        ]
        third = await warn(s, "第三次")
        assert not [a for a in third if isinstance(a, Remove)]
        [entry, *_] = await WarningEntry.all().order_by("id")
        assert entry.withdrawn_at is not None  # kept, marked withdrawn
        [again] = s.texts(await s.send("zhao", BUILDING, "/unwarn @maria 1"))
        assert again == "maria的第1条警告已经撤销过了。"
        last = s.texts(await s.send("zhao", BUILDING, "/unwarn @maria last"))
        assert last[0] == "已撤销maria在1号楼居民群的第3条警告。目前有效警告 1/3。"
        [wrong] = s.texts(await s.send("zhao", BUILDING, "/unwarn @maria 七"))
        assert wrong.startswith("“七”不是警告的编号")
        [none] = s.texts(await s.send("zhao", BUILDING, "/unwarn @maria 9"))
        assert none == "maria没有第9条警告（共3条，见 /警告记录 @成员）。"
        [refused] = s.texts(await s.send("lisa", BUILDING, "/unwarn @maria"))
        assert refused.startswith("抱歉，/unwarn 仅限以下身份使用：群管理员。")


async def test_warnings_are_shown_privately() -> None:
    async with community() as s:
        await warn(s, "不要刷屏")
        await s.advance(days=31)
        await warn(s, "不要发广告")
        await s.send("zhao", BUILDING, "/unwarn @maria last")
        shown = await s.send("zhao", BUILDING, "/警告记录 @maria")
        assert to(shown, Reply, BUILDING) == ["警告记录已私信发给您。"]
        [listing] = to(shown, DirectMessage, "zhao")
        lines = listing.split("\n")
        assert lines[:2] == ["maria的警告记录：", "1号楼居民群：有效警告 0/3（30天内）"]
        assert lines[2].startswith("1. ") and lines[2].endswith("不要刷屏——赵网格（已过期）")
        assert lines[3].startswith("2. ") and lines[3].endswith("不要发广告——赵网格（已撤销）")
        group = to(await s.send("zhao", BUILDING, "/warnings"), DirectMessage, "zhao")
        assert group[0].split("\n")[0] == "1号楼居民群最近的2条警告："
        own = await s.send("maria", BUILDING, "/warnings")
        assert to(own, DirectMessage, "maria")[0].split("\n")[:2] == [
            "您的警告记录：",
            "1号楼居民群：有效警告 0/3（30天内）",
        ]
        [refused] = s.texts(await s.send("lisa", BUILDING, "/warnings @maria"))
        assert refused == "只有本群管理员可以查看成员的警告记录；您可以用 /警告记录 查看自己的。"
        [private] = s.texts(await s.send("zhao", "dm", "/warnings @maria"))
        assert private.startswith("maria的警告记录：\n1号楼居民群：")
        [nothing] = s.texts(await s.send("lisa", "dm", "/warnings"))
        assert nothing == "您没有警告记录。"


async def test_in_a_dry_run_the_limit_is_only_reported() -> None:
    async with community(dry_run=True) as s:
        for reason in ("一", "二"):
            await warn(s, reason)
        third = await warn(s, "三")
        assert not [a for a in third if isinstance(a, Remove | Ban | Restrict)]
        assert "（3/3）" in to(third, Send, BUILDING)[0]
        assert (to(third, Reply, "prevention") + to(third, Send, "prevention"))[-1] == (
            "试运行：maria在1号楼居民群的30天内已收到3次警告，本应移出本群，未执行。"
        )


async def test_the_limit_may_ban_or_mute_instead() -> None:
    async with community("{limit: 2, within: 7d, then: 'mute:2h'}") as s:
        await warn(s, "一")
        second = await warn(s, "二")
        [mute] = [a for a in second if isinstance(a, Restrict)]
        assert (mute.chat, mute.user, mute.minutes) == (BUILDING, "maria", 120)
        assert to(second, Send, BUILDING) == ["maria在7天内已收到2次警告，已被禁言2小时。"]
        assert not [a for a in await s.advance(hours=1, minutes=59) if isinstance(a, Unrestrict)]
        lifted = await s.advance(minutes=1)
        [unmute] = [a for a in lifted if isinstance(a, Unrestrict)]
        assert (unmute.chat, unmute.user) == (BUILDING, "maria")
        assert to(lifted, DirectMessage, "maria") == [
            "您在1号楼居民群的禁言已解除，可以继续发言了。"
        ]
        assert to(lifted, Reply, "prevention") + to(lifted, Send, "prevention") == [
            "maria在1号楼居民群的禁言已到期解除。"
        ]
    async with community("{limit: 1, then: ban}") as s:
        bans = [(a.chat, a.user) for a in await warn(s, "一") if isinstance(a, Ban)]
        assert (BUILDING, "maria") in bans and len(bans) == 10  # out of every group


async def test_a_mute_for_the_limit_lifts_at_start_when_the_bot_was_stopped_over_its_end(
    tmp_path: Path,
) -> None:
    s = community("{limit: 1, then: 'mute:30m'}")
    s.db_url = f"sqlite://{tmp_path}/db.sqlite3"
    async with s:
        assert [a for a in await warn(s, "一") if isinstance(a, Restrict)]
        await s.stop()
        s.clock.advance(hours=1)
        await s.start()
        lifted = await s.advance()
        assert [(a.chat, a.user) for a in lifted if isinstance(a, Unrestrict)] == [
            (BUILDING, "maria")
        ]
        assert not [a for a in await s.advance(days=1) if isinstance(a, Unrestrict)]  # once


async def test_warnings_are_kept_across_a_restart(tmp_path: Path) -> None:
    s = community()
    s.db_url = f"sqlite://{tmp_path}/db.sqlite3"
    async with s:
        await warn(s, "一")
        await warn(s, "二")
        await s.restart()
        third = await warn(s, "三")
        assert [a for a in third if isinstance(a, Remove)]


async def test_a_persons_warnings_are_exported_and_erased() -> None:
    async with community() as s:
        await warn(s, "不要刷屏")
        await s.send("chen", "building-3", "/警告 @maria 不要发广告")
        maria = s.person_key("maria")
        data = await export(s.storage, s.community, s.bot.pm, maria)
        assert [(w["group"], w["reason"]) for w in data["plugins"]["warnings"]["warnings"]] == [
            (BUILDING, "不要刷屏"),
            ("building-3", "不要发广告"),
        ]
        await erase(s.storage, s.community, s.bot.pm, "zhao")
        assert await WarningEntry.filter(by="zhao").count() == 0  # who warned is forgotten
        await erase(s.storage, s.community, s.bot.pm, maria)
        assert await WarningEntry.all().count() == 0


async def test_a_member_known_only_by_a_number_is_named_by_its_last_digits() -> None:
    async with community() as s:
        actions = await s.send(
            "zhao", BUILDING, "/警告 不要刷屏", reply_to="m1", reply_to_sender="123456789"
        )
        [notice] = to(actions, Send, BUILDING)
        assert notice.startswith("成员…6789已被群管理员警告（1/3）。")
        assert not any("12345" in t for t in s.texts(actions))


async def test_the_limits_mute_is_the_sanctions_plugins_own() -> None:
    async with community("{limit: 1, within: 7d, then: 'mute:30m'}") as s:
        assert [a for a in await warn(s, "一") if isinstance(a, Restrict)]
        longer = await s.send("zhao", BUILDING, "/禁言 @maria 1天 再犯")
        assert to(longer, Reply, BUILDING) == ["已禁言maria，时长1天，到时自动解除。"]
        assert not [a for a in await s.advance(minutes=31) if isinstance(a, Unrestrict)]
        lifted = await s.advance(days=1)
        assert [(a.chat, a.user) for a in lifted if isinstance(a, Unrestrict)] == [
            (BUILDING, "maria")
        ]
        assert to(lifted, DirectMessage, "maria") == [
            "您在1号楼居民群的禁言已解除，可以继续发言了。"
        ]
    async with community("{limit: 1, within: 7d, then: 'mute:30m'}") as s:
        await warn(s, "一")
        unmuted = await s.send("zhao", BUILDING, "/解除禁言 @maria")
        assert to(unmuted, DirectMessage, "maria") == [
            "您在1号楼居民群的禁言已解除，可以继续发言了。"
        ]
        assert await s.advance(minutes=31) == []


async def test_the_limits_ban_is_on_the_ban_list() -> None:
    async with community("{limit: 1, then: ban}") as s:
        banned = await warn(s, "一")
        assert to(banned, Send, BUILDING) == [
            "maria在30天内已收到1次警告，已被封禁（移出社区所有群）。"
        ]
        assert {a.reason for a in banned if isinstance(a, Ban)} == {"违反社区服务规则"}
        [listed] = to(await s.send("li", "dm", "/封禁名单"), Reply, "dm:li")
        assert "maria" in listed and "30天内收到1次警告" in listed
        unbanned = await s.send("li", "dm", "/解封 @maria")
        assert s.texts(unbanned)[0] == "已解除对maria的封禁，其可重新申请加入各群。"


async def test_without_the_sanctions_plugin_the_limit_is_reported_not_half_done() -> None:
    text = example_text().replace("  disable: []", "  disable: [sanctions]", 1)
    for step in ("      - remove\n", "      - mute: 10m\n"):  # the sanctions plugin's steps
        assert step in text
        text = text.replace(step, "      - delete\n" if "mute" in step else "", 1)
    async with Sandbox.from_yaml(text) as s:
        for reason in ("一", "二"):
            await warn(s, reason)
        third = await warn(s, "三")
        assert not [a for a in third if isinstance(a, Remove | Ban | Restrict)]
        assert to(third, Send, BUILDING)[0].startswith("maria已被群管理员警告（3/3）。")
        assert (to(third, Reply, "prevention") + to(third, Send, "prevention"))[-1] == (
            "maria在1号楼居民群的30天内已收到3次警告，本应移出本群，"
            "但制裁插件（sanctions）未启用，未执行。"
        )


async def test_two_rules_warning_for_one_message_count_as_two() -> None:
    """A message that sets off two rules is warned twice: 1/3 and 2/3, not 1/3 twice."""
    async with community() as s:
        actions = await s.send("maria", "building-2", "喝符水能治病，这是偏方")
        notices = [t for t in to(actions, Send, "building-2") if "（警告" in t]
        assert [re.search(r"（警告 (\d)/3）", t)[1] for t in notices] == ["1", "2"]  # type: ignore[index]
        again = await s.send("maria", "building-2", "内部消息：明天封楼")
        assert to(again, Send, "building-2") == ["maria在30天内已收到3次警告，已被移出本群。"]
