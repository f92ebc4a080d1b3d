"""The feedback plugin's table: the residents' suggestions, each with the building it is about."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.storage.sealed import SealedTextField


class Suggestion(Model):
    """An opinion or a suggestion a resident sent (``/suggest``)."""

    id = fields.IntField(primary_key=True)
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Who sent it (``stored_person``): for their export and erasure, never shown in a summary."""
    building = fields.CharField(max_length=64, default="")
    """The building of the sender's household ("": none known)."""
    text = SealedTextField()
    """What they wrote, as written (sealed: it may hold personal data, masked when shown)."""
    at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "feedback_suggestion"
