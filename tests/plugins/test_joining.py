"""The joining plugin on the console sandbox: join requests, their dialog, the admins'
decision, households."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tortoise import connections

from sanshe.core.actions import (
    Action,
    AnswerButton,
    ApproveJoin,
    DeclineJoin,
    DirectMessage,
    Edit,
    Send,
)
from sanshe.core.events import JoinRequest
from sanshe.core.personal_data import erase, export
from sanshe.core.services import call_offered
from sanshe.core.storage.models import Timer
from sanshe.plugins.joining.models import Application, Household
from sanshe.testing import Sandbox
from tests.conftest import example_text

DIRECT = "dm"


def dms(actions: list[Action], user: str) -> list[DirectMessage]:
    """The private messages to ``user`` among ``actions``."""
    return [a for a in actions if isinstance(a, DirectMessage) and a.user == user]


def one_dm(actions: list[Action], user: str) -> DirectMessage:
    [message] = dms(actions, user)
    return message


async def answer_all(s: Sandbox, who: str, room: str = "302", tenure: str = "自住") -> list[Action]:
    """``who`` asks to join building-1 and answers its four questions; the last answer's actions."""
    await s.ask_to_join(who, "building-1")
    await s.send(who, DIRECT, "是")
    await s.send(who, DIRECT, room)
    await s.send(who, DIRECT, tenure)
    return await s.send(who, DIRECT, "王家")


def button(message: DirectMessage, label: str) -> str:
    """The data of the button labelled ``label`` under ``message``."""
    [found] = [b.data for b in message.buttons if b.label == label]
    return found


async def test_the_whole_dialog_then_the_admin_gets_the_request(community: Sandbox) -> None:
    first = one_dm(await community.ask_to_join("maria", "building-1"), "maria")
    assert first.text.startswith("您好！您申请加入1号楼居民群，请回答几个问题")
    assert "（1/4）本群是1号楼的居民群，您住在1号楼吗？" in first.text
    assert [b.label for b in first.buttons] == ["确认", "跳过"]
    room = one_dm(await community.send("maria", DIRECT, "是"), "maria")
    assert room.text.startswith(
        "（2/4）请问您的房号？（例如 302）\n本楼的房号：101–106、201–206、301–306。"
    )
    tenure = one_dm(await community.send("maria", DIRECT, "302室"), "maria")
    assert tenure.text.startswith("（3/4）您是自住还是租住？")
    assert [b.label for b in tenure.buttons] == ["自住", "租住"]
    household = one_dm(await community.send("maria", DIRECT, "租住"), "maria")
    assert household.text.startswith("（4/4）请填写户名")
    actions = await community.send("maria", DIRECT, "王家")
    assert one_dm(actions, "maria").text == (
        "谢谢！您的申请（1 号）已提交给1号楼居民群的群管理员，审核后会私信通知您。"
    )
    request = one_dm(actions, "zhao")
    assert request.text == (
        "加入申请 1 号：maria 申请加入1号楼居民群。\n"
        "楼栋：1号楼\n"
        "房号：302\n"
        "自住/租住：租住\n"
        "户名：王家\n"
        "请点下方按钮批准或拒绝，或回复 /批准 1、/拒绝 1 原因。"
    )
    assert [b.label for b in request.buttons] == ["批准", "拒绝"]
    assert not [a for a in actions if isinstance(a, Send | ApproveJoin)]  # nothing in any group


async def test_a_room_the_building_lacks_is_refused_saying_which_it_has(
    community: Sandbox,
) -> None:
    await community.ask_to_join("maria", "building-1")
    await community.send("maria", DIRECT, "是")
    wrong = one_dm(await community.send("maria", DIRECT, "999"), "maria")
    assert wrong.text.startswith(
        "1号楼没有“999”这个房号。本楼的房号：101–106、201–206、301–306。\n（2/4）请问您的房号？"
    )
    right = one_dm(await community.send("maria", DIRECT, "1-305"), "maria")
    assert right.text.startswith("（3/4）您是自住还是租住？")


