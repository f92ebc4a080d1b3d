"""The Matrix adapter end to end: residents and staff on a real Synapse, the bot in-process."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import nio
import pytest

from sanshe.adapters.matrix.adapter import TIMELINE
from sanshe.core.actions import Send
from sanshe.core.events import Event, JoinRequest, MemberJoined, MemberLeft, MemberRenamed
from sanshe.core.i18n import Catalogue
from tests.synapse.clients import MatrixUserFactory, sync_until, timeline
from tests.synapse.harness import Homeserver, RegisteredUser

from . import gatekeeper
from .conftest import (
    Scene,
    body,
    bot_joined,
    building,
    create_room,
    join,
    members,
    reply_of,
    reply_to,
    running_bot,
    say,
    wait_event,
    wait_until,
    write_community,
)


async def test_a_residents_message_is_answered_in_the_same_room(scene: Scene) -> None:
    sent = await say(scene.resident, scene.room, "ping 1")
    reply = await reply_of(
        scene.resident, scene.room, scene.bot, sent, "the bot's answer to ping 1"
    )
    assert body(reply) == "pong 1"
    assert reply.source["content"]["msgtype"] == "m.notice"


async def test_a_knock_is_a_join_request_the_admin_approves(
    scene: Scene, matrix_user: MatrixUserFactory
) -> None:
    knocker = await matrix_user("knocker")
    knocked = await knocker.room_knock(scene.room, reason="I live in 1-302")
    assert isinstance(knocked, nio.RoomKnockResponse), knocked

    notice = await wait_event(
        scene.admin,
        scene.room,
        lambda e: e.sender == scene.bot and body(e).startswith("join request"),
        "the bot to announce the join request",
    )
    assert body(notice) == f"join request: {knocker.user_id} (I live in 1-302)"
    request = next(e for e in gatekeeper.SEEN if isinstance(e, JoinRequest))
    assert request.chat == scene.room and request.sender == knocker.user_id

    await say(scene.admin, scene.room, f"/admit {knocker.user_id}")
    await sync_until(knocker, lambda r: True if scene.room in r.rooms.invite else None)
    await join(knocker, scene.room)
    assert knocker.user_id in await members(scene.admin, scene.room)

    async def joined() -> MemberJoined | None:
        return next(
            (
                e
                for e in gatekeeper.SEEN
                if isinstance(e, MemberJoined) and e.sender == knocker.user_id
            ),
            None,
        )

    await wait_until(joined, "the bot to report the knocker's join")


async def test_a_declined_knock_is_turned_away_with_the_reason(
    scene: Scene, matrix_user: MatrixUserFactory
) -> None:
    knocker = await matrix_user("knocker")
    assert isinstance(await knocker.room_knock(scene.room), nio.RoomKnockResponse)
    await wait_event(
        scene.admin,
        scene.room,
        lambda e: e.sender == scene.bot and knocker.user_id in body(e),
        "the bot to announce the join request",
    )
    await say(scene.admin, scene.room, f"/refuse {knocker.user_id} please ask your building leader")
    refusal = await wait_event(
        scene.admin,
        scene.room,
        lambda e: (
            isinstance(e, nio.RoomMemberEvent)
            and e.state_key == knocker.user_id
            and e.membership == "leave"
        ),
        "the knocker to be turned away",
    )
    assert refusal.sender == scene.bot
    assert refusal.content.get("reason") == "please ask your building leader"


async def test_a_command_refused_by_role_gets_a_refusal(scene: Scene) -> None:
    sent = await say(scene.resident, scene.room, "/bind building-1")
    reply = await reply_of(scene.resident, scene.room, scene.bot, sent, "the refusal of /bind")
    refused = Catalogue().gettext("en", "command.refused", name="bind").split("{allowed}")[0]
    assert body(reply).startswith(refused), body(reply)
    assert await scene.running.storage.bindings() == {}
    # The group's admin may.
    sent = await say(scene.admin, scene.room, "/bind building-1")
    reply = await reply_of(
        scene.admin, scene.room, scene.bot, sent, "the answer to the admin's /bind"
    )
    assert body(reply) == "This chat is now Building 1 (building-1)."
    assert await scene.running.storage.bindings() == {("matrix", scene.room): "building-1"}


async def test_a_room_named_by_its_alias_belongs_to_its_group(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
) -> None:
    admin = await matrix_user("admin")
    bot = bot_account.user_id
    room = await create_room(admin, [bot])
    alias = f"#b1-{room[1:9].lower()}:{homeserver.server_name}"
    made = await admin.room_put_alias(alias, room)
    assert isinstance(made, nio.RoomPutAliasResponse), made
    config = write_community(
        tmp_path / "community.yaml",
        homeserver,
        bot_account,
        groups=[{**building(room), "chats": {"matrix": alias}}],
        people=[{"id": "zhao", "handles": {"matrix": admin.user_id}, "roles": ["grid_worker"]}],
    )
    async with running_bot(config, tmp_path / "bot.sqlite3") as running:
        await bot_joined(admin, room, bot)
        sent = await say(admin, room, "/groupinfo")
        reply = await reply_of(admin, room, bot, sent, "the answer to /groupinfo")
        assert body(reply).startswith("Building 1 — ")
        await running.adapter.perform(Send(chat=alias, text="to the alias"))
        await wait_event(
            admin, room, lambda e: body(e) == "to the alias", "a message sent to the alias"
        )


async def test_members_joining_renaming_and_leaving_are_reported(
    scene: Scene, matrix_user: MatrixUserFactory
) -> None:
    newcomer = await matrix_user("newcomer")
    assert isinstance(
        await scene.admin.room_invite(scene.room, newcomer.user_id), nio.RoomInviteResponse
    )
    await join(newcomer, scene.room)
    assert isinstance(
        await newcomer.set_displayname("1-302自住"), nio.ProfileSetDisplayNameResponse
    )

    def seen(kind: type) -> Callable[[], Awaitable[Event | None]]:
        async def check() -> Event | None:
            return next(
                (
                    e
                    for e in gatekeeper.SEEN
                    if isinstance(e, kind) and e.sender == newcomer.user_id
                ),
                None,
            )

        return check

    renamed = await wait_until(seen(MemberRenamed), "the bot to report the newcomer's new name")
    assert renamed.sender_name == "1-302自住" and renamed.chat == scene.room
    assert isinstance(await newcomer.room_leave(scene.room), nio.RoomLeaveResponse)
    await wait_until(seen(MemberLeft), "the bot to report that the newcomer left")
    kinds = [type(e) for e in gatekeeper.SEEN if e.sender == newcomer.user_id]
    assert kinds == [MemberJoined, MemberRenamed, MemberLeft]


async def test_direct_messages_open_one_private_room_and_reuse_it(scene: Scene) -> None:
    resident = scene.resident
    await say(resident, scene.room, "/dm first")
    invite = await sync_until(resident, lambda r: next(iter(r.rooms.invite), None), timeout=20)
    await join(resident, invite)
    first = await wait_event(
        resident, invite, lambda e: e.sender == scene.bot and body(e) == "first", "the first DM"
    )
    assert first.source["content"]["msgtype"] == "m.notice"
    stored = await scene.running.storage.get_state("matrix", f"dm:{resident.user_id}")
    assert stored == invite

    await say(resident, scene.room, "/dm second")
    await wait_event(
        resident, invite, lambda e: e.sender == scene.bot and body(e) == "second", "the second DM"
    )
    # An answer in the private room is a direct message to the bot.
    sent = await say(resident, invite, "ping private")
    await reply_of(resident, invite, scene.bot, sent, "the answer in the private room")


async def test_invitations_from_strangers_are_declined(
    scene: Scene, matrix_user: MatrixUserFactory
) -> None:
    stranger = await matrix_user("stranger")
    room = await create_room(stranger, [scene.bot])
    gone = await wait_event(
        stranger,
        room,
        lambda e: (
            isinstance(e, nio.RoomMemberEvent)
            and e.state_key == scene.bot
            and e.membership == "leave"
        ),
        "the bot to decline the stranger's invitation",
    )
    assert gone.sender == scene.bot


async def test_anyone_may_open_a_direct_chat_with_the_bot(
    scene: Scene, matrix_user: MatrixUserFactory
) -> None:
    """A resident the community file does not name can still write to the bot privately."""
    stranger = await matrix_user("stranger")
    created = await stranger.room_create(invite=[scene.bot], is_direct=True)
    assert isinstance(created, nio.RoomCreateResponse), created
    await bot_joined(stranger, created.room_id, scene.bot)
    sent = await say(stranger, created.room_id, "ping private")
    await reply_of(stranger, created.room_id, scene.bot, sent, "the answer in the private chat")


async def test_what_was_sent_while_the_bot_was_away_is_answered_once(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="sanshe.adapters.matrix")
    admin = await matrix_user("admin")
    resident = await matrix_user("resident")
    bot = bot_account.user_id
    room = await create_room(admin, [bot, resident.user_id])
    await join(resident, room)
    config = write_community(
        tmp_path / "community.yaml",
        homeserver,
        bot_account,
        groups=[building(room)],
        people=[{"id": "zhao", "handles": {"matrix": admin.user_id}, "roles": ["grid_worker"]}],
    )
    async with running_bot(config, tmp_path / "bot.sqlite3"):
        await bot_joined(admin, room, bot)
    # More than one sync's timeline arrives while the bot is stopped.
    sent = [await say(resident, room, f"ping {n}") for n in range(TIMELINE + 20)]
    answers: Counter[str] = Counter()

    def answered(ids: list[str]) -> Callable[[nio.SyncResponse], bool | None]:
        def found(response: nio.SyncResponse) -> bool | None:
            for event in timeline(response, room):
                if event.sender == bot and (to := reply_to(event)):
                    answers[to] += 1
            return True if all(answers[i] for i in ids) else None

        return found

    async with running_bot(config, tmp_path / "bot.sqlite3"):
        await sync_until(admin, answered(sent), timeout=60)
        # The room's events are handled in order: after this answer, nothing else is due.
        await sync_until(admin, answered([await say(resident, room, "ping last")]))
    assert {i: answers[i] for i in sent} == dict.fromkeys(sent, 1)
    assert any("the sync of" in r.getMessage() for r in caplog.records)


async def test_history_from_before_the_first_start_is_not_answered(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
) -> None:
    admin = await matrix_user("admin")
    resident = await matrix_user("resident")
    bot = bot_account.user_id
    room = await create_room(admin, [bot, resident.user_id])
    await join(resident, room)
    before = await say(resident, room, "ping before")
    config = write_community(
        tmp_path / "community.yaml",
        homeserver,
        bot_account,
        groups=[building(room)],
        people=[{"id": "zhao", "handles": {"matrix": admin.user_id}, "roles": ["grid_worker"]}],
    )
    answers: Counter[str] = Counter()

    def answered(event_id: str) -> Callable[[nio.SyncResponse], bool | None]:
        def found(response: nio.SyncResponse) -> bool | None:
            for event in timeline(response, room):
                if event.sender == bot and (to := reply_to(event)):
                    answers[to] += 1
            return True if answers[event_id] else None

        return found

    async with running_bot(config, tmp_path / "bot.sqlite3"):
        await bot_joined(admin, room, bot)
        after = await say(resident, room, "ping after")
        await sync_until(admin, answered(after))
    assert answers == Counter({after: 1}), before


async def test_a_room_joined_later_is_answered_from_the_join_on(scene: Scene) -> None:
    room = await create_room(scene.admin, [scene.resident.user_id])
    await join(scene.resident, room)
    early = await say(scene.resident, room, "ping early")
    assert isinstance(await scene.admin.room_invite(room, scene.bot), nio.RoomInviteResponse)
    await bot_joined(scene.admin, room, scene.bot)
    late = await say(scene.resident, room, "ping late")
    answers: Counter[str] = Counter()

    def found(response: nio.SyncResponse) -> bool | None:
        for event in timeline(response, room):
            if event.sender == scene.bot and (to := reply_to(event)):
                answers[to] += 1
        return True if answers[late] else None

    await sync_until(scene.admin, found)
    assert answers == Counter({late: 1}), early
