"""The errands plugin's tables: the registry of vulnerable households, where each volunteer
serves, and the errands asked for (only what the help needs: who, where, what, who took it)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.storage.sealed import SealedTextField


class Vulnerable(Model):
    """A vulnerable household of the registry, kept by a community worker."""

    id = fields.IntField(primary_key=True)
    number = fields.IntField(unique=True)
    """What people call it by (``/vulnerable remove 3``)."""
    person = fields.CharField(max_length=PERSON_LENGTH, default="", db_index=True)
    """Who it is (``stored_person``), when they are known in chat; else the household counts."""
    building = fields.CharField(max_length=64, db_index=True)
    room = SealedTextField(default="")
    """The household's room (an address: sealed)."""
    category = SealedTextField()
    """Why it is vulnerable (an id of :data:`..registry.CATEGORIES`; may be health data: sealed)."""
    note = SealedTextField(default="")
    """The community worker's note (sealed)."""
    added_by = fields.CharField(max_length=PERSON_LENGTH)
    at = fields.DatetimeField()

    class Meta:
        table = "errands_vulnerable"


class ServingArea(Model):
    """Where a volunteer takes errands: a building (and so its area), or an area."""

    id = fields.IntField(primary_key=True)
    person = fields.CharField(max_length=PERSON_LENGTH, unique=True)
    building = fields.CharField(max_length=64, default="")
    area = fields.CharField(max_length=64, default="")
    at = fields.DatetimeField()

    class Meta:
        table = "errands_serving_area"


class Errand(Model):
    """An errand asked for a vulnerable household: open until taken, taken until done."""

    id = fields.IntField(primary_key=True)
    number = fields.IntField(unique=True)
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Whom it is for (``stored_person``)."""
    asked_by = fields.CharField(max_length=PERSON_LENGTH)
    """Who asked: the person, or the community worker on their behalf."""
    building = fields.CharField(max_length=64)
    room = SealedTextField(default="")
    """The household's room (an address: sealed; read only by the taker)."""
    kind = fields.CharField(max_length=16)
    """groceries, medicine, parcel or other."""
    detail = SealedTextField()
    """What is needed, as the requester wrote it (sealed; never shown in a group)."""
    state = fields.CharField(max_length=8, default="open", db_index=True)
    """open, taken or done."""
    ring = fields.IntField(default=0)
    """How wide it was offered: 0 the building, 1 its area, 2 every volunteer, 3 workers told."""
    taker = fields.CharField(max_length=PERSON_LENGTH, default="")
    at = fields.DatetimeField()
    taken_at = fields.DatetimeField(null=True)
    done_at = fields.DatetimeField(null=True)

    class Meta:
        table = "errands_errand"
