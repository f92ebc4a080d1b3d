"""Cases: a person being helped, from intake to closing (DOMAIN.md, "Triage and routing").

A case is opened by another plugin through the ``cases_open`` hook (the intake
plugin's request dialog or ``/refer``, the crisis plugin), numbered from the
community's ``case`` sequence.  Social workers assess it (form 4), route it to
the focus service or key accompaniment tier, note follow-ups (form 5) and close
it; staff who know the client keep away from it (熟人规避).  Each case keeps the
times that ``/stats`` reports: requested, first human reply, routed, closed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Collection, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sanshe.core.actions import Action
from sanshe.core.buttons import ButtonHandler
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Group, Person
from sanshe.core.plugins import Plugins
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import Due

from . import (
    access,
    assessment,
    casework,
    data,
    followups,
    hookspecs,
    opening,
    routing,
    served,
    stats,
)

#: The plugin's name: its tables' app, its timers' owner.
PLUGIN = "cases"


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
    return [*casework.commands(), *stats.commands(), *assessment.commands(), *routing.commands()]


@hookimpl
def sanshe_buttons() -> Iterable[ButtonHandler]:
    return [assessment.TOGGLE]


@hookimpl
async def sanshe_permission(context: Context, permission: str) -> bool | None:
    """``cases.<read|note|route|close>:<number>`` and ``cases.stats``, as :mod:`.access` says."""
    return await access.vote(context, permission)


@hookimpl
async def sanshe_timer(context: Context, timer: Due) -> list[Action]:
    """A follow-up is due: remind its owner privately."""
    if timer.key.startswith(followups.FOLLOW_UP):
        return await followups.remind(context, timer)
    return []


# The firstresult hooks are plain functions answering an awaitable (core awaits it).


@hookimpl
def cases_open(
    context: Context,
    person: Person,
    source: str,
    category: str,
    reason: str,
    origin: Group | None,
    record: int | None,
) -> Awaitable[int]:
    return opening.open_case(context, person, source, category, reason, origin, record)


@hookimpl
def cases_avoid(client: str) -> Awaitable[Collection[str]]:
    return opening.avoiding(stored_person(client))


@hookimpl
def cases_of(client: str) -> Awaitable[int | None]:
    return opening.open_case_of(client)


@hookimpl
def cases_answered(context: Context, number: int) -> None:
    opening.answered(context, number)


@hookimpl
def cases_served(group_id: str, start: datetime, end: datetime) -> Awaitable[list[dict[str, Any]]]:
    return served.served(group_id, start, end)


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """Their cases, notes they wrote, cases they own or opened (see :mod:`.data`)."""
    return await data.export(person)


@hookimpl
async def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """Their cases go; others' cases they worked no longer name them (see :mod:`.data`)."""
    await data.erase(person, writes)


@hookimpl(optionalhook=True)
async def shifts_handover_items(
    context: Context, group: Group, start: datetime, end: datetime
) -> list[str]:
    """Open cases, those without a first reply, follow-ups due: by number only."""
    return await data.handover_items(context, group, end)
