"""The feedback plugin's settings: ``plugins: {feedback: {...}}`` in the community file.

::

    plugins:
      feedback:
        weekday: monday          # the day of the week the summary goes to the prevention work group
        at: "09:00"              # at what time of that day (the community's time zone)
        staff: [community_worker, party_secretary]   # who may ask for it now (/suggestions)

The holders of ``staff`` count when their role is community-wide or held in a prevention
work group.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from sanshe.core.model import RoleName, TimeOfDay

#: The days of the week, Monday first (as ``date.weekday()`` counts them).
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class FeedbackSettings(BaseModel):
    """When the weekly summary of the residents' suggestions goes out, and who asks for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekday: Weekday = "monday"
    at: TimeOfDay = "09:00"
    staff: Annotated[tuple[RoleName, ...], Field(min_length=1)] = (
        "community_worker",
        "party_secretary",
    )

    @property
    def day_number(self) -> int:
        """The weekday as ``date.weekday()`` gives it (Monday: 0)."""
        return WEEKDAYS.index(self.weekday)