async def test_owner_or_tenant_by_button(community: Sandbox) -> None:
    await community.ask_to_join("maria", "building-1")
    await community.send("maria", DIRECT, "是")
    tenure = one_dm(await community.send("maria", DIRECT, "101"), "maria")
    actions = await community.press("maria", DIRECT, button(tenure, "自住"))
    assert isinstance(actions[0], AnswerButton)
    assert one_dm(actions, "maria").text.startswith("（4/4）请填写户名")
    again = await community.press("maria", DIRECT, button(tenure, "租住"), on=tenure)
    assert community.texts(again) == ["这个问题已经回答过或申请已结束。"]
    request = one_dm(await community.send("maria", DIRECT, "马家"), "zhao")
    assert "自住/租住：自住" in request.text


async def test_approve_by_button_lets_in_registers_the_household_and_logs(
    community: Sandbox,
) -> None:
    request = one_dm(await answer_all(community, "maria"), "zhao")
    actions = await community.press("zhao", DIRECT, button(request, "批准"), on=request)
    [approve] = [a for a in actions if isinstance(a, ApproveJoin)]
    assert (approve.chat, approve.user) == ("building-1", "maria")
    assert one_dm(actions, "maria").text == "您加入1号楼居民群的申请已通过，欢迎！"
    [edit] = [a for a in actions if isinstance(a, Edit)]
    assert edit.text.endswith("已批准 1 号申请：maria 加入1号楼居民群。") and not edit.buttons
    [log] = [a for a in actions if isinstance(a, Send)]
    assert log.chat == "prevention" and log.text == "赵网格批准了 1 号加入申请（1号楼居民群）。"
    maria = community.bot.directory.person("console", "maria")
    assert maria.known and maria.name == "王家"
    household = await call_offered(community.bot, "joining_household", person_id=maria.id)
    assert household == {"building": "1", "room": "302", "tenure": "owner", "household": "王家"}
    twice = await community.press("zhao", DIRECT, button(request, "批准"), on=request)
    assert community.texts(twice) == ["1 号加入申请已批准（赵网格），无需再次审批。"]


async def test_decline_by_command_with_a_reason_tells_the_applicant(community: Sandbox) -> None:
    await answer_all(community, "maria")
    actions = await community.send("zhao", DIRECT, "/拒绝 1 本群只接收1号楼住户")
    [decline] = [a for a in actions if isinstance(a, DeclineJoin)]
    assert (decline.chat, decline.user) == ("building-1", "maria")
    assert community.texts(actions)[0] == "已拒绝maria加入1号楼居民群的申请（1 号）。"
    assert one_dm(actions, "maria").text == (
        "抱歉，您加入1号楼居民群的申请未通过。原因：本群只接收1号楼住户"
    )
    [log] = [a for a in actions if isinstance(a, Send)]
    assert log.text == "赵网格拒绝了 1 号加入申请（1号楼居民群）。"
    assert community.bot.directory.person("console", "maria").known is False


async def test_approve_by_command_in_chinese(community: Sandbox) -> None:
    await answer_all(community, "maria")
    actions = await community.send("zhao", DIRECT, "/批准 #1")
    assert community.texts(actions)[0] == "已批准 1 号申请：maria 加入1号楼居民群。"
    assert [a.user for a in actions if isinstance(a, ApproveJoin)] == ["maria"]


async def test_an_approval_and_a_decline_at_the_same_moment_decide_once(
    community: Sandbox,
) -> None:
    await answer_all(community, "maria")
    await asyncio.gather(
        community.send("zhao", DIRECT, "/approve 1"),
        community.press("zhao", "building-1", "joining.decide|decline:1"),
    )
    performed = community.adapter.performed
    decided = [a for a in performed if isinstance(a, ApproveJoin | DeclineJoin)]
    assert len(decided) == 1
    told = [a.text for a in dms(performed, "maria") if "通过" in a.text]  # 已通过 / 未通过
    assert len(told) == 1
    [application] = await Application.all()
    assert application.status == ("approved" if isinstance(decided[0], ApproveJoin) else "declined")


