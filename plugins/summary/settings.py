"""The summary plugin's settings: ``plugins: {summary: {...}}`` in the community file.

::

    plugins:
      summary:
        at: "21:00"              # when each day's summary is compiled (the community's time zone)
        form: daily_summary      # the form its rows are records of (form 8)
        tell: [social_worker]    # who of each consultation group is told it is ready
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sanshe.core.model import FormName, RoleName, TimeOfDay


class SummarySettings(BaseModel):
    """When the daily work record summary is compiled, into which form, and who is told."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: TimeOfDay = "21:00"
    """Each day at this time the 24 hours before it are compiled, as that day's summary."""
    form: FormName = "daily_summary"
    tell: Annotated[tuple[RoleName, ...], Field(min_length=1)] = ("social_worker",)
    """Who is told, of those who served the group's shifts that day (none: all holding it
    in the group or community-wide)."""
