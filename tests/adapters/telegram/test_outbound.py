"""The outbound queue against the loopback server, which answers 429 whenever a limit is broken."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from sanshe.core.actions import Send
from tests.botapi import BotApiServer, Limits

from .conftest import BOT_ID, BUILDING, running, wait_for

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


def groups(server: BotApiServer, count: int, first: int = -2000) -> list[int]:
    """``count`` new groups the bot may post in."""
    chats = [first - n for n in range(count)]
    for chat in chats:
        server.add_chat(chat, f"Group {chat}")
        server.add_member(chat, BOT_ID)
    return chats


async def test_a_burst_keeps_within_every_limit(server: BotApiServer, tmp_path: Path) -> None:
    limits = {"global_per_second": 30, "per_group_per_minute": 5, "second": 0.1, "minute": 1.0}
    server.limits = Limits(**limits)
    many, busy = groups(server, 60), groups(server, 3, first=-3000)
    async with running(server, tmp_path, limits=limits) as world:
        burst = [Send(chat=str(chat), text="notice") for chat in many]
        burst += [Send(chat=str(chat), text=f"update {n}") for n in range(8) for chat in busy]
        burst += [Send(chat=str(BUILDING), text=f"reply {n}") for n in range(12)]
        await asyncio.wait_for(asyncio.gather(*map(world.adapter.perform, burst)), 30)
    assert server.stats.too_many_requests == 0
    assert len(server.sent) == len(burst)
    for chat in busy:
        assert [r.text for r in server.sent if r.chat_id == chat] == [
            f"update {n}" for n in range(8)
        ]


async def test_messages_held_up_on_the_way_never_reach_telegram_together(
    server: BotApiServer, tmp_path: Path
) -> None:
    """Telegram counts a message when it arrives.  Sends stalled on the way (held unanswered
    by the server, then let through at once, as after a network stall) must not add up to
    more than one window's worth."""
    limits = {"global_per_second": 4, "second": 0.2}
    server.limits = Limits(**limits)
    chats = groups(server, 10)
    async with running(server, tmp_path, limits=limits) as world:
        server.hold("sendMessage")
        notices = asyncio.gather(
            *(world.adapter.perform(Send(chat=str(c), text="notice")) for c in chats)
        )
        try:
            await wait_for(lambda: server.held_calls >= 4, "a window's worth of notices")
            await asyncio.sleep(1.0)  # 5 windows: time enough to send the other 6, were it allowed
        finally:
            server.release()
        await asyncio.wait_for(notices, 30)
    assert server.stats.too_many_requests == 0
    assert sorted(r.chat_id for r in server.sent) == sorted(chats)


async def test_urgent_messages_overtake_bulk_ones(server: BotApiServer, tmp_path: Path) -> None:
    limits = {"global_per_second": 5, "second": 0.5}
    server.limits = Limits(**limits)
    chats = groups(server, 20)
    async with running(server, tmp_path, limits=limits) as world:
        bulk = asyncio.gather(
            *(world.adapter.perform(Send(chat=str(c), text="bulk")) for c in chats)
        )
        await wait_for(lambda: len(server.sent) >= 3, "the first bulk messages")
        before = len(server.sent)
        await asyncio.wait_for(
            world.adapter.perform(Send(chat=str(BUILDING), text="ALERT", urgent=True)), 10
        )
        await asyncio.wait_for(bulk, 30)
    order = [r.text for r in server.sent]
    assert order.index("ALERT") <= before + 1 < len(order) - 1  # next free slot, not the last
    assert server.stats.too_many_requests == 0


async def test_a_429_pauses_its_chat_for_the_whole_retry_after(
    server: BotApiServer, tmp_path: Path
) -> None:
    """Told a wrong per-chat limit, the adapter meets 429s: each is honoured to the end, even
    while requests to other chats complete during the pause (PTB #5338)."""
    server.limits = Limits()  # Telegram's real windows: 1 message per second per chat
    others = groups(server, 10)
    async with running(server, tmp_path, limits={"per_chat_per_second": 100}) as world:
        perform = world.adapter.perform
        same_chat = [perform(Send(chat=str(BUILDING), text=f"part {n}")) for n in range(3)]
        elsewhere = [perform(Send(chat=str(chat), text="elsewhere")) for chat in others]
        await asyncio.wait_for(asyncio.gather(*same_chat, *elsewhere), 20)
    assert [r.text for r in server.sent if r.chat_id == BUILDING] == ["part 0", "part 1", "part 2"]
    assert len(server.sent) == 13
    assert server.refused  # part 1 follows part 0 well within Telegram's second
    for refusal in server.refused:  # and the chat's next attempt waited out retry_after
        attempts = [r.time for r in [*server.sent, *server.refused] if r.chat_id == refusal.chat_id]
        retried = min(t for t in attempts if t > refusal.time)
        assert retried >= refusal.time + refusal.retry_after
