"""The ledger of service hours: one row per person and shift served."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.timers import utc


class HoursEntry(Model):
    """One shift one person served: from when they appeared (not before its start) to its end."""

    id = fields.IntField(primary_key=True)
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Their id: what /hours, export and erasure look for."""
    group_id = fields.CharField(max_length=64)
    role = fields.CharField(max_length=64)
    """The role they served the shift in."""
    shift = fields.CharField(max_length=64)
    """The shift's number, as people type it."""
    start = fields.DatetimeField()
    end = fields.DatetimeField()

    class Meta:
        table = "hours_entry"

    @property
    def seconds(self) -> float:
        """How long it was served, in seconds."""
        return (utc(self.end) - utc(self.start)).total_seconds()
