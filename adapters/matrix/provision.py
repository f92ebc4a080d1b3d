"""Rooms for a community's groups: what a room should be, and ``sanshe provision --network matrix``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import nio

from sanshe.core.adapter import ActionFailed
from sanshe.core.context import roles_in
from sanshe.core.i18n import Catalogue, Translator
from sanshe.core.model import Community, Group
from sanshe.core.storage import Storage

from .client import Unreachable, get_json, request
from .convert import NETWORK
from .settings import MatrixSettings, terminal_text

#: The power level of a group's admins: they may invite, kick, ban, redact and change state.
MODERATOR = 50
CREATOR = 100

Say = Callable[[str], object]


def creators_privileged(room_version: str) -> bool:
    """Whether a room version gives its creators unlimited power (12 and later).

    In those rooms a creator must not appear in ``m.room.power_levels`` ``users``.
    """
    return (room_version.isdigit() and int(room_version) >= 12) or ".hydra." in room_version


async def default_room_version(client: nio.AsyncClient) -> str:
    """The room version the homeserver gives new rooms (:class:`ActionFailed` if it does not say)."""
    try:
        data = await get_json(client, "/_matrix/client/v3/capabilities")
    except Unreachable as exc:
        raise ActionFailed(f"read the homeserver's capabilities: {exc}") from exc
    versions = data.get("capabilities", {}).get("m.room_versions", {})
    return str(versions.get("default", "1"))


def matrix_staff(community: Community, group: Group) -> list[str]:
    """Matrix ids of the known people holding a role that covers ``group``."""
    return [
        p.handles[NETWORK]
        for p in community.people
        if NETWORK in p.handles and any(g.covers(group.id) for g in p.roles)
    ]


def matrix_admins(community: Community, group: Group) -> list[str]:
    """Matrix ids of the people who administer ``group``."""
    return [
        p.handles[NETWORK]
        for p in community.people
        if NETWORK in p.handles and "group_admin" in roles_in(community, p, group)
    ]


def room_options(
    *,
    name: str,
    topic: str,
    join_approval: bool,
    moderators: Iterable[str],
    me: str,
    privileged: bool,
    alias: str | None = None,
) -> dict[str, Any]:
    """Arguments of ``AsyncClient.room_create`` for a group's room.

    Joining takes a knock when ``join_approval``, else an invitation.  ``moderators``
    get level 50; the bot, as creator, is listed at 100 only in room versions where
    creators are not ``privileged``.
    """
    users = {user: MODERATOR for user in moderators if user != me}
    if not privileged:
        users[me] = CREATOR
    return {
        "name": name,
        "topic": topic or None,
        "alias": alias,
        "preset": nio.RoomPreset.private_chat,
        "initial_state": [
            {
                "type": "m.room.join_rules",
                "state_key": "",
                "content": {"join_rule": "knock" if join_approval else "invite"},
            }
        ],
        "power_level_override": {
            "users": users,
            "users_default": 0,
            "events_default": 0,
            "state_default": MODERATOR,
            "invite": MODERATOR,
            "kick": MODERATOR,
            "ban": MODERATOR,
            "redact": MODERATOR,
        },
    }


def group_room_options(
    community: Community, group: Group, me: str, privileged: bool, alias: str | None = None
) -> dict[str, Any]:
    """``room_options`` for ``group``: its name, its purpose in the community's language, its admins."""
    topic = Translator(Catalogue([]), community.locale).pick(group.purpose)
    return room_options(
        name=group.name,
        topic=topic,
        join_approval=group.join_approval,
        moderators=matrix_admins(community, group),
        me=me,
        privileged=privileged,
        alias=alias,
    )


