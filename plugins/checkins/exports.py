"""The check-ins as an export (``/export checkins``, ``sanshe export checkins``): the community
health monitoring form, one row per person and day.

Offered to the records' exporter through ``sanshe_export_sheets``.  Who gets a
building's missing-report list (the settings' ``leaders``) or its fever alerts
(``alert``) may export its check-ins, and those held community-wide all of
them; the temperature, fever and symptoms (health data) are in clear for the
``alert`` roles only, masked for the others.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sanshe.core import people
from sanshe.core.context import Context
from sanshe.core.exports import Cell, ExportSheet, SheetColumn, SheetQuery
from sanshe.core.names import building_name
from sanshe.core.timers import utc

from .models import Checkin
from .settings import CheckinSettings, symptom_name

#: The sheet's id, as ``/export`` names it.
SHEET = "checkins"
COLUMNS = (
    SheetColumn("day", "checkins.column.day"),
    SheetColumn("building", "checkins.column.building"),
    SheetColumn("room", "checkins.column.room"),
    SheetColumn("name", "checkins.column.name"),
    SheetColumn("temperature", "checkins.column.temperature", sensitive=True),
    SheetColumn("fever", "checkins.column.fever", sensitive=True),
    SheetColumn("symptoms", "checkins.column.symptoms", sensitive=True),
    SheetColumn("at", "checkins.column.at"),
)


def sheet(ctx: Context) -> ExportSheet:
    """The check-ins' sheet, for who the settings name now."""
    settings = ctx.settings(CheckinSettings)
    return ExportSheet(
        id=SHEET,
        title="checkins.sheet.title",
        columns=COLUMNS,
        rows=rows,
        roles=tuple(dict.fromkeys([*settings.leaders, *settings.alert])),
        clear=tuple(settings.alert),
        aliases=("checkin", "打卡", "健康打卡", "健康监测表"),
    )


def _days(query: SheetQuery) -> dict[str, date]:
    found: dict[str, date] = {}
    if query.start is not None:
        found["day__gte"] = query.start
    if query.end is not None:
        found["day__lte"] = query.end
    return found


async def rows(ctx: Context, query: SheetQuery) -> list[list[Cell]]:
    """The check-ins of the query's days and of its groups' buildings, by day and building."""
    _, settings = query._, ctx.settings(CheckinSettings)
    filters: dict[str, Any] = _days(query)
    if query.groups is not None:
        filters["building__in"] = sorted({g.building for g in query.groups if g.building})
    named = {s.id: symptom_name(_, s) for s in settings.symptoms}
    found: list[list[Cell]] = []
    for checkin in await Checkin.filter(**filters).order_by("day", "building", "id"):
        temperature = float(checkin.temperature)
        found.append(
            [
                checkin.day.isoformat(),
                building_name(ctx.community, checkin.building, _),
                checkin.room,
                people.name_of(ctx, checkin.person),
                temperature,
                _("checkins.yes") if temperature >= settings.fever else _("checkins.no"),
                _.join(named.get(s, s) for s in checkin.symptoms) or _("checkins.none"),
                utc(checkin.at).astimezone(query.zone).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return found