async def test_only_the_groups_admins_may_decide(community: Sandbox) -> None:
    await answer_all(community, "maria")
    refused = "只有1号楼居民群的群管理员可以审批 1 号加入申请。"
    for who in ("chen", "wang", "maria", "stranger"):  # building 3's leader, a social worker…
        actions = await community.send(who, DIRECT, "/approve 1")
        assert community.texts(actions) == [refused], who
    request = await community.press("chen", DIRECT, "joining.decide|approve:1")
    assert community.texts(request) == [refused]
    assert community.texts(await community.send("zhao", DIRECT, "/approve")) == [
        "缺少申请编号。请这样写：/approve <申请编号>，编号见您收到的加入申请。"
    ]
    assert community.texts(await community.send("zhao", DIRECT, "/approve 7")) == [
        "没有编号为 7 的加入申请。"
    ]


async def test_a_second_member_of_a_household_is_flagged_to_the_admin(community: Sandbox) -> None:
    first = one_dm(await answer_all(community, "maria", room="302", tenure="自住"), "zhao")
    await community.press("zhao", DIRECT, button(first, "批准"), on=first)
    second = one_dm(await answer_all(community, "mario", room="302", tenure="租住"), "zhao")
    assert "⚠ 一户一人：1号楼302室已有住户在群中：王家（自住）。请核实后再决定。" in second.text
    other = one_dm(await answer_all(community, "lucia", room="303"), "zhao")
    assert "一户一人" not in other.text
    actions = await community.press("zhao", DIRECT, button(second, "批准"), on=second)
    assert [a.user for a in actions if isinstance(a, ApproveJoin)] == ["mario"]


async def test_staff_named_by_an_auto_approval_rule_join_at_once(community: Sandbox) -> None:
    actions = await community.ask_to_join("wang", "building-2")
    assert [(type(a), a.chat) for a in actions if not isinstance(a, Send)] == [
        (ApproveJoin, "building-2")
    ]
    [log] = [a for a in actions if isinstance(a, Send)]
    assert log.chat == "prevention" and log.text == "王芳 按自动批准规则加入2号楼居民群。"
    assert not dms(actions, "wang")
    # A building leader is no social or community worker: asked as anyone is.
    assert dms(await community.ask_to_join("chen", "building-1"), "chen")


async def test_households_lists_each_room_and_the_rooms_with_nobody(community: Sandbox) -> None:
    for who, room, tenure in (("maria", "302", "自住"), ("mario", "101", "租住")):
        request = one_dm(await answer_all(community, who, room=room, tenure=tenure), "zhao")
        await community.press("zhao", DIRECT, button(request, "批准"), on=request)
    actions = await community.send("zhao", "building-1", "/住户")
    assert community.texts(actions)[0] == "住户名单已私信发给您。"
    listing = one_dm(actions, "zhao").text
    assert listing.startswith(
        "1号楼住户（已入群 2 户）：\n101 租住 王家（王家）\n302 自住 王家（王家）\n"
        "尚无人入群的房间（16 间）：102、103、104、105、106、201、"
    )
    assert "302" not in listing.split("尚无人入群", 1)[1]
    assert not [a for a in actions if isinstance(a, Send) and "302" in a.text]
    private = community.texts(await community.send("zhang", DIRECT, "/households 2"))
    assert private == [
        "2号楼住户（已入群 0 户）：\n尚无住户入群。\n"
        "尚无人入群的房间（8 间）：101、102、103、104、201、202、203、204"
    ]
    refused = "住户名单只有本楼居民群的管理员（楼长、网格员等）和社区管理员可以查看。"
    assert community.texts(await community.send("chen", DIRECT, "/households 1")) == [refused]
    assert community.texts(await community.send("maria", "building-1", "/households")) == [refused]
    assert community.texts(await community.send("zhao", DIRECT, "/households 9")) == [
        "没有“9”这栋楼。楼栋：1号楼、2号楼、3号楼。请这样写：/households [楼栋]。"
    ]


