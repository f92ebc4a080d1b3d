"""Sheets a plugin offers for export beside the forms' records (``sanshe_export_sheets``).

A sheet is a table a plugin keeps (the health check-ins, the hours ledger): its
columns, the rows its ``rows`` source reads for a :class:`SheetQuery`, and who
may have it.  The plugin exporting records (``/export``, ``sanshe export``)
asks every plugin for their sheets and writes one as it writes a form: the same
formats, the same permission ``record.export:<sheet>`` (by default: the sheet's
``roles``), a sensitive column masked unless the reader has
``record.field:<sheet>/<column>`` (by default: the sheet's ``clear`` roles), the
same audit entry (who, which sheet, when, how many rows).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from .context import Context
    from .i18n import Translator
    from .model import Group

#: What a cell holds: text, a number, or nothing.
Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class SheetColumn:
    """One column of a sheet: its id, the catalogue keys of its header and of a header over it
    (neighbouring columns with the same ``group`` share it; empty: none), and whether what it
    holds is sensitive (health data: masked for a reader not allowed it in clear)."""

    id: str
    header: str
    group: str = ""
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class SheetQuery:
    """Which rows: of the days ``start`` to ``end`` (both included, the community's days; None:
    no limit), of the ``groups`` (None: all), their text in ``_``'s language, times in
    ``zone``.  A row of a group's building, or of its members, is that group's."""

    start: date | None
    end: date | None
    groups: tuple[Group, ...] | None
    _: Translator
    zone: ZoneInfo


Rows = Callable[["Context", SheetQuery], Awaitable[list[list[Cell]]]]
"""A sheet's row source: the rows of a query, oldest first, one cell per column, in clear."""


@dataclass(frozen=True, slots=True)
class ExportSheet:
    """A table a plugin offers for export, named ``id`` (or one of ``aliases``) in ``/export``.

    ``title`` is the catalogue key of its title.  Its ``roles`` may export it:
    those held community-wide, in the group a query names, or (``kinds``) in any
    group of those kinds; of them, the ``clear`` roles (by default all) read its
    sensitive columns in clear.
    """

    id: str
    title: str
    columns: tuple[SheetColumn, ...]
    rows: Rows
    roles: tuple[str, ...]
    clear: tuple[str, ...] | None = None
    kinds: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def clear_roles(self) -> tuple[str, ...]:
        """Who reads the sensitive columns in clear."""
        return self.roles if self.clear is None else self.clear
