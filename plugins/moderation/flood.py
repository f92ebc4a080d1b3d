"""Flood control: the rule condition ``flood: {messages: 5, within: 10s}``.

It holds for the message that makes ``messages`` of one sender in one chat
within ``within``; then that sender's count there starts again, so the rule's
actions (``mute: 10m``…) run once per flood, not for every message after it.
The counts are kept in memory, a sliding window of times per sender and
chat; a restart or a reload of the rules starts them afresh.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sanshe.core.arguments import duration
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.rules import Condition

from .lengths import spoken

#: The longest window a flood is counted over.
MOST = timedelta(hours=1)
_SECONDS = re.compile(r"([0-9]{1,4})\s*(?:s|sec|secs|seconds?|秒|秒钟)", re.IGNORECASE)

#: After this many messages counted, windows gone quiet are let go (memory stays bounded).
SWEEP_EVERY = 10_000


@dataclass(slots=True, eq=False)
class Flood:
    """One rule's flood condition and the times it has counted."""

    messages: int
    within: timedelta
    _times: dict[tuple[str, str, str], deque[float]] = field(default_factory=dict)
    _counted: int = 0

    def count(self, ctx: Context) -> bool:
        """Count this message; whether it makes a flood (and if so, start its sender's count again)."""
        event = ctx.event
        now = event.time or ctx.now().timestamp()
        window = self.within.total_seconds()
        key = (event.network, event.chat, event.sender)
        times = self._times.get(key)
        if times is None:
            times = self._times[key] = deque(maxlen=self.messages)
        while times and times[0] <= now - window:
            times.popleft()
        times.append(now)
        self._counted += 1
        if self._counted % SWEEP_EVERY == 0:
            self._sweep(now - window)
        if len(times) < self.messages:
            return False
        del self._times[key]
        return True

    def _sweep(self, since: float) -> None:
        """Forget the senders who wrote nothing since ``since``."""
        for key in [k for k, times in self._times.items() if times[-1] <= since]:
            del self._times[key]


def _flood(value: Any) -> Flood:
    if not isinstance(value, dict) or set(value) != {"messages", "within"}:
        raise ValueError("moderation.parse.flood")
    messages, within = value["messages"], value["within"]
    if not isinstance(messages, int) or isinstance(messages, bool) or messages < 2:
        raise ValueError("moderation.parse.flood")
    window = _window(within) if isinstance(within, str) else None
    if window is None or window > MOST:
        raise ValueError("moderation.parse.flood")
    return Flood(messages, window)


def _window(text: str) -> timedelta | None:
    """``10s``, ``30 秒``, or a length :func:`~sanshe.core.arguments.duration` reads (``1m``)."""
    seconds = _SECONDS.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if seconds is not None:
        return timedelta(seconds=int(seconds[1])) if int(seconds[1]) else None
    return duration(text)


def _describe(_: Translator, flood: Flood) -> str:
    within = spoken(_, flood.within)
    return _.plural("moderation.when.flood", flood.messages, messages=flood.messages, within=within)


def conditions() -> list[Condition]:
    """``flood``."""
    return [
        Condition(
            "flood",
            check=lambda ctx, flood: flood.count(ctx),
            describe=_describe,
            parse=_flood,
            found=lambda ctx, flood: ("flood",),
        )
    ]