async def test_a_restart_in_the_middle_of_the_dialog_loses_nothing(tmp_path: Path) -> None:
    async with Sandbox(db_url=f"sqlite://{tmp_path}/db.sqlite3") as s:
        await s.ask_to_join("maria", "building-1")
        await s.send("maria", DIRECT, "跳过")
        await s.send("maria", DIRECT, "205")
        await s.restart()
        tenure = one_dm(await s.send("maria", DIRECT, "自住"), "maria")
        assert tenure.text.startswith("（4/4）请填写户名")
        request = one_dm(await s.send("maria", DIRECT, "马家"), "zhao")
        assert "楼栋：1号楼（申请人未确认）\n房号：205\n自住/租住：自住\n户名：马家" in request.text
        await s.restart()
        actions = await s.press("zhao", DIRECT, button(request, "批准"))
        assert [a.user for a in actions if isinstance(a, ApproveJoin)] == ["maria"]
        await s.restart()  # the households are read again at start
        [listed] = s.texts(await s.send("zhao", DIRECT, "/households 1"))
        assert "\n205 自住 马家（马家）\n" in listed


async def test_an_applicant_the_network_will_not_write_to_goes_to_the_admins_unasked(
    community: Sandbox,
) -> None:
    community.adapter.unreachable.add("maria")
    actions = await community.ask_to_join("maria", "building-1", note="我住302")
    request = one_dm(actions, "zhao")
    assert request.text == (
        "加入申请 1 号：maria 申请加入1号楼居民群。\n"
        "附言：我住302\n"
        "未能私信询问申请人（对方网络不允许机器人主动私信），因此没有回答，请核实后再决定。\n"
        "请点下方按钮批准或拒绝，或回复 /批准 1、/拒绝 1 原因。"
    )
    decided = await community.press("zhao", DIRECT, button(request, "批准"), on=request)
    assert [a.user for a in decided if isinstance(a, ApproveJoin)] == ["maria"]


async def test_an_applicant_who_only_presses_buttons_reaches_the_admins_when_a_later_question_cannot(
    community: Sandbox,
) -> None:
    first = one_dm(await community.ask_to_join("maria", "building-1"), "maria")
    community.adapter.unreachable.add("maria")  # its minutes are up; a press opens no chat
    actions = await community.press("maria", DIRECT, button(first, "确认"), on=first)
    assert not dms(actions, "maria")
    request = one_dm(actions, "zhao")
    assert request.text == (
        "加入申请 1 号：maria 申请加入1号楼居民群。\n"
        "楼栋：1号楼\n"
        "未能私信继续询问申请人（对方网络不允许机器人主动私信），以上是已有的回答，请核实后再决定。\n"
        "请点下方按钮批准或拒绝，或回复 /批准 1、/拒绝 1 原因。"
    )
    decided = await community.press("zhao", DIRECT, button(request, "批准"), on=request)
    assert [a.user for a in decided if isinstance(a, ApproveJoin)] == ["maria"]


async def test_a_question_after_a_typed_answer_goes_to_the_admins_only_once_answered(
    community: Sandbox,
) -> None:
    await community.ask_to_join("maria", "building-1")
    community.adapter.unreachable.add("maria")  # written to, the bot may write back: none refuses
    assert not dms(await community.send("maria", DIRECT, "是"), "zhao")


async def test_other_kinds_ask_the_questions_of_the_settings(community: Sandbox) -> None:
    first = one_dm(await community.ask_to_join("lucia", "focus-1"), "lucia")
    assert "（1/2）请问是谁介绍您来的（社区、医院或亲友）？" in first.text and not first.buttons
    await community.send("lucia", DIRECT, "社区")
    actions = await community.send("lucia", DIRECT, "睡不着，很焦虑，电话13812345678")
    request = one_dm(actions, "wang")
    assert request.text.startswith(
        "加入申请 1 号：lucia 申请加入聚焦服务群。\n"
        "请问是谁介绍您来的（社区、医院或亲友）？：社区\n"
        "您最希望得到哪方面的帮助？：睡不着，很焦虑，电话***\n"
    )


