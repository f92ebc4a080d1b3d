"""The warnings plugin's settings: ``plugins: {warnings: {…}}`` in the community file.

::

    plugins:
      warnings:
        limit: 3          # this many warnings in a group…
        within: 30d       # …within this long (withdrawn ones do not count)…
        then: remove      # …and the member is removed: remove, ban, or mute:<length> (mute:2h)
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sanshe.core.arguments import duration

_LENGTH = r"(?=.*[1-9])(\d{1,2}d)?(\d{1,3}h)?(\d{1,4}m)?"
"""A length of time that is not nothing: ``30d``, ``2h``, ``1h30m``."""
Within = Annotated[str, Field(pattern=rf"^{_LENGTH}$")]
Sanction = Annotated[str, Field(pattern=rf"^(remove|ban|mute:{_LENGTH})$")]
"""What reaching the limit does: ``remove``, ``ban`` or ``mute:<length>`` (``mute:2h``)."""


class WarningSettings(BaseModel):
    """How many warnings within how long lead to what."""

    model_config = ConfigDict(frozen=True, extra="forbid", regex_engine="python-re")

    limit: int = Field(default=3, gt=0, le=100)
    """The warnings within ``within`` (in one group) that lead to ``then``."""
    within: Within = "30d"
    """How long a warning counts."""
    then: Sanction = "remove"

    @cached_property
    def window(self) -> timedelta:
        """``within`` as a length of time."""
        return duration(self.within) or timedelta()

    @property
    def sanction(self) -> str:
        """``remove``, ``ban`` or ``mute``."""
        return self.then.partition(":")[0]

    @cached_property
    def mute_minutes(self) -> int:
        """For ``mute:<length>``, the length in minutes (else 0)."""
        length = duration(self.then.partition(":")[2]) if self.sanction == "mute" else None
        return int(length.total_seconds() // 60) if length else 0
