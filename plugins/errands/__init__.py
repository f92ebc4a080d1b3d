"""Errands for vulnerable people (DOMAIN.md, "Help for vulnerable people").

Community workers keep a registry of vulnerable households (``/vulnerable``, 困难群体:
the elderly living alone, children in difficulty, disabled people, people with mental
disorders, low-income households, confirmed patients and families, people under
observation), of the buildings they keep (:mod:`.registry`).  Volunteers say which building
or area they serve (``/area``, 服务区域; each building has an ``area:`` in the community
file, :mod:`.areas`).  A registered person asks for an errand, or a worker for them
(``/need``, 代购: :mod:`.requests`); it is offered privately to the volunteers of the same
building, else the same area, then wider (:mod:`.offers`); the first to ``/take`` it (接单)
takes it, and the person is told who is coming; ``/done`` (完成) closes it
(:mod:`.taking`).  What is kept: the household's building and room, its category and a
note; where each volunteer serves; each errand's kind, detail, who asked and who took it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from tortoise.expressions import Q

from sanshe.core.actions import Action
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Person
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import Due

from . import offers, staff
from .areas import area
from .models import Errand, ServingArea, Vulnerable
from .registry import entry_of, vulnerable
from .requests import need
from .settings import ErrandSettings
from .taking import done, take

PLUGIN = offers.PLUGIN


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return ErrandSettings


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


def _keeper(ctx: Context) -> bool:
    """/help lists /vulnerable to who keeps the registry."""
    return staff.keeps(ctx)


def _volunteer(ctx: Context) -> bool:
    """/help lists /area, /take and /done to volunteers."""
    return staff.volunteer_role(ctx, ctx.person) is not None


async def _asks(ctx: Context) -> bool:
    """/help lists /need to who keeps the registry and to the people in it."""
    return staff.keeps(ctx) or await entry_of(ctx, ctx.person.id) is not None


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand(
            "vulnerable",
            vulnerable,
            help="errands.help.vulnerable",
            aliases=("困难群体", "困难户"),
            where="direct",
            shown_to=_keeper,
        ),
        ChatCommand(
            "area",
            area,
            help="errands.help.area",
            aliases=("服务区域",),
            where="direct",
            shown_to=_volunteer,
        ),
        ChatCommand(
            "need", need, help="errands.help.need", aliases=("代购", "代办"), shown_to=_asks
        ),
        ChatCommand(
            "take",
            take,
            help="errands.help.take",
            aliases=("接单",),
            where="direct",
            shown_to=_volunteer,
        ),
        ChatCommand(
            "done",
            done,
            help="errands.help.done",
            aliases=("完成",),
            where="direct",
            shown_to=_volunteer,
        ),
    ]


@hookimpl
async def sanshe_timer(context: Context, timer: Due) -> list[Action]:
    if timer.key.startswith(offers.UNTAKEN):
        return await offers.fire(context, timer)
    return []


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The person's registry entries, errands asked or taken, and where they serve."""
    key = stored_person(person.id)
    entries = await Vulnerable.filter(person=key).order_by("number")
    errands = await Errand.filter(Q(person=key) | Q(asked_by=key) | Q(taker=key)).order_by("number")
    serving = await ServingArea.get_or_none(person=key)
    if not entries and not errands and serving is None:
        return None
    found: dict[str, Any] = {}
    if entries:
        found["vulnerable"] = [
            {
                "number": e.number,
                "building": e.building,
                "room": e.room,
                "category": e.category,
                "note": e.note,
                "at": e.at.isoformat(),
            }
            for e in entries
        ]
    if errands:
        found["errands"] = [
            {
                "number": e.number,
                "kind": e.kind,
                "detail": e.detail,
                "state": e.state,
                "at": e.at.isoformat(),
            }
            for e in errands
        ]
    if serving is not None:
        found["area"] = {"building": serving.building, "area": serving.area}
    return found


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """The person's registry entries, errands asked for them and where they serve go; the
    errands they asked for others or took keep no trace of them."""
    key = stored_person(person.id)
    writes.run(lambda db: Vulnerable.filter(person=key).using_db(db).delete())
    writes.run(lambda db: Errand.filter(person=key).using_db(db).delete())
    writes.run(lambda db: Errand.filter(asked_by=key).using_db(db).update(asked_by=""))
    writes.run(lambda db: Errand.filter(taker=key).using_db(db).update(taker=""))
    writes.run(lambda db: Vulnerable.filter(added_by=key).using_db(db).update(added_by=""))
    writes.run(lambda db: ServingArea.filter(person=key).using_db(db).delete())
