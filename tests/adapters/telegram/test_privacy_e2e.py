"""The privacy guard on Telegram end to end (issue 12 item 5): python-telegram-bot against the
loopback Bot API server, with the example community's privacy rules.

A card number or a shared contact card in a resident group and an address in a consultation
group are deleted; the author is told privately which kind of personal data it was, the
group's admin is told that it happened, the moderation log group gets a line; no request the
bot makes to Telegram carries the data.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sanshe.core.i18n import Translator
from tests.botapi import BotApiServer

from .conftest import BUILDING, FOCUS, RESIDENT, VOLUNTEERS, WANG, World, running, wait_for

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

COMMUNITY = """
community: {id: sunshine, name: 阳光社区, locale: zh_CN, moderation_log: volunteers}
groups:
  - {id: building-1, kind: resident, name: 1号楼居民群, administered_by: [social_worker],
     chats: {telegram: "-1001"}}
  - {id: focus-1, kind: focus_service, name: 聚焦服务群, administered_by: [social_worker],
     chats: {telegram: "-1002"}}
  - {id: volunteers, kind: volunteer_pool, name: 志愿服务总群, administered_by: [social_worker],
     chats: {telegram: "-1003"}}
people:
  - {id: wang, name: 王芳, handles: {telegram: 21}, roles: [social_worker]}
rules:
  - id: ping
    when: {keywords: [ping]}
    do: [{reply: pong}]
  - id: private-data-stays-private
    description: {zh_CN: 群内出现电话、身份证号或银行卡号会被删除，并转为私聊}
    where: {kinds: [resident]}
    when:
      personal_data: [phone, id_number, bank_card]
    do:
      - delete
      - move_to_private
      - tell_admins: {zh_CN: 消息已删除，并已私聊提醒发送者。}
  - id: consultations-stay-private
    description: {zh_CN: 咨询群内出现个人信息或详细住址会被删除，并转为私聊}
    where: {kinds: [focus_service]}
    when:
      personal_data: [phone, id_number, bank_card, address]
    do:
      - delete
      - move_to_private
      - tell_admins: {zh_CN: 消息已删除，并已私聊提醒发送者。}
"""
CARD = "6222 0213 8123 4561"
ADDRESS = "7栋3单元1502"


def text(world: World, key: str, **values: object) -> str:
    return Translator(world.bot.catalogue, "zh_CN")(key, **values)


def carried(server: BotApiServer, *data: str) -> list[str]:
    """The requests the bot made to Telegram that hold any of ``data``, also with the spaces
    and dashes taken out of both."""
    found = []
    for method, params in server.calls:
        sent = json.dumps(params, ensure_ascii=False)
        bare = re.sub(r"[\s\-]", "", sent)
        if any(d in sent or re.sub(r"[\s\-]", "", d) in bare for d in data):
            found.append(method)
    return found


@pytest.fixture
async def world(server: BotApiServer, tmp_path: Path) -> AsyncIterator[World]:
    server.add_member(FOCUS, RESIDENT)
    for user in (RESIDENT, WANG):
        server.user_starts_bot(user)  # both may be written to privately
    async with running(server, tmp_path, COMMUNITY) as w:
        await w.said(WANG, 1, "the welcome to the admin")
        await w.said(RESIDENT, 1, "the welcome to the resident")
        yield w


async def test_a_card_number_in_a_resident_group(world: World) -> None:
    server = world.server
    posted = server.inject_message(BUILDING, RESIDENT, f"退款请打到我的卡 {CARD}")["message"]
    await wait_for(lambda: (BUILDING, posted["message_id"]) not in server.messages, "the delete")
    [note] = await world.said(BUILDING, 1, "the note in the group")
    assert note == text(world, "moderation.private.group")
    private = await world.said(RESIDENT, 2, "the private note")
    assert private[1] == (
        "您在1号楼居民群发的消息含有银行卡号，为保护您的隐私，已将其删除，群里其他人看不到。"
        "有需要请直接在这里私聊告诉我们，工作人员会跟进。"
    )
    told = await world.said(WANG, 2, "the admin told")
    assert told[1] == (
        "1号楼居民群中，Li Lei触发了服务规则“群内出现电话、身份证号或银行卡号会被删除，"
        "并转为私聊”（银行卡号）。消息已删除，并已私聊提醒发送者。"
    )
    [logged] = await world.said(VOLUNTEERS, 1, "the moderation log")
    assert logged == "1号楼居民群中，Li Lei发的消息含有银行卡号，已转为私聊沟通（内容不在此转述）。"
    assert carried(server, CARD) == []


async def test_an_address_in_a_consultation_group(world: World) -> None:
    server = world.server
    posted = server.inject_message(FOCUS, RESIDENT, f"药请送到{ADDRESS}，谢谢")["message"]
    await wait_for(lambda: (FOCUS, posted["message_id"]) not in server.messages, "the delete")
    private = await world.said(RESIDENT, 2, "the private note")
    assert private[1].startswith("您在聚焦服务群发的消息含有详细住址，为保护您的隐私，已将其删除")
    told = await world.said(WANG, 2, "the admin told")
    assert told[1].startswith("聚焦服务群中，Li Lei触发了服务规则") and "（详细住址）" in told[1]
    [logged] = await world.said(VOLUNTEERS, 1, "the moderation log")
    assert "含有详细住址" in logged
    assert carried(server, ADDRESS) == []


async def test_an_address_in_a_resident_group_stays(world: World) -> None:
    server = world.server
    server.inject_message(BUILDING, RESIDENT, f"我住{ADDRESS}，有需要的邻居可以来拿菜")
    server.inject_message(BUILDING, RESIDENT, "ping")
    assert await world.said(BUILDING, 1, "the answer to ping") == ["pong"]
    assert not server.calls_to("deleteMessage")


async def test_a_contact_card_in_a_resident_group(world: World) -> None:
    server = world.server
    posted = server.inject_contact(BUILDING, RESIDENT, "8613812345678", "李雷")["message"]
    await wait_for(lambda: (BUILDING, posted["message_id"]) not in server.messages, "the delete")
    [note] = await world.said(BUILDING, 1, "the note in the group")
    assert note == text(world, "moderation.private.group")
    private = await world.said(RESIDENT, 2, "the private note")
    assert private[1].startswith("您在1号楼居民群发的消息含有电话号码，为保护您的隐私，已将其删除")
    told = await world.said(WANG, 2, "the admin told")
    assert told[1].startswith("1号楼居民群中，Li Lei触发了服务规则") and "（电话号码）" in told[1]
    [logged] = await world.said(VOLUNTEERS, 1, "the moderation log")
    assert logged == "1号楼居民群中，Li Lei发的消息含有电话号码，已转为私聊沟通（内容不在此转述）。"
    assert carried(server, "13812345678") == []