async def raise_moderators(
    client: nio.AsyncClient, room_id: str, admins: Iterable[str]
) -> list[str]:
    """Give ``admins`` at least moderator level in ``room_id``; return those raised.

    Nobody is lowered (a person may have been promoted by hand), and creators of
    rooms where creators are privileged are left out, as the room version requires.
    """
    state = await request(f"read the state of {room_id}", lambda: client.room_get_state(room_id))
    create: dict[str, Any] = {}
    levels: dict[str, Any] = {}
    for event in state.events:
        if event.get("type") == "m.room.create":
            create = event
        elif event.get("type") == "m.room.power_levels" and event.get("state_key") == "":
            levels = dict(event.get("content") or {})
    creators: set[str] = set()
    content = create.get("content") or {}
    if creators_privileged(str(content.get("room_version", "1"))):
        creators = {str(create.get("sender")), *content.get("additional_creators", ())}
    users = dict(levels.get("users") or {})
    default = int(levels.get("users_default", 0))
    raised = [a for a in admins if a not in creators and int(users.get(a, default)) < MODERATOR]
    if raised:
        users.update({a: MODERATOR for a in raised})
        await request(
            f"set power levels in {room_id}",
            lambda: client.room_put_state(
                room_id, "m.room.power_levels", {**levels, "users": users}
            ),
        )
    return raised


async def resolve(client: nio.AsyncClient, chat: str) -> str | None:
    """The room id of ``chat`` (a room id, or an alias that exists), else None."""
    if not chat.startswith("#"):
        return chat
    answer = await request(
        f"resolve {chat}", lambda: client.room_resolve_alias(chat), allow=frozenset({"M_NOT_FOUND"})
    )
    return None if isinstance(answer, nio.ErrorResponse) else answer.room_id


async def provision(
    client: nio.AsyncClient,
    settings: MatrixSettings,
    community: Community,
    storage: Storage,
    say: Say,
) -> None:
    """Create the room of every group that has none; bring admins of existing rooms to level 50.

    A group has a room when the YAML names one (``chats.matrix``) or one is bound in
    storage.  An alias on this homeserver that does not exist yet is created with the
    room.  Created rooms are bound to their group and the group's staff invited.  A
    second run changes nothing and says so.  Raises ``SystemExit`` if anything failed.
    """
    _ = terminal_text()
    me = client.user_id
    privileged = creators_privileged(await default_room_version(client))
    bound = {
        group_id: chat
        for (network, chat), group_id in (await storage.bindings()).items()
        if network == NETWORK
    }
    changes = failures = 0
    for group in community.groups:
        chat = group.chats.get(NETWORK) or bound.get(group.id)
        alias = None
        try:
            if chat:
                room_id = await resolve(client, chat)
                if room_id is not None:
                    raised = await raise_moderators(
                        client, room_id, matrix_admins(community, group)
                    )
                    changes += bool(raised)
                    if raised:
                        say(
                            _(
                                "matrix.provision.raised",
                                group=group.id,
                                room=room_id,
                                users=", ".join(raised),
                            )
                        )
                    else:
                        say(_("matrix.provision.exists", group=group.id, room=room_id))
                    continue
                if not chat.endswith(":" + settings.server_name):
                    failures += 1
                    say(_("matrix.provision.unknown_alias", group=group.id, alias=chat))
                    continue
                alias = chat[1:].rsplit(":", 1)[0]
            say(_("matrix.provision.creating", group=group.id, name=group.name))
            created = await request(
                f"create the room of {group.id}",
                partial(
                    client.room_create,
                    **group_room_options(community, group, me, privileged, alias),
                ),
            )
            await storage.bind(NETWORK, created.room_id, group.id, "provision")
            changes += 1
            say(_("matrix.provision.created", group=group.id, room=created.room_id))
            for user in matrix_staff(community, group):
                if user == me:
                    continue
                try:
                    await request(
                        f"invite {user}", partial(client.room_invite, created.room_id, user)
                    )
                    say(_("matrix.provision.invited", user=user))
                except ActionFailed as exc:
                    failures += 1
                    say(_("matrix.provision.failed", group=group.id, reason=exc.reason))
        except ActionFailed as exc:
            failures += 1
            say(_("matrix.provision.failed", group=group.id, reason=exc.reason))
    say(_("matrix.provision.done", changes=changes) if changes else _("matrix.provision.nothing"))
    if failures:
        raise SystemExit(_("matrix.provision.failures", count=failures))
