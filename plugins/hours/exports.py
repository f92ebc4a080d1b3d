"""The ledger of service hours as an export (``/export hours``, ``sanshe export hours``): one
row per person and shift served, with its length in hours.

Offered to the records' exporter through ``sanshe_export_sheets``, to who sees
everyone's hours with ``/hours``: a social worker community-wide or of the
volunteer pool (and one of a group, for that group's shifts).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sanshe.core import people
from sanshe.core.context import Context
from sanshe.core.exports import Cell, ExportSheet, SheetColumn, SheetQuery
from sanshe.core.names import role_name
from sanshe.core.timers import utc

from .models import HoursEntry
from .report import OVERSEER, POOL

#: The sheet's id, as ``/export`` names it.
SHEET = "hours"
COLUMNS = (
    SheetColumn("name", "hours.column.name"),
    SheetColumn("group", "hours.column.group"),
    SheetColumn("role", "hours.column.role"),
    SheetColumn("shift", "hours.column.shift"),
    SheetColumn("start", "hours.column.start", group="hours.column.time"),
    SheetColumn("end", "hours.column.end", group="hours.column.time"),
    SheetColumn("hours", "hours.column.hours"),
)


def midnight(on: date, zone: ZoneInfo) -> datetime:
    """The start of day ``on`` in ``zone``, in UTC (as the ledger's times are compared)."""
    return datetime.combine(on, time(), zone).astimezone(ZoneInfo("UTC"))


def hours(entry: HoursEntry) -> int | float:
    """How many hours the entry counts, to the hundredth (a whole number as one: ``3``)."""
    value = round(entry.seconds / 3600, 2)
    return int(value) if value.is_integer() else value


async def rows(ctx: Context, query: SheetQuery) -> list[list[Cell]]:
    """The entries begun on the query's days, of its groups' shifts, in the order served."""
    _, zone = query._, query.zone
    filters: dict[str, Any] = {}
    if query.start is not None:
        filters["start__gte"] = midnight(query.start, zone)
    if query.end is not None:
        filters["start__lt"] = midnight(query.end + timedelta(days=1), zone)
    if query.groups is not None:
        filters["group_id__in"] = [g.id for g in query.groups]
    found: list[list[Cell]] = []
    for entry in await HoursEntry.filter(**filters).order_by("start", "id"):
        group = ctx.community.group(entry.group_id)
        found.append(
            [
                people.name_of(ctx, entry.person),
                group.name if group is not None else entry.group_id,
                role_name(ctx.community, entry.role, _),
                entry.shift,
                utc(entry.start).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                utc(entry.end).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                hours(entry),
            ]
        )
    return found


#: The ledger's sheet.
LEDGER = ExportSheet(
    id=SHEET,
    title="hours.sheet.title",
    columns=COLUMNS,
    rows=rows,
    roles=(OVERSEER,),
    kinds=(POOL,),
    aliases=("ledger", "时长", "服务时长", "志愿服务时长台账"),
)
