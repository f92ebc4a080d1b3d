"""The cases plugin's tables: cases (a person being helped), their follow-up notes, and the
staff who know a client and so keep away from their case (熟人规避)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.storage.sealed import SealedJSONField, SealedTextField

#: How long a source, a category, a status or a tier may be.
SHORT = 64


class Case(Model):
    """One person's request for help, from intake to closing (forms 3 and 4 of DOMAIN.md)."""

    id = fields.IntField(primary_key=True)
    number = fields.IntField(unique=True)
    """How people name it (``/case 12``): the community's ``case`` sequence."""
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """The client (``stored_person``)."""
    name = SealedTextField(default="")
    """How staff name the client (an excerpt of their name), never shown in a group."""
    source = fields.CharField(max_length=SHORT)
    """How it came: ``request`` (they asked), ``referral`` (a community worker's ``/refer``),
    ``crisis`` (the crisis detector)."""
    category = fields.CharField(max_length=SHORT, default="other")
    """``medical``, ``psychological`` or ``other`` (form 3's category)."""
    status = fields.CharField(max_length=SHORT, default="open", db_index=True)
    """``open`` or ``closed``."""
    tier = fields.CharField(max_length=SHORT, default="intake")
    """``intake`` (not routed yet), ``focus`` or ``key`` (the consultation tier serving it)."""
    origin = fields.CharField(max_length=PERSON_LENGTH, null=True)
    """The group the request, referral or crisis came from (None: a private chat)."""
    group = fields.CharField(max_length=PERSON_LENGTH, null=True)
    """The consultation group serving it now (None: not routed yet)."""
    owner = fields.CharField(max_length=PERSON_LENGTH, null=True)
    """The social worker who owns it (``stored_person``; a key-tier case has one)."""
    opened_by = fields.CharField(max_length=PERSON_LENGTH)
    """Who opened it (``stored_person``): the client, the referring worker, or ``crisis``."""
    reason = SealedTextField(default="")
    """The question or the referral's reason (personal data masked)."""
    record = fields.IntField(null=True)
    """The consultation record (core's ``Record`` id of form 3) the intake dialog filled."""
    assessment: SealedJSONField[dict[str, object]] = SealedJSONField(default=dict)
    """Form 4's needs assessment: ``medical``, ``care``, ``support`` (lists of the boxes
    ticked), ``concerns`` (list), ``notes`` (text), ``by`` and ``at``."""
    result = SealedTextField(default="")
    """What came of it, as ``/close`` gave it."""
    requested_at = fields.DatetimeField()
    first_reply_at = fields.DatetimeField(null=True)
    """When a human first answered (``cases_answered``): for the response times of ``/stats``."""
    routed_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    follow_up_at = fields.DatetimeField(null=True)
    """When the owner is to follow up next (the latest note's follow-up date), if any."""

    class Meta:
        table = "cases_case"


class CaseNote(Model):
    """One dated entry of a case's follow-up (form 5): what was done, by whom."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "cases.Case", related_name="notes", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField()
    medical = SealedTextField(default="")
    psychological = SealedTextField(default="")
    other = SealedTextField(default="")
    by = fields.CharField(max_length=PERSON_LENGTH)
    """The person responsible (``stored_person``)."""

    class Meta:
        table = "cases_note"


class Conflict(Model):
    """A staff member knows a client: never assigned to, nor alerted about, the client's cases."""

    id = fields.IntField(primary_key=True)
    client = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """The client (``stored_person``)."""
    staff = fields.CharField(max_length=PERSON_LENGTH)
    """Who declared it (``stored_person``)."""
    at = fields.DatetimeField()

    class Meta:
        table = "cases_conflict"
        unique_together = (("client", "staff"),)
