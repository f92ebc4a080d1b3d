"""Each core action becomes the right Client-Server API call; refusals are reported, not swallowed."""

from __future__ import annotations

import logging
import re

import aiohttp
import nio
import pytest

from sanshe.core.actions import (
    Ban,
    CreateGroup,
    DeclineJoin,
    Delete,
    DirectMessage,
    Invite,
    Pin,
    Remove,
    Send,
    SendFile,
    Unban,
)
from sanshe.core.adapter import ActionFailed, performing_outbox_key
from tests.synapse.clients import MatrixUserFactory, sync_until, timeline
from tests.synapse.harness import Homeserver

from .conftest import Scene, body, create_room, join, say, wait_event, wait_until


def notice_from(event: nio.Event, sender: str) -> bool:
    return isinstance(event, nio.RoomMessageNotice) and event.sender == sender


def membership_of(user: str, membership: str) -> object:
    return lambda e: (
        isinstance(e, nio.RoomMemberEvent) and e.state_key == user and e.membership == membership
    )


async def test_delete_redacts_the_message(scene: Scene) -> None:
    sent = await say(scene.resident, scene.room, "my phone is 13800138000")
    await scene.running.adapter.perform(Delete(chat=scene.room, message_id=sent))
    redaction = await wait_event(
        scene.admin,
        scene.room,
        lambda e: isinstance(e, nio.RedactionEvent) and e.redacts == sent,
        "the redaction of the resident's message",
    )
    assert redaction.sender == scene.bot


async def test_remove_and_ban_take_the_person_out(
    scene: Scene, matrix_user: MatrixUserFactory
) -> None:
    adapter = scene.running.adapter
    await adapter.perform(Remove(chat=scene.room, user=scene.resident.user_id, reason="spam"))
    kicked = await wait_event(
        scene.admin, scene.room, membership_of(scene.resident.user_id, "leave"), "the kick"
    )
    assert kicked.sender == scene.bot and kicked.content.get("reason") == "spam"

    await adapter.perform(Ban(chat=scene.room, user=scene.resident.user_id, reason="abuse"))
    banned = await wait_event(
        scene.admin, scene.room, membership_of(scene.resident.user_id, "ban"), "the ban"
    )
    assert banned.content.get("reason") == "abuse"

    await adapter.perform(Unban(chat=scene.room, user=scene.resident.user_id))
    await wait_event(
        scene.admin, scene.room, membership_of(scene.resident.user_id, "leave"), "the unban"
    )


async def test_invite_and_pin(scene: Scene, matrix_user: MatrixUserFactory) -> None:
    adapter = scene.running.adapter
    guest = await matrix_user("guest")
    await adapter.perform(Invite(chat=scene.room, user=guest.user_id))
    await sync_until(guest, lambda r: True if scene.room in r.rooms.invite else None)

    notice = await say(scene.admin, scene.room, "water is off on Tuesday")
    await adapter.perform(Pin(chat=scene.room, message_id=notice))
    await adapter.perform(Pin(chat=scene.room, message_id=notice))
    pins = await scene.admin.room_get_state_event(scene.room, "m.room.pinned_events")
    assert isinstance(pins, nio.RoomGetStateEventResponse), pins
    assert pins.content["pinned"] == [notice]


async def test_create_group_makes_a_bound_room_once(scene: Scene) -> None:
    running = scene.running
    action = CreateGroup(group_id="volunteers", name="Volunteers", topic="Sign up here")
    await running.adapter.perform(action)
    room = running.bot.directory.chat_of("matrix", "volunteers")
    assert room is not None
    assert await running.storage.bindings() == {("matrix", room): "volunteers"}
    client = running.adapter.client
    assert client is not None
    rules = await client.room_get_state_event(room, "m.room.join_rules")
    assert isinstance(rules, nio.RoomGetStateEventResponse), rules
    assert rules.content["join_rule"] == "invite"  # volunteers need no approval
    topic = await client.room_get_state_event(room, "m.room.topic")
    assert isinstance(topic, nio.RoomGetStateEventResponse), topic
    assert topic.content["topic"] == "Sign up here"

    await running.adapter.perform(action)
    assert await running.storage.bindings() == {("matrix", room): "volunteers"}


