"""Helpers for the Matrix adapter's tests against the harness's real Synapse.

The ``homeserver`` and ``matrix_user`` fixtures come from ``tests.synapse.fixtures``
(registered in ``tests/conftest.py``).  A bot runs in-process with :func:`running_bot`,
or as a real ``sanshe run`` subprocess in the crash test.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import nio
import pytest
import yaml

from sanshe.adapters.matrix import MatrixAdapter
from sanshe.core.bot import Bot
from sanshe.core.clock import Clock
from sanshe.core.config import load_community
from sanshe.core.contributions import vocabulary
from sanshe.core.plugins import plugin_manager
from sanshe.core.storage import Storage
from sanshe.core.storage.tables import plugin_tables
from tests.synapse.clients import MatrixUserFactory, sync_until, timeline
from tests.synapse.harness import Homeserver, RegisteredUser

from . import gatekeeper

T = TypeVar("T")
BOT_PASSWORD = "bot-secret-pw"


@pytest.fixture
async def bot_account(homeserver: Homeserver) -> RegisteredUser:
    """A fresh Matrix account for the bot (with an access token from registration)."""
    return await homeserver.register(f"sanshe-{uuid.uuid4().hex[:10]}", BOT_PASSWORD)


@pytest.fixture(autouse=True)
def _forget_seen_events() -> None:
    gatekeeper.SEEN.clear()


def write_community(
    path: Path,
    homeserver: Homeserver,
    bot: RegisteredUser,
    *,
    groups: Sequence[dict[str, Any]] = (),
    people: Sequence[dict[str, Any]] = (),
    adapter: dict[str, Any] | None = None,
    rules: Sequence[dict[str, Any]] = (),
) -> Path:
    """Write a small English-speaking community whose ``adapters.matrix`` is the test bot."""
    settings = {
        "homeserver": homeserver.url,
        "user_id": bot.user_id,
        "access_token": bot.access_token,
        "store_path": str(path.parent / "matrix-store"),
        **(adapter or {}),
    }
    data = {
        "community": {"id": "test", "name": "Test Community", "locale": "en"},
        "groups": list(groups),
        "people": list(people),
        "adapters": {"matrix": settings},
    }
    if rules:
        data["rules"] = list(rules)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class Running:
    """A bot running in this process on the Matrix adapter."""

    bot: Bot
    adapter: MatrixAdapter
    storage: Storage


@contextlib.asynccontextmanager
async def running_bot(
    config: Path,
    db: Path,
    plugins: Sequence[object] = (gatekeeper,),
    *,
    clock: Clock | None = None,
) -> AsyncIterator[Running]:
    """Start the bot of ``config`` (with the test plugin, on ``clock`` if given); stop it on leaving."""
    # The gatekeeper's /approve and /decline stand in for the joining plugin's: not both.
    pm = plugin_manager(("joining",) if gatekeeper in plugins else (), extra=plugins)
    community = load_community(config, vocabulary(pm))
    adapter = MatrixAdapter.from_settings(community.adapters["matrix"])
    storage = Storage(f"sqlite://{db}", plugin_tables(pm))  # the plugins' tables too
    await storage.open()
    bot = Bot(community, adapter, storage, pm=pm, config_path=config, clock=clock)
    await bot.start()
    task = asyncio.create_task(adapter.run(bot), name="matrix adapter")
    try:
        yield Running(bot, adapter, storage)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bot.stop()
        await storage.close()


async def wait_until(
    check: Callable[[], Awaitable[T | None]], what: str, timeout: float = 20.0
) -> T:
    """Poll ``check`` until it returns something other than None; fail saying ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.1)


async def wait_event(
    client: nio.AsyncClient,
    room_id: str,
    match: Callable[[nio.Event], bool],
    what: str,
    timeout: float = 20.0,
) -> nio.Event:
    """Sync ``client`` until an event of ``room_id`` matches; fail saying ``what`` after ``timeout``."""

    def found(response: nio.SyncResponse) -> nio.Event | None:
        return next((e for e in timeline(response, room_id) if match(e)), None)

    try:
        return await sync_until(client, found, timeout=timeout)
    except AssertionError as exc:
        raise AssertionError(f"{what}: {exc}") from None


