"""A form's records as a table in the layout of its paper form: headers, then one row a record.

The columns are the form's fields, in order, each headed by its ``column:`` (the
paper form's name for it; else its label), in the community's language;
neighbouring fields with the same ``column_group:`` share a header over them.
Two columns of the record's own follow: its number and when it was recorded.
An answer the reader may not see in clear (``record.field:<form>/<field>``) is
masked as chat masks it (``138****5678``, “recorded”).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sanshe.core.answers import mask, show_value
from sanshe.core.exports import Cell
from sanshe.core.i18n import Translator
from sanshe.core.model import Form, FormField
from sanshe.core.storage.models import Record
from sanshe.core.timers import utc


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header, the header over it (empty: none) and the field it shows."""

    header: str
    group: str = ""
    field: FormField | None = None
    """None for the record's own columns (its number, its time)."""


@dataclass(frozen=True, slots=True)
class Table:
    """The title, the columns and the rows of an export."""

    title: str
    columns: list[Column]
    rows: list[list[Cell]]

    @property
    def grouped(self) -> bool:
        """Whether some columns have a header over them (two header rows)."""
        return any(c.group for c in self.columns)

    def runs(self) -> list[tuple[int, int, str]]:
        """The header rows' top cells: (first column, how many, text), from column 0.

        A grouped run is one cell over its columns; any other column is a cell
        of its own (its header, over both header rows).
        """
        runs: list[tuple[int, int, str]] = []
        for i, column in enumerate(self.columns):
            last = runs[-1] if runs else None
            if column.group and last and last[2] == column.group and self.columns[i - 1].group:
                runs[-1] = (last[0], last[1] + 1, last[2])
            else:
                runs.append((i, 1, column.group or column.header))
        return runs


def columns(form: Form, _: Translator) -> list[Column]:
    """The columns of ``form``'s export, headed in ``_``'s language."""
    shown = [
        Column(
            header=_.pick(f.column if f.column is not None else f.label),
            group=_.pick(f.column_group) if f.column_group is not None else "",
            field=f,
        )
        for f in form.fields
    ]
    return [*shown, Column(_("records.column.number")), Column(_("records.column.at"))]


def cell(field: FormField, value: Any, _: Translator, clear: bool) -> Cell:
    """An answer as its cell shows it: masked unless ``clear``; nothing for no answer."""
    if value is None:
        return None
    if field.sensitive and not clear:
        return mask(field, value, _)
    if field.type in ("integer", "age", "number", "temperature") and not isinstance(value, bool):
        return value if isinstance(value, int | float) else str(value)
    return show_value(field, value, _)


def row(
    form: Form, record: Record, _: Translator, clear: Callable[[str], bool], zone: tzinfo
) -> list[Cell]:
    """``record``'s row: each field's cell (``clear(field id)``: in clear), its number, its time."""
    data = record.data or {}
    cells = [cell(f, data.get(f.id), _, clear(f.id)) for f in form.fields]
    return [*cells, record.id, local(record.created_at, zone)]


def local(moment: datetime, zone: tzinfo) -> str:
    """A stored time in the community's zone, as the records show it."""
    return utc(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def table(
    form: Form,
    records: Iterable[Record],
    _: Translator,
    clear: Callable[[str], bool],
    zone: tzinfo,
) -> Table:
    """``records`` of ``form`` as its export's table, in ``_``'s language."""
    rows = [row(form, r, _, clear, zone) for r in records]
    return Table(_.pick(form.title), columns(form, _), rows)