async def test_refusals_raise_action_failed(scene: Scene, matrix_user: MatrixUserFactory) -> None:
    adapter = scene.running.adapter
    # In this room the bot has no power: the homeserver refuses the kick.
    other = await create_room(scene.admin, [scene.bot, scene.resident.user_id])
    await join(scene.resident, other)

    async def bot_is_in() -> bool | None:
        answer = await scene.admin.joined_members(other)
        assert isinstance(answer, nio.JoinedMembersResponse), answer
        return True if scene.bot in {m.user_id for m in answer.members} else None

    await wait_until(bot_is_in, "the bot to accept the invitation")
    with pytest.raises(ActionFailed, match="M_FORBIDDEN"):
        await adapter.perform(Remove(chat=other, user=scene.resident.user_id))
    with pytest.raises(ActionFailed, match="no room"):
        await adapter.perform(Send(chat="#nowhere:localhost", text="hello"))
    with pytest.raises(ActionFailed, match="M_FORBIDDEN"):
        await adapter.perform(Send(chat="!unknown:localhost", text="hello"))


async def test_a_send_performed_again_with_the_same_outbox_key_posts_once(scene: Scene) -> None:
    adapter = scene.running.adapter
    performing = performing_outbox_key.set("matrix|$crashed-event|0")
    try:
        await adapter.perform(Send(chat=scene.room, text="only once"))
        await adapter.perform(Send(chat=scene.room, text="only once"))
    finally:
        performing_outbox_key.reset(performing)
    await adapter.perform(Send(chat=scene.room, text="after"))

    seen: list[str] = []

    def until_after(response: nio.SyncResponse) -> bool | None:
        seen.extend(body(e) for e in timeline(response, scene.room) if notice_from(e, scene.bot))
        return True if "after" in seen else None

    await sync_until(scene.resident, until_after)
    assert seen.count("only once") == 1


async def test_rate_limits_are_waited_out(
    scene: Scene,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    operator = await matrix_user("operator", admin=True)
    async with aiohttp.ClientSession() as http:
        answer = await http.post(
            f"{homeserver.url}/_synapse/admin/v1/users/{scene.bot}/override_ratelimit",
            json={"messages_per_second": 2, "burst_count": 1},
            headers={"Authorization": f"Bearer {operator.access_token}"},
        )
        assert answer.status == 200, await answer.text()
    caplog.set_level(logging.INFO, logger="sanshe.adapters.matrix")
    for number in range(6):
        await scene.running.adapter.perform(Send(chat=scene.room, text=f"notice {number}"))
    assert any("rate limited" in r.getMessage() for r in caplog.records)

    seen: list[str] = []

    def until_last(response: nio.SyncResponse) -> bool | None:
        seen.extend(body(e) for e in timeline(response, scene.room) if notice_from(e, scene.bot))
        return True if "notice 5" in seen else None

    await sync_until(scene.resident, until_last)
    assert seen == [f"notice {n}" for n in range(6)]


async def test_a_declined_knock_without_reason_gets_the_adapters_own(
    scene: Scene, matrix_user: MatrixUserFactory
) -> None:
    knocker = await matrix_user("knocker")
    assert isinstance(await knocker.room_knock(scene.room), nio.RoomKnockResponse)
    await scene.running.adapter.perform(DeclineJoin(chat=scene.room, user=knocker.user_id))
    turned_away = await wait_event(
        scene.admin, scene.room, membership_of(knocker.user_id, "leave"), "the knocker turned away"
    )
    expected = scene.running.bot.catalogue.gettext("en", "matrix.decline.reason")
    assert turned_away.content.get("reason") == expected
    assert expected.startswith("Your request to join was not approved")


async def test_a_private_chat_that_cannot_be_opened_is_said_where_it_was_asked(
    scene: Scene,
) -> None:
    nobody = "@nobody-here:localhost"
    with pytest.raises(ActionFailed, match=f"look up {nobody}"):
        await scene.running.adapter.perform(
            DirectMessage(user=nobody, text="your case", fallback_chat=scene.room)
        )
    note = await wait_event(
        scene.resident,
        scene.room,
        lambda e: e.sender == scene.bot and nobody in body(e),
        "the note that the private chat could not be opened",
    )
    assert body(note) == scene.running.bot.catalogue.gettext(
        "en", "matrix.direct.fallback", user=nobody
    )
    assert "your case" not in body(note)


async def test_a_file_for_someone_without_a_private_chat_is_asked_for_where_it_was_asked(
    scene: Scene,
) -> None:
    nobody = "@nobody-here:localhost"
    with pytest.raises(
        ActionFailed, match=f"look up {nobody}.*asked them in {re.escape(scene.room)}"
    ):
        await scene.running.adapter.perform(
            SendFile(name="case.pdf", content=b"%PDF", user=nobody, fallback_chat=scene.room)
        )
    note = await wait_event(
        scene.resident,
        scene.room,
        lambda e: e.sender == scene.bot and nobody in body(e),
        "the note that the private chat could not be opened",
    )
    assert body(note) == scene.running.bot.catalogue.gettext(
        "en", "matrix.direct.fallback", user=nobody
    )
