"""A volunteer from registration to the shift reminder, on the loopback Bot API server (issue 11).

Everything goes through the Bot API: the volunteer and the social worker write to the bot in
their private chats, the volunteer comes into the Focus supergroup through the one-person
link the bot sends her, and claims a shift there.  The bot, in-process, runs on a manual
clock, so the reminder before the shift is brought by moving the clock, not by waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sanshe.testing import ManualClock
from tests.botapi import BotApiServer
from tests.volunteering import agreement_answers, registration_answers

from .conftest import BOT_ID, FOCUS, VOLUNTEERS, WANG, World, running, wait_for

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: 06:00 in Shanghai: the Focus group's one shift of the day, 08:00–12:00, is shift 1.
START = datetime(2026, 12, 1, 6, 0, tzinfo=SHANGHAI)
FORMS = Path(__file__).resolve().parents[3] / "config" / "forms"
ANN = 41
#: Ann's answers to the 16 questions of the registration form (form 1).
REGISTRATION = registration_answers(
    "Ann Lee",
    skills="first aid",
    region="Sunshine",
    qualifications="/skip",
    hours="weekday mornings",
    roles="3",  # general volunteer
)
#: Her answers to the confidentiality agreement (form 2) before its /agree and its date.
AGREEMENT = agreement_answers("Ann Lee", "Sunshine social work")

COMMUNITY = f"""
community: {{id: sunshine, name: Sunshine, locale: en}}
groups:
  - {{id: volunteers, kind: volunteer_pool, name: Volunteers, administered_by: [social_worker],
     chats: {{telegram: "{VOLUNTEERS}"}}}}
  - {{id: dispatch, kind: volunteer_dispatch, name: Dispatch desk}}
  - {{id: focus-1, kind: focus_service, name: Focus, administered_by: [social_worker],
     chats: {{telegram: "{FOCUS}"}}}}
people:
  - {{id: wang, name: Wang, locale: en, handles: {{telegram: {WANG}}}, roles: [social_worker]}}
forms: ["{FORMS}/1_volunteer_registration.yaml", "{FORMS}/2_confidentiality_agreement.yaml"]
plugins:
  volunteers:
    training:
      - {{id: rules, title: Online service rules, text: Be kind.}}
  shifts:
    templates:
      - groups: [focus-1]
        shifts:
          - {{start: "08:00", end: "12:00", needs: {{general_volunteer: 1}}}}
    plan_days: 1
    remind_before: 30m
"""


class Chat:
    """What the bot wrote in one chat, read in order: each wait takes the next new messages."""

    def __init__(self, world: World, chat: int) -> None:
        self.world, self.chat = world, chat
        self.read = 0

    async def next(self, what: str, match: Callable[[str], bool] = lambda t: True) -> str:
        """The first message not read yet that matches (those before it are read too)."""

        found: list[str] = []

        def look() -> bool:
            texts = self.world.texts(self.chat)
            for n, text in enumerate(texts[self.read :], start=self.read):
                if match(text):
                    self.read = n + 1
                    found.append(text)
                    return True
            return False

        await wait_for(look, what)
        return found[0]

    async def ask(self, user: int, text: str) -> str:
        """``user`` writes ``text`` in this chat; the bot's next message there."""
        self.world.server.inject_message(self.chat, user, text)
        return await self.next(f"the answer to {text!r}")


