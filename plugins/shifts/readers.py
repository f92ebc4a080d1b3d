"""What the shifts commands read: a shift by its number, a day, a group or a day."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sanshe.core.arguments import (
    MISSING,
    Group,
    Reader,
    Words,
    Wrong,
    group_named,
    listing,
    plain_word,
)
from sanshe.core.context import Context
from sanshe.core.privacy import excerpt

from .roster import ROSTER
from .shown import zone

_NUMBER = re.compile(r"[#№]?([0-9]{1,6})号?")
_DAYS = {"today": 0, "今天": 0, "今日": 0, "tomorrow": 1, "明天": 1, "明日": 1, "后天": 2}
_DAYS |= {"yesterday": -1, "昨天": -1, "昨日": -1}
_FULL_DATE = re.compile(
    r"([0-9]{4})(?:[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})[日号]?)"
)
_SHORT_DATE = re.compile(r"([0-9]{1,2})(?:[-/.]([0-9]{1,2})|月([0-9]{1,2})[日号]?)")


class ShiftNumber(Reader):
    """A planned shift, by the number ``/shifts`` shows (``12``, ``#12``, ``12号``)."""

    name = "shifts.name.shift"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        word = words.peek()
        found = _NUMBER.fullmatch(plain_word(word))
        if found is None:
            raise Wrong("shifts.not_a_number", word=excerpt(word))
        shift = ROSTER.shift(int(found.group(1)))
        if shift is None:
            raise Wrong("shifts.no_such_shift", number=int(found.group(1)))
        words.take()
        return shift


def day_named(text: str, today: date) -> date | None:
    """The day ``text`` says: today, tomorrow, 明天, 后天, yesterday, ``2026-12-01``,
    ``12-01``, ``12月1日`` (this year); None if it says none."""
    plain = plain_word(text)
    if plain in _DAYS:
        return today + timedelta(days=_DAYS[plain])
    try:
        if found := _FULL_DATE.fullmatch(plain):
            year, month, day, cn_month, cn_day = found.groups()
            return date(int(year), int(month or cn_month), int(day or cn_day))
        if found := _SHORT_DATE.fullmatch(plain):
            month, day, cn_day = found.groups()
            return date(today.year, int(month), int(day or cn_day))
    except ValueError:
        return None
    return None


def date_shaped(text: str) -> bool:
    """Whether ``text`` is written as a date is (``2026-13-01``, ``2月30日``), a real one or not."""
    plain = plain_word(text)
    return bool(_FULL_DATE.fullmatch(plain) or _SHORT_DATE.fullmatch(plain))


def _today(ctx: Context) -> date:
    return ctx.now().astimezone(zone(ctx.community)).date()


class Day(Reader):
    """A day: ``today``, ``tomorrow``, ``明天``, ``后天``, a date (``2026-12-01``, ``12月1日``)."""

    name = "shifts.name.day"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        word = words.peek()
        found = day_named(word, _today(ctx))
        if found is None:
            raise Wrong("shifts.bad_day", word=excerpt(word))
        words.take()
        return found


class GroupOrDay(Group):
    """A group (id or one-word name); a day in its place leaves it out (this chat's group)."""

    name = "shifts.name.group"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        word = words.peek()
        if group_named(ctx.community, word) is not None:
            return super().take(words, ctx)
        if day_named(word, _today(ctx)) is not None or date_shaped(word):
            return MISSING  # the day's reader reads it, or says it is no day
        known = listing(ctx._, (g.id for g in ctx.community.groups if ROSTER.has_shifts(g.id)))
        raise Wrong("shifts.unknown_group", word=excerpt(word), known=known)
