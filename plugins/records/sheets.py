"""An export's table written as a file: a spreadsheet (XLSX) or comma-separated text (CSV).

The spreadsheet looks like the paper form: its title over the columns, the
headers below, a header over grouped columns merged across them (and any other
header merged down both header rows), the rows beneath.  CSV has no merged
cells: one header row, a grouped column's header saying its group first
(``基本信息及症状描述：性别``); it is UTF-8 with a byte order mark, so that a
spreadsheet program opens Chinese text right.
"""

from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from sanshe.core.i18n import Translator

from .table import Table

#: The formats an export is written in.
FORMATS = ("xlsx", "csv")
#: Characters a worksheet's name may not hold.
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
#: The widest a column is made, in characters.
WIDEST = 40


def xlsx(table: Table) -> bytes:
    """The table as a spreadsheet, laid out as its form."""
    book = Workbook()
    sheet = book.active
    sheet.title = _NOT_IN_SHEET_NAME.sub(" ", table.title)[:31] or "Sheet1"
    width = len(table.columns)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.cell(row=1, column=1, value=table.title).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = centred
    if width > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    header_rows = 2 if table.grouped else 1
    for first, count, text in table.runs():
        top = sheet.cell(row=2, column=first + 1, value=text)
        top.font, top.alignment = Font(bold=True), centred
        grouped = table.columns[first].group != ""
        if grouped:
            if count > 1:
                sheet.merge_cells(
                    start_row=2, start_column=first + 1, end_row=2, end_column=first + count
                )
            for i in range(first, first + count):
                below = sheet.cell(row=3, column=i + 1, value=table.columns[i].header)
                below.font, below.alignment = Font(bold=True), centred
        elif header_rows == 2:
            sheet.merge_cells(start_row=2, start_column=first + 1, end_row=3, end_column=first + 1)
    start = 2 + header_rows
    wrapped = Alignment(vertical="top", wrap_text=True)
    for r, values in enumerate(table.rows, start=start):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value).alignment = wrapped
    for i, column in enumerate(table.columns, start=1):
        widest = max([_width(column.header), *(_width(row[i - 1]) for row in table.rows[:200])])
        sheet.column_dimensions[get_column_letter(i)].width = min(max(widest + 2, 8), WIDEST)
    sheet.freeze_panes = sheet.cell(row=start, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(table: Table, _: Translator) -> bytes:
    """The table as CSV (UTF-8 with a byte order mark): one header row, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        _("records.csv_grouped", group=c.group, column=c.header) if c.group else c.header
        for c in table.columns
    )
    writer.writerows(["" if v is None else v for v in row] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def _width(value: object) -> int:
    """About how many columns ``value`` takes (a Chinese character two), its longest line."""
    if value is None:
        return 0
    return max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in str(value).split("\n"))
