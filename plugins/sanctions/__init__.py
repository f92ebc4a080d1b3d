"""Sanctions: mutes that lift themselves, removals, and bans from every group of the community.

A group's admins ``/mute`` (禁言) a member for a while, ``/unmute`` (解除禁言)
them, or ``/remove`` (移出) them from the group's chats; the community's admins
``/ban`` (封禁) a person from every group at once, for a while or until
``/unban`` (解封).  Mutes and timed bans lift themselves by a timer, also when
the bot was stopped over the moment.  Rules may ``mute``, ``remove`` and
``ban`` too (see :mod:`.steps`).  Every sanction goes to the audit log and the
moderation log group; the ban list is a table and, where the network keeps one,
a shared list (Matrix's policy room).  Other plugins ask whether someone is
banned through the ``sanctions_banned`` hook, and have someone muted, removed or
banned through ``sanctions_mute``, ``sanctions_remove`` and ``sanctions_ban`` (see
:mod:`.hookspecs`); a banned person who joins a chat anyway is banned there again.
A ban ends the person's mutes (a mute's end never lets a banned person back), and
the networks are given a fixed reason, never the admin's words.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sanshe.core.actions import Action
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.events import MemberJoined
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Group, Person
from sanshe.core.plugins import Plugins
from sanshe.core.rules import RuleAction
from sanshe.core.services import Services
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import Due

from . import bans, commands, hookspecs, mutes, removals, steps
from .banlist import BANS
from .chats import PLUGIN, community_admin
from .listing import AUTOMATIC, ERASED
from .models import CommunityBan
from .settings import SanctionSettings


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return SanctionSettings


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_addhooks(pluginmanager: Plugins) -> None:
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return commands.commands()


@hookimpl
def sanshe_rule_actions() -> Iterable[RuleAction]:
    return steps.rule_actions()


@hookimpl
async def sanshe_startup(services: Services) -> None:
    """Read the ban list into memory."""
    await BANS.load()


@hookimpl
def sanctions_banned(network: str, handle: str) -> str | None:
    """Why ``handle`` on ``network`` is banned from the community, from the list in memory."""
    return BANS.reason(network, handle)


@hookimpl
def sanctions_mute(
    context: Context, group: Group, person: Person, length: timedelta, reason: str, by: str
) -> tuple[Action, ...]:
    """Another plugin's mute: this plugin's own, the person told only when it lifts."""
    return tuple(mutes.mute(context, group, person, length, reason, by, tell=False))


@hookimpl
def sanctions_remove(
    context: Context, group: Group, person: Person, reason: str, by: str
) -> tuple[Action, ...]:
    """Another plugin's removal, the person not told (the caller tells them)."""
    return tuple(removals.remove(context, group, person, reason, by, tell=False))


@hookimpl
def sanctions_ban(
    context: Context, person: Person, length: timedelta | None, reason: str, by: str
) -> tuple[Action, ...]:
    """Another plugin's ban, on the ban list as given by ``by``; none for a person banned
    already or one of the community's admins."""
    if BANS.of_person(person.id) is not None or community_admin(context, person):
        return ()
    return tuple(bans.ban(context, person, length, reason, by, f"{AUTOMATIC}{by}", tell=False))


@hookimpl
def sanshe_event(context: Context) -> list[Action] | None:
    """A banned person who joined a chat anyway is banned there again."""
    event = context.event
    if not isinstance(event, MemberJoined) or event.direct:
        return None
    banned = BANS.of_handle(event.network, event.sender)
    return None if banned is None else bans.banned_again(context, banned)


@hookimpl
def sanshe_timer(context: Context, timer: Due) -> list[Action]:
    """A mute or a timed ban has run out: lift it."""
    if timer.key.startswith(mutes.MUTE):
        return mutes.lift_due(context, timer)
    if timer.key.startswith(bans.BAN):
        return bans.lift_due(context, timer)
    return []


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The person's bans: why, when, until when, when lifted."""
    rows = await CommunityBan.filter(person=stored_person(person.id)).order_by("id")
    return {"bans": [row.exported() for row in rows]} if rows else None


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """The person's bans go (and they are off the list); bans they gave no longer name them."""
    key = stored_person(person.id)
    writes.run(lambda db: CommunityBan.filter(person=key).using_db(db).delete())
    writes.run(lambda db: CommunityBan.filter(by=key).using_db(db).update(by=ERASED))
    writes.run(lambda db: CommunityBan.filter(lifted_by=key).using_db(db).update(lifted_by=ERASED))
    writes.after(lambda: BANS.drop(key))
