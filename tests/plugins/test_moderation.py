"""The moderation plugin through the example community's rules."""

from __future__ import annotations

from sanshe.core.actions import Delete, DirectMessage, Reply, Send
from sanshe.plugins.moderation import DETECTORS
from sanshe.testing import Sandbox


def test_detectors() -> None:
    assert DETECTORS["phone"]("电话 138-1234-5678 谢谢")
    assert DETECTORS["phone"]("+86 13812345678")
    assert not DETECTORS["phone"]("订单号 2381234567890")
    assert DETECTORS["id_number"]("身份证110101199003074573")
    assert not DETECTORS["id_number"]("编号110101199003074578")  # wrong check digit: not an ID


async def test_personal_data_is_deleted_and_moved_to_private(community: Sandbox) -> None:
    actions = await community.send(
        "maria", "building-1", "我家电话13812345678，身份证110101199003074573"
    )
    assert [type(a) for a in actions] == [Delete, Reply, DirectMessage]
    assert not any(
        "13812345678" in t or "110101199003074573" in t for t in community.texts(actions)
    )
    assert actions[2].user == "maria" and actions[2].fallback_chat == "building-1"


async def test_rumours_from_residents_but_not_from_staff(community: Sandbox) -> None:
    resident = await community.send("maria", "building-2", "内部消息：明天封楼")
    assert [type(a) for a in resident] == [Delete, Send, DirectMessage]
    assert resident[2].user == "zhao"
    assert await community.send("zhang", "building-2", "内部消息已核实，以官方通知为准") == []


async def test_urgent_words_alert_admins_and_answer(community: Sandbox) -> None:
    actions = await community.send("maria", "focus-1", "我觉得呼吸困难")
    alerted = [a.user for a in actions if isinstance(a, DirectMessage)]
    assert alerted == ["wang"]
    assert "120" in community.texts(actions)[-1]


async def test_rules_in_words_for_a_resident_group(community: Sandbox) -> None:
    [text] = community.texts(await community.send("maria", "building-1", "/rules"))
    assert text.startswith("1号楼居民群的服务规则：")
    assert "非权威来源的疫情消息" in text and "群内出现电话或身份证号会被删除" in text
