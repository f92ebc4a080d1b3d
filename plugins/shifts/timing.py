"""When the shifts plugin's timers fire: their keys, and their scheduling with an event's writes.

- ``plan``: every day at 00:00 local time, the roster is planned ahead again;
- ``announce:<start>``: ``announce_before`` ahead of the shifts starting then
  (seconds since the epoch), the under-staffed ones are announced;
- ``remind:<n>``: ``remind_before`` ahead of shift ``n``, its claimers are reminded;
- ``check:<n>``: ``no_show_after`` into shift ``n``, professionals who have not
  appeared are flagged;
- ``end:<n>``: at the end of shift ``n``, its claimers are thanked and the
  ``shifts_shift_ended`` hook is called.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sanshe.core.context import Context
from sanshe.core.timers import Schedule

from .roster import PROFESSIONALS, Shift
from .settings import ShiftSettings

#: The plugin's name, as its timers are kept.
PLUGIN = "shifts"
#: When the roster is planned ahead each day, local time.
PLAN_AT = "00:00"


def announce_key(start: datetime) -> str:
    """The timer announcing the shifts that start at ``start``."""
    return f"announce:{int(start.timestamp())}"


def announced_start(key: str) -> datetime:
    """The start of the shifts a ``announce:<start>`` timer announces."""
    return datetime.fromtimestamp(int(key.partition(":")[2]), UTC)


def plan_daily(ctx: Context) -> None:
    """Plan the roster ahead every day at :data:`PLAN_AT` (replacing the timer if it is set)."""
    ctx.timers(PLUGIN).every("plan", Schedule.daily(PLAN_AT))


def schedule_shift(ctx: Context, shift: Shift, settings: ShiftSettings) -> None:
    """Set the end of ``shift`` and, while its time is to come, its announcement (a shift
    planned later than ``announce_before`` ahead is not announced)."""
    book, now = ctx.timers(PLUGIN), ctx.now()
    book.at(f"end:{shift.number}", shift.end)
    announce = shift.start - settings.announcement
    if announce > now:
        book.at(announce_key(shift.start), announce)


def schedule_claim(ctx: Context, shift: Shift, role: str, settings: ShiftSettings) -> None:
    """After a claim in ``role``: the reminder before ``shift`` and, for a professional, the
    check that they appeared (each only while its time is to come)."""
    book, now = ctx.timers(PLUGIN), ctx.now()
    remind = shift.start - settings.reminder
    if remind > now:
        book.at(f"remind:{shift.number}", remind)
    check = shift.start + settings.grace
    if role in PROFESSIONALS and now < check < shift.end:
        book.at(f"check:{shift.number}", check)


def forget_shift(ctx: Context, number: int) -> None:
    """Cancel the timers of shift ``number`` (it is no longer planned)."""
    book = ctx.timers(PLUGIN)
    for kind in ("end", "remind", "check"):
        book.cancel(f"{kind}:{number}")
