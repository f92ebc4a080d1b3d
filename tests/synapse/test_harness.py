"""End-to-end checks of the Synapse harness with real matrix-nio clients.

Most tests run on pytest-asyncio's default function loop with the synchronous session
``homeserver`` fixture and the function-scoped ``matrix_user`` factory. The tests marked
``@pytest.mark.asyncio(loop_scope="session")`` check the other recipe: a session-scoped async
fixture (``@pytest_asyncio.fixture(scope="session", loop_scope="session")``) shared by tests
that run on the session loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import nio
import pytest
import pytest_asyncio

from .clients import MatrixUserFactory, client_config, login_client, sync_until, timeline
from .harness import SYNAPSE_SERIES, Homeserver, HomeserverError, ensure_synapse

# Registers fixtures.py as a plugin (once, even if a conftest registers it too).
pytest_plugins = [f"{__package__}.fixtures"]

KNOCK_ONLY = [
    {"type": "m.room.join_rules", "state_key": "", "content": {"join_rule": "knock"}},
]
# Room version 12: the creator has unlimited power and must not be listed in "users".
STAFF_POWER_LEVELS = {
    "users": {},
    "users_default": 0,
    "events_default": 0,
    "state_default": 50,
    "invite": 50,
    "kick": 50,
    "ban": 50,
    "redact": 50,
}


def member_event(
    response: nio.SyncResponse, room_id: str, user_id: str, membership: str
) -> nio.RoomMemberEvent | None:
    """The ``membership`` event of ``user_id`` in ``room_id``'s timeline, if present."""
    for event in timeline(response, room_id):
        if (
            isinstance(event, nio.RoomMemberEvent)
            and event.state_key == user_id
            and event.membership == membership
        ):
            return event
    return None


def event_with_id(response: nio.SyncResponse, room_id: str, event_id: str) -> nio.Event | None:
    """The timeline event ``event_id`` of ``room_id``, if present."""
    return next((e for e in timeline(response, room_id) if e.event_id == event_id), None)


def redaction_of(response: nio.SyncResponse, room_id: str, event_id: str) -> nio.Event | None:
    """A redaction of ``event_id`` in ``room_id``'s timeline, if present."""
    for event in timeline(response, room_id):
        if isinstance(event, nio.RedactionEvent) and event.redacts == event_id:
            return event
    return None


async def create_knock_room(staff: nio.AsyncClient) -> str:
    """Create a knock-only room with a v12-valid power-levels override; return its id."""
    created = await staff.room_create(
        name="Triage",
        initial_state=KNOCK_ONLY,
        power_level_override=STAFF_POWER_LEVELS,
    )
    assert isinstance(created, nio.RoomCreateResponse), created
    return created.room_id


def test_ensure_synapse_is_idempotent_and_quick() -> None:
    python = ensure_synapse()  # installs on the very first run
    started = time.monotonic()
    assert ensure_synapse() == python
    assert time.monotonic() - started < 1.0
    assert python.is_file()
    assert python.parent.parent.name == ".venv-synapse"


async def test_homeserver_properties_and_register(homeserver: Homeserver) -> None:
    assert homeserver.running
    assert homeserver.url == f"http://127.0.0.1:{homeserver.port}"
    assert homeserver.server_name == "localhost"
    assert f"version {SYNAPSE_SERIES}." in homeserver.log_path.read_text()

    started = time.monotonic()
    admin = await homeserver.register("harness-admin", password="s3cret", admin=True)
    assert time.monotonic() - started < 5
    assert admin.user_id == "@harness-admin:localhost"
    assert admin.password == "s3cret"
    assert admin.access_token and admin.device_id

    client = nio.AsyncClient(homeserver.url, admin.user_id)
    try:
        login = await client.login("s3cret", device_name="pytest")
        assert isinstance(login, nio.LoginResponse), login
        whoami = await client.whoami()
        assert isinstance(whoami, nio.WhoamiResponse), whoami
        assert whoami.user_id == admin.user_id
    finally:
        await client.close()

    with pytest.raises(HomeserverError, match="User ID already taken"):
        await homeserver.register("harness-admin")


