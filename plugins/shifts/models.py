"""The shifts plugin's tables: the planned shifts, who claimed them, the swaps offered."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH


class StoredShift(Model):
    """A shift planned from a template: its number, group, times (UTC) and the places it needs."""

    id = fields.IntField(primary_key=True)
    """The shift's number, as people type it (``/claim 12``): from the ``shift`` sequence."""
    group = fields.CharField(max_length=255, db_index=True)
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField()
    needs: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    """Role -> how many places (no personal data)."""

    class Meta:
        table = "shifts_shift"
        unique_together = (("group", "starts_at", "ends_at"),)


class StoredClaim(Model):
    """A person's place on a shift, in a role, and when they appeared (None: not yet)."""

    id = fields.IntField(primary_key=True)
    shift = fields.IntField(db_index=True)
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """The claimer, as core's person columns hold them (``stored_person``)."""
    role = fields.CharField(max_length=64)
    place = fields.IntField()
    """Which of the role's places: two claims of one role never share one."""
    claimed_at = fields.DatetimeField()
    arrived_at = fields.DatetimeField(null=True)

    class Meta:
        table = "shifts_claim"
        unique_together = (("shift", "person"), ("shift", "role", "place"))


class SwapOffer(Model):
    """A claimer's offer to hand their shift to someone else, until it is accepted or declined."""

    id = fields.IntField(primary_key=True)
    """From the ``swap`` sequence: what the offer's buttons carry."""
    shift = fields.IntField(db_index=True)
    from_person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    to_person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Who offers and who is offered, as core's person columns hold them (``stored_person``)."""
    role = fields.CharField(max_length=64)
    made_at = fields.DatetimeField()

    class Meta:
        table = "shifts_swap"
        unique_together = (("shift", "from_person"),)
