"""The community's ban list as a Matrix policy room (MSC2313).

Each community-banned person is one ``m.policy.rule.user`` state event in the
room, its state key ``rule:<user id>``, its content ``{entity, recommendation:
"m.ban", reason}``; withdrawing the ban empties that content.  Moderation bots
such as Draupnir or Meowlnir subscribe to such a room and apply its rules to the
rooms they protect.

The room is the ``policy_room`` setting (a room id or an alias), else the alias
``#<community id>-bans:<the bot's server>``.  An alias on the bot's own server
that does not exist yet is created with the room, on the first ban: anyone may
join it to read the rules (it is not listed in the room directory), only the
bot and its moderators may write them.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

import nio

from sanshe.core.adapter import ActionFailed
from sanshe.core.i18n import Translator
from sanshe.core.model import Community

from . import provision as provisioning
from .client import request
from .settings import MatrixSettings

log = logging.getLogger(__name__)

RULE = "m.policy.rule.user"
BAN = "m.ban"
#: The level of who may write rules in a policy room the bot creates (the bot is its creator).
WRITERS = 50


def rule_key(user: str) -> str:
    """The state key of the rule about ``user``."""
    return f"rule:{user}"


def ban_rule(user: str, reason: str) -> dict[str, str]:
    """The content of the rule banning ``user``."""
    return {"entity": user, "recommendation": BAN, "reason": reason}


def address(settings: MatrixSettings, community: Community) -> str:
    """The policy room's id or alias: the setting, else ``#<community id>-bans:<server>``."""
    return settings.policy_room or f"#{community.community.id}-bans:{settings.server_name}"


def room_options(alias: str, text: Translator, community: Community) -> dict[str, Any]:
    """Arguments of ``AsyncClient.room_create`` for a policy room at ``alias``."""
    return {
        "alias": alias[1:].split(":", 1)[0],
        "name": text("matrix.policy.name", community=community.community.name),
        "topic": text("matrix.policy.topic", community=community.community.name),
        "preset": nio.RoomPreset.public_chat,
        "power_level_override": {"events_default": WRITERS, "state_default": WRITERS},
    }


class PolicyRoom:
    """Finds (or creates, once) the policy room, and writes rules in it."""

    def __init__(self, settings: MatrixSettings) -> None:
        self.settings = settings
        self._room: str | None = None
        self._finding = asyncio.Lock()

    async def room(
        self, client: nio.AsyncClient, community: Community, text: Translator, *, create: bool
    ) -> str | None:
        """The policy room's id; None when it does not exist and ``create`` is False."""
        async with self._finding:
            if self._room is None:
                self._room = await self._find(client, community, text, create)
            return self._room

    async def _find(
        self, client: nio.AsyncClient, community: Community, text: Translator, create: bool
    ) -> str | None:
        where = address(self.settings, community)
        if where.startswith("!"):
            return where
        room = await provisioning.resolve(client, where)
        if room is not None:
            if room not in client.rooms:
                await request(f"join the policy room {where}", partial(client.join, room))
            return room
        if not create:
            return None
        if where.split(":", 1)[1] != self.settings.server_name:
            raise ActionFailed(f"there is no policy room {where}, and it is not on this homeserver")
        created = await request(
            f"create the policy room {where}",
            partial(client.room_create, **room_options(where, text, community)),
        )
        log.info("created the policy room %s (%s)", where, created.room_id)
        return str(created.room_id)

    async def publish(self, client: nio.AsyncClient, room: str, user: str, reason: str) -> None:
        """Write the rule banning ``user``."""
        await request(
            f"publish the ban of {user}",
            partial(client.room_put_state, room, RULE, ban_rule(user, reason), rule_key(user)),
        )

    async def withdraw(self, client: nio.AsyncClient, room: str, user: str) -> None:
        """Empty the rule about ``user`` (MSC2313's way of removing it)."""
        await request(
            f"withdraw the ban of {user}",
            partial(client.room_put_state, room, RULE, {}, rule_key(user)),
        )