async def test_matrix_user_gives_distinct_logged_in_clients(
    matrix_user: MatrixUserFactory,
) -> None:
    first = await matrix_user("alice")
    second = await matrix_user("alice")
    assert first.user_id != second.user_id
    assert first.user_id.startswith("@alice-") and first.user_id.endswith(":localhost")
    for client in (first, second):
        whoami = await client.whoami()
        assert isinstance(whoami, nio.WhoamiResponse), whoami
        assert whoami.user_id == client.user_id
        assert whoami.device_id == client.device_id


async def test_power_levels_listing_the_creator_are_rejected(
    matrix_user: MatrixUserFactory,
) -> None:
    staff = await matrix_user("staff")
    refused = await staff.room_create(
        initial_state=KNOCK_ONLY,
        power_level_override={**STAFF_POWER_LEVELS, "users": {staff.user_id: 100}},
    )
    assert isinstance(refused, nio.RoomCreateError), refused


async def test_knock_approve_message_redact_kick_and_restart(
    homeserver: Homeserver, matrix_user: MatrixUserFactory
) -> None:
    staff = await matrix_user("staff")
    resident = await matrix_user("resident")
    for client in (staff, resident):
        assert isinstance(await client.sync(timeout=0), nio.SyncResponse)

    room_id = await create_knock_room(staff)
    create = await staff.room_get_state_event(room_id, "m.room.create")
    assert isinstance(create, nio.RoomGetStateEventResponse), create
    assert create.content["room_version"] == "12"
    power = await staff.room_get_state_event(room_id, "m.room.power_levels")
    assert isinstance(power, nio.RoomGetStateEventResponse), power
    assert staff.user_id not in power.content.get("users", {})

    # Resident knocks; staff sees the knock.
    knocked = await resident.room_knock(room_id, reason="I need help")
    assert isinstance(knocked, nio.RoomKnockResponse), knocked
    knock = await sync_until(staff, lambda r: member_event(r, room_id, resident.user_id, "knock"))
    assert knock.content.get("reason") == "I need help"

    # Staff approves (invite); resident sees the invite and joins.
    invited = await staff.room_invite(room_id, resident.user_id)
    assert isinstance(invited, nio.RoomInviteResponse), invited
    await sync_until(resident, lambda r: True if room_id in r.rooms.invite else None)
    joined = await resident.join(room_id)
    assert isinstance(joined, nio.JoinResponse), joined
    await sync_until(staff, lambda r: member_event(r, room_id, resident.user_id, "join"))

    # Resident writes; staff reads it, then redacts it.
    sent = await resident.room_send(
        room_id, "m.room.message", {"msgtype": "m.text", "body": "my address is secret"}
    )
    assert isinstance(sent, nio.RoomSendResponse), sent
    seen = await sync_until(staff, lambda r: event_with_id(r, room_id, sent.event_id))
    assert isinstance(seen, nio.RoomMessageText)
    assert seen.body == "my address is secret" and seen.sender == resident.user_id

    redacted = await staff.room_redact(room_id, sent.event_id, reason="privacy")
    assert isinstance(redacted, nio.RoomRedactResponse), redacted
    await sync_until(resident, lambda r: redaction_of(r, room_id, sent.event_id))

    note = await staff.room_send(
        room_id, "m.room.message", {"msgtype": "m.text", "body": "case closed"}
    )
    assert isinstance(note, nio.RoomSendResponse), note

    # Kick: the resident's sync shows the room as left.
    kicked = await staff.room_kick(room_id, resident.user_id, reason="resolved")
    assert isinstance(kicked, nio.RoomKickResponse), kicked
    leave = await sync_until(
        resident, lambda r: member_event(r, room_id, resident.user_id, "leave")
    )
    assert leave.sender == staff.user_id

    # Restart on the same port; data and access tokens survive.
    port = homeserver.port
    await homeserver.restart()
    assert homeserver.running and homeserver.port == port

    for client in (staff, resident):
        assert isinstance(await client.sync(timeout=0), nio.SyncResponse)
        # An initial sync with the same token, from scratch, sees the room too.
        again = nio.AsyncClient(homeserver.url, config=client_config())
        again.restore_login(client.user_id, client.device_id, client.access_token)
        try:
            fresh = await again.sync(timeout=0, sync_filter={"room": {"include_leave": True}})
        finally:
            await again.close()
        assert isinstance(fresh, nio.SyncResponse), fresh
        rooms = fresh.rooms.join if client is staff else fresh.rooms.leave
        assert room_id in rooms

    history = await staff.room_messages(room_id, limit=50)
    assert isinstance(history, nio.RoomMessagesResponse), history
    by_id = {event.event_id: event for event in history.chunk}
    assert isinstance(by_id[note.event_id], nio.RoomMessageText)
    assert by_id[note.event_id].body == "case closed"
    assert isinstance(by_id[sent.event_id], nio.RedactedEvent)
    assert isinstance(by_id[knock.event_id], nio.RoomMemberEvent)

    after = await staff.room_send(
        room_id, "m.room.message", {"msgtype": "m.text", "body": "after restart"}
    )
    assert isinstance(after, nio.RoomSendResponse), after
    echoed = await sync_until(staff, lambda r: event_with_id(r, room_id, after.event_id))
    assert isinstance(echoed, nio.RoomMessageText) and echoed.body == "after restart"


