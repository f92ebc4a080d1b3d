"""Moderation's Matrix actions on the real Synapse: mutes as power levels, the policy room, redaction.

Each test is seen from the people in the room: whether the muted person's post is
refused, what the power levels say, what a plain matrix-nio client reads in the
policy room, which messages are redacted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nio
import pytest

from sanshe.core.actions import DeleteRecent, PublishBan, Restrict, Unrestrict, WithdrawBan
from sanshe.core.adapter import ActionFailed
from tests.synapse.clients import MatrixUserFactory
from tests.synapse.harness import Homeserver, RegisteredUser

from .conftest import Running, bot_joined, building, join, running_bot, say, write_community

BOT_LEVEL = 100


@dataclass
class Room:
    """A group room whose admin raised the bot to 100 (it may change power levels), one resident."""

    bot: str
    admin: nio.AsyncClient
    resident: nio.AsyncClient
    room: str
    start: Callable[[], contextlib.AbstractAsyncContextManager[Running]]
    """Starts the bot (again: the same database and settings, as after a restart)."""


@pytest.fixture
async def room(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
) -> Room:
    admin = await matrix_user("admin")
    resident = await matrix_user("resident")
    bot = bot_account.user_id
    created = await admin.room_create(
        name="building 1",
        invite=[bot, resident.user_id],
        power_level_override={"users": {bot: BOT_LEVEL}},
    )
    assert isinstance(created, nio.RoomCreateResponse), created
    await join(resident, created.room_id)
    people = [{"id": "zhao", "name": "Zhao", "handles": {"matrix": admin.user_id}}]
    config = write_community(
        tmp_path / "community.yaml",
        homeserver,
        bot_account,
        groups=[building(created.room_id)],
        people=people,
        adapter={"policy_room": policy_alias(homeserver, bot)},
    )
    return Room(
        bot, admin, resident, created.room_id, lambda: running_bot(config, tmp_path / "bot.sqlite3")
    )


def policy_alias(homeserver: Homeserver, bot: str) -> str:
    """A policy room address of this test's own (the session's Synapse outlives each bot)."""
    return f"#bans-{bot[1:].split(':')[0]}:{homeserver.server_name}"


async def levels_of(client: nio.AsyncClient, room: str) -> dict[str, Any]:
    found = await client.room_get_state_event(room, "m.room.power_levels")
    assert isinstance(found, nio.RoomGetStateEventResponse), found
    return dict(found.content)


async def can_post(client: nio.AsyncClient, room: str) -> bool:
    sent = await client.room_send(room, "m.room.message", {"msgtype": "m.text", "body": "hello"})
    if isinstance(sent, nio.RoomSendError):
        assert sent.status_code == "M_FORBIDDEN", sent
        return False
    return True


async def test_a_mute_stops_posting_and_its_lifting_after_a_restart_restores_the_level(
    room: Room,
) -> None:
    resident = room.resident.user_id
    async with room.start() as running:
        await bot_joined(room.admin, room.room, room.bot)
        mute = Restrict(chat=room.room, user=resident, minutes=120)
        await running.adapter.perform(mute)
        await running.adapter.perform(mute)  # performed again after a crash: the same mute
        levels = await levels_of(room.admin, room.room)
        assert levels["users"][resident] == -1  # events_default is 0 in this room
        assert not await can_post(room.resident, room.room)

    async with room.start() as running:  # the bot restarted between the mute and its end
        lift = Unrestrict(chat=room.room, user=resident)
        await running.adapter.perform(lift)
        levels = await levels_of(room.admin, room.room)
        assert resident not in levels["users"]  # as before: not listed, the room's default
        assert levels["users"][room.bot] == BOT_LEVEL
        assert await can_post(room.resident, room.room)
        await running.adapter.perform(lift)  # again after a crash: nothing left to restore
        assert await levels_of(room.admin, room.room) == levels


async def test_a_lifted_mute_gives_back_the_level_the_person_had(room: Room) -> None:
    resident = room.resident.user_id
    before = await levels_of(room.admin, room.room)
    raised = await room.admin.room_put_state(
        room.room,
        "m.room.power_levels",
        {**before, "events_default": 10, "users": {**before["users"], resident: 20}},
    )
    assert isinstance(raised, nio.RoomPutStateResponse), raised
    async with room.start() as running:
        await bot_joined(room.admin, room.room, room.bot)
        await running.adapter.perform(Restrict(chat=room.room, user=resident))
        assert (await levels_of(room.admin, room.room))["users"][resident] == 9
        assert not await can_post(room.resident, room.room)
        await running.adapter.perform(Unrestrict(chat=room.room, user=resident))
        assert (await levels_of(room.admin, room.room))["users"][resident] == 20
        assert await can_post(room.resident, room.room)


async def test_a_mute_the_room_does_not_allow_the_bot_is_refused_and_not_noted(room: Room) -> None:
    resident = room.resident.user_id
    before = await levels_of(room.admin, room.room)
    as_high = {**before, "users": {**before["users"], resident: BOT_LEVEL}}
    assert isinstance(
        await room.admin.room_put_state(room.room, "m.room.power_levels", as_high),
        nio.RoomPutStateResponse,
    )
    async with room.start() as running:
        await bot_joined(room.admin, room.room, room.bot)
        with pytest.raises(ActionFailed, match="mute .*M_FORBIDDEN"):
            await running.adapter.perform(Restrict(chat=room.room, user=resident))
        lowered = {**as_high, "users": {**as_high["users"], resident: 0}}
        assert isinstance(
            await room.admin.room_put_state(room.room, "m.room.power_levels", lowered),
            nio.RoomPutStateResponse,
        )
        await running.adapter.perform(Unrestrict(chat=room.room, user=resident))
        assert (await levels_of(room.admin, room.room))["users"][resident] == 0  # not raised


async def rule_in(client: nio.AsyncClient, room: str, user: str) -> dict[str, Any]:
    found = await client.room_get_state_event(room, "m.policy.rule.user", f"rule:{user}")
    assert isinstance(found, nio.RoomGetStateEventResponse), found
    return dict(found.content)


async def test_the_policy_room_holds_the_ban_for_a_plain_client_and_its_withdrawal(
    room: Room, matrix_user: MatrixUserFactory, homeserver: Homeserver
) -> None:
    banned = room.resident.user_id
    watcher = await matrix_user("draupnir")  # any account may follow the ban list
    alias = policy_alias(homeserver, room.bot)
    async with room.start() as running:
        await running.adapter.perform(PublishBan(user=banned, reason="scam links"))
        resolved = await watcher.room_resolve_alias(alias)
        assert isinstance(resolved, nio.RoomResolveAliasResponse), resolved
        policy_room = resolved.room_id
        await join(watcher, policy_room)
        assert await rule_in(watcher, policy_room, banned) == {
            "entity": banned,
            "recommendation": "m.ban",
            "reason": "scam links",
        }
        name = await watcher.room_get_state_event(policy_room, "m.room.name")
        assert isinstance(name, nio.RoomGetStateEventResponse), name
        assert name.content["name"] == "Test Community: ban list"

    async with room.start() as running:  # the same room after a restart, not a new one
        await running.adapter.perform(WithdrawBan(user=banned))
        assert await rule_in(watcher, policy_room, banned) == {}
        await running.adapter.perform(PublishBan(user=room.admin.user_id, reason="x"))
        assert (await rule_in(watcher, policy_room, room.admin.user_id))["entity"] == (
            room.admin.user_id
        )


async def test_a_withdrawal_without_a_policy_room_creates_none(
    room: Room, homeserver: Homeserver
) -> None:
    async with room.start() as running:
        await running.adapter.perform(WithdrawBan(user=room.resident.user_id))
    resolved = await room.admin.room_resolve_alias(policy_alias(homeserver, room.bot))
    assert isinstance(resolved, nio.RoomResolveAliasError), resolved


async def is_redacted(client: nio.AsyncClient, room: str, event_id: str) -> bool:
    found = await client.room_get_event(room, event_id)
    assert isinstance(found, nio.RoomGetEventResponse), found
    return "redacted_because" in found.event.source.get("unsigned", {})


async def test_delete_recent_redacts_what_the_person_wrote_and_nothing_else(room: Room) -> None:
    theirs = [await say(room.resident, room.room, f"buy now {n}") for n in range(3)]
    others = await say(room.admin, room.room, "water is off on Tuesday")
    async with room.start() as running:
        await bot_joined(room.admin, room.room, room.bot)
        action = DeleteRecent(chat=room.room, user=room.resident.user_id, hours=24)
        await running.adapter.perform(action)
        await running.adapter.perform(action)  # again: nothing left, nothing fails
    assert [await is_redacted(room.admin, room.room, e) for e in theirs] == [True] * 3
    assert not await is_redacted(room.admin, room.room, others)
