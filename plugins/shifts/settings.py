"""The shifts plugin's settings: ``plugins: {shifts: {...}}`` in the community file.

::

    plugins:
      shifts:
        templates:
          - kinds: [focus_service, key_accompaniment]     # or groups: [focus-1]
            shifts:
              - {start: "08:00", end: "12:00", needs: {social_worker: 1, medical_volunteer: 1}}
              - {start: "18:00", end: "24:00", needs: {general_volunteer: 1}}
        plan_days: 7
        remind_before: 30m
        announce_before: 24h
        no_show_after: 15m

Times are wall-clock times of the community's time zone; ``24:00`` is midnight
at the end of the day, and an end at or before its start is on the next day
(``22:00``–``02:00``).  A template naming neither kinds nor groups covers the
consultation groups (focus service and key accompaniment).
"""

from __future__ import annotations

from datetime import time, timedelta
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from sanshe.core.arguments import duration
from sanshe.core.model import GroupName, KindName, Length

#: The roles a shift may need: the social worker, the professional volunteers, the secretary.
StaffRole = Literal["social_worker", "medical_volunteer", "psych_volunteer", "general_volunteer"]
#: The group kinds a template without kinds or groups covers: the consultation groups.
CONSULTATION = ("focus_service", "key_accompaniment")

Clock = Annotated[str, Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")]
"""A time of day, ``HH:MM`` (24-hour clock), or ``24:00`` for the midnight ending a day."""


class _Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Hours(_Settings):
    """One shift of a template: when it starts and ends each day, and who it needs."""

    start: Clock
    end: Clock
    needs: Annotated[dict[StaffRole, Annotated[int, Field(gt=0, le=50)]], Field(min_length=1)]
    """How many places each role has on the shift (``{medical_volunteer: 1}``)."""

    def times(self) -> tuple[time, time, int]:
        """The start, the end and how many days after the start's day the end falls (0 or 1)."""
        start, end = _clock(self.start), _clock(self.end)
        if self.end == "24:00" or end <= start:
            return start, end, 1
        return start, end, 0


class Template(_Settings):
    """Shifts every day in the groups of ``kinds`` and the ``groups`` named."""

    kinds: tuple[KindName, ...] = ()
    groups: tuple[GroupName, ...] = ()
    shifts: Annotated[tuple[Hours, ...], Field(min_length=1)]

    def covers(self, group_id: str, kind: str) -> bool:
        """Whether this template gives shifts to the group ``group_id`` of kind ``kind``."""
        if not self.kinds and not self.groups:
            return kind in CONSULTATION
        return kind in self.kinds or group_id in self.groups


class ShiftSettings(_Settings):
    """The templates of the roster, how far ahead it is planned, and when people are told."""

    templates: tuple[Template, ...] = ()
    plan_days: int = Field(default=7, gt=0, le=60)
    """How many days ahead shifts exist (today included)."""
    remind_before: Length = "30m"
    """How long before a shift its claimers are reminded privately."""
    announce_before: Length = "24h"
    """How long before a shift it is announced to the volunteer pool if it is under-staffed."""
    no_show_after: Length = "15m"
    """How long after a shift's start a professional who has not appeared is flagged."""

    @cached_property
    def reminder(self) -> timedelta:
        """``remind_before`` as a length of time."""
        return _length(self.remind_before)

    @cached_property
    def announcement(self) -> timedelta:
        """``announce_before`` as a length of time."""
        return _length(self.announce_before)

    @cached_property
    def grace(self) -> timedelta:
        """``no_show_after`` as a length of time."""
        return _length(self.no_show_after)


def _clock(text: str) -> time:
    return time(0, 0) if text == "24:00" else time.fromisoformat(text)


def _length(text: str) -> timedelta:
    return duration(text) or timedelta()
