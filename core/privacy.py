"""Personal data in chat text: finding it, and the short masked excerpt a reply may quote.

One set of detectors for core and plugins alike: the moderation plugin's
``personal_data`` rule condition uses them, and every reply that repeats what a
person typed repeats only :func:`excerpt` of it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from .answers import check_id_number

_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
_ID = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")
_LONG_DIGITS = re.compile(r"\(?\d(?:[\s\-./()]*\d){5,}\)?")
"""Six digits or more, however spaced or punctuated: an account, a card, a number we do not
recognise; never quoted."""

EXCERPT_LENGTH = 16
MASK = "***"

Span = tuple[int, int]


def _phones(text: str) -> list[Span]:
    return [m.span() for m in _PHONE.finditer(text)]


def _id_numbers(text: str) -> list[Span]:
    found = []
    for match in _ID.finditer(text):
        try:
            check_id_number(match.group())
        except ValueError:
            continue
        found.append(match.span())
    return found


DETECTORS: dict[str, Callable[[str], list[Span]]] = {"phone": _phones, "id_number": _id_numbers}
"""Kind of personal data -> where it occurs in a text (empty: not there)."""


def personal_data(text: str, kinds: Iterable[str] = DETECTORS) -> tuple[str, ...]:
    """The kinds of personal data (of ``kinds``) that ``text`` contains, full-width digits too."""
    text = unicodedata.normalize("NFKC", text)
    return tuple(kind for kind in kinds if DETECTORS[kind](text))


def _printable(text: str) -> str:
    """``text`` without control, format (bidi, zero-width) or unassigned characters."""
    return "".join(c for c in text if unicodedata.category(c)[0] != "C")


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """What a reply may quote of ``text``: printable, personal data and long numbers masked, short."""
    text = _printable(unicodedata.normalize("NFKC", text))
    spans = sorted(span for detect in DETECTORS.values() for span in detect(text))
    masked, end = [], 0
    for start, stop in spans:
        if start >= end:
            masked.append(text[end:start] + MASK)
            end = stop
    text = _LONG_DIGITS.sub(MASK, "".join(masked) + text[end:]).strip()
    return text if len(text) <= limit else text[:limit] + "…"
