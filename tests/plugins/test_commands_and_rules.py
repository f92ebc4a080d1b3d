"""The example's service rules and commands to the bot: a command is not what the flood rule
and the off-shift reminder watch (``command: false``), but a slash before any word is no way
around them: only a command of the bot's (listed or not) that the sender may use here is one.
The content rules watch commands too: a rumour after /whoami stays in the group as any text."""

from __future__ import annotations

from sanshe.core.actions import Action, Delete, Restrict, Send
from sanshe.testing import Sandbox


def mutes(actions: list[Action]) -> list[tuple[str, str]]:
    return [(a.chat, a.user) for a in actions if isinstance(a, Restrict)]


def in_group(actions: list[Action], chat: str) -> list[str]:
    return [a.text for a in actions if isinstance(a, Send) and a.chat == chat]


async def report(s: Sandbox, reason: str) -> list[Action]:
    """Maria reports a message of a stranger in building 2 with ``reason``."""
    return await s.send(
        "maria", "building-2", f"/举报 {reason}", reply_to="7", reply_to_sender="stranger"
    )


async def test_commands_do_not_count_towards_a_flood(community: Sandbox) -> None:
    for _ in range(5):
        assert mutes(await community.send("maria", "building-1", "/rules")) == []
    for n in range(4):
        assert mutes(await community.send("maria", "building-1", f"第{n + 1}条")) == []
    assert mutes(await community.send("maria", "building-1", "第5条")) == [("building-1", "maria")]


async def test_a_slash_before_any_word_still_counts_towards_a_flood(community: Sandbox) -> None:
    for n in range(4):
        assert mutes(await community.send("maria", "building-1", f"/刷屏{n}")) == []
    assert mutes(await community.send("maria", "building-1", "/刷屏")) == [("building-1", "maria")]


async def test_a_rumour_behind_a_slash_is_still_deleted_and_warned(community: Sandbox) -> None:
    actions = await community.send("maria", "building-2", "/转发给所有人 内部消息：明天封楼")
    assert [type(a) for a in actions][:2] == [Delete, Send]
    assert in_group(actions, "building-2") == [
        "提醒maria：请只转发官方发布的信息，不实消息会被删除。（警告 1/3）"
    ]


async def test_personal_data_in_a_command_is_still_taken_out_of_the_group(
    community: Sandbox,
) -> None:
    actions = await report(community, "他把我电话13812345678发出来了")
    assert [type(a) for a in actions][0] is Delete
    assert "为保护您的隐私" in " ".join(community.texts(actions))


async def test_an_unlisted_command_is_a_command_too(community: Sandbox) -> None:
    """/cancel is not in /help's list, yet it is one of the bot's: five of them flood nothing."""
    for _ in range(5):
        assert mutes(await community.send("maria", "building-1", "/cancel")) == []
