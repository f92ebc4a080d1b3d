"""Joining: join requests answered privately and decided by the group's admins, and households.

A join request (Telegram join request, Matrix knock, the console's ``! join``)
to a group that needs approval starts a short private dialog with the
applicant (dialog.py): in a resident group building, room, 自住 or 租住 and
household name, in other groups the questions the settings give their kind
(settings.py); a question left unanswered for ``answer_within`` ends it.  The group's admins then approve or decline it with a button or
``/approve`` and ``/decline`` (decisions.py); an approved resident becomes a
person of the registry standing for their household, and ``/households`` lists
each building's rooms with who stands for them (households.py).  Other plugins
ask for a person's household through the ``joining_household`` hook
(hookspecs.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from tortoise.expressions import Q

from sanshe.core.actions import Action
from sanshe.core.buttons import ButtonHandler
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.events import JoinRequest, MemberLeft
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Person
from sanshe.core.plugins import Plugins
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import Due

from . import hookspecs
from .applicants import ANSWERING, APPLICANTS
from .decisions import APPROVE, DECIDE, DECLINE, approve, decides, decline
from .dialog import ANSWER, dialog, expired, requested
from .households import HOUSEHOLDS, LIST, households, left, may_list
from .models import Application, Household
from .questions import is_resident_group
from .settings import PLUGIN, JoiningSettings


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return JoiningSettings


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
    return [
        ChatCommand(
            "approve",
            approve,
            help="joining.help.approve",
            aliases=("批准",),
            arguments=APPROVE,
            shown_to=decides,
        ),
        ChatCommand(
            "decline",
            decline,
            help="joining.help.decline",
            aliases=("拒绝",),
            arguments=DECLINE,
            shown_to=decides,
        ),
        ChatCommand(
            "households",
            households,
            help="joining.help.households",
            aliases=("住户",),
            arguments=LIST,
            shown_to=may_list,
        ),
    ]


@hookimpl
def sanshe_buttons() -> Iterable[ButtonHandler]:
    return [ANSWER, DECIDE]


@hookimpl
def joining_household(person_id: str) -> dict[str, str] | None:
    """The household ``person_id`` stands for, from memory."""
    home = HOUSEHOLDS.of(person_id)
    return home.hook_answer() if home is not None else None


@hookimpl
def joining_households(building: str) -> list[dict[str, str]]:
    """The households of ``building``, from memory."""
    return [{**h.hook_answer(), "person": h.person} for h in HOUSEHOLDS.in_building(building)]


@hookimpl
async def sanshe_startup() -> None:
    """Load who is answering a request and the households."""
    await APPLICANTS.load()
    await HOUSEHOLDS.load()


@hookimpl
def sanshe_shutdown() -> None:
    APPLICANTS.clear()
    HOUSEHOLDS.clear()


@hookimpl
async def sanshe_event(context: Context) -> list[Action] | None:
    """A join request starts its dialog; a member leaving a resident group leaves its households."""
    event = context.event
    if isinstance(event, JoinRequest):
        return await requested(context)
    group = context.group
    if isinstance(event, MemberLeft) and group is not None:
        if is_resident_group(context.community, group):
            left(context, group)
    return None


@hookimpl
async def sanshe_dialog(context: Context) -> list[Action] | None:
    return await dialog(context)


@hookimpl
async def sanshe_timer(context: Context, timer: Due) -> list[Action]:
    """A question went unanswered for too long: the request goes to the admins as it is."""
    if timer.key.startswith(ANSWERING):
        return await expired(context, timer)
    return []


def _theirs(person: Person) -> Q:
    """Their requests: by their person id, or by a handle of theirs."""
    mine = Q(person=stored_person(person.id))
    for network, handle in person.handles.items():
        mine |= Q(network=network, handle=handle)
    return mine


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """Their join requests (with their answers) and the households they stood for."""
    requests = await Application.filter(_theirs(person)).order_by("id")
    homes = await Household.filter(person=stored_person(person.id)).order_by("id")
    if not requests and not homes:
        return None
    return {
        "requests": [
            {
                "number": r.id,
                "network": r.network,
                "group": r.group_id,
                "name": r.name,
                "status": r.status,
                "answers": r.answers,
                "note": r.note,
                "asked_at": r.asked_at.isoformat(),
                "decided_by": r.decided_by,
                "decided_at": r.decided_at.isoformat() if r.decided_at else None,
                "reason": r.reason,
            }
            for r in requests
        ],
        "households": [
            {
                "group": h.group_id,
                "building": h.building,
                "room": h.room,
                "tenure": h.tenure,
                "household": h.household,
                "joined_at": h.joined_at.isoformat(),
            }
            for h in homes
        ],
    }


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """Delete their join requests and households, and forget them in memory once deleted."""
    mine = _theirs(person)
    key = stored_person(person.id)
    writes.run(lambda db: Application.filter(mine).using_db(db).delete())
    writes.run(lambda db: Household.filter(person=key).using_db(db).delete())
    writes.after(lambda: HOUSEHOLDS.forget(person.id, key))
    writes.after(lambda: APPLICANTS.forget(person.handles.items()))
