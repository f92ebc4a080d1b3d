"""The sanctions plugin's table: the community's ban list."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.storage.sealed import SealedJSONField, SealedTextField


class CommunityBan(Model):
    """A person banned from every group of the community: who, why, by whom, until when."""

    id = fields.IntField(primary_key=True)
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Their id, as core's person columns hold it (``stored_person``)."""
    handles: SealedJSONField[dict[str, str]] = SealedJSONField(default=dict)
    """Their handle on each network when banned: whom the networks keep out."""
    name = SealedTextField(default="")
    """How they were named then (an excerpt): to list the bans."""
    reason = SealedTextField(default="")
    """Why, as the admin wrote it (personal data masked), or the rule's id."""
    by = fields.CharField(max_length=PERSON_LENGTH)
    """Who banned them (``stored_person``), ``rule:<id>``, or ``auto:<name>`` for another
    plugin's ban (the warnings' limit)."""
    at = fields.DatetimeField()
    until = fields.DatetimeField(null=True)
    """When the ban lifts itself (None: until lifted by hand)."""
    lifted_at = fields.DatetimeField(null=True)
    lifted_by = fields.CharField(max_length=PERSON_LENGTH, null=True)
    """Who lifted it (``stored_person``), or ``timer`` when it ran out."""

    class Meta:
        table = "sanctions_ban"

    def exported(self) -> dict[str, Any]:
        """The row as a person's export shows it."""
        return {
            "reason": self.reason,
            "at": self.at.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "lifted_at": self.lifted_at.isoformat() if self.lifted_at else None,
        }
