"""The answer library's entries and the resources staff added to the map."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH


class Entry(Model):
    """A question answered online, kept for anyone to find with /faq."""

    id = fields.IntField(primary_key=True)
    number = fields.IntField(unique=True)
    """As people type it: /faq renew 3."""
    question = fields.TextField()
    answer = fields.TextField()
    author = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Who added it (the source): their id, empty once they are erased."""
    created_at = fields.DatetimeField()
    checked_at = fields.DatetimeField()
    """When it was added or last confirmed: it is stale ``stale_days`` after."""
    flagged_at = fields.DatetimeField(null=True)
    """When its author was last told it is stale."""

    class Meta:
        table = "knowledge_entry"


class AddedResource(Model):
    """A resource staff added to the map with /resource add."""

    id = fields.IntField(primary_key=True)
    number = fields.IntField(unique=True)
    name = fields.TextField()
    needs = fields.TextField()
    """The needs it meets, as typed."""
    area = fields.TextField(default="")
    hours = fields.TextField(default="")
    contact = fields.TextField(default="")
    """A landline or hotline (no mobile number: the map is shown in groups)."""
    author = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    created_at = fields.DatetimeField()
    checked_at = fields.DatetimeField()
    flagged_at = fields.DatetimeField(null=True)

    class Meta:
        table = "knowledge_resource"
