"""The volunteers plugin's tables: who registered, their review, training, agreement, dispatches."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.storage.sealed import SealedJSONField, SealedTextField


class Volunteer(Model):
    """A registration and what became of it: reviewed, classified, trained, signed."""

    id = fields.IntField(primary_key=True)
    """The volunteer's number (``ctx.number("volunteer")``), as social workers type it."""
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Their person id in the registry (``stored_person`` of it): what export and erasure look for."""
    network = fields.CharField(max_length=32)
    """The network they registered on: where they are invited when dispatched."""
    record = fields.IntField()
    """The registration form's record."""
    offered: SealedJSONField[list[str]] = SealedJSONField(default=list)
    """The classes of work they said they can take (the form's ``roles`` choices)."""
    registered_at = fields.DatetimeField()
    status = fields.CharField(max_length=16, default="pending")
    """``pending``, ``approved`` or ``rejected``."""
    kind = fields.CharField(max_length=16, null=True)
    """Their class once approved: ``medical``, ``psychological``, ``general`` or ``other``."""
    qualified = fields.BooleanField(null=True)
    """Whether their qualifications were checked."""
    note = SealedTextField(null=True)
    """The reviewer's note, or the reason of a rejection."""
    vetted_by = fields.CharField(max_length=PERSON_LENGTH, null=True)
    vetted_at = fields.DatetimeField(null=True)
    agreement_version = fields.CharField(max_length=64, null=True)
    """The sha256 of the agreement's text as it was shown to them (None: not signed)."""
    agreed_at = fields.DatetimeField(null=True)
    agreed_handle = fields.CharField(max_length=PERSON_LENGTH, null=True)
    """The handle (``network:handle``, as ``stored_person`` keeps it) they signed with."""
    agreement_record = fields.IntField(null=True)

    class Meta:
        table = "volunteers_volunteer"


class Training(Model):
    """A training item a volunteer confirmed (``/trained``)."""

    id = fields.IntField(primary_key=True)
    volunteer = fields.IntField(db_index=True)
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    item = fields.CharField(max_length=32)
    at = fields.DatetimeField()

    class Meta:
        table = "volunteers_training"
        unique_together = (("volunteer", "item"),)


class Dispatch(Model):
    """A volunteer sent into a consultation group (``/dispatch``)."""

    id = fields.IntField(primary_key=True)
    volunteer = fields.IntField(db_index=True)
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    group_id = fields.CharField(max_length=255)
    role = fields.CharField(max_length=64)
    by = fields.CharField(max_length=PERSON_LENGTH)
    at = fields.DatetimeField()

    class Meta:
        table = "volunteers_dispatch"
