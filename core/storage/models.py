"""Tables: checkpoints, tries and dead letters, the outbox, chat bindings, form dialogs, records
and the audit log.  Columns that may hold a person's words are sealed (:mod:`.sealed`).

Only what a form, a case or a rule needs is stored; chat messages themselves are not, but
for an event set aside as a dead letter, kept as received until an operator replays it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from tortoise import fields
from tortoise.models import Model

from .sealed import SealedJSONField, SealedTextField

#: Room for a person's key, ``network:handle`` for people the YAML does not name
#: (a Matrix id alone may have 255 characters).
PERSON_LENGTH = 300


def stored_person(key: str) -> str:
    """``key`` as the person columns hold it: itself, or when longer than they are,
    its start and a digest of the whole (distinct keys stay distinct)."""
    if len(key) <= PERSON_LENGTH:
        return key
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return f"{key[: PERSON_LENGTH - len(digest) - 1]}#{digest}"


class HandledEvent(Model):
    """An event that was handled: the checkpoint that makes a second delivery a no-op."""

    id = fields.BigIntField(primary_key=True)
    network = fields.CharField(max_length=32)
    event_id = fields.CharField(max_length=255)
    handled_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "handled_event"
        unique_together = (("network", "event_id"),)


class OutboxAction(Model):
    """An action decided while handling an event, kept until the adapter performed it."""

    id = fields.BigIntField(primary_key=True)
    network = fields.CharField(max_length=32)
    key = fields.CharField(max_length=300, unique=True)
    """``network|event id|position``: names the action before the database has numbered it."""
    payload: SealedJSONField[dict[str, object]] = SealedJSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outbox_action"


class TryUnderWay(Model):
    """Events of one network being tried right now, noted before the try starts.

    The row goes when the try is over; one a crash left behind counts a try
    for each of its events at the next start (see :class:`EventTry`).
    """

    key = fields.CharField(max_length=32, primary_key=True)
    network = fields.CharField(max_length=32)
    events: fields.JSONField[list[str]] = fields.JSONField()
    """The events' ids."""
    started_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "try_under_way"


class EventTry(Model):
    """The tries of an event not yet handled: those that raised, and those a crash cut short.

    The row goes once the event is checkpointed (handled, or set aside as a dead letter).
    """

    id = fields.BigIntField(primary_key=True)
    network = fields.CharField(max_length=32)
    event_id = fields.CharField(max_length=255)
    tries = fields.IntField(default=0)
    error = fields.CharField(max_length=255, default="")
    """How the last try that raised failed: the exception's type and place, never its message."""

    class Meta:
        table = "event_try"
        unique_together = (("network", "event_id"),)


class DeadLetter(Model):
    """An event core could not handle in its tries, set aside until an operator replays it.

    ``event`` is the event as received (what replaying it needs, nothing more);
    ``error`` the last failure's type and place, empty when every try was cut
    short (the process stopped during it).
    """

    id = fields.IntField(primary_key=True)
    network = fields.CharField(max_length=32)
    event_id = fields.CharField(max_length=255)
    chat = fields.CharField(max_length=255)
    kind = fields.CharField(max_length=32)
    event: SealedJSONField[dict[str, Any]] = SealedJSONField()
    error = fields.CharField(max_length=255)
    tries = fields.IntField()
    failed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "dead_letter"
        unique_together = (("network", "event_id"),)


class AdapterState(Model):
    """The position of an adapter on its network (Telegram offset, Matrix sync token)."""

    id = fields.IntField(primary_key=True)
    network = fields.CharField(max_length=32)
    key = fields.CharField(max_length=64)
    value = fields.TextField()

    class Meta:
        table = "adapter_state"
        unique_together = (("network", "key"),)


class ChatBinding(Model):
    """A chat bound to a group of the YAML with ``/bind``."""

    id = fields.IntField(primary_key=True)
    network = fields.CharField(max_length=32)
    chat = fields.CharField(max_length=255)
    group_id = fields.CharField(max_length=64)
    bound_by = fields.CharField(max_length=PERSON_LENGTH)
    bound_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chat_binding"
        unique_together = (("network", "chat"),)


