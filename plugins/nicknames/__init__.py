"""Nicknames: each group's naming convention for its members, from the plugin's settings.

A member's pattern (``{building}-{room}{自住|租住}``, ``社工 {name}``: see :mod:`.settings`)
is the first entry covering the group and their roles there.  A member whose display name
does not follow it is told privately the right form for them (see :mod:`.reminders`), at
most once per ``remind_every``; the group's admins list those who do not with
``/nicknames`` (:mod:`.listing`).  Other plugins ask for the right form through the
``nicknames_form`` hook (:mod:`.hookspecs`): ``/groupinfo``, a volunteer's dispatch.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sanshe.core.actions import Action
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Group, Person
from sanshe.core.plugins import Plugins
from sanshe.core.services import Services
from sanshe.core.storage.models import Timer, stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes

from . import hookspecs, listing, members, reminders
from .members import MEMBERS
from .models import SeenMember
from .reminders import PLUGIN, person_digest
from .right_names import NAMER
from .settings import NicknameSettings


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return NicknameSettings


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(
        app=PLUGIN,
        models="sanshe.plugins.nicknames.models",
        migrations="sanshe.plugins.nicknames.migrations",
    )


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_addhooks(pluginmanager: Plugins) -> None:
    pluginmanager.add_hookspecs(hookspecs)
    NAMER.plugins = pluginmanager


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return listing.commands()


@hookimpl
async def sanshe_startup(services: Services) -> None:
    """Load the members seen in each group."""
    NAMER.services = services
    await members.load(p.id for p in services.community.people)


@hookimpl
def sanshe_shutdown() -> None:
    NAMER.services = None


@hookimpl
def nicknames_form(group: Group, person: Person, roles: frozenset[str]) -> str | None:
    return NAMER.form(group, person, roles)


@hookimpl
def sanshe_event(context: Context) -> list[Action]:
    return reminders.watch(context)


@hookimpl
def sanshe_message(context: Context) -> list[Action]:
    return reminders.watch(context)


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The groups the person was seen in, with their display name there."""
    rows = await SeenMember.filter(person=stored_person(person.id)).order_by("group_id")
    if not rows:
        return None
    return {"seen": [{"group": row.group_id, "name": row.name} for row in rows]}


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """Their names go, and the notes of when they were last reminded."""
    key, person_id = stored_person(person.id), person.id
    writes.run(lambda db: SeenMember.filter(person=key).using_db(db).delete())
    reminded = Timer.filter(plugin=PLUGIN, key__endswith=f"|{person_digest(person_id)}")
    writes.run(lambda db: reminded.using_db(db).delete())
    writes.after(lambda: MEMBERS.forget(person_id))
