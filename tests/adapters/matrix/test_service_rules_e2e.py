"""Group service rules end to end on the real Synapse (issue 12): joining with approval, the
privacy guard, warnings up to removal, a timed mute that lifts itself.

Everyone is a real Matrix account; the bot runs in-process with the built-in plugins on a
manual clock, so a mute's end is brought by moving the clock, not by waiting.  The
community: one resident group (joined by knocking) whose admin is Zhao, a grid worker, and
the prevention work group as the moderation log, where Zhao is too.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import nio
import pytest
import yaml

from sanshe.testing import ManualClock
from tests.synapse.clients import MatrixUserFactory
from tests.synapse.harness import Homeserver, RegisteredUser

from .accounts import Account
from .conftest import (
    Running,
    body,
    bot_joined,
    join,
    members,
    running_bot,
    say,
    wait_until,
    write_community,
)

START = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PHONE = "138 0013 8000"
BOT_LEVEL = 100


@dataclass
class Community:
    """The rooms, the people's clients, and how to start the bot (again, as after a restart)."""

    bot: str
    zhao: Account
    li: Account
    resident: Account
    building: str
    log: str
    clock: ManualClock
    start: Callable[[], contextlib.AbstractAsyncContextManager[Running]]


async def room_of(admin: nio.AsyncClient, invite: list[str], *, knock: bool = False) -> str:
    """A room made by ``admin``, the bot (first of ``invite``) at 100: it may change power levels."""
    state = [{"type": "m.room.join_rules", "state_key": "", "content": {"join_rule": "knock"}}]
    created = await admin.room_create(
        name="room",
        invite=invite,
        initial_state=state if knock else [],
        power_level_override={"users": {invite[0]: BOT_LEVEL}},
    )
    assert isinstance(created, nio.RoomCreateResponse), created
    return created.room_id


def settings(building: str, log: str, zhao: str, li: str, wu: str) -> dict[str, Any]:
    """The community file's groups, people, rules and plugin settings."""
    return {
        "buildings": [
            {"id": "1", "name": "Building 1", "rooms": ["101-106", "201-206", "301-306"]}
        ],
        "groups": [
            {
                "id": "building-1",
                "kind": "resident",
                "name": "Building 1",
                "building": "1",
                "join_approval": True,
                "administered_by": ["grid_worker"],
                "chats": {"matrix": building},
            },
            {
                "id": "prevention",
                "kind": "prevention_work",
                "name": "Prevention work",
                "join_approval": False,
                "chats": {"matrix": log},
            },
        ],
        "people": [
            {
                "id": "zhao",
                "name": "Zhao",
                "handles": {"matrix": zhao},
                "roles": [{"role": "grid_worker", "groups": ["building-1"]}],
            },
            {"id": "li", "name": "Li", "handles": {"matrix": li}, "roles": ["community_worker"]},
            {"id": "wu", "name": "Wu", "handles": {"matrix": wu}},
        ],
        "rules": [
            {
                "id": "private-data-stays-private",
                "where": {"kinds": ["resident"]},
                "when": {"personal_data": ["phone", "id_number", "bank_card"]},
                "do": [
                    "delete",
                    "move_to_private",
                    {"tell_admins": "The message was deleted and the sender told privately."},
                ],
            }
        ],
    }


@pytest.fixture
async def community(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
) -> Community:
    bot = bot_account.user_id
    zhao = Account(await matrix_user("zhao"), bot)
    li = Account(await matrix_user("li"), bot)
    resident = Account(await matrix_user("resident"), bot)
    building = await room_of(zhao.client, [bot, resident.client.user_id], knock=True)
    log = await room_of(zhao.client, [bot, li.client.user_id])
    await join(resident.client, building)
    await join(li.client, log)
    config = write_community(tmp_path / "community.yaml", homeserver, bot_account)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data.update(
        settings(building, log, zhao.client.user_id, li.client.user_id, resident.client.user_id)
    )
    # A community of its own: its policy room (#<id>-bans) is new on the session's Synapse.
    data["community"].update(id=f"c{uuid.uuid4().hex[:8]}", moderation_log="prevention")
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    clock = ManualClock(START)

    def start() -> contextlib.AbstractAsyncContextManager[Running]:
        return running_bot(config, tmp_path / "bot.sqlite3", plugins=(), clock=clock)

    return Community(bot, zhao, li, resident, building, log, clock, start)


