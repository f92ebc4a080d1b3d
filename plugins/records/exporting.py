"""Which records an export or a listing takes, who may see what of them, and the audit's line.

Records are read from the database in chunks of :data:`CHUNK`, oldest first,
each chunk reported to a ``progress`` callback (the command line's bar).  Days
are the community's: ``--from 2026-12-01`` starts at its midnight there, ``--to``
ends at the end of its day.  A sheet another plugin offers (:mod:`.offered`) is
read from its own row source, with the same days and groups.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sanshe.core.context import Context
from sanshe.core.exports import ExportSheet, SheetQuery
from sanshe.core.i18n import Translator
from sanshe.core.model import Form, Group
from sanshe.core.permissions import record_export, record_field
from sanshe.core.storage.models import Record

from . import offered, sheets
from .table import table

#: How many records are read from the database at a time.
CHUNK = 500
#: A day as typed: ``2026-12-01``, ``2026/12/1``, ``2026.12.1``, ``2026年12月1日``.
_DAY = re.compile(
    r"([0-9]{4})(?:[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})[日号]?)"
)

Progress = Callable[[int, int], None]


def day(text: str) -> date | None:
    """The day ``text`` names (``2026-12-01``, ``2026年12月1日``), or None."""
    match = _DAY.fullmatch(text.strip())
    if match is None:
        return None
    year, month, dom, cn_month, cn_day = match.groups()
    try:
        return date(int(year), int(month or cn_month), int(dom or cn_day))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Span:
    """Which records: of ``of`` (a form, or a sheet a plugin offers), recorded from day
    ``start`` to day ``end`` (both included, None: no limit), filed under ``group`` (None:
    any; for who may export it only in some groups: under one of ``groups``)."""

    of: Form | ExportSheet
    start: date | None = None
    end: date | None = None
    group: Group | None = None
    groups: tuple[Group, ...] | None = None

    @property
    def subject(self) -> str:
        """What the audit entry names: ``form:<id>`` or ``sheet:<id>``."""
        return f"{'form' if isinstance(self.of, Form) else 'sheet'}:{self.of.id}"

    @property
    def exporters(self) -> tuple[str, ...]:
        """The roles that may export it (by default)."""
        return tuple(self.of.exporters if isinstance(self.of, Form) else self.of.roles)

    def title(self, _: Translator) -> str:
        """Its title in ``_``'s language."""
        return _.pick(self.of.title) if isinstance(self.of, Form) else _(self.of.title)

    def filters(self, zone: ZoneInfo) -> dict[str, Any]:
        """The query's filters of a form's records (times compared in UTC, as stored)."""
        found: dict[str, Any] = {"form_id": self.of.id}
        if self.group is not None:
            found["group_id"] = self.group.id
        elif self.groups is not None:
            found["group_id__in"] = [g.id for g in self.groups]
        if self.start is not None:
            found["created_at__gte"] = _midnight(self.start, zone)
        if self.end is not None:
            found["created_at__lt"] = _midnight(self.end + timedelta(days=1), zone)
        return found

    def detail(self, fmt: str, rows: int) -> str:
        """The audit entry's detail: format, row count, days and groups (no personal data)."""
        parts = [fmt, f"rows={rows}"]
        if self.start is not None:
            parts.append(f"from={self.start.isoformat()}")
        if self.end is not None:
            parts.append(f"to={self.end.isoformat()}")
        if self.group is not None:
            parts.append(f"group={self.group.id}")
        elif self.groups is not None:
            parts.append(f"groups={','.join(g.id for g in self.groups)}")
        return " ".join(parts)


