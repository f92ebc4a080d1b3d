"""Check-ins: residents' daily health report (DOMAIN.md, "Screening and monitoring").

A resident standing for a household (the joining plugin's ``joining_household`` hook) reports
with ``/checkin 36.8 [symptoms]`` (打卡, 健康打卡), privately or in a group, where the message
is deleted and everything is answered privately (:mod:`.reporting`).  A fever (``fever``
or more) or a symptom of the settings' list alerts the building's community worker
privately (:mod:`.staff`).  Every day at ``list_at`` each building's leaders get the
households that have not reported, and those households a reminder (:mod:`.missing`).
What is kept: who, the household's building and room, the day, temperature, symptoms.
Other plugins read a person's check-ins through the ``checkins_reported`` hook (:mod:`.hookspecs`).
Those who get a building's list or its alerts export its check-ins (:mod:`.exports`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sanshe.core.actions import Action
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.exports import ExportSheet
from sanshe.core.hookspecs import hookimpl
from sanshe.core.i18n import Translator
from sanshe.core.model import Person
from sanshe.core.plugins import Plugins
from sanshe.core.services import Services
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import Due

from . import exports, hookspecs, missing, short_form
from .models import Checkin, Draft
from .reporting import CHECKIN, checkin
from .settings import CheckinSettings, symptom_name

PLUGIN = missing.PLUGIN


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return CheckinSettings


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
async def sanshe_dialog(context: Context) -> list[Action] | None:
    """The short form's answers (``/checkin`` alone), privately."""
    return await short_form.answer(context)


@hookimpl
def sanshe_addhooks(pluginmanager: Plugins) -> None:
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def checkins_reported(
    context: Context, person_ids: list[str], first: date, last: date, translator: Translator
) -> Awaitable[list[dict[str, str]]]:
    return _reported(context.settings(CheckinSettings), person_ids, first, last, translator)


async def _reported(
    settings: CheckinSettings, person_ids: list[str], first: date, last: date, _: Translator
) -> list[dict[str, str]]:
    """The people's check-ins of those days, as :func:`.hookspecs.checkins_reported` says."""
    keys = {stored_person(p): p for p in person_ids}
    rows = await Checkin.filter(person__in=list(keys), day__gte=first, day__lte=last).order_by(
        "day", "id"
    )
    return [_reading(settings, keys[row.person], row, _) for row in rows]


def _reading(
    settings: CheckinSettings, person_id: str, row: Checkin, _: Translator
) -> dict[str, str]:
    """One check-in as the hook gives it, its symptoms named as the settings name them now."""
    named = {s.id: symptom_name(_, s) for s in settings.symptoms}
    fever = float(row.temperature) >= settings.fever
    return {
        "person": person_id,
        "day": row.day.isoformat(),
        "temperature": row.temperature,
        "symptoms": _.join(named.get(s, s) for s in row.symptoms),
        "fever": "yes" if fever else "",
    }


async def reports(ctx: Context) -> bool:
    """/help lists /checkin to residents: in a group, its members of no other role; privately,
    who stands for a household."""
    if ctx.group is not None:
        return "resident" in ctx.roles
    return await ctx.call("joining_household", person_id=ctx.person.id) is not None


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand(
            "checkin",
            checkin,
            help="checkins.help",
            aliases=("打卡", "健康打卡"),
            arguments=CHECKIN,
            shown_to=reports,
        )
    ]


async def _keep_list(services: Services) -> None:
    """Keep the daily list's timer at the settings' time (one kept at that time stays, so a list
    due while the bot was stopped still comes at start)."""
    await services.keep_daily(PLUGIN, missing.LIST, services.settings(CheckinSettings).list_at)


@hookimpl
async def sanshe_startup(services: Services) -> None:
    await _keep_list(services)


@hookimpl
async def sanshe_community_changed(services: Services) -> None:
    """A reload may have moved ``list_at``."""
    await _keep_list(services)


@hookimpl
async def sanshe_timer(context: Context, timer: Due) -> list[Action]:
    if timer.key == missing.LIST:
        return await missing.fire(context, timer)
    return []


@hookimpl
def sanshe_export_sheets(context: Context) -> Iterable[ExportSheet]:
    return [exports.sheet(context)]


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The person's check-ins, day by day."""
    rows = await Checkin.filter(person=stored_person(person.id)).order_by("day")
    if not rows:
        return None
    return {
        "checkins": [
            {
                "day": r.day.isoformat(),
                "building": r.building,
                "room": r.room,
                "temperature": r.temperature,
                "symptoms": list(r.symptoms),
                "at": r.at.isoformat(),
            }
            for r in rows
        ]
    }


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """The person's check-ins go, and a short form they were answering."""
    key = stored_person(person.id)
    writes.run(lambda db: Checkin.filter(person=key).using_db(db).delete())
    writes.run(lambda db: Draft.filter(person=key).using_db(db).delete())