async def test_cancel_withdraws_and_a_second_request_waits_its_turn(community: Sandbox) -> None:
    assert dms(await community.ask_to_join("maria", "building-1"), "maria")
    assert not dms(await community.ask_to_join("maria", "tenants-1"), "maria")
    actions = await community.send("maria", DIRECT, "/取消")
    [decline] = [a for a in actions if isinstance(a, DeclineJoin)]
    assert decline.chat == "building-1"
    [withdrawn, tenants] = dms(actions, "maria")
    assert withdrawn.text == "您加入1号楼居民群的申请（1 号）已撤回。"
    assert "您申请加入租户群" in tenants.text and "（1/4）请问您住在哪栋楼？" in tenants.text
    assert community.texts(await community.send("zhao", DIRECT, "/approve 1")) == [
        "1 号加入申请已由申请人撤回，无需审批。"
    ]


async def test_a_community_banned_person_is_declined_at_once(community: Sandbox) -> None:
    """Uses the sanctions plugin's ban list through its hook."""
    await community.send("maria", "building-1", "你好")
    await community.send("li", "building-1", "/ban @maria 刷广告")
    actions = await community.ask_to_join("maria", "building-2")
    assert [(type(a), a.chat) for a in actions if isinstance(a, DeclineJoin)] == [
        (DeclineJoin, "building-2")
    ]
    assert not dms(actions, "maria")
    [log] = [a for a in actions if isinstance(a, Send)]
    assert log.text == "maria 已被社区禁入，其加入2号楼居民群的申请已自动拒绝。"


async def test_a_dry_run_approves_nobody_by_itself_and_says_what_it_would_have_done() -> None:
    text = example_text().replace("  dry_run: []", "  dry_run: [joining]", 1)
    async with Sandbox.from_yaml(text) as s:
        actions = await s.ask_to_join("wang", "building-2")
        assert not [a for a in actions if isinstance(a, ApproveJoin)]
        [log] = [a for a in actions if isinstance(a, Send)]
        assert log.text == (
            "试运行：王芳 加入2号楼居民群的申请本会按自动批准规则通过；现交由群管理员审批。"
        )
        assert "（1/4）本群是2号楼的居民群" in one_dm(actions, "wang").text


async def test_export_and_erasure_cover_the_requests_and_households(community: Sandbox) -> None:
    request = one_dm(await answer_all(community, "maria"), "zhao")
    await community.press("zhao", DIRECT, button(request, "批准"), on=request)
    maria = community.bot.directory.person("console", "maria")
    bot = community.bot
    exported = await export(community.storage, community.community, bot.pm, maria.id)
    mine = exported["plugins"]["joining"]
    assert [(r["number"], r["group"], r["status"]) for r in mine["requests"]] == [
        (1, "building-1", "approved")
    ]
    assert mine["requests"][0]["answers"]["room"] == "302"
    assert [(h["building"], h["room"], h["tenure"]) for h in mine["households"]] == [
        ("1", "302", "owner")
    ]
    await erase(community.storage, community.community, bot.pm, maria.id)
    assert not await Application.exists() and not await Household.exists()


async def test_an_erased_resident_is_gone_from_the_households_at_once(community: Sandbox) -> None:
    request = one_dm(await answer_all(community, "maria"), "zhao")
    await community.press("zhao", DIRECT, button(request, "批准"), on=request)
    maria = community.bot.directory.person("console", "maria")
    await erase(community.storage, community.community, community.bot.pm, maria.id)
    assert await call_offered(community.bot, "joining_household", person_id=maria.id) is None
    [listing] = community.texts(await community.send("zhao", DIRECT, "/households 1"))
    assert listing.startswith("1号楼住户（已入群 0 户）：\n尚无住户入群。\n")
    assert "王家" not in listing