@contextlib.asynccontextmanager
async def serving(community: Community) -> AsyncIterator[Running]:
    """The bot started, in both rooms."""
    async with community.start() as running:
        await bot_joined(community.zhao.client, community.building, community.bot)
        await bot_joined(community.zhao.client, community.log, community.bot)
        yield running


async def private_room(account: Account, *known: str) -> str:
    """The private room the bot opened with ``account`` (its invitation accepted)."""
    room = await account.invitation("the bot's private room", not_to=known)
    await join(account.client, room)
    account.private.add(room)
    return room


def bot_texts(account: Account, room: str) -> list[str]:
    """Everything the bot wrote in ``room`` that ``account`` has seen."""
    return [
        body(e)
        for r, e in account.seen
        if r == room and e.sender == account.bot and isinstance(e, nio.RoomMessage)
    ]


def holds_the_number(text: str) -> bool:
    return "".join(PHONE.split()) in "".join(text.split()) or "8000" in text


async def redacted(client: nio.AsyncClient, room: str, event_id: str) -> bool:
    found = await client.room_get_event(room, event_id)
    assert isinstance(found, nio.RoomGetEventResponse), found
    return "redacted_because" in found.event.source.get("unsigned", {})


async def test_a_phone_number_is_redacted_its_author_told_privately_the_admin_without_it(
    community: Community,
) -> None:
    resident, zhao = community.resident, community.zhao
    async with serving(community):
        posted = await say(resident.client, community.building, f"call me on {PHONE} about water")
        private = await private_room(resident, community.building)
        note = await resident.from_bot(private, "the private note")
        assert note == (
            "Your message in Building 1 held a phone number; to protect your privacy it was "
            "removed, and the group no longer sees it. Please tell us here, in this private chat, "
            "what you need, and a staff member will follow up."
        )
        desk = await private_room(zhao, community.building, community.log)
        told = await zhao.from_bot(desk, "the admin told")
        assert told == (
            "In Building 1, Wu set off the service rule “private-data-stays-private” "
            "(a phone number). The message was deleted and the sender told privately."
        )
        logged = await zhao.from_bot(community.log, "the moderation log")
        assert logged == (
            "In Building 1, a message from Wu held a phone number; the talk was moved to a "
            "private chat (what it said is not repeated here)."
        )
        assert await redacted(zhao.client, community.building, posted)
        in_group = bot_texts(resident, community.building)
    assert in_group == [
        "To protect your privacy, personal information is not discussed in the group. "
        "I have written to you privately."
    ]
    seen = [body(e) for _room, e in zhao.seen + resident.seen if e.sender == community.bot]
    assert not any(holds_the_number(text) for text in seen)


async def test_a_phone_number_added_by_an_edit_is_redacted_and_its_author_told(
    community: Community,
) -> None:
    resident, zhao = community.resident, community.zhao
    async with serving(community):
        posted = await say(resident.client, community.building, "call me about the water")
        new = {"msgtype": "m.text", "body": f"call me on {PHONE} about the water"}
        sent = await resident.client.room_send(
            community.building,
            "m.room.message",
            {
                "msgtype": "m.text",
                "body": f"* {new['body']}",
                "m.new_content": new,
                "m.relates_to": {"rel_type": "m.replace", "event_id": posted},
            },
        )
        assert isinstance(sent, nio.RoomSendResponse), sent
        private = await private_room(resident, community.building)
        note = await resident.from_bot(private, "the private note")
        assert note.startswith("Your message in Building 1 held a phone number; to protect")
        desk = await private_room(zhao, community.building, community.log)
        told = await zhao.from_bot(desk, "the admin told")
        assert told.startswith("In Building 1, Wu set off the service rule")
        assert "(a phone number)" in told
        # The message and its edit are both gone: each held what the group saw.
        await wait_until(
            lambda: _true_or_none(redacted(zhao.client, community.building, sent.event_id)),
            "the edit redacted",
        )
        assert await redacted(zhao.client, community.building, posted)
    seen = [body(e) for _room, e in zhao.seen + resident.seen if e.sender == community.bot]
    assert not any(holds_the_number(text) for text in seen)