async def test_taken_port_is_refused(homeserver: Homeserver, tmp_path: Path) -> None:
    clash = Homeserver(tmp_path / "clash", port=homeserver.port)
    with pytest.raises(HomeserverError, match="already in use"):
        async with clash:
            pytest.fail("a second Synapse on a taken port must not start")
    assert not clash.running
    assert homeserver.running


async def test_crash_on_startup_raises_with_log_tail(tmp_path: Path) -> None:
    broken = Homeserver(tmp_path / "broken")
    broken.workdir.mkdir()
    (broken.workdir / "localhost.signing.key").write_text("not a signing key\n")
    with pytest.raises(HomeserverError, match="exited with code") as failure:
        await broken.start()
    assert "synapse.stdio.log (tail)" in str(failure.value)
    assert "signing" in str(failure.value).lower()
    assert not broken.running


async def test_not_healthy_in_time_raises_and_stops(tmp_path: Path) -> None:
    slow = Homeserver(tmp_path / "slow")
    with pytest.raises(HomeserverError, match="not healthy"):
        await slow.start(timeout=0.3)
    assert not slow.running


# --- the session-loop recipe --------------------------------------------------------------


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def session_client(homeserver: Homeserver) -> AsyncIterator[nio.AsyncClient]:
    """One nio client shared by the session-loop tests below."""
    client = await login_client(homeserver, "shared")
    yield client
    await client.close()


_session_loops: list[asyncio.AbstractEventLoop] = []


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("round_", [1, 2])
async def test_session_scoped_client_on_session_loop(
    session_client: nio.AsyncClient, round_: int
) -> None:
    _session_loops.append(asyncio.get_running_loop())
    assert all(loop is _session_loops[0] for loop in _session_loops)
    whoami = await session_client.whoami()
    assert isinstance(whoami, nio.WhoamiResponse), whoami
    assert whoami.user_id == session_client.user_id


@pytest.mark.asyncio(loop_scope="session")
async def test_matrix_user_refuses_a_foreign_loop(matrix_user: MatrixUserFactory) -> None:
    with pytest.raises(RuntimeError, match="function event loop"):
        await matrix_user("stray")