def _midnight(on: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(on, time(), zone).astimezone(ZoneInfo("UTC"))


async def fetch(span: Span, zone: ZoneInfo, progress: Progress | None = None) -> list[Record]:
    """The records of ``span``, oldest first; ``progress(read, total)`` after each chunk."""
    filters = span.filters(zone)
    total = await Record.filter(**filters).count()
    found: list[Record] = []
    last = 0
    while True:
        chunk = await Record.filter(id__gt=last, **filters).order_by("id").limit(CHUNK)
        found.extend(chunk)
        if progress is not None:
            progress(len(found), max(total, len(found)))
        if len(chunk) < CHUNK:
            return found
        last = chunk[-1].id


def reader(ctx: Context, group: Group | None) -> Context:
    """Whose roles decide: those held in ``group`` (a record filed there), else community-wide."""
    return ctx.about(group)


async def may_export(ctx: Context, span: Span) -> Span | None:
    """``span`` as the sender may export it (None: not at all): a form's for
    ``record.export:<form>``, a sheet's likewise (in the span's group, if it names one),
    else narrowed to the groups where they have it."""
    permission = record_export(span.of.id)
    if await reader(ctx, span.group).allowed(permission):
        return span
    if span.group is not None:
        return None
    groups = tuple([g for g in ctx.community.groups if await ctx.about(g).allowed(permission)])
    return replace(span, groups=groups) if groups else None


async def may_export_some(ctx: Context, of: Form | ExportSheet) -> bool:
    """Whether the sender may export some of ``of``'s records or rows (those of one group at
    least), as :func:`may_export` tells, asking no further than the first place they may."""
    permission = record_export(of.id)
    for group in (None, *ctx.community.groups):
        if await reader(ctx, group).allowed(permission):
            return True
    return False


async def _clear(
    ctx: Context, of: str, ids: Iterable[str], places: Iterable[Group | None]
) -> frozenset[str]:
    """Which of ``ids`` (fields or columns of form or sheet ``of``) the sender reads in clear
    (``record.field:<of>/<id>``) in each of ``places`` (groups; None: community-wide)."""
    places = tuple(places)
    clear = []
    for id_ in ids:
        permission = record_field(of, id_)
        if all([await reader(ctx, place).allowed(permission) for place in places]):
            clear.append(id_)
    return frozenset(clear)


async def clear_fields(
    ctx: Context, form: Form, places: tuple[Group | None, ...] = (None,)
) -> frozenset[str]:
    """The fields of ``form`` whose answers the sender sees in clear in each of ``places``."""
    return await _clear(ctx, form.id, (f.id for f in form.fields), places)


def places(span: Span) -> tuple[Group | None, ...]:
    """Where ``span``'s reader looks: its group, else each of its groups, else community-wide."""
    return span.groups if span.group is None and span.groups is not None else (span.group,)


async def export(
    ctx: Context, span: Span, fmt: str, progress: Progress | None = None
) -> tuple[bytes, int]:
    """The file of ``span``'s records in ``fmt`` (``xlsx``, ``csv``, ``pdf``) and how many
    rows it has, its headers in the community's language.

    The caller checks :func:`may_export` first (exporting the span it answers) and audits
    the export.
    """
    zone = ZoneInfo(ctx.community.community.timezone)
    _ = ctx.everyone
    if isinstance(span.of, Form):
        records = await fetch(span, zone, progress)
        clear = await clear_fields(ctx, span.of, places(span))
        shown = table(span.of, records, _, clear.__contains__, zone)
    else:
        sheet = span.of
        groups = (span.group,) if span.group is not None else span.groups
        rows = await sheet.rows(ctx, SheetQuery(span.start, span.end, groups, _, zone))
        if progress is not None:
            progress(len(rows), len(rows))
        clear = await _clear(ctx, sheet.id, (c.id for c in sheet.columns), places(span))
        shown = offered.table(sheet, rows, _, set(clear))
    return sheets.written(shown, fmt, _), len(shown.rows)


def file_name(span: Span, fmt: str, now: datetime, zone: ZoneInfo) -> str:
    """The exported file's name: the form's id, the days it covers (else when), the format."""
    if span.start is not None or span.end is not None:
        first = span.start.isoformat() if span.start else "start"
        last = span.end.isoformat() if span.end else "end"
        when = first if first == last else f"{first}_{last}"
    else:
        when = now.astimezone(zone).strftime("%Y%m%d-%H%M%S")
    group = f"_{span.group.id}" if span.group is not None else ""
    return f"{span.of.id}{group}_{when}.{fmt}"
