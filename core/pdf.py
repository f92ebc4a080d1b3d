"""What the bot's PDFs (an export's sheet, a certificate of hours) are set in: reportlab's
built-in ``STSong-Light``, a CID font the PDF reader supplies (no font file is needed or
embedded), so Chinese and Latin show and can be copied or extracted.

This module loads reportlab: import it only when a PDF is made (inside the function that
makes one, or from a module itself imported then), so that start-up does not load it.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.platypus import Paragraph  # type: ignore[import-untyped]

#: The PDFs' font: built into reportlab and every PDF reader, Chinese and Latin.
FONT = "STSong-Light"
#: The ink of text, unless said otherwise.
BLACK = "#000000"


def font() -> str:
    """The PDF font's name, registered with reportlab (once)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def style(
    size: float, *, centred: bool = False, leading: float = 1.25, ink: str = BLACK
) -> ParagraphStyle:
    """A paragraph style in the PDF font: ``size`` points, lines ``leading`` times as high,
    Chinese wrapping between any two characters, in ``ink`` (``#RRGGBB``)."""
    return ParagraphStyle(
        f"sanshe-{size}-{centred}-{leading}-{ink}",
        fontName=font(),
        fontSize=size,
        leading=size * leading,
        alignment=1 if centred else 0,
        wordWrap="CJK",
        textColor=colors.HexColor(ink),
    )


def paragraph(value: object, shape: ParagraphStyle) -> Paragraph:
    """``value`` as a paragraph: its text escaped, its line breaks kept."""
    text = "" if value is None else str(value)
    return Paragraph(escape(text).replace("\n", "<br/>"), shape)
