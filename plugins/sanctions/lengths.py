"""How long a sanction lasts, as a reader reads it: ``2小时``, ``1 day 2 hours``, and its end
on the community's clock."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta

from sanshe.core import spans
from sanshe.core.arguments import MISSING, Reader, Words, duration
from sanshe.core.i18n import Translator

if TYPE_CHECKING:
    from sanshe.core.context import Context

#: The longest a mute or a timed ban may last (a longer ban: one without an end).
LONGEST = timedelta(days=366)


def spoken(_: Translator, length: timedelta) -> str:
    """``length`` in days, hours and minutes in the reader's language (``1天 2小时``)."""
    minutes = max(1, math.ceil(length.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts: tuple[tuple[Literal["day", "hour", "minute"], int], ...] = (
        ("day", days),
        ("hour", hours),
        ("minute", minutes),
    )
    return " ".join(
        format_timedelta(
            timedelta(**{f"{unit}s": count}),
            granularity=unit,
            threshold=math.inf,
            locale=_.locale,
        )
        for unit, count in parts
        if count
    )


def until(_: Translator, zone: ZoneInfo, end: datetime) -> str:
    """When a sanction ends, on the community's clock: ``12月2日周三 18:30``."""
    return f"{spans.day(_, end.astimezone(zone).date())} {spans.clock(end, zone)}"


class OptionalLength(Reader):
    """A length of time if the next words are one (``2h``, ``3天``), else nothing: the words
    are left for the reader after it (a reason)."""

    name = "arguments.name.duration"

    def __init__(self) -> None:
        super().__init__(optional=True)

    def take(self, words: Words, ctx: Context) -> Any:
        for count in (4, 3, 2, 1):  # "1 h 30 min", "90 min" before "90"
            if count <= words.left:
                found = duration(words.peek(count))
                if found is not None:
                    words.take(count)
                    return found
        return MISSING
