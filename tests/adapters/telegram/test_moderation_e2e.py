"""Issue 12's flows on Telegram end to end: python-telegram-bot against the loopback Bot API
server, with the joining, privacy, warnings and sanctions plugins as shipped.

A join request is asked about privately and approved by the admin's button (and, when the
bot gets to it after Telegram's 5 minutes, goes to the admin unasked); a phone number in a
resident group is deleted, its author told privately, the admin and the moderation log
without it; three warnings remove a member; a timed mute (and a flood's) lifts itself on
time; a community ban reaches every group; a report goes to the admin.  The bot and the
server share one manual clock, which the tests move.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from sanshe.testing import ManualClock
from tests.botapi import APPLICANT_WINDOW, PERMISSIONS, BotApiServer

from .conftest import (
    BUILDING,
    FOCUS,
    RESIDENT,
    STRANGER,
    VOLUNTEERS,
    WANG,
    World,
    running,
    wait_for,
)
from .test_privacy_e2e import carried
from .test_volunteer_e2e import Chat

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

COMMUNITY = """
community: {id: sunshine, name: 阳光社区, locale: zh_CN, moderation_log: volunteers,
            admins: [social_worker]}
buildings:
  - {id: "1", name: {zh_CN: 1号楼, en: Building 1}, rooms: ["101-106", "301-306"]}
groups:
  - {id: building-1, kind: resident, name: 1号楼居民群, building: "1", join_approval: true,
     administered_by: [social_worker], chats: {telegram: "-1001"}}
  - {id: focus-1, kind: focus_service, name: 聚焦服务群, administered_by: [social_worker],
     chats: {telegram: "-1002"}}
  - {id: volunteers, kind: volunteer_pool, name: 志愿服务总群, administered_by: [social_worker],
     chats: {telegram: "-1003"}}
people:
  - {id: wang, name: 王芳, handles: {telegram: 21}, roles: [social_worker]}
rules:
  - id: private-data-stays-private
    description: {zh_CN: 群内出现电话、身份证号或银行卡号会被删除，并转为私聊}
    where: {kinds: [resident]}
    when:
      personal_data: [phone, id_number, bank_card]
    do:
      - delete
      - move_to_private
      - tell_admins: {zh_CN: 消息已删除，并已私聊提醒发送者。}
  - id: flood
    where: {kinds: [resident]}
    when:
      flood: {messages: 5, within: 10s}
      not_sender_role: [social_worker]
    do:
      - mute: 10m
plugins:
  warnings: {limit: 3, within: 30d, then: remove}
