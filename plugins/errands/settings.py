"""The errands plugin's settings: ``plugins: {errands: {...}}`` in the community file.

::

    plugins:
      errands:
        registry: [community_worker]        # who keeps the registry and asks on someone's behalf
        volunteers: [general_volunteer, medical_volunteer, psych_volunteer]   # who takes errands
        take_within: 30m                    # an errand untaken this long is offered wider

The holders of ``registry`` keep the households of the buildings whose resident groups they
hold it in, or of every building when they hold it community-wide.  A volunteer holds one
of ``volunteers`` anywhere and says where they serve with ``/area``.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from sanshe.core.arguments import duration
from sanshe.core.model import Length, RoleName


def _some_time(text: str) -> str:
    """Refuse a length of no time (``0m``): every errand would be offered wider at once."""
    if duration(text) is None:
        raise ValueError("a length of more than no time (15m, 30m, 1h)")
    return text


class ErrandSettings(BaseModel):
    """Who keeps the registry of vulnerable households, who takes errands, and how long an
    errand waits for a taker before it is offered wider."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    registry: Annotated[tuple[RoleName, ...], Field(min_length=1)] = ("community_worker",)
    """Who adds, lists and removes vulnerable households, and asks for errands on their behalf."""
    volunteers: Annotated[tuple[RoleName, ...], Field(min_length=1)] = (
        "general_volunteer",
        "medical_volunteer",
        "psych_volunteer",
    )
    """Who registers an area with ``/area`` and takes errands there."""
    take_within: Annotated[Length, AfterValidator(_some_time)] = "30m"
    """How long an errand waits for a taker before it is offered wider (the area, then every
    volunteer), and at last told to the community workers."""

    @cached_property
    def waiting(self) -> timedelta:
        """``take_within`` as a length of time."""
        return duration(self.take_within) or timedelta(minutes=30)
