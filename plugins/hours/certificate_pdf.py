"""The certificate of hours laid out as a PDF (A4), in the bot's PDF font (:mod:`sanshe.core.pdf`).

Imported only when a certificate is made, so that reportlab is not loaded at start-up.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from sanshe.core.i18n import Translator
from sanshe.core.pdf import paragraph, style

from .certificate import Month, hours

#: How high the certificate's lines are, times their size.
LEADING = 1.6


def document(
    _: Translator, community: str, volunteer: str, issuer: str, served: list[Month], on: date
) -> bytes:
    """The certificate as a PDF (A4), its texts in ``_``'s language."""
    out = io.BytesIO()
    margin = 25 * mm
    title = _("hours.certificate.title")
    page = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin, title=title
    )
    body = style(12, leading=LEADING)
    cell = style(11, centred=True, leading=1.3)

    def line(text: str, shape: ParagraphStyle = body) -> Paragraph:
        return paragraph(text, shape)

    total = sum(m.seconds for m in served)
    rows = [
        [line(_(k), cell) for k in ("hours.certificate.month", "hours.certificate.hours")],
        *(
            [
                line(_("hours.certificate.month_of", year=m.year, month=m.month), cell),
                line(hours(m.seconds), cell),
            ]
            for m in served
        ),
        [line(_("hours.certificate.total"), cell), line(hours(total), cell)],
    ]
    grid = Table(rows, colWidths=[60 * mm, 50 * mm], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    served_hours = hours(total)
    said = _.plural(
        "hours.certificate.body",
        sum(m.shifts for m in served),
        name=volunteer,
        community=community,
        hours=_.plural("hours.certificate.served", Decimal(served_hours), hours=served_hours),
    )
    signed = [
        line(_("hours.certificate.issuer", issuer=issuer), style(12, leading=LEADING)),
        line(_("hours.certificate.issued_by", community=community), style(12, leading=LEADING)),
        line(
            _("hours.certificate.date", year=on.year, month=on.month, day=on.day),
            style(12, leading=LEADING),
        ),
    ]
    page.build(
        [
            line(title, style(20, centred=True, leading=LEADING)),
            Spacer(1, 12 * mm),
            line(said),
            Spacer(1, 6 * mm),
            grid,
            Spacer(1, 16 * mm),
            *signed,
        ]
    )
    return out.getvalue()
