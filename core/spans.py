"""How a span of time, a shift's, is written for a reader: its day with the weekday in their
language, its start and end on the local clock (an end at midnight is ``24:00``)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from .i18n import Translator


def day(_: Translator, on: date) -> str:
    """A day with its weekday, as the reader's language writes it: ``12月2日周三``, ``Wed, Dec 2``."""
    return format_skeleton("MMMEd", on, locale=_.locale)


def clock(moment: datetime, where: ZoneInfo, *, end: bool = False) -> str:
    """``HH:MM`` local time; an end at midnight is ``24:00`` (of the day before)."""
    text = moment.astimezone(where).strftime("%H:%M")
    return "24:00" if end and text == "00:00" else text


def span(_: Translator, where: ZoneInfo, start: datetime, end: datetime) -> dict[str, str]:
    """The ``day``, ``start`` and ``end`` of the span from ``start`` to ``end`` in time zone
    ``where``, as a catalogue text takes them: ``_("shifts.shift", …, **span(_, where, s, e))``."""
    return {
        "day": day(_, start.astimezone(where).date()),
        "start": clock(start, where),
        "end": clock(end, where, end=True),
    }