"""
LATE = 34


@dataclass
class Moderated:
    """The running community, its clock, and the chats read in order."""

    world: World
    clock: ManualClock
    wang: Chat
    log: Chat

    def press(self, chat: int, user: int, message: str, label: str) -> None:
        """``user`` presses the button labelled ``label`` under the bot's message whose text is
        ``message`` in ``chat``."""
        server = self.world.server
        [record] = [r for r in server.sent if r.chat_id == chat and r.text == message]
        rows = server.messages[(chat, record.message_id)]["reply_markup"]["inline_keyboard"]
        [data] = [b["callback_data"] for row in rows for b in row if b["text"] == label]
        server.inject_callback_query(chat, user, record.message_id, data)


@pytest.fixture
async def moderated(server: BotApiServer, tmp_path: Path) -> AsyncIterator[Moderated]:
    clock = ManualClock()
    server.clock = clock.time
    server.add_user(LATE, "Late Comer", language_code="zh-hans")
    server.user_starts_bot(WANG)  # the admin can be written to
    async with running(server, tmp_path, COMMUNITY, clock=clock, approves_joins=False) as world:
        wang, log = Chat(world, WANG), Chat(world, VOLUNTEERS)
        await wang.next("the welcome to the admin")
        yield Moderated(world, clock, wang, log)


async def test_a_join_request_answered_privately_and_approved_by_button(
    moderated: Moderated,
) -> None:
    world, server = moderated.world, moderated.world.server
    applicant = Chat(world, STRANGER)
    server.inject_join_request(BUILDING, STRANGER, bio="新搬来的邻居")
    first = await applicant.next("the first question")
    assert first.startswith("您好！您申请加入1号楼居民群，请回答几个问题")
    assert "（1/4）本群是1号楼的居民群，您住在1号楼吗？" in first
    assert (await applicant.ask(STRANGER, "是")).startswith("（2/4）请问您的房号？")
    tenure = await applicant.ask(STRANGER, "302")
    assert tenure.startswith("（3/4）您是自住还是租住？")
    moderated.press(STRANGER, STRANGER, tenure, "租住")
    assert (await applicant.next("the last question")).startswith("（4/4）请填写户名")
    assert await applicant.ask(STRANGER, "张家") == (
        "谢谢！您的申请（1 号）已提交给1号楼居民群的群管理员，审核后会私信通知您。"
    )

    request = await moderated.wang.next("the request", lambda t: t.startswith("加入申请"))
    assert request == (
        "加入申请 1 号：Zhang San 申请加入1号楼居民群。\n"
        "楼栋：1号楼\n"
        "房号：302\n"
        "自住/租住：租住\n"
        "户名：张家\n"
        "附言：新搬来的邻居\n"
        "请点下方按钮批准或拒绝，或回复 /批准 1、/拒绝 1 原因。"
    )
    moderated.press(WANG, WANG, request, "批准")
    await wait_for(lambda: server.calls_to("approveChatJoinRequest"), "the approval")
    assert await world.status(BUILDING, STRANGER) == "member"
    assert await applicant.next("the welcome") == "您加入1号楼居民群的申请已通过，欢迎！"
    assert await moderated.log.next("the log") == "王芳批准了 1 号加入申请（1号楼居民群）。"
    assert world.texts(BUILDING) == []  # nothing of it in the group


async def test_a_join_request_the_bot_gets_to_late_goes_to_the_admin_unasked(
    moderated: Moderated,
) -> None:
    world, server = moderated.world, moderated.world.server
    server.inject_join_request(BUILDING, LATE, bio="我住305")
    moderated.clock.advance(seconds=APPLICANT_WINDOW)  # before the bot gets to it
    request = await moderated.wang.next("the request", lambda t: t.startswith("加入申请"))
    assert request == (
        "加入申请 1 号：Late Comer 申请加入1号楼居民群。\n"
        "附言：我住305\n"
        "未能私信询问申请人（对方网络不允许机器人主动私信），因此没有回答，请核实后再决定。\n"
        "请点下方按钮批准或拒绝，或回复 /批准 1、/拒绝 1 原因。"
    )
    assert [c["chat_id"] for c in server.calls_to("sendMessage")].count(LATE) == 1  # refused
    moderated.press(WANG, WANG, request, "批准")
    await wait_for(lambda: server.calls_to("approveChatJoinRequest"), "the approval")
    assert await world.status(BUILDING, LATE) == "member"
    assert await moderated.log.next("the log") == "王芳批准了 1 号加入申请（1号楼居民群）。"
    assert world.texts(LATE) == []


async def test_a_join_request_declined_by_command_tells_the_applicant_why(
    moderated: Moderated,
) -> None:
    world, server = moderated.world, moderated.world.server
    applicant = Chat(world, STRANGER)
    server.inject_join_request(BUILDING, STRANGER)
    await applicant.next("the first question")
    assert await applicant.ask(STRANGER, "/取消") == "您加入1号楼居民群的申请（1 号）已撤回。"
    await wait_for(lambda: server.calls_to("declineChatJoinRequest"), "the withdrawal")
    assert (BUILDING, STRANGER) not in server.join_requests  # withdrawn on Telegram too
    server.inject_join_request(BUILDING, STRANGER)
    await applicant.next("the first question again")
    for answer in ("是", "305", "自住", "张家"):
        await applicant.ask(STRANGER, answer)
    await moderated.wang.next("the request", lambda t: t.startswith("加入申请 2 号"))
    declined = await moderated.wang.ask(WANG, "/拒绝 2 本群只接收1号楼住户")
    assert declined == "已拒绝Zhang San加入1号楼居民群的申请（2 号）。"
    await wait_for(lambda: len(server.calls_to("declineChatJoinRequest")) == 2, "the decline")
    assert (BUILDING, STRANGER) not in server.join_requests
    assert await world.status(BUILDING, STRANGER) == "left"
    told = await applicant.next("the applicant told")
    assert told == "抱歉，您加入1号楼居民群的申请未通过。原因：本群只接收1号楼住户"


async def test_a_community_ban_takes_the_member_out_of_every_group(
    moderated: Moderated,
) -> None:
    world, server = moderated.world, moderated.world.server
    rumour = server.inject_message(BUILDING, RESIDENT, "听说明天封小区，快去抢菜")["message"]
    server.inject_message(BUILDING, WANG, "/封禁 造谣", rumour["message_id"])
    banned = await Chat(world, BUILDING).next("the ban")
    assert banned == "已封禁Li Lei：已从社区的3个群聊中移出，直到 /解封。"
    await wait_for(lambda: len(server.calls_to("banChatMember")) == 3, "the bans")
    assert {(c["chat_id"], c["user_id"]) for c in server.calls_to("banChatMember")} == {
        (chat, RESIDENT) for chat in (BUILDING, FOCUS, VOLUNTEERS)
    }
    for chat in (BUILDING, FOCUS, VOLUNTEERS):
        assert await world.status(chat, RESIDENT) == "kicked"
    logged = await moderated.log.next("the moderation log")
    assert logged.startswith("王芳封禁了Li Lei") and "造谣" in logged
    # Telegram keeps no shared ban list and cannot list his messages: nothing said of that.
    assert not [t for t in world.texts(BUILDING) if "telegram" in t.lower()]


async def test_a_report_reaches_the_admin_and_leaves_the_group(moderated: Moderated) -> None:
    world, server = moderated.world, moderated.world.server
    server.add_member(BUILDING, STRANGER)
    server.user_starts_bot(STRANGER)
    reporter = Chat(world, STRANGER)
    await reporter.next("the welcome to the reporter")
    rumour = server.inject_message(BUILDING, RESIDENT, "听说明天封小区，快去抢菜")["message"]
    report = server.inject_message(BUILDING, STRANGER, "/举报 造谣", rumour["message_id"])
    told = await moderated.wang.next("the report", lambda t: "举报" in t)
    # (The quote's full-width comma comes out as ",": core's excerpt normalises it, NFKC.)
    assert told.startswith("Zhang San举报了1号楼居民群中Li Lei的一条消息：“听说明天封小区")
    assert told.endswith("快去抢菜”。原因：造谣。请查看并处理。")
    assert (await reporter.next("the thanks")).startswith("感谢您的举报，1号楼居民群的管理员已收到")
    await wait_for(lambda: server.calls_to("deleteMessage"), "the report taken down")
    [deleted] = server.calls_to("deleteMessage")
    assert deleted["message_id"] == report["message"]["message_id"]
    assert (BUILDING, rumour["message_id"]) in server.messages  # the admin decides on it
    assert world.texts(BUILDING) == []


async def test_a_flood_mutes_the_sender_for_ten_minutes(moderated: Moderated) -> None:
    world, server, clock = moderated.world, moderated.world.server, moderated.clock
    for n in range(5):
        server.inject_message(BUILDING, RESIDENT, f"抢菜啦 {n}")
    await wait_for(lambda: server.calls_to("restrictChatMember"), "the mute")
    [muted] = server.calls_to("restrictChatMember")
    assert muted["user_id"] == RESIDENT
    assert muted["until_date"] == int((clock.now() + timedelta(minutes=10)).timestamp())
    assert await world.status(BUILDING, RESIDENT) == "restricted"
    clock.advance(minutes=10)
    await world.bot.timers.fire_due()
    await wait_for(lambda: len(server.calls_to("restrictChatMember")) == 2, "the mute lifted")
    assert await world.status(BUILDING, RESIDENT) == "member"


async def test_a_phone_number_in_the_group_is_deleted_and_said_nowhere(
    moderated: Moderated,
) -> None:
    world, server = moderated.world, moderated.world.server
    server.user_starts_bot(RESIDENT)
    resident = Chat(world, RESIDENT)
    await resident.next("the welcome to the resident")
    phone = "+86 138-1234-5678"
    posted = server.inject_message(BUILDING, RESIDENT, f"有事打我电话 {phone} 谢谢")["message"]
    note = await resident.next("the private note")
    assert note.startswith("您在1号楼居民群发的消息含有电话号码，为保护您的隐私，已将其删除")
    assert [c["message_id"] for c in server.calls_to("deleteMessage")] == [posted["message_id"]]
    assert (BUILDING, posted["message_id"]) not in server.messages
    told = await moderated.wang.next("the admin told", lambda t: "触发了服务规则" in t)
    assert told.startswith("1号楼居民群中，Li Lei触发了服务规则") and "（电话号码）" in told
    logged = await moderated.log.next("the moderation log")
    assert logged == "1号楼居民群中，Li Lei发的消息含有电话号码，已转为私聊沟通（内容不在此转述）。"
    assert carried(server, phone, "13812345678") == []


async def test_three_warnings_remove_the_member(moderated: Moderated) -> None:
    world, server = moderated.world, moderated.world.server
    building = Chat(world, BUILDING)
    advert = server.inject_message(BUILDING, RESIDENT, "便宜口罩，要的加群外联系")["message"]
    for count in (1, 2):
        server.inject_message(BUILDING, WANG, "/警告 发广告", advert["message_id"])
        notice = await building.next(f"warning {count}")
        assert notice.startswith(f"Li Lei已被群管理员警告（{count}/3）")
    assert not server.calls_to("banChatMember")
    server.inject_message(BUILDING, WANG, "/warn 发广告", advert["message_id"])
    assert await building.next("the third warning") == "Li Lei在30天内已收到3次警告，已被移出本群。"
    await wait_for(lambda: server.calls_to("unbanChatMember"), "the removal")
    [ban] = server.calls_to("banChatMember")
    [unban] = server.calls_to("unbanChatMember")
    assert (ban["chat_id"], ban["user_id"]) == (BUILDING, RESIDENT)
    assert (unban["chat_id"], unban["user_id"], unban["only_if_banned"]) == (
        BUILDING,
        RESIDENT,
        True,
    )
    assert await world.status(BUILDING, RESIDENT) == "left"  # removed, not banned
    logged = [await moderated.log.next(f"log line {n}") for n in (1, 2, 3, 4)]
    assert logged[:3] == [f"王芳在1号楼居民群警告了Li Lei（{n}/3）：发广告" for n in (1, 2, 3)]
    assert "Li Lei" in logged[3] and "移出" in logged[3]


async def test_a_timed_mute_lifts_itself_on_time(moderated: Moderated) -> None:
    world, server, clock = moderated.world, moderated.world.server, moderated.clock
    building = Chat(world, BUILDING)
    posted = server.inject_message(BUILDING, RESIDENT, "刷屏刷屏刷屏")["message"]
    server.inject_message(BUILDING, WANG, "/禁言 2小时 刷屏", posted["message_id"])
    assert await building.next("the mute") == "已禁言Li Lei，时长2小时，到时自动解除。"
    await wait_for(lambda: server.calls_to("restrictChatMember"), "the mute")
    [muted] = server.calls_to("restrictChatMember")
    assert muted["user_id"] == RESIDENT and not any(muted["permissions"].values())
    assert muted["until_date"] == int((clock.now() + timedelta(hours=2)).timestamp())
    with pytest.raises(ValueError, match="cannot post"):
        server.inject_message(BUILDING, RESIDENT, "让我说话")

    clock.advance(hours=1, minutes=59)
    await world.bot.timers.fire_due()
    assert len(server.calls_to("restrictChatMember")) == 1
    clock.advance(minutes=1)
    await world.bot.timers.fire_due()
    await wait_for(lambda: len(server.calls_to("restrictChatMember")) == 2, "the mute lifted")
    lifted = server.calls_to("restrictChatMember")[1]
    assert lifted["user_id"] == RESIDENT
    assert lifted["permissions"] == dict.fromkeys(PERMISSIONS, True)
    assert await world.status(BUILDING, RESIDENT) == "member"
    server.inject_message(BUILDING, RESIDENT, "谢谢，我不刷屏了")


async def mute_for_two_hours(server: BotApiServer) -> None:
    """王芳 mutes Li Lei for two hours, answering his message; the restriction is made."""
    posted = server.inject_message(BUILDING, RESIDENT, "刷屏刷屏刷屏")["message"]
    server.inject_message(BUILDING, WANG, "/mute 2h 刷屏", posted["message_id"])
    await wait_for(lambda: server.calls_to("restrictChatMember"), "the mute")


async def test_a_mute_due_while_the_bot_was_stopped_lifts_at_start(
    server: BotApiServer, tmp_path: Path
) -> None:
    clock = ManualClock()
    server.clock = clock.time
    bot = {"clock": clock, "approves_joins": False, "db_url": f"sqlite://{tmp_path / 'bot.db'}"}
    async with running(server, tmp_path, COMMUNITY, **bot):
        await mute_for_two_hours(server)
    clock.advance(hours=3)
    async with running(server, tmp_path, COMMUNITY, **bot) as world:
        await wait_for(lambda: len(server.calls_to("restrictChatMember")) == 2, "the lift")
        lifted = server.calls_to("restrictChatMember")[1]
        assert (lifted["user_id"], lifted["permissions"]) == (
            RESIDENT,
            dict.fromkeys(PERMISSIONS, True),
        )
        clock.advance(hours=3)
        await world.bot.timers.fire_due()
    assert len(server.calls_to("restrictChatMember")) == 2  # lifted once


async def test_the_end_of_a_mute_names_the_member_as_its_start_did(moderated: Moderated) -> None:
    await mute_for_two_hours(moderated.world.server)
    started = await moderated.log.next("the mute logged")
    assert started.startswith("王芳在1号楼居民群禁言了Li Lei，时长2小时")
    moderated.clock.advance(hours=2)
    await moderated.world.bot.timers.fire_due()
    ended = await moderated.log.next("the end logged")
    assert ended == "Li Lei在1号楼居民群的禁言已到期解除。"


async def test_an_applicant_pressing_a_button_after_five_minutes_still_reaches_the_admin(
    moderated: Moderated,
) -> None:
    world, server = moderated.world, moderated.world.server
    applicant = Chat(world, STRANGER)
    server.inject_join_request(BUILDING, STRANGER)
    first = await applicant.next("the first question")
    moderated.clock.advance(seconds=APPLICANT_WINDOW + 60)
    moderated.press(STRANGER, STRANGER, first, "确认")  # a press opens no private chat
    request = await moderated.wang.next("the request", lambda t: t.startswith("加入申请"))
    assert request.startswith("加入申请 1 号：Zhang San 申请加入1号楼居民群。\n楼栋：1号楼\n")
    assert "未能私信继续询问申请人（对方网络不允许机器人主动私信），以上是已有的回答" in request


async def test_someone_who_left_the_group_is_neither_warned_muted_nor_removed(
    moderated: Moderated,
) -> None:
    world, server = moderated.world, moderated.world.server
    building = Chat(world, BUILDING)
    advert = server.inject_message(BUILDING, RESIDENT, "便宜口罩，要的加群外联系")["message"]
    server.inject_member_left(BUILDING, RESIDENT)
    refusals = {
        "/警告 发广告": "Li Lei不是本群成员，不能在本群警告。"
        "请确认对象：回复其消息写 /警告 原因，或写 /警告 @成员 原因。",
        "/禁言 2小时 发广告": "Li Lei不是1号楼居民群的成员，不能在本群禁言。"
        "请确认对象：回复其消息写 /禁言 2小时，或写 /禁言 @成员 2小时。",
        "/移出 发广告": "Li Lei不是1号楼居民群的成员，无需移出。"
        "如需让某人离开社区所有群，请社区管理员使用 /封禁。",
    }
    for command, refusal in refusals.items():
        server.inject_message(BUILDING, WANG, command, advert["message_id"])
        assert await building.next(f"the answer to {command}") == refusal
    asked = [(c["chat_id"], c["user_id"]) for c in server.calls_to("getChatMember")]
    assert asked.count((BUILDING, RESIDENT)) == 3
    assert not server.calls_to("restrictChatMember") and not server.calls_to("banChatMember")
    assert world.texts(VOLUNTEERS) == []  # the moderation log heard of nothing

    server.inject_member_joined(BUILDING, RESIDENT)
    server.inject_message(BUILDING, WANG, "/警告 发广告", advert["message_id"])
    warned = await building.next("the warning once he is back", lambda t: "警告" in t)
    assert warned.startswith("Li Lei已被群管理员警告（1/3）")
