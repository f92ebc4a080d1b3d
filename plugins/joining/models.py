"""The joining plugin's tables: the join requests (with their dialog) and the households."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.storage.sealed import SealedJSONField, SealedTextField


class Application(Model):
    """A request to join a group: the applicant's dialog while they answer, then the decision."""

    id = fields.IntField(primary_key=True)
    """The request's number (``ctx.number("join_request")``), as admins type it."""
    network = fields.CharField(max_length=32)
    chat = fields.CharField(max_length=255)
    """The group's chat on that network, which the applicant asked to join."""
    group_id = fields.CharField(max_length=64)
    handle = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """The applicant's id on the network."""
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Their person id (``stored_person`` of it: ``network:handle`` for someone unknown)."""
    name = SealedTextField(default="")
    """The name the network showed for them."""
    language = fields.CharField(max_length=8, null=True)
    status = fields.CharField(max_length=16)
    """``waiting`` (behind another dialog of theirs), ``asking``, ``pending`` (with the admins),
    ``approved``, ``declined`` or ``withdrawn``."""
    step = fields.CharField(max_length=40, default="")
    """The question being asked while ``asking``."""
    answers: SealedJSONField[dict[str, Any]] = SealedJSONField(default=dict)
    note = SealedTextField(default="")
    """What they wrote with the request, if the network carries it."""
    asked_at = fields.DatetimeField()
    decided_by = fields.CharField(max_length=PERSON_LENGTH, null=True)
    decided_at = fields.DatetimeField(null=True)
    reason = SealedTextField(null=True)

    class Meta:
        table = "joining_application"


class Household(Model):
    """A member of a resident group and the household they stand for (one per household)."""

    id = fields.IntField(primary_key=True)
    group_id = fields.CharField(max_length=64)
    building = fields.CharField(max_length=64)
    room = SealedTextField()
    tenure = fields.CharField(max_length=8)
    """``owner`` (自住) or ``tenant`` (租住)."""
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    household = SealedTextField(default="")
    """The household's name as the applicant gave it."""
    joined_at = fields.DatetimeField()

    class Meta:
        table = "joining_household"
