"""Casework end to end on the real Synapse (issue 13): a resident's request for help becomes a
case, and a crisis message in a resident group reaches the on-shift social worker privately.

Everyone is a real Matrix account; the bot runs in-process with the built-in plugins on a
manual clock at 09:00 in Shanghai, when the focus group's one shift of the day (08:00–20:00,
shift 1) is under way.  The community speaks Chinese: a resident group, Building 1, escalates
to the focus service group, whose admin is Wang, a social worker; Wang made both rooms.  The
resident is someone the bot does not know.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import nio
import pytest
import yaml

from sanshe.plugins.cases.models import Case
from sanshe.testing import ManualClock
from tests.synapse.clients import MatrixUserFactory
from tests.synapse.harness import Homeserver, RegisteredUser

from .accounts import Account
from .conftest import Running, body, bot_joined, create_room, join, running_bot, write_community

#: 09:00 in Shanghai: shift 1, the focus group's 08:00–20:00, is under way.
START = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FORMS = Path(__file__).resolve().parents[3] / "config" / "forms"
NAME = "玛丽亚"
ADDRESS = "1号楼3单元502室"
PHONE = "13812345678"
QUESTION = "我头疼发烧三天了，家里没有退烧药"
#: A crisis message: none of its words may be repeated anywhere.
CRISIS = "我不想活了，今晚就跳下去"
CRISIS_WORDS = ("不想活", "跳下去")


@dataclass
class World:
    """The running bot, the two rooms, and the clients of Wang and the resident."""

    running: Running
    bot: str
    wang: Account
    resident: Account
    building: str
    focus: str
    claimed: str
    """The bot's answer to Wang's ``/claim`` in the focus group."""


def community(building: str, focus: str, wang: str) -> dict[str, object]:
    """The community file's groups, people, forms and plugin settings."""
    return {
        "groups": [
            {
                "id": "building-1",
                "kind": "resident",
                "name": "1号楼居民群",
                "escalates_to": "focus-1",
                "chats": {"matrix": building},
            },
            {
                "id": "focus-1",
                "kind": "focus_service",
                "name": "聚焦服务群",
                "administered_by": ["social_worker"],
                "chats": {"matrix": focus},
            },
        ],
        "people": [
            {"id": "wang", "name": "王芳", "handles": {"matrix": wang}, "roles": ["social_worker"]}
        ],
        "forms": [str(FORMS / "3_help_request.yaml")],
        "plugins": {
            "shifts": {
                "templates": [
                    {
                        "groups": ["focus-1"],
                        "shifts": [
                            {"start": "08:00", "end": "20:00", "needs": {"social_worker": 1}}
                        ],
                    }
                ],
                "plan_days": 1,
            }
        },
    }


@pytest.fixture
async def world(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
) -> AsyncIterator[World]:
    """The bot serving both rooms, and Wang on shift in the focus group."""
    bot = bot_account.user_id
    wang = Account(await matrix_user("wang"), bot)
    resident = Account(await matrix_user("resident"), bot)
    # A name without digits: a random id's digit runs can be masked like a phone number.
    named = await resident.client.set_displayname(NAME)
    assert isinstance(named, nio.ProfileSetDisplayNameResponse), named
    building = await create_room(wang.client, [bot, resident.client.user_id], moderators=[bot])
    focus = await create_room(wang.client, [bot], moderators=[bot])
    await join(resident.client, building)
    config = write_community(tmp_path / "community.yaml", homeserver, bot_account)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data.update(community(building, focus, wang.client.user_id))
    data["community"].update(locale="zh_CN", timezone="Asia/Shanghai")
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    clock = ManualClock(START)
    async with running_bot(config, tmp_path / "bot.sqlite3", plugins=(), clock=clock) as running:
        await bot_joined(wang.client, building, bot)
        await bot_joined(wang.client, focus, bot)
        claimed = await wang.ask(focus, "/claim 1")
        assert claimed.startswith("您已认领"), claimed
        yield World(running, bot, wang, resident, building, focus, claimed)


async def private_room(account: Account, world: World) -> str:
    """The private room the bot opened with ``account`` (its invitation accepted)."""
    room = await account.invitation("the bot's private room", {world.building, world.focus})
    await join(account.client, room)
    account.private.add(room)
    return room


async def history(client: nio.AsyncClient, room: str) -> list[tuple[str, str]]:
    """Every message of ``room``'s timeline as ``client`` reads it: (sender, text), oldest first."""
    found = await client.room_messages(room, limit=500)
    assert isinstance(found, nio.RoomMessagesResponse), found
    messages = [e for e in found.chunk if isinstance(e, nio.RoomMessage)]
    return [(e.sender, body(e)) for e in reversed(messages)]


def everything_from_the_bot(world: World) -> list[str]:
    """Every message of the bot's that Wang's and the resident's clients received."""
    seen = world.wang.seen + world.resident.seen
    return [
        body(e) for _room, e in seen if e.sender == world.bot and isinstance(e, nio.RoomMessage)
    ]