async def test_an_applicant_erased_mid_dialog_is_asked_afresh(community: Sandbox) -> None:
    await community.ask_to_join("maria", "building-1")
    maria = community.bot.directory.person("console", "maria")
    await erase(community.storage, community.community, community.bot.pm, maria.id)
    again = one_dm(await community.ask_to_join("maria", "building-1"), "maria")
    assert "（1/4）本群是1号楼的居民群" in again.text


async def test_the_room_is_sealed_at_rest(community: Sandbox) -> None:
    request = one_dm(await answer_all(community, "maria", room="305"), "zhao")
    await community.press("zhao", DIRECT, button(request, "批准"), on=request)
    connection = connections.get(next(iter(connections.db_config)))
    rows = await connection.execute_query_dict(
        'SELECT "room", "household" FROM "joining_household"'
    )
    values = [bytes(v) for r in rows for v in r.values()]
    assert values and not [v for v in values if b"305" in v or "王家".encode() in v]


async def test_help_lists_the_decisions_and_households_to_admins_only(community: Sandbox) -> None:
    [admin] = community.texts(await community.send("zhao", "building-1", "/help"))
    assert "批准加入申请：/批准 申请编号" in admin and "查看楼栋住户名单" in admin
    [member] = community.texts(await community.send("maria", "building-1", "/help"))
    assert "批准加入申请" not in member and "住户名单" not in member


async def test_a_decline_reason_goes_to_the_applicant_only(community: Sandbox) -> None:
    await answer_all(community, "maria")
    actions = await community.send("zhao", DIRECT, "/decline 1 您的电话13812345678不对")
    [decline] = [a for a in actions if isinstance(a, DeclineJoin)]
    assert decline.reason == ""  # a network may show it in the group's room
    assert "13812345678" in one_dm(actions, "maria").text
    assert not [a for a in actions if isinstance(a, Send) and "5678" in a.text]


async def test_a_group_without_a_building_asks_for_one_of_the_communitys(
    community: Sandbox,
) -> None:
    first = one_dm(await community.ask_to_join("maria", "tenants-1"), "maria")
    assert "（1/4）请问您住在哪栋楼？\n本社区的楼栋：1号楼、2号楼、3号楼。" in first.text
    wrong = one_dm(await community.send("maria", DIRECT, "9号楼"), "maria")
    assert wrong.text.startswith("没有“9号楼”这栋楼。本社区的楼栋：1号楼、2号楼、3号楼。")
    await community.send("maria", DIRECT, "3号楼")
    room = one_dm(await community.send("maria", DIRECT, "209"), "maria")
    assert room.text.startswith("3号楼没有“209”这个房号。本楼的房号：101–108、201–208。")
    await community.send("maria", DIRECT, "208")
    await community.send("maria", DIRECT, "tenant")
    request = one_dm(await community.send("maria", DIRECT, "马家"), "li")
    assert "楼栋：3号楼\n房号：208\n自住/租住：租住" in request.text


async def test_a_member_who_leaves_frees_their_room(community: Sandbox) -> None:
    request = one_dm(await answer_all(community, "maria", room="101"), "zhao")
    await community.press("zhao", DIRECT, button(request, "批准"), on=request)
    listed = community.texts(await community.send("zhao", DIRECT, "/households building-1"))
    assert "101 自住 王家（王家）" in listed[0]
    await community.leave("maria", "building-1")
    [after] = community.texts(await community.send("zhao", DIRECT, "/住户 １号楼"))
    assert after.startswith(
        "1号楼住户（已入群 0 户）：\n尚无住户入群。\n尚无人入群的房间（18 间）：101、"
    )
    maria = community.bot.directory.person("console", "maria")
    assert await call_offered(community.bot, "joining_household", person_id=maria.id) is None


