"""Home medical observation (居家医学观察; DOMAIN.md, "Screening and monitoring").

Community workers keep a health file for each person under home observation: ``/observe
<person> [days] [reason]`` (观察) opens it for a resident registered for a household (the
joining plugin's ``joining_household`` hook), by a worker of their building or a community-wide
one; ``/observe`` lists the worker's open files, ``/observe <n>`` shows one with the daily
temperature series (the person's check-ins, read through the check-ins plugin's
``checkins_reported`` hook) and requests, ``/observe end <n>`` ends it (:mod:`.files`).  The
person asks for supplies, a parcel fetched or rubbish taken (``/observe need …``), which goes
privately to the file's worker (:mod:`.needs`).  The period's last day is reminded and a day
without a temperature flagged, by core's timers (:mod:`.reminders`).  Everything is private.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sanshe.core.actions import Action
from sanshe.core.arguments import plain_word
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Person
from sanshe.core.services import Services
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import Due

from . import files, needs, reminders, shown
from .models import Need, Observation
from .settings import ObservationSettings

PLUGIN = shown.PLUGIN
#: The words of each subcommand, as typed (any letter case), in both languages.
SUBCOMMANDS = {
    "end": ("end", "close", "结束", "解除", "结束观察"),
    "need": ("need", "ask", "需要", "需求", "申请"),
}
_WORDS = {word: key for key, words in SUBCOMMANDS.items() for word in words}


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return ObservationSettings


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


async def shown_to(ctx: Context) -> bool:
    """/help lists /observe to the workers and to the people under observation."""
    return shown.is_worker(ctx) or await needs.own_file(ctx) is not None


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand(
            "observe",
            observe,
            help="observation.help",
            aliases=("观察", "居家观察"),
            where="direct",
            shown_to=shown_to,
        )
    ]


async def observe(ctx: Context) -> list[Action]:
    """Dispatch ``/observe``: a subcommand, a file's number, a person, or nothing."""
    assert ctx.command is not None
    _ = ctx._
    args = ctx.command.args.strip()
    first, _space, rest = args.partition(" ")
    work = _WORDS.get(plain_word(first)) if args else None
    if work == "need":
        return await needs.ask(ctx, rest)
    if not shown.is_worker(ctx):
        own = await needs.own_file(ctx)
        if own is not None and not args:
            return await needs.status(ctx, own)
        if own is not None:
            return [ctx.reply(_("observation.usage.need"))]
        roles = _.join(ctx.role_name(r) for r in shown.settings(ctx).workers)
        return [ctx.reply(_("observation.workers_only", roles=roles))]
    if not args:
        return await files.my_files(ctx)
    if work == "end":
        return await files.end_file(ctx, rest)
    number = shown.number(args)
    if number is not None:
        return await files.show_file(ctx, number)
    return await files.open_file(ctx)


@hookimpl
async def sanshe_startup(services: Services) -> None:
    await reminders.keep_timer(services)


@hookimpl
async def sanshe_community_changed(services: Services) -> None:
    """A reload may have moved ``check_at``."""
    await reminders.keep_timer(services)


@hookimpl
async def sanshe_timer(context: Context, timer: Due) -> list[Action]:
    if timer.key == reminders.DAILY:
        return await reminders.missing(context, timer)
    if timer.key.startswith(reminders.END):
        return await reminders.end(context, timer)
    return []


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The person's observation files and requests."""
    rows = await Observation.filter(person=stored_person(person.id)).order_by("number")
    if not rows:
        return None
    asked = await Need.filter(file__in=[r.number for r in rows]).order_by("at")
    return {
        "files": [
            {
                "number": r.number,
                "building": r.building,
                "room": r.room,
                "reason": r.reason,
                "start": r.start.isoformat(),
                "end": r.end.isoformat(),
                "open": r.open,
            }
            for r in rows
        ],
        "needs": [
            {"file": n.file, "kind": n.kind, "detail": n.detail, "at": n.at.isoformat()}
            for n in asked
        ],
    }


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """The person's files and their requests go."""
    key = stored_person(person.id)

    async def erase(db: Any) -> None:
        numbers = await Observation.filter(person=key).using_db(db).values_list("number", flat=True)
        await Need.filter(file__in=list(numbers)).using_db(db).delete()
        await Observation.filter(person=key).using_db(db).delete()

    writes.run(erase)