def reply_to(event: nio.Event) -> str | None:
    """The event id an event replies to, if it is a reply."""
    relates = event.source.get("content", {}).get("m.relates_to") or {}
    return (relates.get("m.in_reply_to") or {}).get("event_id")


async def say(client: nio.AsyncClient, room_id: str, text: str) -> str:
    """Post ``text`` as ``client``; return the event id."""
    sent = await client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": text})
    assert isinstance(sent, nio.RoomSendResponse), sent
    return sent.event_id


async def reply_of(
    client: nio.AsyncClient, room_id: str, bot_id: str, event_id: str, what: str
) -> nio.Event:
    """Wait for the bot's reply to ``event_id`` in ``room_id``."""
    return await wait_event(
        client, room_id, lambda e: e.sender == bot_id and reply_to(e) == event_id, what
    )


async def create_room(
    staff: nio.AsyncClient,
    invite: Sequence[str],
    *,
    knock: bool = False,
    moderators: Sequence[str] = (),
) -> str:
    """A room created by ``staff`` (its creator), inviting ``invite``; ``moderators`` get level 50."""
    initial_state = []
    if knock:
        initial_state.append(
            {"type": "m.room.join_rules", "state_key": "", "content": {"join_rule": "knock"}}
        )
    created = await staff.room_create(
        name="test room",
        invite=list(invite),
        initial_state=initial_state,
        power_level_override={"users": dict.fromkeys(moderators, 50)},
    )
    assert isinstance(created, nio.RoomCreateResponse), created
    return created.room_id


async def join(client: nio.AsyncClient, room_id: str) -> None:
    """``client`` joins ``room_id`` (it was invited)."""
    joined = await client.join(room_id)
    assert isinstance(joined, nio.JoinResponse), joined


async def members(client: nio.AsyncClient, room_id: str) -> set[str]:
    """The joined members of ``room_id`` as ``client`` sees them."""
    answer = await client.joined_members(room_id)
    assert isinstance(answer, nio.JoinedMembersResponse), answer
    return {m.user_id for m in answer.members}


async def bot_joined(staff: nio.AsyncClient, room_id: str, bot_id: str) -> None:
    """Wait until the bot accepted its invitation to ``room_id``."""

    async def check() -> bool | None:
        return True if bot_id in await members(staff, room_id) else None

    await wait_until(check, f"{bot_id} to join {room_id}")


@dataclass
class Scene:
    """A knock-only group room made by its admin, with the bot (level 50) and one resident."""

    running: Running
    bot: str
    admin: nio.AsyncClient
    resident: nio.AsyncClient
    room: str


VOLUNTEERS = {
    "id": "volunteers",
    "kind": "volunteer_pool",
    "name": "Volunteers",
    "join_approval": False,
}


def building(room: str) -> dict[str, object]:
    return {
        "id": "building-1",
        "kind": "resident",
        "name": "Building 1",
        "purpose": "Households of building 1",
        "join_approval": True,
        "administered_by": ["grid_worker"],
        "chats": {"matrix": room},
    }


@pytest.fixture
async def scene(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
) -> AsyncIterator[Scene]:
    admin = await matrix_user("admin")
    resident = await matrix_user("resident")
    bot = bot_account.user_id
    room = await create_room(admin, [bot, resident.user_id], knock=True, moderators=[bot])
    await join(resident, room)
    people = [
        {
            "id": "zhao",
            "name": "Zhao",
            "handles": {"matrix": admin.user_id},
            "roles": [{"role": "grid_worker", "groups": ["building-1"]}],
        }
    ]
    config = write_community(
        tmp_path / "community.yaml",
        homeserver,
        bot_account,
        groups=[building(room), VOLUNTEERS],
        people=people,
    )
    async with running_bot(config, tmp_path / "bot.sqlite3") as running:
        await bot_joined(admin, room, bot)
        yield Scene(running, bot, admin, resident, room)


def body(event: nio.Event) -> str:
    return str(event.source.get("content", {}).get("body", ""))
