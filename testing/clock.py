"""A clock a test moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class ManualClock:
    """A :class:`~sanshe.core.clock.Clock` that stands still until told to move.

    It starts at ``start`` (timezone-aware; default: the system's time when it
    is made), and moves only by :meth:`set` and :meth:`advance`::

        clock = ManualClock(datetime(2024, 3, 1, 9, 0, tzinfo=UTC))
        clock.advance(minutes=30)
        assert clock.now() == datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = _utc(start) if start is not None else datetime.now(UTC)

    def now(self) -> datetime:
        """The clock's time, timezone-aware, in UTC."""
        return self._now

    def time(self) -> float:
        """The clock's time in seconds since the epoch."""
        return self._now.timestamp()

    def set(self, when: datetime) -> None:
        """Put the clock at ``when`` (timezone-aware; it may go back)."""
        self._now = _utc(when)

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> datetime:
        """Move the clock forward by ``delta`` or the given amounts; return the new time."""
        step = (delta or timedelta()) + timedelta(
            days=days, hours=hours, minutes=minutes, seconds=seconds
        )
        if step < timedelta():
            raise ValueError(f"a clock advances, it does not go back ({step}); use set()")
        self._now += step
        return self._now


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError(f"{when.isoformat()} has no time zone; give tzinfo (e.g. UTC)")
    return when.astimezone(UTC)