async def test_an_applicant_whose_network_says_english_is_asked_in_english(
    community: Sandbox,
) -> None:
    """The request's language holds for the dialog, whose private messages may say none."""
    event = JoinRequest(
        network="console", chat="building-1", event_id="en-1", sender="amy", language="en"
    )
    first = one_dm(await community.deliver(event), "amy")
    assert first.text.startswith("Hello! You asked to join 1号楼居民群.")
    assert "(1/4) This is the residents' group of Building 1. Do you live in Building 1?" in (
        first.text
    )
    await community.send("amy", DIRECT, "yes")
    wrong = one_dm(await community.send("amy", DIRECT, "7"), "amy")
    assert wrong.text.startswith("Building 1 has no room “7”. This building's rooms: 101–106")
    await community.send("amy", DIRECT, "106")
    await community.send("amy", DIRECT, "tenant")
    actions = await community.send("amy", DIRECT, "the Smiths")
    assert one_dm(actions, "amy").text.startswith("Thank you! Your request (number 1) went to")
    assert "自住/租住：租住\n户名：the Smiths" in one_dm(actions, "zhao").text  # zhao reads Chinese
    decided = await community.send("zhao", DIRECT, "/decline 1")
    assert one_dm(decided, "amy").text == (
        "Sorry, your request to join 1号楼居民群 was declined. "
        "Ask the group's admins if you have questions."
    )


async def test_a_group_without_admins_or_questions_goes_to_the_communitys_admins() -> None:
    group = "  - {id: landlords, kind: landlord, name: 房东群}\n"
    text = example_text().replace("\npeople:\n", f"\n{group}\npeople:\n", 1)
    async with Sandbox.from_yaml(text) as s:
        actions = await s.ask_to_join("maria", "landlords", note="我是3号楼房东")
        assert one_dm(actions, "maria").text == (
            "谢谢！您的申请（1 号）已提交给房东群的群管理员，审核后会私信通知您。"
        )
        for admin in ("li", "zhang"):  # the community's admins: the group has none
            assert one_dm(actions, admin).text == (
                "加入申请 1 号：maria 申请加入房东群。\n附言：我是3号楼房东\n"
                "请点下方按钮批准或拒绝，或回复 /批准 1、/拒绝 1 原因。"
            )
        decided = await s.send("li", DIRECT, "/批准 1")
        assert [a.user for a in decided if isinstance(a, ApproveJoin)] == ["maria"]
        assert s.texts(await s.send("wang", DIRECT, "/批准 1")) == [
            "只有房东群的群管理员可以审批 1 号加入申请。"
        ]


async def test_an_approved_resident_is_told_the_nickname_of_their_household(
    community: Sandbox,
) -> None:
    """The nicknames plugin reads the household through the joining_household hook."""
    request = one_dm(await answer_all(community, "maria", room="302", tenure="租住"), "zhao")
    await community.press("zhao", DIRECT, button(request, "批准"), on=request)
    joined = await community.join("maria", "building-1", name="玛丽亚")
    assert [m.text for m in dms(joined, "maria")] == [
        "您在1号楼居民群的群昵称“玛丽亚”不符合本群的命名规范，请改为：1-302租住"
    ]


EXPIRED_TOLD = (
    "您有30分钟没有回答问题，加入1号楼居民群的申请（1 号）已按您目前的回答提交给群管理员，"
    "审核后会私信通知您。"
)


async def test_an_applicant_who_stops_answering_reaches_the_admins_after_the_answer_time(
    community: Sandbox,
) -> None:
    await community.ask_to_join("maria", "building-1")
    await community.advance(minutes=20)
    await community.send("maria", DIRECT, "是")  # each question has its own 30 minutes
    assert not dms(await community.advance(minutes=20), "zhao")
    await community.send("maria", DIRECT, "302")
    assert not dms(await community.advance(minutes=29), "zhao")
    actions = await community.advance(minutes=1)
    assert one_dm(actions, "maria").text == EXPIRED_TOLD
    assert one_dm(actions, "zhao").text == (
        "加入申请 1 号：maria 申请加入1号楼居民群。\n"
        "楼栋：1号楼\n"
        "房号：302\n"
        "申请人30分钟内没有回答其余问题，以上是已有的回答，请核实后再决定。\n"
        "请点下方按钮批准或拒绝，或回复 /批准 1、/拒绝 1 原因。"
    )
    assert not [a for a in actions if isinstance(a, Send | ApproveJoin | DeclineJoin)]
    late = await community.send("maria", DIRECT, "自住")  # the dialog is over: no question
    assert not [m for m in dms(late, "maria") if "（4/4）" in m.text] and not dms(late, "zhao")
    assert not await community.advance(hours=2)  # told once
    decided = await community.send("zhao", DIRECT, "/批准 1")
    assert [a.user for a in decided if isinstance(a, ApproveJoin)] == ["maria"]


