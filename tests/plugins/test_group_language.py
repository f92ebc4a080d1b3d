"""What the bot posts for everybody in a group is in the group's language (the community's),
whoever's message set it off; what it tells the sender privately is in the sender's.

Gao Lin's language is English (``locale: en``); the example community's is zh_CN.
"""

from __future__ import annotations

from sanshe.core.actions import Action, DirectMessage, Reply, Send
from sanshe.testing import Sandbox


def posted(actions: list[Action], chat: str) -> list[str]:
    """What was posted in ``chat``, on its own or as a reply."""
    return [a.text for a in actions if isinstance(a, Send | Reply) and a.chat == chat]


def to(actions: list[Action], who: str) -> list[str]:
    return [a.text for a in actions if isinstance(a, DirectMessage) and a.user == who]


async def test_a_clarification_is_in_the_groups_language(community: Sandbox) -> None:
    actions = await community.send("gao", "building-1", "看看这个 https://rumour.top/x")
    assert posted(actions, "building-1") == [
        "刚才的消息含有非官方网站的链接，已删除。请只分享政府部门和官方媒体发布的信息。"
    ]


async def test_moving_to_private_tells_the_group_in_its_language_and_the_sender_in_theirs(
    community: Sandbox,
) -> None:
    actions = await community.send("gao", "building-1", "call 13812345678")
    assert posted(actions, "building-1") == ["为保护您的隐私，个人信息不在群内讨论，我已私聊您。"]
    [private] = to(actions, "gao")
    assert private.startswith("Your message in 1号楼居民群 held a phone number")


async def test_a_calm_answer_in_a_group_is_in_the_groups_language(community: Sandbox) -> None:
    actions = await community.send("gao", "building-1", "no one cares, 没人管我们")
    assert posted(actions, "building-1") == [
        "大家的担心我们都理解。社区工作人员一直在岗，有困难请私聊楼长或网格员，我们会尽力帮助。"
        "请不要传播恐慌情绪。"
    ]


async def test_a_rules_warning_tells_the_group_and_the_log_in_chinese_the_member_in_english(
    community: Sandbox,
) -> None:
    actions = await community.send("gao", "building-2", "内部消息：明天封楼")
    assert posted(actions, "building-2") == [
        "提醒Gao Lin：请只转发官方发布的信息，不实消息会被删除。（警告 1/3）"
    ]
    [note] = to(actions, "gao")
    assert "please share only official information" in note
    assert posted(actions, "prevention") == [
        "服务规则“no-rumours”在2号楼居民群警告了Gao Lin（1/3）：请只转发官方发布的信息，"
        "不实消息会被删除。"
    ]
