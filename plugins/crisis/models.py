"""The crisis plugin's tables: each alert raised, and whom it reached."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.storage.sealed import SealedJSONField, SealedTextField


class CrisisAlert(Model):
    """A crisis read in a message: whose, where, of what kind, for which case, how far the
    escalation has gone, and who took it."""

    id = fields.IntField(primary_key=True)
    """Its number, from the ``crisis_alert`` sequence (the timer escalating it is keyed by it)."""
    case = fields.IntField(db_index=True)
    """The number of the client's case (opened for it, or the open one)."""
    case_opened = fields.BooleanField(default=True)
    """Whether the cases plugin keeps that case (without it, ``/case`` has nothing to show)."""
    client = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """The person in crisis (``stored_person``)."""
    client_name = SealedTextField(default="")
    """How the alerts name them."""
    client_handles: SealedJSONField[dict[str, str]] = SealedJSONField(default=dict)
    """Their handles: to tell them once someone took it."""
    origin = fields.CharField(max_length=64, null=True)
    """The group the message came from (None: a private chat with the bot)."""
    escalation = fields.CharField(max_length=64, null=True)
    """The consultation group whose on-shift staff were alerted first."""
    kind = fields.CharField(max_length=32)
    """The detector's kind: suicide, self_harm, plan_or_means, farewell_or_burden, violence,
    medical."""
    steps: fields.JSONField[list[str]] = fields.JSONField(default=list)
    """The escalation's steps in order: ``on_shift``, ``role:<role>``, ``fallback``."""
    step = fields.IntField(default=0)
    """The index of the step alerted last."""
    raised_at = fields.DatetimeField()
    acked_by = fields.CharField(max_length=PERSON_LENGTH, null=True)
    """Who took it with ``/ack`` (``stored_person``)."""
    acked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "crisis_alert"

    def exported(self) -> dict[str, Any]:
        """The alert as the client's export shows it."""
        return {
            "case": self.case,
            "kind": self.kind,
            "group": self.origin,
            "raised_at": self.raised_at.isoformat(),
            "acked_at": self.acked_at.isoformat() if self.acked_at else None,
        }


class CrisisAlertee(Model):
    """Someone an alert reached, at which step of its escalation."""

    id = fields.IntField(primary_key=True)
    alert: fields.ForeignKeyRelation[CrisisAlert] = fields.ForeignKeyField(
        "crisis.CrisisAlert", related_name="alertees", on_delete=fields.CASCADE
    )
    alert_id: int
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Who (``stored_person``; ``network:handle`` for a fallback contact the file does not know)."""
    handle = SealedTextField(default="")
    """Where they were written to (``network:id``)."""
    step = fields.IntField()
    at = fields.DatetimeField()

    class Meta:
        table = "crisis_alertee"

    def exported(self) -> dict[str, Any]:
        """The row as the alerted person's export shows it."""
        return {"case": self.alert.case, "step": self.step, "at": self.at.isoformat()}
