"""The warnings given: one row per warning, kept when withdrawn (marked so)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.storage.sealed import SealedTextField


class WarningEntry(Model):
    """A warning given to a person in a group: by an admin (``/warn``) or by a service rule.

    ``reason`` and ``name`` are people's words: sealed.
    """

    id = fields.IntField(primary_key=True)
    group_id = fields.CharField(max_length=64, db_index=True)
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Who was warned (``stored_person`` of their key)."""
    name = SealedTextField()
    """How they were shown when warned: an excerpt of their name (a stranger has no other)."""
    by = fields.CharField(max_length=PERSON_LENGTH, default="")
    """The admin who warned (``stored_person`` of their key); empty for a rule's warning."""
    reason = SealedTextField()
    rule_id = fields.CharField(max_length=64, default="")
    """The service rule that warned (empty for an admin's warning)."""
    at = fields.DatetimeField()
    withdrawn_at = fields.DatetimeField(null=True)
    """When an admin withdrew it (``/unwarn``); a withdrawn warning no longer counts."""

    class Meta:
        table = "warnings_entry"
