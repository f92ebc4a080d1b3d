"""The privacy guard through the example community's rules: what the author, the group, the
group's admins and the moderation log each see when personal data is posted in a group."""

from __future__ import annotations

import re

from sanshe.core.actions import Action, Delete, DirectMessage, Reply, Send
from sanshe.core.events import Message
from sanshe.testing import NETWORK, Sandbox
from tests.conftest import example_text

GROUP_NOTE = "为保护您的隐私，个人信息不在群内讨论，我已私聊您。"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _assert_nowhere(actions: list[Action], *data: str) -> None:
    """None of ``data`` is in any text of ``actions``, not even with its spaces taken out."""
    for text in Sandbox.texts(actions):
        for value in data:
            assert value not in text and _digits(value) not in _digits(text), text


async def test_phone_and_id_numbers_in_a_resident_group(community: Sandbox) -> None:
    text = "我家电话138 1234 5678，身份证110101199003074573"
    actions = await community.send("maria", "building-1", text)
    assert [type(a) for a in actions] == [Delete, Reply, DirectMessage, Send, DirectMessage]
    delete, note, private, log, alert = actions
    assert isinstance(delete, Delete) and delete.chat == "building-1"
    assert isinstance(note, Reply) and note.chat == "building-1" and note.text == GROUP_NOTE
    assert isinstance(private, DirectMessage) and private.user == "maria"
    assert private.text == (
        "您在1号楼居民群发的消息含有电话号码、身份证号，为保护您的隐私，已将其删除，"
        "群里其他人看不到。有需要请直接在这里私聊告诉我们，工作人员会跟进。"
    )
    assert isinstance(log, Send) and log.chat == "prevention"
    assert log.text == (
        "1号楼居民群中，maria发的消息含有电话号码、身份证号，已转为私聊沟通（内容不在此转述）。"
    )
    assert isinstance(alert, DirectMessage) and alert.user == "zhao"
    assert alert.text == (
        "1号楼居民群中，maria触发了服务规则“群内出现电话、身份证号或银行卡号会被删除，并转为私聊”"
        "（电话号码、身份证号）。消息已删除，并已私聊提醒发送者。"
    )
    _assert_nowhere(actions, "13812345678", "110101199003074573")
    [entry] = await community.audit(action="privacy")
    assert entry.detail == "moderation.log.private"


async def test_a_card_number_is_named_as_such_in_the_authors_language(community: Sandbox) -> None:
    actions = await community.send("gao", "building-1", "my card: 6222-0213-8123-4561")
    [private] = [a for a in actions if isinstance(a, DirectMessage) and a.user == "gao"]
    assert private.text.startswith("Your message in 1号楼居民群 held a bank card number;")
    assert "in this private chat" in private.text
    [alert] = [a for a in actions if isinstance(a, DirectMessage) and a.user == "zhao"]
    assert "（银行卡号）" in alert.text and "Gao Lin" in alert.text
    _assert_nowhere(actions, "6222021381234561")


async def test_an_exact_address_in_a_consultation_group(community: Sandbox) -> None:
    actions = await community.send("maria", "focus-1", "我住在5栋2单元302，药送到这里")
    assert [type(a) for a in actions] == [Delete, Reply, DirectMessage, Send, DirectMessage]
    private, alert = (a for a in actions if isinstance(a, DirectMessage))
    assert private.user == "maria" and "含有详细住址" in private.text
    assert alert.user == "wang" and "（详细住址）" in alert.text
    assert "咨询群内出现" in alert.text
    _assert_nowhere(actions, "5栋2单元302")
    assert not any("302" in t for t in community.texts(actions))


async def test_full_width_digits_in_a_consultation_group(community: Sandbox) -> None:
    actions = await community.send("maria", "key-1", "电话：１３８－１２３４－５６７８")
    assert Delete in [type(a) for a in actions]
    [private] = [a for a in actions if isinstance(a, DirectMessage) and a.user == "maria"]
    assert "含有电话号码" in private.text
    _assert_nowhere(actions, "13812345678")


async def test_what_is_not_personal_data_or_not_here_stays(community: Sandbox) -> None:
    # A room in a resident group is how neighbours speak; an order number is no ID number.
    assert await community.send("maria", "building-1", "我住5栋2单元302") == []
    assert await community.send("maria", "building-1", "订单号 202612021234567890 已签收") == []
    assert await community.send("maria", "focus-1", "请1号楼的居民下楼做核酸") == []


async def test_a_name_holding_a_phone_number_is_masked_for_the_admins(community: Sandbox) -> None:
    event = Message(
        network=NETWORK,
        chat="building-2",
        event_id="privacy-name-1",
        sender="stranger",
        sender_name="13812345678",
        text="身份证110101199003074573",
        message_id="1",
    )
    actions = await community.deliver(event)
    [alert] = [a for a in actions if isinstance(a, DirectMessage) and a.user != "stranger"]
    assert alert.text.startswith("2号楼居民群中，***触发了服务规则")
    _assert_nowhere(actions, "13812345678", "110101199003074573")


async def test_the_rules_say_what_each_group_guards(community: Sandbox) -> None:
    [resident] = community.texts(await community.send("maria", "building-1", "/rules"))
    assert "群内出现电话、身份证号或银行卡号会被删除，并转为私聊" in resident
    assert "详细住址" not in resident
    [focus] = community.texts(await community.send("maria", "focus-1", "/rules"))
    assert "咨询群内出现电话、身份证号、银行卡号或详细住址（门牌号、楼栋单元房号）会被删除" in focus


async def test_a_rule_that_keeps_the_message_does_not_say_it_was_deleted() -> None:
    rule = "      personal_data: [phone, id_number, bank_card]\n    do:\n      - delete\n"
    text = example_text()
    assert rule in text
    async with Sandbox.from_yaml(text.replace(rule, rule.removesuffix("      - delete\n"))) as s:
        actions = await s.send("maria", "building-1", "电话13812345678")
        assert Delete not in [type(a) for a in actions]
        [private] = [a for a in actions if isinstance(a, DirectMessage) and a.user == "maria"]
        assert private.text == (
            "您在1号楼居民群发的消息含有电话号码。为保护您的隐私，个人信息请不要发在群里。"
            "有需要请直接在这里私聊告诉我们，工作人员会跟进。"
        )