async def _true_or_none(check: Awaitable[bool]) -> bool | None:
    return True if await check else None


def kicked(user: str) -> Callable[[nio.Event], bool]:
    return lambda e: (
        isinstance(e, nio.RoomMemberEvent) and e.state_key == user and e.membership == "leave"
    )


async def test_three_warnings_remove_the_member(community: Community) -> None:
    resident, zhao = community.resident, community.zhao
    handle = resident.client.user_id
    async with serving(community):
        await say(resident.client, community.building, "buy my pills")
        for n in (1, 2, 3):
            await say(zhao.client, community.building, f"/warn {handle} selling pills")
            logged = await zhao.from_bot(community.log, f"warning {n} in the moderation log")
            assert logged == f"Zhao warned Wu in Building 1 ({n}/3): selling pills"
        removed = await zhao.from_bot(community.log, "the removal in the moderation log")
        assert removed == (  # by the sanctions plugin, the warning limit naming who decided
            "The warning limit (3) removed Wu from Building 1. Reason: 3 warnings within 30 days"
        )
        out = await zhao.event(community.building, "the member kicked", kicked(handle))
        assert out.sender == community.bot
        private = await private_room(resident, community.building)
        notes = [await resident.from_bot(private, f"private note {n}") for n in (1, 2, 3)]
    rule = "A member with 3 warnings within 30 days is removed from the group."
    assert notes == [
        f"You have been warned in Building 1 (1/3): selling pills\n{rule} "
        "Write to the group's admin privately with any question.",
        f"You have been warned in Building 1 (2/3): selling pills\n{rule} "
        "Write to the group's admin privately with any question.",
        "You have been warned again in Building 1: selling pills\n"
        "That is 3 warnings within 30 days: you have been removed from the group. "
        "Write to the group's admin with any question.",
    ]
    assert bot_texts(zhao, community.building) == [
        f"Wu has been warned by the group's admin (1/3). Please keep to the group's service "
        f"rules (/rules): {rule[0].lower()}{rule[1:]}",
        f"Wu has been warned by the group's admin (2/3). Please keep to the group's service "
        f"rules (/rules): {rule[0].lower()}{rule[1:]}",
        "Wu has had 3 warnings within 30 days and has been removed from the group.",
    ]


async def level_of(client: nio.AsyncClient, room: str, user: str) -> int | None:
    """``user``'s own entry in the room's power levels (None: not listed)."""
    found = await client.room_get_state_event(room, "m.room.power_levels")
    assert isinstance(found, nio.RoomGetStateEventResponse), found
    level = found.content.get("users", {}).get(user)
    return None if level is None else int(level)


async def can_post(client: nio.AsyncClient, room: str) -> bool:
    sent = await client.room_send(room, "m.room.message", {"msgtype": "m.text", "body": "hello"})
    return isinstance(sent, nio.RoomSendResponse)


async def muted_level(community: Community, handle: str, level: int | None) -> None:
    """Wait until ``handle``'s entry in the building's power levels is ``level``."""

    async def check() -> bool | None:
        found = await level_of(community.zhao.client, community.building, handle)
        return True if found == level else None

    await wait_until(check, f"{handle} listed at {level}")


async def mute_for_two_hours(community: Community) -> str:
    """Zhao's ``/mute`` of the resident, as the room and the moderation log see it."""
    resident, zhao = community.resident, community.zhao
    handle = resident.client.user_id
    await say(resident.client, community.building, "buy my pills")
    answer = await zhao.ask(community.building, f"/mute {handle} 2h selling pills")
    assert answer == "Wu is muted for 2 hours; it lifts itself on time."
    logged = await zhao.from_bot(community.log, "the mute in the moderation log")
    assert logged == (
        "Zhao muted Wu in Building 1 for 2 hours (until Tue, Dec 1 11:00). Reason: selling pills"
    )
    await muted_level(community, handle, -1)  # posting needs 0 in this room
    assert not await can_post(resident.client, community.building)
    return handle


