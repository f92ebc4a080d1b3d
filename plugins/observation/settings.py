"""The observation plugin's settings: ``plugins: {observation: {...}}`` in the community file.

::

    plugins:
      observation:
        days: 14                    # an observation period's length when /observe gives none
        workers: [community_worker] # who opens files: of the person's building, or community-wide
        remind_at: "09:00"          # on a period's last day, its worker and the person are reminded
        check_at: "10:30"           # each day, a missing temperature is flagged to the file's worker

Times are wall-clock times of the community's time zone.  A worker counts for a building
when their role is held in one of its resident groups, or community-wide.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sanshe.core.model import RoleName, TimeOfDay

#: The longest observation period /observe opens, in days.
LONGEST = 60


class ObservationSettings(BaseModel):
    """How long a home observation lasts, who keeps the files, and when reminders go."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: Annotated[int, Field(ge=1, le=LONGEST, strict=True)] = 14
    workers: Annotated[tuple[RoleName, ...], Field(min_length=1)] = ("community_worker",)
    remind_at: TimeOfDay = "09:00"
    """When, on a period's last day, its worker and the person are told it ends."""
    check_at: TimeOfDay = "10:30"
    """When each day the files whose person has not reported a temperature are flagged."""
