"""A volunteer from registration to the shift reminder, on the real Synapse (issue 11).

Everyone is a real Matrix account and everything goes over the homeserver: the volunteer
registers from the volunteer pool's room and fills the forms in the private room the bot
opens, the social worker vets and dispatches; the bot, in-process, runs on a manual clock,
so the reminder before the shift is brought by moving the clock, not by waiting.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import nio
import yaml

from sanshe.testing import ManualClock
from tests.synapse.clients import MatrixUserFactory
from tests.synapse.harness import Homeserver, RegisteredUser
from tests.volunteering import ID_NUMBER, PHONE, agreement_answers, registration_answers

from .accounts import Account
from .conftest import (
    VOLUNTEERS,
    body,
    bot_joined,
    create_room,
    join,
    members,
    running_bot,
    write_community,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: 06:00 in Shanghai: the Focus group's one shift of the day, 08:00–12:00, is shift 1.
START = datetime(2026, 12, 1, 6, 0, tzinfo=SHANGHAI)
FORMS = Path(__file__).resolve().parents[3] / "config" / "forms"
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


async def test_a_dispatched_volunteer_is_invited_into_the_room_and_reminded_privately(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
) -> None:
    bot = bot_account.user_id
    worker = Account(await matrix_user("worker"), bot)
    ann = Account(await matrix_user("ann"), bot)
    pool = await create_room(worker.client, [bot, ann.client.user_id], moderators=[bot])
    focus = await create_room(worker.client, [bot], moderators=[bot])
    await join(ann.client, pool)
    config = write_community(
        tmp_path / "community.yaml",
        homeserver,
        bot_account,
        groups=[
            {**VOLUNTEERS, "administered_by": ["social_worker"], "chats": {"matrix": pool}},
            {"id": "dispatch", "kind": "volunteer_dispatch", "name": "Dispatch desk"},
            {
                "id": "focus-1",
                "kind": "focus_service",
                "name": "Focus",
                "administered_by": ["social_worker"],
                "chats": {"matrix": focus},
            },
        ],
        people=[
            {
                "id": "wang",
                "name": "Wang",
                "handles": {"matrix": worker.client.user_id},
                "roles": ["social_worker"],
            }
        ],
    )
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["forms"] = [
        str(FORMS / "1_volunteer_registration.yaml"),
        str(FORMS / "2_confidentiality_agreement.yaml"),
    ]
    data["plugins"] = {
        "volunteers": {
            "training": [{"id": "rules", "title": "Online service rules", "text": "Be kind."}]
        },
        "shifts": {
            "templates": [
                {
                    "groups": ["focus-1"],
                    "shifts": [
                        {"start": "08:00", "end": "12:00", "needs": {"general_volunteer": 1}}
                    ],
                }
            ],
            "plan_days": 1,
            "remind_before": "30m",
        },
    }
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    clock = ManualClock(START)
    async with running_bot(config, tmp_path / "bot.sqlite3", plugins=(), clock=clock) as running:
        await bot_joined(worker.client, pool, bot)
        await bot_joined(worker.client, focus, bot)

        # Ann registers from the pool's room; the form goes on in the private room the bot opens.
        assert await ann.ask(pool, "/volunteer") == "I have written to you privately."
        private = await ann.invitation("the bot's private room", not_to={pool})
        await join(ann.client, private)
        ann.private.add(private)
        first = await ann.from_bot(private, "the registration form's first question")
        assert first.startswith("Form: Volunteer registration form."), first
        assert first.endswith("(1/16) Name\n(/back previous question · /cancel stop)"), first
        for answer in REGISTRATION[:-1]:
            await ann.ask(private, answer)
        done = await ann.ask(private, REGISTRATION[-1])
        assert ID_NUMBER not in done and PHONE not in done
        received = await ann.from_bot(
            private, "the registration's number", lambda e: "registration is number" in body(e)
        )
        assert received == (
            "Thank you! Your registration is number 1. "
            "A social worker will review it and tell you the result here."
        )

        # The social worker approves her, from the pool's room; the answer comes privately.
        vetted = await worker.ask(pool, "/vet 1 approve general yes")
        assert vetted == "I have written to you privately."
        desk = await worker.invitation(
            "the bot's private room with the social worker", {pool, focus}
        )
        await join(worker.client, desk)
        worker.private.add(desk)
        approved = await worker.from_bot(desk, "the approval", lambda e: "approved" in body(e))
        assert approved == (
            "Number 1, Ann Lee: approved, class general, role general volunteer (group secretary); "
            "qualifications checked.\nThey were told privately."
        )
        welcome = await ann.from_bot(private, "her welcome", lambda e: "approved" in body(e))
        assert "1. Online service rules\n   Be kind." in welcome, welcome

        # Training, then the agreement, answered with /agree.
        trained = await ann.ask(private, "/trained rules")
        assert trained == (
            "Noted: “Online service rules” done.\n"
            "Still to do: the confidentiality agreement is not signed (/agreement)."
        )
        shown = await ann.ask(private, "/agreement")
        assert shown.startswith("Form: Volunteer confidentiality agreement."), shown
        assert "The duty of confidentiality survives the end of this agreement." in shown
        for answer in [*AGREEMENT, "/agree"]:
            await ann.ask(private, answer)
        await ann.ask(private, "2026-12-01")
        signed = await ann.from_bot(private, "the signature", lambda e: "is signed" in body(e))
        assert signed.startswith("The confidentiality agreement is signed (version "), signed
        assert signed.endswith(").\nAll done: a social worker can now dispatch you."), signed

        # Dispatched: her client shows the invitation into Focus, and she joins.
        dispatched = await worker.ask(desk, "/dispatch 1 focus-1")
        assert dispatched == (
            "Number 1, Ann Lee, is dispatched to Focus as general volunteer (group secretary).\n"
            "The invitation into the group is sent.\nThey were told privately."
        )
        assert await ann.invitation("the invitation into Focus", {pool, private}) == focus
        await join(ann.client, focus)
        assert ann.client.user_id in await members(worker.client, focus)
        told = await ann.from_bot(private, "where she is sent", lambda e: "dispatched" in body(e))
        # The community has no naming convention (plugin nicknames): no nickname is asked for.
        assert told == "You are dispatched to Focus as general volunteer (group secretary).", told

        # She claims the morning shift in the group; at 07:30 the reminder comes privately.
        claimed = await ann.ask(focus, "/claim 1")
        assert claimed == (
            "You have claimed shift 1 (Focus, Tue, Dec 1, 08:00–12:00), as general volunteer "
            "(group secretary). I will remind you 30 min before it begins."
        )
        clock.set(START + timedelta(hours=1, minutes=30))
        await running.bot.timers.fire_due()
        reminder = await ann.from_bot(private, "the reminder", lambda e: "Reminder" in body(e))
        assert reminder == (
            "Reminder: shift 1 (Focus, Tue, Dec 1, 08:00–12:00) begins at 08:00; you serve it "
            "as general volunteer (group secretary). Once there, write in the group or send /arrive."
        )
        # In the groups the bot said nothing of hers: no answer to the forms, no reminder.
        in_groups = [
            (room, body(e))
            for room, e in ann.seen
            if room in (pool, focus) and e.sender == bot and isinstance(e, nio.RoomMessage)
        ]
        assert in_groups == [
            (pool, "I have written to you privately."),
            (pool, "I have written to you privately."),
            (focus, claimed),
        ]
