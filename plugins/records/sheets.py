"""An export's table written as a file: a spreadsheet (XLSX), comma-separated text (CSV) or a
printable document (PDF).

The spreadsheet looks like the paper form: its title over the columns, the
headers below, a header over grouped columns merged across them (and any other
header merged down both header rows), the rows beneath.  The PDF is laid out
the same way on landscape A4 pages, its header rows repeated on each page and
the pages numbered; its text is set in the bot's PDF font (:mod:`sanshe.core.pdf`),
so Chinese shows and can be copied or extracted.  CSV has no merged cells: one
header row, a grouped column's header saying its group first
(``基本信息及症状描述：性别``); it is UTF-8 with a byte order mark, so that a
spreadsheet program opens Chinese text right.
"""

from __future__ import annotations

import csv
import io
import re

from sanshe.core.i18n import Translator

from .table import Table

#: The formats an export is written in.
FORMATS = ("xlsx", "csv", "pdf")
#: Characters a worksheet's name may not hold.
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
#: The widest a column is made, in characters.
WIDEST = 40


def xlsx(table: Table) -> bytes:
    """The table as a spreadsheet, laid out as its form."""
    # openpyxl and reportlab are loaded when a file is asked for: they took a third of start-up.
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

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


#: A PDF page's margin: 10 mm, in points.
MARGIN = 10 * 72 / 25.4
#: A column of the PDF is given at least this share of its fair width.
NARROWEST = 0.5
#: The ink of the PDF's cells, a shade lighter than the headers'.
CELL_INK = "#222222"


def pdf(table: Table, _: Translator) -> bytes:
    """The table as a PDF laid out as its form: landscape pages, the header repeated on each."""
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
    from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
    from reportlab.platypus import (  # type: ignore[import-untyped]
        LongTable,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )

    from sanshe.core.pdf import font, paragraph, style

    out = io.BytesIO()
    page = landscape(A4)
    document = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN * 1.5,
        title=table.title,
    )
    header, body = style(7, centred=True), style(7, ink=CELL_INK)
    width = len(table.columns)
    top: list[object] = [""] * width
    below: list[object] = [""] * width
    commands: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 1 if table.grouped else 0), colors.HexColor("#EEEEEE")),
    ]
    for first, count, text in table.runs():
        top[first] = paragraph(text, header)
        if table.columns[first].group:
            commands.append(("SPAN", (first, 0), (first + count - 1, 0)))
            for i in range(first, first + count):
                below[i] = paragraph(table.columns[i].header, header)
        elif table.grouped:
            commands.append(("SPAN", (first, 0), (first, 1)))
    heads = [top, below] if table.grouped else [top]
    rows = [[paragraph(v, body) for v in values] for values in table.rows]
    grid = LongTable(
        [*heads, *rows],
        colWidths=_widths(table, page[0] - 2 * MARGIN),
        repeatRows=len(heads),
    )
    grid.setStyle(TableStyle(commands))
    title = paragraph(table.title, style(14, centred=True))

    def number(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.setFont(font(), 8)
        canvas.drawCentredString(page[0] / 2, MARGIN / 2, _("records.pdf_page", page=doc.page))

    document.build([title, Spacer(1, 0.4 * MARGIN), grid], onFirstPage=number, onLaterPages=number)
    return out.getvalue()


def _widths(table: Table, room: float) -> list[float]:
    """Each column's width: shared out by how wide its text is, none below half a fair share."""
    wanted = [
        min(max([_width(c.header), *(_width(r[i]) for r in table.rows[:200])], default=1), WIDEST)
        for i, c in enumerate(table.columns)
    ]
    fair = room / max(len(wanted), 1)
    floor = fair * NARROWEST
    left = room - floor * len(wanted)
    total = sum(wanted) or 1
    return [floor + left * w / total for w in wanted]


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


def written(table: Table, fmt: str, _: Translator) -> bytes:
    """The table as a file in ``fmt`` (one of :data:`FORMATS`), its texts in ``_``'s language."""
    if fmt == "xlsx":
        return xlsx(table)
    if fmt == "pdf":
        return pdf(table, _)
    return csv_bytes(table, _)


def _width(value: object) -> int:
    """About how many columns ``value`` takes (a Chinese character two), its longest line."""
    if value is None:
        return 0
    return max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in str(value).split("\n"))
