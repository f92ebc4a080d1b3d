"""The sanctions plugin: mutes that lift themselves, removals, community-wide bans."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sanshe.core.actions import (
    Action,
    Ban,
    DeclineJoin,
    DeleteRecent,
    DirectMessage,
    PublishBan,
    Remove,
    Reply,
    Restrict,
    Send,
    Unban,
    Unrestrict,
    WithdrawBan,
)
from sanshe.core.personal_data import erase, export
from sanshe.plugins.sanctions.models import CommunityBan
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import EXAMPLE, example_text

#: 14:00 in Shanghai, the example community's time zone.
NOON = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
GROUPS = (
    "building-1",
    "building-2",
    "building-3",
    "focus-1",
    "key-1",
    "prevention",
    "volunteers",
    "dispatch",
    "supervision",
    "tenants-1",
)
#: What every network action of a sanction gives as its reason (the admin's words stay private).
FIXED = "违反社区服务规则"


@pytest.fixture
async def sunshine() -> AsyncIterator[Sandbox]:
    """The example community with its clock at 14:00 in Shanghai on 2 December 2026."""
    async with Sandbox(EXAMPLE, clock=ManualClock(NOON)) as sandbox:
        yield sandbox


def of(kind: type[Action], actions: list[Action]) -> list[Action]:
    return [a for a in actions if isinstance(a, kind)]


def said(actions: list[Action], chat: str) -> list[str]:
    """The texts posted in ``chat`` (a reply or a message)."""
    return [a.text for a in actions if isinstance(a, Reply | Send) and a.chat == chat]


def told(actions: list[Action], user: str) -> list[str]:
    return [a.text for a in actions if isinstance(a, DirectMessage) and a.user == user]


async def test_a_mute_lifts_itself_on_time(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-1", "大家好")
    actions = await sunshine.send("zhao", "building-1", "/禁言 @maria 2小时 刷屏")
    assert of(Restrict, actions) == [
        Restrict(chat="building-1", user="maria", minutes=120, reason=FIXED, network="console")
    ]
    assert said(actions, "building-1") == ["已禁言maria，时长2小时，到时自动解除。"]
    assert said(actions, "prevention") == [
        "赵网格在1号楼居民群禁言了maria，时长2小时（至12月2日周三 16:00）。原因：刷屏"
    ]
    assert told(actions, "maria") == [
        "您在1号楼居民群被禁言2小时，将于12月2日周三 16:00自动解除。原因：刷屏"
    ]
    assert of(Unrestrict, await sunshine.advance(hours=1, minutes=59)) == []
    lifted = await sunshine.advance(minutes=1)
    assert of(Unrestrict, lifted) == [
        Unrestrict(chat="building-1", user="maria", network="console")
    ]
    assert said(lifted, "prevention") == ["maria在1号楼居民群的禁言已到期解除。"]
    assert told(lifted, "maria") == ["您在1号楼居民群的禁言已解除，可以继续发言了。"]
    assert of(Unrestrict, await sunshine.advance(hours=5)) == []


async def test_a_mute_by_answering_a_message(sunshine: Sandbox) -> None:
    posted = await sunshine.send("maria", "building-2", "大家好")
    assert posted == []
    actions = await sunshine.send(
        "zhao", "building-2", "/mute 30m", reply_to="7", reply_to_sender="maria"
    )
    assert of(Restrict, actions) == [
        Restrict(chat="building-2", user="maria", minutes=30, reason=FIXED, network="console")
    ]
    assert told(actions, "maria") == [
        "您在2号楼居民群被禁言30分钟，将于12月2日周三 14:30自动解除。原因：未说明"
    ]


async def test_a_mute_due_while_the_bot_was_stopped_lifts_at_start_once(tmp_path: Path) -> None:
    sandbox = Sandbox(
        EXAMPLE, db_url=f"sqlite://{tmp_path / 'bot.sqlite3'}", clock=ManualClock(NOON)
    )
    async with sandbox:
        await sandbox.send("maria", "building-1", "大家好")
        muted = await sandbox.send("zhao", "building-1", "/mute @maria 2h")
        assert len(of(Restrict, muted)) == 1
        await sandbox.stop()
        sandbox.clock.advance(hours=3)
        await sandbox.start()
        await sandbox.advance()
        lifted = sandbox.adapter.performed
        assert of(Unrestrict, lifted) == [
            Unrestrict(chat="building-1", user="maria", network="console")
        ]
        assert said(lifted, "prevention") == ["maria在1号楼居民群的禁言已到期解除。"]
        await sandbox.restart()
        await sandbox.advance(hours=3)
        assert of(Unrestrict, sandbox.adapter.performed) == []


async def test_unmute_lifts_now_and_cancels_the_timer(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-1", "大家好")
    await sunshine.send("zhao", "building-1", "/mute @maria 2h")
    actions = await sunshine.send("zhao", "building-1", "/解除禁言 @maria")
    assert of(Unrestrict, actions) == [
        Unrestrict(chat="building-1", user="maria", network="console")
    ]
    assert said(actions, "building-1") == ["已解除maria的禁言。"]
    assert said(actions, "prevention") == ["赵网格解除了maria在1号楼居民群的禁言。"]
    assert of(Unrestrict, await sunshine.advance(hours=3)) == []
    again = await sunshine.send("zhao", "building-1", "/unmute @maria")  # muted by hand, maybe
    assert of(Unrestrict, again) == [Unrestrict(chat="building-1", user="maria", network="console")]


async def test_remove_takes_the_member_out_of_the_group(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-1", "大家好")
    actions = await sunshine.send("zhao", "building-1", "/移出 @maria 多次发布广告")
    assert of(Remove, actions) == [
        Remove(chat="building-1", user="maria", reason=FIXED, network="console")
    ]
    assert said(actions, "building-1") == ["已将maria移出1号楼居民群。"]
    assert said(actions, "prevention") == ["赵网格将maria移出了1号楼居民群。原因：多次发布广告"]
    assert told(actions, "maria") == [
        "您已被移出1号楼居民群。原因：多次发布广告。如有疑问，请联系该群管理员。"
    ]
    [entry] = await sunshine.audit(who="zhao", action="remove")
    assert entry.detail == "sanctions.log.remove"


async def test_mute_and_remove_are_for_the_groups_admins_only(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-3", "大家好")
    [refused] = sunshine.texts(await sunshine.send("zhao", "building-3", "/mute @maria 2h"))
    assert refused.startswith("抱歉，/mute 仅限以下身份使用：")
    [refused] = sunshine.texts(await sunshine.send("bob", "building-3", "/移出 @maria"))
    assert refused.startswith("抱歉，/移出 仅限以下身份使用：")
    [private] = sunshine.texts(await sunshine.send("chen", "dm", "/mute @maria 2h"))
    assert "群" in private


async def test_an_admin_of_the_group_is_not_muted_nor_removed(sunshine: Sandbox) -> None:
    actions = await sunshine.send("chen", "building-3", "/mute @liu 2h")
    assert of(Restrict, actions) == []
    assert sunshine.texts(actions) == [
        "刘组长是3号楼居民群的管理员，不能被禁言或移出。如有问题，请联系社区工作人员。"
    ]
    [itself] = sunshine.texts(await sunshine.send("chen", "building-3", "/remove @chen"))
    assert itself == "不能对自己使用这个命令。"


async def test_a_wrong_mute_says_how_to_write_it(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-1", "大家好")
    [missing] = sunshine.texts(await sunshine.send("zhao", "building-1", "/mute @maria"))
    assert missing.endswith("请这样写：/mute <成员> <时长> [原因]。")
    [long] = sunshine.texts(await sunshine.send("zhao", "building-1", "/mute @maria 400d"))
    assert long == "禁言最长366天。需要更久，请联系社区管理员封禁（/封禁）。"


async def test_a_community_ban_removes_from_every_group_with_a_record(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-1", "大家好")
    actions = await sunshine.send("zhang", "dm", "/封禁 @maria 散布谣言")
    assert sorted(a.chat for a in of(Ban, actions)) == sorted(GROUPS)
    assert {(a.user, a.reason) for a in of(Ban, actions)} == {("maria", FIXED)}
    assert of(PublishBan, actions) == [PublishBan(user="maria", reason=FIXED, network="console")]
    assert sorted(a.chat for a in of(DeleteRecent, actions)) == sorted(GROUPS)
    assert {a.hours for a in of(DeleteRecent, actions)} == {24}
    assert said(actions, "dm:zhang") == ["已封禁maria：已从社区的10个群聊中移出，直到 /解封。"]
    assert said(actions, "prevention") == [
        "张敏封禁了maria，已从社区的10个群聊中移出，直到解封。原因：散布谣言"
    ]
    assert told(actions, "maria") == [
        "您已被移出阳光社区的所有群并被封禁。原因：散布谣言。如有异议，请联系社区工作人员。"
    ]
    [row] = await CommunityBan.all()
    assert (row.person, row.by, row.reason, row.until, row.lifted_at) == (
        "console:maria",
        "zhang",
        "散布谣言",
        None,
        None,
    )
    [entry] = await sunshine.audit(who="zhang", action="ban", subject="person:console:maria")
    assert entry.detail == "sanctions.log.ban"
    hook = sunshine.bot.pm.hook
    assert hook.sanctions_banned(network="console", handle="maria") == "散布谣言"
    assert hook.sanctions_banned(network="console", handle="bob") is None


async def test_a_community_ban_puts_the_person_out_everywhere_before_cleaning_up(
    sunshine: Sandbox,
) -> None:
    """Every chat's ban, then the shared list, then the slower redactions: on a homeserver
    that throttles, the person is out of every room before the first redaction waits."""
    await sunshine.send("maria", "building-1", "大家好")
    actions = await sunshine.send("zhang", "dm", "/封禁 @maria 散布谣言")
    kinds = [type(a) for a in actions if isinstance(a, Ban | PublishBan | DeleteRecent)]
    assert kinds == [Ban] * len(GROUPS) + [PublishBan] + [DeleteRecent] * len(GROUPS)


async def test_a_group_admin_who_is_no_community_admin_cannot_ban(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-1", "大家好")
    actions = await sunshine.send("zhao", "building-1", "/ban @maria")
    assert of(Ban, actions) == []
    assert sunshine.texts(actions) == [
        "抱歉，/ban 作用于整个社区，仅限以下全社区身份使用：社区工作者。您的全社区身份是：无。"
    ]
    assert await CommunityBan.all() == []


async def test_a_timed_ban_lifts_itself(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-2", "大家好")
    actions = await sunshine.send("zhang", "building-2", "/ban @maria 3天 广告")
    assert said(actions, "building-2")[0] == (
        "已封禁maria，时长3天：已从社区的10个群聊中移出，到时自动解封。"
    )
    assert told(actions, "maria") == [
        "您已被移出阳光社区的所有群并被封禁3天，将于12月5日周六 14:00自动解封。"
        "原因：广告。如有异议，请联系社区工作人员。"
    ]
    assert of(Unban, await sunshine.advance(days=2)) == []
    lifted = await sunshine.advance(days=1)
    assert sorted(a.chat for a in of(Unban, lifted)) == sorted(GROUPS)
    assert of(WithdrawBan, lifted) == [WithdrawBan(user="maria", network="console")]
    assert said(lifted, "prevention") == ["对maria的封禁已到期解除。"]
    assert told(lifted, "maria") == ["您在阳光社区的封禁已解除，可以重新申请加入各群。"]
    [row] = await CommunityBan.all()
    assert row.lifted_by == "timer" and row.lifted_at is not None
    assert sunshine.bot.pm.hook.sanctions_banned(network="console", handle="maria") is None


async def test_unban_lifts_at_once_and_is_recorded(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-2", "大家好")
    await sunshine.send("zhang", "dm", "/ban @maria 7d")
    [again] = sunshine.texts(await sunshine.send("li", "dm", "/封禁 @maria"))
    assert again == "maria已在封禁名单上。如需更改时长或原因，请先 /解封 再重新封禁。"
    actions = await sunshine.send("li", "dm", "/解封 @maria")
    assert sorted(a.chat for a in of(Unban, actions)) == sorted(GROUPS)
    assert said(actions, "dm:li") == ["已解除对maria的封禁，其可重新申请加入各群。"]
    assert said(actions, "prevention") == ["李书记解除了对maria的封禁。"]
    [row] = await CommunityBan.all()
    assert row.lifted_by == "li"
    assert of(Unban, await sunshine.advance(days=8)) == []
    [not_banned] = sunshine.texts(await sunshine.send("li", "dm", "/unban @maria"))
    assert not_banned == "maria不在封禁名单上。"


async def test_a_community_admin_cannot_be_banned(sunshine: Sandbox) -> None:
    [refused] = sunshine.texts(await sunshine.send("zhang", "dm", "/ban 李书记"))
    assert refused == "李书记是社区管理员，不能被封禁。"


async def test_a_banned_person_who_joins_anyway_is_banned_there_again(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-2", "大家好")
    await sunshine.send("zhang", "dm", "/ban @maria")
    actions = await sunshine.join("maria", "building-3")
    assert of(Ban, actions) == [Ban(chat="building-3", user="maria", reason=FIXED)]
    assert said(actions, "prevention") == ["已被封禁的maria又加入了3号楼居民群，已再次移出。"]
    assert of(Ban, await sunshine.join("bob", "building-3")) == []


async def test_the_ban_list_is_kept_across_a_restart(tmp_path: Path) -> None:
    sandbox = Sandbox(
        EXAMPLE, db_url=f"sqlite://{tmp_path / 'bot.sqlite3'}", clock=ManualClock(NOON)
    )
    async with sandbox:
        await sandbox.send("maria", "building-2", "大家好")
        await sandbox.send("zhang", "dm", "/ban @maria 1d 广告")
        await sandbox.restart()
        assert sandbox.bot.pm.hook.sanctions_banned(network="console", handle="maria") == "广告"
        assert of(Ban, await sandbox.join("maria", "building-1")) != []
        await sandbox.advance(days=1)
        assert of(Unban, sandbox.adapter.performed) != []
        assert sandbox.bot.pm.hook.sanctions_banned(network="console", handle="maria") is None


async def test_where_the_network_keeps_no_ban_list_none_is_asked_for(tmp_path: Path) -> None:
    capabilities = {Send, Reply, DirectMessage, Ban, Unban, Remove, Restrict, Unrestrict}
    async with Sandbox(EXAMPLE, capabilities=capabilities, clock=ManualClock(NOON)) as sandbox:
        await sandbox.send("maria", "building-2", "大家好")
        actions = await sandbox.send("zhang", "dm", "/ban @maria 1d")
        assert len(of(Ban, actions)) == len(GROUPS)
        assert of(PublishBan, actions) == [] and of(DeleteRecent, actions) == []
        lifted = await sandbox.advance(days=1)
        assert len(of(Unban, lifted)) == len(GROUPS) and of(WithdrawBan, lifted) == []


def _with_rule(do: str, extra: str = "", described: bool = True) -> str:
    description = "    description: {zh_CN: 广告, en: Ads}\n" if described else ""
    rule = f"""  - id: no-ads
{description}    where: {{kinds: [resident]}}
    when:
      keywords: [加微信]
    do: {do}
