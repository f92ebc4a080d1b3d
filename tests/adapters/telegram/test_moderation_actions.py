"""Moderation's actions on Telegram (issue 12): mutes lifted, and a join applicant written to
too late — on the loopback Bot API server, whose clock the tests move."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sanshe.core.actions import DirectMessage, Restrict, Send, Unrestrict
from sanshe.core.adapter import ActionFailed
from sanshe.core.context import Context
from sanshe.core.events import JoinRequest
from sanshe.core.hookspecs import hookimpl
from sanshe.testing import ManualClock
from tests.botapi import APPLICANT_WINDOW, PERMISSIONS, BotApiServer

from .conftest import BUILDING, FOCUS, RESIDENT, STRANGER, running, wait_for

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

QUESTION = "您好！请问您住几号楼几室？"
UNASKED = "有人申请加入1号楼居民群，机器人未能私信询问，请管理员直接处理。"


class Applicants:
    """Asks each applicant a question privately; when Telegram refuses, tells the Focus group."""

    @hookimpl
    def sanshe_event(self, context: Context) -> Any:
        event = context.event
        if not isinstance(event, JoinRequest):
            return None
        instead = Send(chat=str(FOCUS), text=UNASKED)
        return DirectMessage(user=event.sender, text=QUESTION, otherwise=(instead,))


async def test_a_mute_is_lifted_by_the_bot_and_at_its_end_by_telegram(
    server: BotApiServer, tmp_path: Path
) -> None:
    clock = ManualClock()
    server.clock = clock.time
    chat, user = str(BUILDING), str(RESIDENT)
    async with running(server, tmp_path, clock=clock) as world:
        await world.adapter.perform(Restrict(chat=chat, user=user, minutes=120))
        [muted] = server.calls_to("restrictChatMember")
        assert muted["until_date"] == int(clock.time()) + 120 * 60  # the bot's clock
        assert await world.status(BUILDING, RESIDENT) == "restricted"
        with pytest.raises(ValueError, match="cannot post"):
            server.inject_message(BUILDING, RESIDENT, "让我说话")

        await world.adapter.perform(Unrestrict(chat=chat, user=user))
        lifted = server.calls_to("restrictChatMember")[-1]
        assert lifted["permissions"] == dict.fromkeys(PERMISSIONS, True)
        assert "until_date" not in lifted
        assert await world.status(BUILDING, RESIDENT) == "member"
        server.inject_message(BUILDING, RESIDENT, "ping")
        assert await world.said(BUILDING, 1, "the pong of the unmuted resident") == ["pong"]

        # Had the bot been down when the mute was due, Telegram would have ended it itself.
        await world.adapter.perform(Restrict(chat=chat, user=user, minutes=30))
        clock.advance(minutes=30)
        assert await world.status(BUILDING, RESIDENT) == "member"


async def test_an_applicant_written_to_too_late_is_handled_otherwise(
    server: BotApiServer, tmp_path: Path
) -> None:
    clock = ManualClock()
    server.clock = clock.time
    async with running(server, tmp_path, plugins=[Applicants()], approves_joins=False) as world:
        server.inject_join_request(BUILDING, STRANGER)
        assert await world.said(STRANGER, 1, "the question in time") == [QUESTION]

        server.add_user(34, "Late Comer")
        server.inject_join_request(BUILDING, 34)
        clock.advance(seconds=APPLICANT_WINDOW)  # before the bot gets to it
        assert await world.said(FOCUS, 1, "the admins told instead") == [UNASKED]
        assert world.texts(34) == []
        assert [c["chat_id"] for c in server.calls_to("sendMessage")].count(34) == 1  # refused
        assert (BUILDING, 34) in server.join_requests  # still theirs to decide

        # Refused with nowhere to ask them to open a chat: ActionFailed, so core does otherwise.
        with pytest.raises(ActionFailed, match="can't initiate conversation with a user"):
            await world.adapter.perform(DirectMessage(user="34", text=QUESTION))
        await wait_for(lambda: not server.pending_updates, "every update to be confirmed")
        assert world.texts(BUILDING) == []
