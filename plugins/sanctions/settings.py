"""The sanctions plugin's settings: ``plugins: {sanctions: {...}}`` in the community file.

::

    plugins:
      sanctions:
        redact_recent: 24h     # a community ban also deletes the person's messages of the last 24h
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from sanshe.core.arguments import duration
from sanshe.core.model import Length


class SanctionSettings(BaseModel):
    """How far back a community ban deletes the person's messages."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    redact_recent: Length | Literal[0] = "24h"
    """A community ban also deletes the person's messages of this last while, where the network
    can (Matrix); 0: it deletes nothing."""

    @property
    def redact_hours(self) -> int:
        """Hours of messages a ban deletes (0: none), at least one when any."""
        if self.redact_recent == 0:
            return 0
        found = duration(self.redact_recent)
        return max(1, -(-int(found.total_seconds()) // 3600)) if found else 0
