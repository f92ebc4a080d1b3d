"""Lengths of time in words, for what rules say they do (``每1小时最多一次``, ``10秒内``)."""

from __future__ import annotations

from datetime import timedelta

from sanshe.core.i18n import Translator


def spoken(_: Translator, length: timedelta) -> str:
    """``length`` in days, hours, minutes and seconds, in the reader's language (``1小时30分钟``)."""
    seconds = int(length.total_seconds())
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3_600)
    minutes, seconds = divmod(seconds, 60)
    units = {"days": days, "hours": hours, "minutes": minutes, "seconds": seconds}
    parts = [_(f"moderation.length.{unit}", count=n) for unit, n in units.items() if n]
    return _.join(parts)
