"""The moderation plugin through the example community's rules."""

from __future__ import annotations

from sanshe.core.actions import Delete, DirectMessage, Send
from sanshe.core.events import Message
from sanshe.testing import NETWORK, Sandbox
from tests.conftest import example_text


async def test_rumours_from_residents_but_not_from_staff(community: Sandbox) -> None:
    resident = await community.send("maria", "building-2", "内部消息：明天封楼")
    assert [type(a) for a in resident][:2] == [Delete, Send]
    # The warned member's private note (the warnings plugin), then the admin's alert.
    assert [a.user for a in resident if isinstance(a, DirectMessage)] == ["maria", "zhao"]
    assert await community.send("zhang", "building-2", "内部消息已核实，以官方通知为准") == []


async def test_urgent_words_reach_the_on_shift_social_worker_privately(community: Sandbox) -> None:
    """The crisis plugin answers them (the example has no rule of its own for them)."""
    actions = await community.send("maria", "focus-1", "我觉得呼吸困难")
    assert [(a.user, a.urgent) for a in actions if isinstance(a, DirectMessage)] == [
        ("maria", True),
        ("li", True),
    ]
    caring, alert = community.texts(actions)
    assert "120" in caring and "医疗紧急情况" in alert and "呼吸困难" not in alert
    assert [a for a in actions if not isinstance(a, DirectMessage)] == []


async def test_rules_in_words_for_a_resident_group(community: Sandbox) -> None:
    [text] = community.texts(await community.send("maria", "building-1", "/rules"))
    assert text.startswith("1号楼居民群的服务规则：")
    assert "非权威来源的疫情消息" in text and "群内出现电话、身份证号或银行卡号会被删除" in text


async def test_an_alert_names_the_rule_and_the_kind_of_content(community: Sandbox) -> None:
    actions = await community.send("maria", "building-2", "内部消息：明天封楼")
    [alert] = [a for a in actions if isinstance(a, DirectMessage) and a.user == "zhao"]
    assert alert.text == (
        "2号楼居民群中，maria触发了服务规则“非权威来源的疫情消息、偏方会被删除并警告发送者”"
        "（关键词“内部消息”）。请查看并跟进。"
    )


async def test_a_warning_quotes_a_display_name_only_as_an_excerpt(community: Sandbox) -> None:
    name = "\u202e13812345678 的家" + "长" * 40
    event = Message(
        network=NETWORK,
        chat="building-2",
        event_id="warned-1",
        sender="stranger",
        sender_name=name,
        text="转发给所有人：内部消息",
        message_id="1",
    )
    actions = await community.deliver(event)
    [warning] = [a.text for a in actions if isinstance(a, Send) and a.chat == "building-2"]
    assert warning.startswith("提醒*** 的家长长长")
    assert not any("5678" in t or "\u202e" in t for t in community.texts(actions))
    assert "\u202e" not in warning and "长" * 20 not in warning and "5678" not in warning


async def test_an_alert_about_a_join_request_does_not_call_it_a_message() -> None:
    text = example_text()
    rule = """  - id: joins-need-a-look
    "on": join_request
    where: {groups: [key-1]}
    do: [tell_admins]
"""
    async with Sandbox.from_yaml(text.replace("\nforms:\n", f"\n{rule}\nforms:\n", 1)) as s:
        texts = s.texts(await s.ask_to_join("stranger", "key-1"))  # the joining plugin's too
        [alert] = [t for t in texts if "触发了服务规则" in t]
        assert (
            alert
            == "重点陪助群中，stranger触发了服务规则“joins-need-a-look”（符合规则条件）。请查看并跟进。"
        )
