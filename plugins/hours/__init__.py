"""Hours: the service hours of each shift served, and ``/hours`` to see them.

At the end of each shift (the shifts plugin's ``shifts_shift_ended``) every
person who served it gets an entry: from when they appeared (never before the
shift's start) to the shift's end, with the group and the role they served in.
``/hours`` (时长) shows a volunteer their own total and per group; a social
worker (community-wide, or of the volunteer pool) the totals per person, or one
person's with ``/hours <person>``, always privately; they export the ledger
(:mod:`.exports`) and issue a volunteer's certificate of hours, a PDF, with
``/certificate <person>`` (证明) or ``sanshe certificate`` (:mod:`.certificate`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sanshe.core import people
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.exports import ExportSheet
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import SHIFT_ROLES, Group, Person
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import utc
from sanshe.core.verbs import CliCommand

from . import cli
from .certificate import CERTIFICATE, issue_certificate, may_certify
from .exports import LEDGER
from .models import HoursEntry
from .report import HOURS, show_hours

PLUGIN = "hours"


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


def serves_shifts(ctx: Context) -> bool:
    """Whether the sender holds a role that serves shifts, anywhere (/help lists /hours then)."""
    return people.holds_anywhere(ctx, SHIFT_ROLES)


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand(
            "hours",
            show_hours,
            help="hours.help",
            aliases=("时长",),
            arguments=HOURS,
            shown_to=serves_shifts,
        ),
        ChatCommand(
            "certificate",
            issue_certificate,
            help="hours.help.certificate",
            aliases=("证明",),
            arguments=CERTIFICATE,
            shown_to=may_certify,
            where="direct",
            acts_on="community",
        ),
    ]


@hookimpl
def sanshe_cli_commands() -> Iterable[CliCommand]:
    return cli.commands()


@hookimpl
def sanshe_export_sheets() -> Iterable[ExportSheet]:
    return [LEDGER]


@hookimpl(optionalhook=True)
async def shifts_shift_ended(
    context: Context,
    group: Group,
    shift: str,
    start: datetime,
    end: datetime,
    served: Mapping[str, str],
    arrived: Mapping[str, datetime],
) -> None:
    """Enter the hours of everyone who served the shift (once: an entry already made stays)."""
    start, end = utc(start), utc(end)  # as the database compares them
    for person, role in served.items():
        begun = max(utc(arrived.get(person, start)), start)
        key = stored_person(person)
        if begun >= end or await HoursEntry.exists(person=key, group_id=group.id, end=end):
            continue
        context.writes.add(
            HoursEntry(person=key, group_id=group.id, role=role, shift=shift, start=begun, end=end)
        )


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The person's entries in the ledger."""
    entries = await HoursEntry.filter(person=stored_person(person.id)).order_by("start")
    if not entries:
        return None
    return {
        "entries": [
            {
                "group": e.group_id,
                "role": e.role,
                "shift": e.shift,
                "start": e.start.isoformat(),
                "end": e.end.isoformat(),
            }
            for e in entries
        ]
    }


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """The person's entries go."""
    key = stored_person(person.id)
    writes.run(lambda db: HoursEntry.filter(person=key).using_db(db).delete())