async def test_a_dispatched_volunteer_gets_a_one_person_link_and_the_reminder(
    server: BotApiServer, tmp_path: Path
) -> None:
    server.add_user(ANN, "Ann", language_code="en")
    server.add_member(VOLUNTEERS, ANN)
    clock = ManualClock(START)
    async with running(server, tmp_path, COMMUNITY, clock=clock) as world:
        ann, wang, focus = Chat(world, ANN), Chat(world, WANG), Chat(world, FOCUS)
        server.user_starts_bot(ANN)
        server.user_starts_bot(WANG)

        # Ann registers in her private chat with the bot.
        server.inject_message(ANN, ANN, "/volunteer")
        first = await ann.next("the form", lambda t: t.startswith("Form: Volunteer registration"))
        assert first.endswith("(1/16) Name\n(/back previous question · /cancel stop)"), first
        for answer in REGISTRATION:
            await ann.ask(ANN, answer)
        received = await ann.next("her number", lambda t: "registration is number" in t)
        assert received == (
            "Thank you! Your registration is number 1. "
            "A social worker will review it and tell you the result here."
        )
        waiting = await wang.next("the social worker told", lambda t: "waits for review" in t)
        assert waiting.startswith("A volunteer registration waits for review: number 1, Ann Lee.")

        # The social worker approves her, privately; she trains and signs the agreement.
        approved = await wang.ask(WANG, "/vet 1 approve general yes")
        assert approved == (
            "Number 1, Ann Lee: approved, class general, role general volunteer (group secretary); "
            "qualifications checked.\nThey were told privately."
        )
        welcome = await ann.next("her welcome", lambda t: "approved" in t)
        assert "1. Online service rules\n   Be kind." in welcome, welcome
        trained = await ann.ask(ANN, "/trained 1")
        assert trained == (
            "Noted: “Online service rules” done.\n"
            "Still to do: the confidentiality agreement is not signed (/agreement)."
        )
        shown = await ann.ask(ANN, "/agreement")
        assert shown.startswith("Form: Volunteer confidentiality agreement."), shown
        for answer in [*AGREEMENT, "/agree", "2026-12-01"]:
            await ann.ask(ANN, answer)
        signed = await ann.next("the signature", lambda t: "is signed" in t)
        assert signed.endswith(").\nAll done: a social worker can now dispatch you."), signed

        # Dispatched: a link that lets one person in, sent to her privately.
        dispatched = await wang.ask(WANG, "/dispatch 1 focus-1")
        assert dispatched == (
            "Number 1, Ann Lee, is dispatched to Focus as general volunteer (group secretary).\n"
            "The invitation into the group is sent.\nThey were told privately."
        )
        invitation = await ann.next("the invite link", lambda t: "invited to join" in t)
        [made] = server.calls_to("createChatInviteLink")
        assert (made["chat_id"], made["member_limit"]) == (FOCUS, 1)
        (link,) = server.invite_links.values()
        assert (link.chat_id, link.member_limit, link.creator_id) == (FOCUS, 1, BOT_ID)
        assert invitation == (
            "You are invited to join Focus. This link lets you in once and works for 24 hours:\n"
            + link.url
        )
        told = await ann.next("where she is sent", lambda t: "dispatched" in t)
        # The community has no naming convention (plugin nicknames): no nickname is asked for.
        assert told == "You are dispatched to Focus as general volunteer (group secretary).", told
        server.join_by_link(link.url, ANN)
        assert await world.status(FOCUS, ANN) == "member"

        # She claims the morning shift in the group; at 07:30 the reminder comes privately.
        claimed = await focus.ask(ANN, "/claim 1")
        assert claimed == (
            "You have claimed shift 1 (Focus, Tue, Dec 1, 08:00–12:00), as general volunteer "
            "(group secretary). I will remind you 30 min before it begins."
        )
        clock.set(START + timedelta(hours=1, minutes=30))
        await world.bot.timers.fire_due()
        reminder = await ann.next("the reminder", lambda t: t.startswith("Reminder"))
        assert reminder == (
            "Reminder: shift 1 (Focus, Tue, Dec 1, 08:00–12:00) begins at 08:00; you serve it "
            "as general volunteer (group secretary). Once there, write in the group or send /arrive."
        )
        # In the groups the bot said nothing of hers but the claim: not the link, nor the reminder.
        assert world.texts(VOLUNTEERS) == []
        assert world.texts(FOCUS) == [claimed]
