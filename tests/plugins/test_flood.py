"""Flood control: the example's rule ``flood: {messages: 5, within: 10s}`` with ``mute: 10m``,
counted per sender per chat on the test kit's clock; and the rule in dry run."""

from __future__ import annotations

from sanshe.core.actions import Action, Restrict, Send
from sanshe.testing import Sandbox
from tests.conftest import example_text


def mutes(actions: list[Action]) -> list[tuple[str, str, int]]:
    return [(a.chat, a.user, a.minutes) for a in actions if isinstance(a, Restrict)]


async def burst(community: Sandbox, who: str, where: str, count: int) -> list[Action]:
    """``count`` messages of ``who`` in ``where`` at one moment; the actions of the last."""
    actions: list[Action] = []
    for n in range(count):
        actions = await community.send(who, where, f"第{n + 1}条")
    return actions


async def test_the_fifth_message_within_ten_seconds_mutes_for_ten_minutes(
    community: Sandbox,
) -> None:
    for n in range(4):
        assert mutes(await community.send("maria", "building-1", f"第{n + 1}条")) == []
    assert mutes(await community.send("maria", "building-1", "第5条")) == [
        ("building-1", "maria", 10)
    ]
    # Counted again from there: the sixth message is no second flood.
    assert mutes(await community.send("maria", "building-1", "第6条")) == []


async def test_messages_spread_out_are_no_flood(community: Sandbox) -> None:
    await burst(community, "maria", "building-1", 3)
    await community.advance(seconds=11)
    assert mutes(await burst(community, "maria", "building-1", 4)) == []
    await community.advance(seconds=3)
    assert mutes(await community.send("maria", "building-1", "再来一条")) == [
        ("building-1", "maria", 10)
    ]


async def test_each_sender_and_each_chat_is_counted_apart(community: Sandbox) -> None:
    await burst(community, "maria", "building-1", 3)
    assert mutes(await burst(community, "maria", "building-2", 2)) == []
    assert mutes(await burst(community, "ann", "building-1", 4)) == []
    assert mutes(await burst(community, "maria", "building-1", 2)) == [("building-1", "maria", 10)]


async def test_staff_posting_notices_in_a_row_are_not_muted(community: Sandbox) -> None:
    assert mutes(await burst(community, "zhang", "building-1", 8)) == []


async def test_a_flood_rule_in_dry_run_mutes_nobody_and_tells_the_moderation_log() -> None:
    text = example_text().replace("  - id: flood\n", "  - id: flood\n    dry_run: true\n", 1)
    async with Sandbox.from_yaml(text) as s:
        actions = await burst(s, "maria", "building-1", 5)
        assert mutes(actions) == []
        assert s.texts(actions) == [
            "试运行：1号楼居民群中，规则“10秒内连发5条消息视为刷屏，禁言10分钟”本会对maria的消息执行："
            "禁言发送者10分钟（到时自动解除）。"
        ]
        assert [a.chat for a in actions if isinstance(a, Send)] == ["prevention"]