"""
    text = example_text().replace("\nrules:\n", "\nrules:\n" + rule, 1)
    return text.replace("  dry_run: []", extra, 1) if extra else text


async def test_a_rules_mute_is_timed_logged_and_lifts_itself() -> None:
    async with Sandbox.from_yaml(_with_rule("[delete, {mute: 2h}]"), clock=ManualClock(NOON)) as s:
        actions = await s.send("maria", "building-1", "加微信领口罩")
        assert of(Restrict, actions) == [
            Restrict(chat="building-1", user="maria", minutes=120, reason=FIXED, network="console")
        ]
        assert said(actions, "prevention") == [
            "服务规则“广告”在1号楼居民群禁言了maria，时长2小时（至12月2日周三 16:00）。原因：广告"
        ]
        lifted = await s.advance(hours=2)
        assert of(Unrestrict, lifted) == [
            Unrestrict(chat="building-1", user="maria", network="console")
        ]


async def test_a_rules_mute_in_minutes_and_its_words_in_rules() -> None:
    async with Sandbox.from_yaml(
        _with_rule("[{mute: 30}, remove]", described=False), clock=ManualClock(NOON)
    ) as s:
        [rules] = s.texts(await s.send("maria", "building-1", "/rules"))
        assert "禁言发送者30分钟（到时自动解除）" in rules and "将发送者移出本群" in rules
        actions = await s.send("maria", "building-1", "加微信")
        assert [a.minutes for a in of(Restrict, actions)] == [30]
        assert of(Remove, actions) == [
            Remove(chat="building-1", user="maria", reason=FIXED, network="console")
        ]


@pytest.mark.parametrize("minutes", [527041, 12345678901234567890])
async def test_a_rules_mute_of_too_many_minutes_is_refused_at_its_line(minutes: int) -> None:
    with pytest.raises(Exception, match="366d") as refused:
        async with Sandbox.from_yaml(_with_rule(f"[{{mute: {minutes}}}]")):
            pass
    assert "Traceback" not in str(refused.value)


async def test_a_rules_ban_goes_on_the_ban_list() -> None:
    async with Sandbox.from_yaml(_with_rule("[delete, {ban: 7d}]"), clock=ManualClock(NOON)) as s:
        actions = await s.send("maria", "building-1", "加微信")
        assert len(of(Ban, actions)) == len(GROUPS)
        [row] = await CommunityBan.all()
        assert (row.by, row.reason) == ("rule:no-ads", "广告")
        assert s.bot.pm.hook.sanctions_banned(network="console", handle="maria") == "广告"
        await s.advance(days=7)
        assert s.bot.pm.hook.sanctions_banned(network="console", handle="maria") is None


async def test_a_rules_sanctions_in_a_dry_run_only_report() -> None:
    text = _with_rule("[{mute: 2h}, ban]", extra="  dry_run: [sanctions]")
    async with Sandbox.from_yaml(text, clock=ManualClock(NOON)) as s:
        actions = await s.send("maria", "building-1", "加微信")
        assert of(Restrict, actions) == [] and of(Ban, actions) == []
        [report] = said(actions, "prevention")
        assert "禁言发送者2小时" in report and "将发送者移出社区所有群并封禁" in report
        assert await CommunityBan.all() == []
        assert of(Unrestrict, await s.advance(hours=3)) == []


async def test_a_banned_person_joining_in_a_dry_run_is_only_reported() -> None:
    text = example_text().replace("  dry_run: []", "  dry_run: [sanctions]", 1)
    async with Sandbox.from_yaml(text, clock=ManualClock(NOON)) as s:
        await s.send("maria", "building-2", "大家好")
        assert len(of(Ban, await s.send("zhang", "dm", "/ban @maria"))) == len(GROUPS)
        actions = await s.join("maria", "building-3")
        assert of(Ban, actions) == []
        assert said(actions, "prevention") == [
            "试运行：已被封禁的maria加入了3号楼居民群；正式运行时会再次将其移出。"
        ]


async def test_bad_rule_values_are_refused_at_their_line() -> None:
    from sanshe.core.config import ConfigError

    with pytest.raises(ConfigError) as refused:
        async with Sandbox.from_yaml(_with_rule("[{mute: soon}]")):
            pass
    assert str(refused.value).endswith(
        "Give a length of time such as 30m, 2h or 1d, or a number of minutes such as 30."
    )


async def test_sanctions_in_english(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-1", "hello")
    actions = await sunshine.send("zhao", "building-1", "/mute @maria 1h30m spam", language="en")
    assert said(actions, "building-1") == [
        "maria is muted for 1 hour 30 minutes; it lifts itself on time."
    ]
    await sunshine.send("gao", "volunteers", "hi")
    [refused] = sunshine.texts(await sunshine.send("gao", "dm", "/ban @maria"))
    assert refused.startswith("Sorry, /ban ")


async def test_a_banned_applicant_is_declined_until_the_ban_lifts(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-2", "大家好")
    await sunshine.send("zhang", "dm", "/ban @maria 1d 广告")
    declined = await sunshine.ask_to_join("maria", "building-1")
    assert [a.chat for a in of(DeclineJoin, declined)] == ["building-1"]
    await sunshine.advance(days=1)
    asked = await sunshine.ask_to_join("maria", "building-1")
    assert of(DeclineJoin, asked) == [] and told(asked, "maria") != []


async def test_a_persons_bans_are_exported_and_erased(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-2", "大家好")
    await sunshine.send("zhang", "dm", "/ban @maria 1d 广告")
    storage, community, pm = sunshine.storage, sunshine.community, sunshine.bot.pm
    data = await export(storage, community, pm, "console:maria")
    [exported] = data["plugins"]["sanctions"]["bans"]
    assert (exported["reason"], exported["lifted_at"]) == ("广告", None)
    await erase(storage, community, pm, "console:maria")
    assert await CommunityBan.all() == []
    assert pm.hook.sanctions_banned(network="console", handle="maria") is None
    assert of(Unban, await sunshine.advance(days=1)) == []


async def test_who_banned_is_unnamed_once_their_data_is_erased(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-2", "大家好")
    await sunshine.send("zhang", "dm", "/ban @maria")
    await erase(sunshine.storage, sunshine.community, sunshine.bot.pm, "zhang")
    [row] = await CommunityBan.all()
    assert row.by == "erased"
    assert sunshine.bot.pm.hook.sanctions_banned(network="console", handle="maria") == "—"


async def test_a_ban_due_while_the_bot_was_stopped_lifts_at_start(tmp_path: Path) -> None:
    sandbox = Sandbox(
        EXAMPLE, db_url=f"sqlite://{tmp_path / 'bot.sqlite3'}", clock=ManualClock(NOON)
    )
    async with sandbox:
        await sandbox.send("maria", "building-2", "大家好")
        await sandbox.send("zhang", "dm", "/ban @maria 2h")
        await sandbox.stop()
        sandbox.clock.advance(hours=5)
        await sandbox.start()
        await sandbox.advance()
        assert len(of(Unban, sandbox.adapter.performed)) == len(GROUPS)
        assert sandbox.bot.pm.hook.sanctions_banned(network="console", handle="maria") is None
        assert of(Ban, await sandbox.join("maria", "building-1")) == []


async def test_the_ban_list_for_the_communitys_admins(sunshine: Sandbox) -> None:
    [empty] = sunshine.texts(await sunshine.send("zhang", "dm", "/封禁名单"))
    assert empty == "封禁名单上没有人。"
    await sunshine.send("maria", "building-2", "大家好")
    await sunshine.send("bob", "building-2", "大家好")
    await sunshine.send("zhang", "dm", "/ban @maria 3天 广告 13812345678")
    sunshine.clock.advance(hours=1)
    await sunshine.send("li", "dm", "/ban @bob")
    actions = await sunshine.send("li", "prevention", "/bans")
    assert said(actions, "prevention") == ["封禁名单已私信发给您。"]
    assert told(actions, "li") == [
        "封禁名单（2人，最新的在前）：\n"
        "• bob：未说明（李书记，12月2日周三 15:00起，直到解封）\n"
        "• maria：广告 ***（张敏，12月2日周三 14:00起，至12月5日周六 14:00）"
    ]
    [refused] = sunshine.texts(await sunshine.send("zhao", "dm", "/bans"))
    assert refused.startswith("抱歉，/bans 作用于整个社区")


async def test_a_ban_ends_the_persons_mutes_so_that_no_mute_lifts_it(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-1", "大家好")
    await sunshine.send("zhao", "building-1", "/禁言 @maria 2小时")
    await sunshine.send("zhang", "dm", "/封禁 @maria 散布谣言")
    later = await sunshine.advance(hours=2, minutes=1)
    assert of(Unrestrict, later) == []
    assert told(later, "maria") == []
    assert said(later, "prevention") == []
    unbanned = await sunshine.send("zhang", "dm", "/解封 @maria")
    assert said(unbanned, "dm:zhang") == ["已解除对maria的封禁，其可重新申请加入各群。"]


async def test_an_admins_reason_stays_off_the_networks_actions(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-1", "大家好")
    reason = "她确诊阳性 住5-2-302"
    removed = await sunshine.send("zhao", "building-1", f"/移出 @maria {reason}")
    assert [a.reason for a in of(Remove, removed)] == [FIXED]
    assert told(removed, "maria") == [
        "您已被移出1号楼居民群。原因：她确诊阳性 住5-2-302。如有疑问，请联系该群管理员。"
    ]
    await sunshine.join("maria", "building-1")  # back in, to be muted there
    muted = await sunshine.send("zhao", "building-1", f"/禁言 @maria 1小时 {reason}")
    assert [a.reason for a in of(Restrict, muted)] == [FIXED]
    banned = await sunshine.send("zhang", "dm", f"/封禁 @maria {reason}")
    assert {a.reason for a in of(Ban, banned)} == {FIXED}
    assert of(PublishBan, banned) == [PublishBan(user="maria", reason=FIXED, network="console")]
    assert said(banned, "prevention")[0].endswith("原因：她确诊阳性 住5-2-302")
    [row] = await CommunityBan.all()
    assert row.reason == reason
    again = await sunshine.join("maria", "building-3")
    assert of(Ban, again) == [Ban(chat="building-3", user="maria", reason=FIXED)]


async def test_a_banned_person_is_neither_muted_nor_unmuted(sunshine: Sandbox) -> None:
    """On Telegram lifting a restriction (or setting one) lets a banned person back in."""
    await sunshine.send("maria", "building-1", "大家好")
    await sunshine.send("zhang", "dm", "/封禁 @maria 散布谣言")
    refused = "maria已被社区封禁，不在各群中：无需禁言或解除禁言（解封请用 /解封）。"
    muted = await sunshine.send("zhao", "building-1", "/禁言 @maria 1小时")
    assert sunshine.texts(muted) == [refused]
    unmuted = await sunshine.send("zhao", "building-1", "/解除禁言 @maria")
    assert sunshine.texts(unmuted) == [refused]
    assert of(Unrestrict, await sunshine.advance(hours=2)) == []


async def test_someone_not_in_the_group_is_neither_muted_nor_removed(sunshine: Sandbox) -> None:
    sunshine.members("building-1", "zhao", "xiaoli")
    await sunshine.send("maria", "building-2", "大家好")  # seen, but in another group
    muted = await sunshine.send("zhao", "building-1", "/禁言 @maria 2小时 刷屏")
    assert sunshine.texts(muted) == [
        "maria不是1号楼居民群的成员，不能在本群禁言。"
        "请确认对象：回复其消息写 /禁言 2小时，或写 /禁言 @成员 2小时。"
    ]
    removed = await sunshine.send("zhao", "building-1", "/移出 @maria 广告")
    assert sunshine.texts(removed) == [
        "maria不是1号楼居民群的成员，无需移出。如需让某人离开社区所有群，请社区管理员使用 /封禁。"
    ]
    assert await sunshine.audit(who="zhao") == []  # nothing done, nothing logged
    assert of(Restrict, await sunshine.advance(hours=3)) == []

    await sunshine.join("maria", "building-1")
    muted = await sunshine.send("zhao", "building-1", "/禁言 @maria 2小时 刷屏")
    assert said(muted, "building-1") == ["已禁言maria，时长2小时，到时自动解除。"]
    assert len(of(Restrict, muted)) == 1


async def test_someone_who_left_or_was_removed_is_not_sanctioned_there(sunshine: Sandbox) -> None:
    await sunshine.send("maria", "building-1", "大家好")
    await sunshine.leave("maria", "building-1")
    [refused] = sunshine.texts(await sunshine.send("zhao", "building-1", "/remove @maria"))
    assert refused.startswith("maria不是1号楼居民群的成员，无需移出。")
    await sunshine.send("xiaoli", "building-1", "收到")
    assert len(of(Remove, await sunshine.send("zhao", "building-1", "/移出 @xiaoli 广告"))) == 1
    muted = await sunshine.send("zhao", "building-1", "/mute @xiaoli 1h", language="en")
    assert sunshine.texts(muted) == [
        "xiaoli is not a member of 1号楼居民群, so they cannot be muted here. Check whom you "
        "meant: answer their message with /mute 2h, or write /mute @member 2h."
    ]
    assert of(Restrict, muted) == []


async def test_whom_the_console_has_not_seen_in_the_group_is_still_sanctioned(
    sunshine: Sandbox,
) -> None:
    # Nothing says maria is not in building 1 (its members were not given): the mute stands.
    await sunshine.send("maria", "building-2", "大家好")
    muted = await sunshine.send("zhao", "building-1", "/mute @maria 2h")
    assert said(muted, "building-1") == ["已禁言maria，时长2小时，到时自动解除。"]
