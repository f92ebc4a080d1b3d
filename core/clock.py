"""What time it is, for core and plugins: one clock per bot, which a test can set.

Code that needs the time asks ``bot.clock`` (or the clock it was given) rather
than the system, so that :class:`sanshe.testing.ManualClock` can move it.
"""

from __future__ import annotations

import time as _time
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """A source of the current time."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    def time(self) -> float:
        """The current time in seconds since the epoch (as :func:`time.time`)."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        return datetime.now(UTC)

    def time(self) -> float:
        """The current time in seconds since the epoch."""
        return _time.time()