async def test_a_residents_request_for_help_becomes_a_case_and_the_social_worker_is_told(
    world: World,
) -> None:
    resident, wang = world.resident, world.wang
    started = await resident.ask(world.building, "/求助")
    assert started == "我已私聊您，请在私聊中回答。群里不会出现任何内容。"
    private = await private_room(resident, world)
    first = await resident.from_bot(private, "the form's first question")
    assert "求助登记" in first and "（1/7）您的姓名" in first, first
    questions = [
        await resident.ask(private, answer) for answer in (NAME, "女", "45", ADDRESS, PHONE, "1")
    ]
    assert [q.split("\n")[0] for q in questions] == [
        "（2/7）性别",
        "（3/7）年龄",
        "（4/7）住址",
        "（5/7）联系电话",
        "（6/7）咨询类别",
        "（7/7）您想咨询或需要帮助的问题",
    ]
    summary = await resident.ask(private, QUESTION)
    assert summary.startswith("谢谢！“求助登记”已保存："), summary
    assert "138****5678" in summary and PHONE not in summary
    opened = await resident.from_bot(private, "the case's number", lambda e: "号个案" in body(e))
    assert opened == (
        "谢谢您。您的求助已登记为 1 号个案。当班社工会私聊联系您，您不需要在群里重复任何信息。"
        "如情况紧急请立即拨打 120。"
    )

    # Wang, on shift in the focus group, is told privately: the number and the category only.
    desk = await private_room(wang, world)
    told = await wang.from_bot(desk, "the notice of the new case")
    assert told == "新的求助：聚焦服务群收到 1 号个案（医疗）。请私聊发送 /个案 1 查看。"
    case = await Case.get(number=1)
    assert (case.source, case.category, case.origin, case.status) == (
        "request",
        "medical",
        "building-1",
        "open",
    )

    # In the groups the bot said only that it wrote privately; no answer is there.
    building = await history(wang.client, world.building)
    focus = await history(wang.client, world.focus)
    assert [text for sender, text in building if sender == world.bot] == [started]
    assert [text for sender, text in focus if sender == world.bot] == [world.claimed]
    for detail in (ADDRESS, PHONE, QUESTION, "5678", "发烧"):
        assert not any(detail in text for _sender, text in building + focus), detail


async def test_a_crisis_in_the_resident_group_alerts_the_on_shift_social_worker_privately(
    world: World,
) -> None:
    resident, wang = world.resident, world.wang
    posted = await resident.client.room_send(
        world.building, "m.room.message", {"msgtype": "m.text", "body": CRISIS}
    )
    assert isinstance(posted, nio.RoomSendResponse), posted

    # Wang's client gets the urgent alert in a private room: who, where, the kind, the case.
    desk = await private_room(wang, world)
    alert = await wang.from_bot(desk, "the crisis alert")
    assert alert == (
        f"【紧急·危机提醒】{NAME}（1号楼居民群，09:00）可能处于危险之中：自杀计划或手段。"
        "请立即私下联系。原话不在此转述。\n"
        "个案：/个案 1\n"
        "由您接手请回复：/收到 1"
    )
    # The resident is cared for privately, with the emergency numbers.
    private = await private_room(resident, world)
    care = await resident.from_bot(private, "the caring reply")
    assert care == (
        "我们看到了您的消息，很关心您现在的情况。您不是一个人，工作人员已经收到通知，"
        "马上会私下联系您。\n"
        "情况危急请立即拨打 120（急救）或 110（报警）。"
        "心理援助热线：12356（全国统一，24小时），希望24热线 400-161-9995。\n"
        "如果您身边有人，请告诉他们您现在的感受，并请他们陪着您。"
    )
    case = await Case.get(number=1)
    assert (case.source, case.category, case.origin) == ("crisis", "psychological", "building-1")

    # Wang takes it from the private room; the resident is told someone is coming.
    taken = await wang.ask(desk, "/收到 1")
    assert taken == f"已确认：第 1 号个案由您接手，提醒不再转给其他人。请马上联系{NAME}。"
    reassured = await resident.from_bot(private, "the word that staff took it")
    assert reassured == "工作人员已经收到您的消息，会尽快私下联系您。请坚持一下，您不是一个人。"

    # Nothing the bot wrote repeats the message; in the groups it said nothing at all of it.
    building = await history(resident.client, world.building)
    focus = await history(wang.client, world.focus)
    assert [sender for sender, text in building if text == CRISIS] == [resident.client.user_id]
    assert [text for sender, text in building if sender == world.bot] == []
    assert [text for sender, text in focus if sender == world.bot] == [world.claimed]
    said = everything_from_the_bot(world)
    assert said and not [text for text in said if any(word in text for word in CRISIS_WORDS)]


async def test_a_private_chat_staff_open_with_the_bot_is_where_it_writes_to_them(
    world: World,
) -> None:
    """A direct chat Wang starts (``is_direct``) is private: private commands work there, and
    the bot's alerts to Wang come into it, not into a room of its own."""
    wang = world.wang
    created = await wang.client.room_create(invite=[world.bot], is_direct=True)
    assert isinstance(created, nio.RoomCreateResponse), created
    desk = created.room_id
    await bot_joined(wang.client, desk, world.bot)
    wang.private.add(desk)
    assert await wang.ask(desk, "/个案列表") == "没有您可查看的未结个案。"
    posted = await world.resident.client.room_send(
        world.building, "m.room.message", {"msgtype": "m.text", "body": CRISIS}
    )
    assert isinstance(posted, nio.RoomSendResponse), posted
    alert = await wang.from_bot(desk, "the crisis alert", lambda e: "危机提醒" in body(e))
    assert alert.startswith("【紧急·危机提醒】") and alert.endswith("由您接手请回复：/收到 1")
    assert [r for r in wang.invited if r not in {world.building, world.focus}] == []
