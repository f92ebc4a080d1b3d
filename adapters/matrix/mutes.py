"""Mutes on Matrix: a person's power level set below what posting needs, and given back.

A room's ``m.room.power_levels`` say what level each kind of event needs
(``events``, else ``events_default``) and each person's level (``users``, else
``users_default``).  A mute lists the person one below the lowest level any post
needs (-1 where posting needs 0), and keeps what they had before in the adapter's
storage, so that lifting it restores exactly that, after a restart too.  Both are
safe to perform again after a crash: a second mute keeps the level noted by the
first, a second lift finds nothing left to restore.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

import nio

from sanshe.core.adapter import ActionFailed
from sanshe.core.storage import Storage

from .client import request
from .convert import NETWORK
from .state import storage_key

log = logging.getLogger(__name__)

POWER_LEVELS = "m.room.power_levels"
#: The event types of a person's posts: a mute must stop each.
POSTS = ("m.room.message", "m.reaction", "m.sticker", "m.room.encrypted")
PREFIX = "mute:"


def _level(value: object, default: int) -> int:
    """A power level as the room states it (a number, or a string of one), else ``default``."""
    if isinstance(value, int | str):
        try:
            return int(value)
        except ValueError:
            pass
    return default


def posting_level(levels: Mapping[str, Any]) -> int:
    """The lowest level any post needs in a room with these power levels."""
    default = _level(levels.get("events_default"), 0)
    events = levels.get("events") or {}
    return min(_level(events.get(kind), default) for kind in POSTS)


def level_of(levels: Mapping[str, Any], user: str) -> int:
    """``user``'s level in a room with these power levels."""
    users = levels.get("users") or {}
    return _level(users.get(user), _level(levels.get("users_default"), 0))


def muted(levels: Mapping[str, Any], user: str) -> dict[str, Any]:
    """The power levels with ``user`` one below what posting needs."""
    return _with(levels, user, posting_level(levels) - 1)


def _with(levels: Mapping[str, Any], user: str, level: int | None) -> dict[str, Any]:
    """The power levels with ``user`` listed at ``level`` (None: not listed)."""
    users = dict(levels.get("users") or {})
    if level is None:
        users.pop(user, None)
    else:
        users[user] = level
    return {**levels, "users": users}


class Mutes:
    """Mutes and their lifting, one power-levels change at a time per room."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, room: str) -> asyncio.Lock:
        return self._locks.setdefault(room, asyncio.Lock())

    async def mute(self, client: nio.AsyncClient, storage: Storage, room: str, user: str) -> None:
        """List ``user`` below the posting level, noting first the level they had."""
        key = _key(room, user)
        async with self._lock(room):
            levels = await _read(client, room)
            first = not await storage.get_state(NETWORK, key)
            if first:
                before = (levels.get("users") or {}).get(user)
                await storage.set_state(NETWORK, key, json.dumps({"before": before}))
            if level_of(levels, user) < posting_level(levels):
                log.info("%s cannot post in %s already; the mute is noted", user, room)
                return
            try:
                await _write(client, room, muted(levels, user), f"mute {user}")
            except ActionFailed:
                if first:  # refused: there is no mute to lift
                    await storage.set_state(NETWORK, key, "")
                raise

    async def unmute(self, client: nio.AsyncClient, storage: Storage, room: str, user: str) -> None:
        """Give ``user`` back the level a mute noted (no note: the room's default for everyone)."""
        key = _key(room, user)
        async with self._lock(room):
            levels = await _read(client, room)
            noted = await storage.get_state(NETWORK, key)
            if noted:
                before = json.loads(noted).get("before")
            elif level_of(levels, user) >= posting_level(levels):
                return  # not muted, and no mute of the bot's to lift
            else:
                before = None
            if (levels.get("users") or {}).get(user) != before:
                await _write(client, room, _with(levels, user, before), f"unmute {user}")
            await storage.set_state(NETWORK, key, "")


def _key(room: str, user: str) -> str:
    return storage_key(PREFIX, f"{room}|{user}")


async def _read(client: nio.AsyncClient, room: str) -> dict[str, Any]:
    """The room's power levels as they are now (none set: the empty defaults)."""
    found = await request(
        f"read the power levels of {room}",
        partial(client.room_get_state_event, room, POWER_LEVELS),
        allow=frozenset({"M_NOT_FOUND"}),
    )
    return {} if isinstance(found, nio.ErrorResponse) else dict(found.content)


async def _write(client: nio.AsyncClient, room: str, levels: dict[str, Any], what: str) -> None:
    await request(what, partial(client.room_put_state, room, POWER_LEVELS, levels))