async def lifted(community: Community, handle: str) -> None:
    """The mute's end, as the moderation log and the room's power levels show it."""
    logged = await community.zhao.from_bot(community.log, "the mute's end in the moderation log")
    assert logged.startswith("The mute on "), logged
    assert logged.endswith(" in Building 1 has run out and is lifted."), logged
    await muted_level(community, handle, None)  # not listed, as before the mute
    assert await can_post(community.resident.client, community.building)


async def test_a_two_hour_mute_lifts_itself_when_the_clock_reaches_its_end(
    community: Community,
) -> None:
    async with serving(community) as running:
        handle = await mute_for_two_hours(community)
        community.clock.advance(timedelta(hours=1, minutes=59))
        await running.bot.timers.fire_due()
        assert not await can_post(community.resident.client, community.building)
        community.clock.advance(timedelta(minutes=1))
        await running.bot.timers.fire_due()
        await lifted(community, handle)


async def test_a_mute_due_while_the_bot_was_stopped_lifts_when_it_starts(
    community: Community,
) -> None:
    async with serving(community):
        handle = await mute_for_two_hours(community)
    community.clock.advance(timedelta(hours=3))
    # past its end, the mute holds while no bot runs to lift it
    assert not await can_post(community.resident.client, community.building)
    async with serving(community):
        await lifted(community, handle)


def banned(user: str) -> Callable[[nio.Event], bool]:
    return lambda e: (
        isinstance(e, nio.RoomMemberEvent) and e.state_key == user and e.membership == "ban"
    )


async def test_a_community_ban_bans_redacts_and_is_published_in_the_policy_room(
    community: Community, matrix_user: MatrixUserFactory, homeserver: Homeserver
) -> None:
    resident, zhao, li = community.resident, community.zhao, community.li
    handle = resident.client.user_id
    async with serving(community) as running:
        posted = await say(resident.client, community.building, "cheap masks at my shop")
        answer = await li.ask(community.log, f"/ban {handle} selling fake masks")
        assert answer == "Wu is banned: removed from the community's 2 group chats, until /unban."
        out = await zhao.event(community.building, "the ban", banned(handle))
        assert out.sender == community.bot
        assert out.source["content"]["reason"] == "breaking the community's service rules"

        async def taken_back() -> bool | None:
            return True if await redacted(zhao.client, community.building, posted) else None

        await wait_until(taken_back, "the banned person's recent message redacted")
        # A moderation bot (Draupnir, Meowlnir) follows the community's ban list.
        watcher = await matrix_user("draupnir")
        alias = f"#{running.bot.community.community.id}-bans:{homeserver.server_name}"

        async def policy_room() -> str | None:
            # Synapse makes the alias before the room is open to all: a subscriber tries again.
            joined = await watcher.join(alias)
            return joined.room_id if isinstance(joined, nio.JoinResponse) else None

        room = await wait_until(policy_room, f"the policy room {alias} to be open")

        async def rule() -> dict[str, Any] | None:
            found = await watcher.room_get_state_event(room, "m.policy.rule.user", f"rule:{handle}")
            return dict(found.content) if isinstance(found, nio.RoomGetStateEventResponse) else None

        assert await wait_until(rule, "the rule about Wu") == {
            "entity": handle,
            "recommendation": "m.ban",
            "reason": "breaking the community's service rules",
        }
        await li.ask(community.log, f"/unban {handle}")

        async def withdrawn() -> bool | None:
            return True if await rule() == {} else None

        await wait_until(withdrawn, "the rule emptied after /unban")


async def press(account: Account, room: str, message: nio.Event, key: str) -> None:
    """``account`` presses the button ``key`` under the bot's ``message``: a reaction with it."""
    annotation = {
        "m.relates_to": {"rel_type": "m.annotation", "event_id": message.event_id, "key": key}
    }
    sent = await account.client.room_send(room, "m.reaction", annotation)
    assert isinstance(sent, nio.RoomSendResponse), sent