async def test_an_applicant_who_never_answers_reaches_the_admins_without_answers(
    community: Sandbox,
) -> None:
    await community.ask_to_join("maria", "building-1", note="我住302")
    actions = await community.advance(minutes=30)
    assert one_dm(actions, "maria").text == EXPIRED_TOLD
    assert one_dm(actions, "zhao").text == (
        "加入申请 1 号：maria 申请加入1号楼居民群。\n"
        "附言：我住302\n"
        "申请人30分钟内没有回答问题，因此没有回答，请核实后再决定。\n"
        "请点下方按钮批准或拒绝，或回复 /批准 1、/拒绝 1 原因。"
    )


async def test_a_dialog_over_in_time_is_not_ended_again(community: Sandbox) -> None:
    await answer_all(community, "maria")
    await community.ask_to_join("mario", "building-1")
    await community.send("mario", DIRECT, "/取消")
    await community.ask_to_join("lucia", "building-1")
    await community.send("zhao", DIRECT, "/拒绝 3")  # decided before lucia answered
    assert not await Timer.filter(plugin="joining").exists()  # no answer awaited any more
    assert not await community.advance(hours=1)


async def test_the_next_waiting_request_is_asked_once_the_first_ran_out(
    community: Sandbox,
) -> None:
    await community.ask_to_join("maria", "building-1")
    await community.ask_to_join("maria", "tenants-1")
    [told, tenants] = dms(await community.advance(minutes=30), "maria")
    assert told.text == EXPIRED_TOLD
    assert "您申请加入租户群" in tenants.text and "（1/4）请问您住在哪栋楼？" in tenants.text
    later = await community.advance(minutes=30)  # the second has its own time
    assert one_dm(later, "maria").text.startswith(
        "您有30分钟没有回答问题，加入租户群的申请（2 号）"
    )


async def test_the_answer_time_holds_across_a_restart(tmp_path: Path) -> None:
    async with Sandbox(db_url=f"sqlite://{tmp_path}/db.sqlite3") as s:
        await s.ask_to_join("maria", "building-1")
        await s.send("maria", DIRECT, "跳过")
        await s.stop()
        s.clock.advance(minutes=45)  # due while the bot was stopped: it fires at start
        await s.start()
        await s.advance()
        request = one_dm(s.adapter.performed, "zhao")
        assert "楼栋：1号楼（申请人未确认）\n申请人30分钟内没有回答其余问题" in request.text
        assert one_dm(s.adapter.performed, "maria").text == EXPIRED_TOLD
        await s.restart()
        assert not await s.advance(hours=1)


async def test_the_answer_time_comes_from_the_settings_and_the_applicant_reads_their_language() -> (
    None
):
    text = example_text().replace("    answer_within: 30m", "    answer_within: 1h30m", 1)
    assert "answer_within: 1h30m" in text
    async with Sandbox.from_yaml(text) as s:
        event = JoinRequest(
            network="console", chat="building-1", event_id="en-1", sender="amy", language="en"
        )
        await s.deliver(event)
        await s.send("amy", DIRECT, "yes")
        assert not await s.advance(minutes=89)
        actions = await s.advance(minutes=1)
        assert one_dm(actions, "amy").text == (
            "You did not answer for 1 hour 30 minutes, so your request to join 1号楼居民群 "
            "(number 1) went to the admins with the answers you had given; you will be told "
            "privately what they decide."
        )
        request = one_dm(actions, "zhao")  # zhao reads Chinese
        assert "申请人1小时 30分钟内没有回答其余问题，以上是已有的回答" in request.text
