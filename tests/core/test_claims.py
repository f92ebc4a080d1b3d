"""Claims: events of different chats that claim one subject are decided one after the other, each
reading what the one before wrote; events of one chat never wait for each other."""

from __future__ import annotations

import asyncio

import pytest

from sanshe.core import audit
from sanshe.core.actions import Action
from sanshe.core.claims import Claims
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.storage import Storage
from sanshe.core.storage.writes import Writes
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE

#: The example's people, each writing from their own private chat.
PEOPLE = ["wang", "li", "zhao", "he", "xu", "gao"]


async def look(ctx: Context) -> Action:
    """``/look``: claims the queue and writes nothing."""
    await ctx.claim("queue")
    return ctx.reply("looked")


class Queue:
    """``/number``: the next number of a queue, one per person (an audit entry per number, read
    back with the community's storage); ``/number claimed`` claims the queue first."""

    storage: Storage

    async def take_a_number(self, ctx: Context) -> Action:
        if ctx.event.text.split()[-1:] == ["claimed"]:
            await ctx.claim("queue")
        number = len(await audit.recent(self.storage, "case:1", 100)) + 1
        ctx.audit("number", "case:1", str(number))
        return ctx.reply(f"number {number}")

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [
            ChatCommand("number", self.take_a_number, help=""),
            ChatCommand("look", look, help=""),
        ]


async def numbers(s: Sandbox, text: str) -> list[str]:
    """Everyone sends ``text`` at once; the numbers they are given."""
    await asyncio.gather(*(s.send(who, "dm", text) for who in PEOPLE))
    return sorted(s.texts(a for a in s.adapter.performed if a.chat.startswith("dm:")))


async def test_claimed_events_of_different_chats_each_see_the_one_before() -> None:
    queue = Queue()
    async with Sandbox(EXAMPLE, plugins=[queue]) as s:
        queue.storage = s.storage
        given = await numbers(s, "/number claimed")
    assert given == [f"number {n}" for n in range(1, len(PEOPLE) + 1)]


async def test_unclaimed_they_are_decided_side_by_side() -> None:
    """The reason to claim: without it, events of different chats read the same state."""
    queue = Queue()
    async with Sandbox(EXAMPLE, plugins=[queue]) as s:
        queue.storage = s.storage
        given = await numbers(s, "/number")
    assert len(set(given)) < len(PEOPLE)


async def test_events_of_one_chat_that_claim_and_write_nothing_do_not_wait_for_each_other() -> None:
    async with Sandbox(EXAMPLE, plugins=[Queue()]) as s:
        s.timeout = 10
        looked = await asyncio.gather(*(s.send("wang", "dm", "/look") for _ in range(3)))
        assert all("looked" in s.texts(actions) for actions in looked)
        assert s.texts(await s.send("li", "dm", "/look")) == ["looked"]  # nothing left claimed


async def test_a_claim_waits_for_the_release_and_a_cancelled_wait_leaves_nothing() -> None:
    claims = Claims()
    first, second, third = Writes(), Writes(), Writes()
    await claims.claim(first, ["errand:1", "errand:2"])
    waiting = asyncio.ensure_future(claims.claim(second, ["errand:2"]))
    cancelled = asyncio.ensure_future(claims.claim(third, ["errand:1"]))
    await asyncio.sleep(0)
    assert not waiting.done() and not cancelled.done()
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert not claims.claims(third)
    claims.release(first)
    await waiting
    assert claims.claims(second) and not claims.claims(first)
    with pytest.raises(RuntimeError, match="claims once"):
        await claims.claim(second, ["errand:3"])
    claims.release(second)
    await claims.claim(third, ["errand:1", "errand:2"])  # nothing of the others is left held
    assert claims.claims(third)
