"""The handovers: one per shift, drafted at its end, sent to the shift after it."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.storage.sealed import SealedJSONField, SealedTextField


class Handover(Model):
    """The handover of one shift of a group to the next.

    ``content`` is what it says (records served, follow-ups, staff absent, other
    plugins' lines, notes); ``people`` who it concerns (the outgoing shift, who
    got the draft, the incoming shift, who has received it).  Both are sealed:
    notes are people's words.
    """

    id = fields.IntField(primary_key=True)  # numbered before it is stored (the buttons name it)
    group_id = fields.CharField(max_length=64, db_index=True)
    shift = fields.CharField(max_length=64)
    """The shift's number, as people type it."""
    start = fields.DatetimeField()
    end = fields.DatetimeField()
    next_start = fields.DatetimeField(null=True)
    """When the next shift starts; None: none is planned."""
    due_at = fields.DatetimeField(null=True)
    """When it goes to the next shift at the latest, confirmed or not (None: when confirmed)."""
    content: SealedJSONField[dict[str, Any]] = SealedJSONField(default=dict)
    people: SealedJSONField[dict[str, Any]] = SealedJSONField(default=dict)
    editor = fields.CharField(max_length=PERSON_LENGTH, null=True, db_index=True)
    """Who pressed "edit": their next private message is added as a note."""
    confirmed_by = fields.CharField(max_length=PERSON_LENGTH, null=True)
    sent_at = fields.DatetimeField(null=True)
    """When it was first sent to someone (None: not yet, whether confirmed or not)."""

    class Meta:
        table = "handover_shift"


class HandoverNote(Model):
    """A line someone of the outgoing shift added to a handover's draft (their words: sealed)."""

    id = fields.IntField(primary_key=True)
    handover = fields.IntField(db_index=True)
    """The :class:`Handover`'s number."""
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Who wrote it (``stored_person`` of their id)."""
    text = SealedTextField()
    written_at = fields.DatetimeField()

    class Meta:
        table = "handover_note"
