"""The sheets other plugins offer for export (``sanshe_export_sheets``): finding them, who may
export them and read their sensitive columns (the permission's default), and their table.

A sheet's ``record.export:<sheet>`` is, unless a plugin votes otherwise, for its
roles held where the export looks: community-wide (or in a group of its
``kinds``) for all its rows, in a group for that group's.  ``/export`` names no
group: who holds the roles in some groups only exports those groups' rows.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from sanshe.core import people
from sanshe.core.context import Context
from sanshe.core.exports import Cell, ExportSheet
from sanshe.core.i18n import Translator
from sanshe.core.permissions import record_export, record_field
from sanshe.core.storage.writes import Writes

from .table import Column, Table

#: The hook plugins offer their sheets by.
HOOK = "sanshe_export_sheets"
#: The sheets offered, asked once per event (by its writes): each permission vote reads them.
_ASKED: weakref.WeakKeyDictionary[Writes, tuple[ExportSheet, ...]] = weakref.WeakKeyDictionary()


async def offered(ctx: Context) -> list[ExportSheet]:
    """The sheets the plugins offer, each id once; one named as a form is left out (the
    plugins are asked once per event)."""
    if ctx.writes not in _ASKED:
        taken = {f.id for f in ctx.community.forms}
        found: list[ExportSheet] = []
        for answer in await ctx.call(HOOK, context=ctx):
            for sheet in answer or ():
                if sheet.id not in taken:
                    taken.add(sheet.id)
                    found.append(sheet)
        _ASKED[ctx.writes] = tuple(found)
    return list(_ASKED[ctx.writes])


def named(ctx: Context, sheets: Iterable[ExportSheet], typed: str) -> ExportSheet | None:
    """The sheet ``typed`` names: its id, an alias, or its title in the sender's or the
    community's language."""
    plain = typed.strip().casefold()
    for sheet in sheets:
        titles = {ctx._(sheet.title), ctx.everyone(sheet.title)}
        names = {sheet.id, *sheet.aliases, *titles}
        if plain in (n.casefold() for n in names):
            return sheet
    return None


def _holds(ctx: Context, sheet: ExportSheet, roles: Iterable[str]) -> bool:
    """Whether the sender holds one of ``roles`` where ``ctx`` looks (a group, or the whole
    community: also in a group of the sheet's ``kinds`` then)."""
    wanted = tuple(roles)
    if ctx.has_role(wanted):
        return True
    if ctx.group is not None or not sheet.kinds:
        return False
    return any(people.holds_community_wide_or_in(ctx, r, sheet.kinds) for r in wanted)


async def vote(ctx: Context, permission: str) -> bool | None:
    """The default of a sheet's export and field permissions (None: not a sheet's)."""
    kind, _colon, subject = permission.partition(":")
    if kind not in ("record.export", "record.field"):
        return None
    sheet_id, _slash, column_id = subject.partition("/")
    if ctx.community.form(sheet_id) is not None:
        return None
    sheet = next((s for s in await offered(ctx) if s.id == sheet_id), None)
    if sheet is None:
        return None
    if permission == record_export(sheet.id):
        return _holds(ctx, sheet, sheet.roles)
    column = next((c for c in sheet.columns if c.id == column_id), None)
    if column is None or permission != record_field(sheet.id, column.id):
        return None
    return not column.sensitive or _holds(ctx, sheet, sheet.clear_roles)


def table(sheet: ExportSheet, rows: list[list[Cell]], _: Translator, clear: set[str]) -> Table:
    """The sheet's rows as an export's table, headed in ``_``'s language; a sensitive column's
    cells masked unless its id is in ``clear``."""
    columns = [Column(_(c.header), _(c.group) if c.group else "") for c in sheet.columns]
    masked = [i for i, c in enumerate(sheet.columns) if c.sensitive and c.id not in clear]
    recorded = _("form.recorded")
    shown = [
        [recorded if i in masked and v not in (None, "") else v for i, v in enumerate(r)]
        for r in rows
    ]
    return Table(_(sheet.title), columns, shown)