class FormSession(Model):
    """A form being filled in a private dialog, kept across restarts (deleted once finished)."""

    id = fields.IntField(primary_key=True)
    person = fields.CharField(max_length=PERSON_LENGTH, unique=True)
    network = fields.CharField(max_length=32)
    form_id = fields.CharField(max_length=64)
    form_version = fields.CharField(max_length=64, default="", db_default="")
    """The fingerprint of the form's questions when the dialog started."""
    step = fields.IntField(default=0)
    answers: SealedJSONField[dict[str, Any]] = SealedJSONField(default=dict)
    group_id = fields.CharField(max_length=64, null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "form_session"


class Record(Model):
    """A filled form."""

    id = fields.IntField(primary_key=True)
    form_id = fields.CharField(max_length=64, db_index=True)
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    group_id = fields.CharField(max_length=64, null=True)
    data: SealedJSONField[dict[str, Any]] = SealedJSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "record"


class AuditEntry(Model):
    """Who read or changed which record, and when."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True)
    actor = fields.CharField(max_length=PERSON_LENGTH)
    action = fields.CharField(max_length=32)
    subject = fields.CharField(max_length=PERSON_LENGTH)
    detail = fields.CharField(max_length=255, default="", db_default="")
    """What else the entry needs (a row count, a form), never personal data."""

    class Meta:
        table = "audit_entry"


class Timer(Model):
    """Work a plugin scheduled: due at ``due_at``, once or on ``schedule`` (see :mod:`..timers`)."""

    id = fields.BigIntField(primary_key=True)
    plugin = fields.CharField(max_length=64)
    key = fields.CharField(max_length=255)
    """What the plugin calls it: scheduling the same key again replaces it."""
    due_at = fields.DatetimeField(db_index=True)
    schedule = fields.CharField(max_length=64, default="")
    """Empty for a timer that fires once; else how it recurs (:class:`..timers.Schedule`)."""
    data: SealedJSONField[dict[str, Any]] = SealedJSONField(default=dict)
    """What the plugin wants back when it fires (ids, not personal data)."""
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "timer"
        unique_together = (("plugin", "key"),)


class NumberSequence(Model):
    """The next number of a sequence (records, cases): numbers taken are never given again."""

    name = fields.CharField(max_length=64, primary_key=True)
    next = fields.BigIntField(default=1)

    class Meta:
        table = "number_sequence"


class StoredPerson(Model):
    """A person who became known in chat (a resident let in, a volunteer registered, a client)."""

    id = fields.CharField(max_length=64, primary_key=True)
    name: SealedTextField = SealedTextField(default="")
    locale = fields.CharField(max_length=8, null=True)
    details: SealedJSONField[dict[str, Any]] = SealedJSONField(default=dict)
    """What a rule, form or case needs about them (building, room, household), nothing more."""
    added_by = fields.CharField(max_length=PERSON_LENGTH, default="")
    added_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "person"


class PersonHandle(Model):
    """A stored person's id on one network (a person may have one on each)."""

    id = fields.IntField(primary_key=True)
    person_id = fields.CharField(max_length=64, db_index=True)
    network = fields.CharField(max_length=32)
    handle = fields.CharField(max_length=255)

    class Meta:
        table = "person_handle"
        unique_together = (("network", "handle"),)


class RoleGrant(Model):
    """A role given at runtime (``/grant``): to whom, where, by whom, why, for how long."""

    id = fields.IntField(primary_key=True)
    person_id = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    role = fields.CharField(max_length=64)
    groups: fields.JSONField[list[str] | None] = fields.JSONField(null=True)
    """The groups it counts in; None: community-wide."""
    granted_by = fields.CharField(max_length=PERSON_LENGTH)
    reason: SealedTextField = SealedTextField(default="")
    starts_at = fields.DatetimeField()
    until = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_by = fields.CharField(max_length=PERSON_LENGTH, default="")

    class Meta:
        table = "role_grant"


class Pseudonym(Model):
    """The name the audit log knows a person by: deleting the row unlinks their entries."""

    person = fields.CharField(max_length=PERSON_LENGTH, primary_key=True)
    pseudonym = fields.CharField(max_length=32, unique=True)

    class Meta:
        table = "pseudonym"


class SealKey(Model):
    """Which key seals the database: its fingerprint, per version byte (see :mod:`.sealed`)."""

    version = fields.IntField(primary_key=True, generated=False)
    fingerprint = fields.CharField(max_length=64)

    class Meta:
        table = "seal_key"