async def test_a_knock_is_answered_privately_approved_by_the_admin_and_let_in(
    community: Community, matrix_user: MatrixUserFactory
) -> None:
    zhao = community.zhao
    maria = Account(await matrix_user("maria"), community.bot)
    # A name without digits: a random id's digit runs can be masked like a phone number.
    assert isinstance(
        await maria.client.set_displayname("Maria"), nio.ProfileSetDisplayNameResponse
    )
    async with serving(community):
        # She knocks: she shares no room with the bot, which opens a private one with her.
        knocked = await maria.client.room_knock(community.building, reason="I moved in")
        assert isinstance(knocked, nio.RoomKnockResponse), knocked
        private = await private_room(maria, community.building)
        first = await maria.from_bot(private, "the first question")
        assert first == (
            "Hello! You asked to join Building 1. Please answer a few questions; the group's "
            "admins will then decide. Only they see your answers.\n"
            "(1/4) This is the residents' group of Building 1. Do you live in Building 1? "
            "Press “Confirm” or answer “yes”; press “Skip” or send /skip if you would rather "
            "not say.\nSend /cancel to withdraw your request.\n1️⃣ Confirm\n2️⃣ Skip"
        )
        answers = [await maria.ask(private, a) for a in ("yes", "302", "tenant", "the Wangs")]
        assert [a.split("\n")[0] for a in answers] == [
            "(2/4) What is your room number? (for example 302)",
            "(3/4) Is your home owner-occupied (自住) or rented (租住)? Press a button, or answer "
            "“owner” or “tenant”.",
            "(4/4) Please give your household's name (the head of the household, or a name such "
            "as “the Wangs”).",
            "Thank you! Your request (number 1) went to the admins of Building 1; you will be "
            "told privately what they decide.",
        ]

        # Zhao, the group's admin, gets it privately with her answers, and presses Approve.
        desk = await private_room(zhao, community.building, community.log)
        request = await zhao.event(
            desk, "the join request", lambda e: body(e).startswith("Join request 1:")
        )
        assert body(request) == (
            "Join request 1: Maria asks to join Building 1.\nBuilding: Building 1\nRoom: 302\n"
            "Home: rented (租住)\nHousehold: the Wangs\nNote: I moved in\n"
            "Press a button below, or answer /approve 1 or /decline 1 reason.\n"
            "1️⃣ Approve\n2️⃣ Decline"
        )
        await press(zhao, desk, request, "1️⃣")

        # She is invited into the group's room, joins, and is told privately.
        assert await maria.invitation("the invitation", not_to={private}) == community.building
        await join(maria.client, community.building)
        told = await maria.from_bot(private, "the decision", lambda e: "approved" in body(e))
        assert told == "Your request to join Building 1 was approved. Welcome!"
        logged = await zhao.from_bot(community.log, "the decision in the moderation log")
        assert logged == "Zhao approved join request 1 (Building 1)."
        assert maria.client.user_id in await members(zhao.client, community.building)
    in_group = bot_texts(maria, community.building)
    assert not any("302" in text or "Wangs" in text for text in in_group)  # answers stay private


async def test_someone_not_in_the_room_is_neither_warned_nor_removed(community: Community) -> None:
    zhao, li = community.zhao, community.li.client.user_id  # Li is in the log room only
    async with serving(community):
        warned = await zhao.ask(community.building, f"/warn {li} selling pills")
        assert warned == (
            "Li is not a member of this group, so they cannot be warned here. Check whom you "
            "meant: answer their message with /warn <reason>, or write /warn @member <reason>."
        )
        removed = await zhao.ask(community.building, f"/remove {li}")
        assert removed == (
            "Li is not a member of Building 1: there is nobody to remove. To keep someone out "
            "of every group of the community, a community admin can use /ban."
        )
        resident = community.resident.client.user_id
        muted = await zhao.ask(community.building, f"/mute {resident} 1h")
        assert muted == "Wu is muted for 1 hour; it lifts itself on time."
        logged = await zhao.from_bot(community.log, "the only entry in the moderation log")
        assert logged.startswith("Zhao muted Wu in Building 1")  # nothing of Li before it
