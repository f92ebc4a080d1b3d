"""The members seen in each group, with their display name there (sealed)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.storage.sealed import SealedTextField


class SeenMember(Model):
    """A member of a group as last seen there (joined, renamed, wrote): what /nicknames checks.

    Whether the name conforms is worked out when listed, from the patterns and roles then in
    force: kept, it would go stale with a reload or a role granted.
    """

    id = fields.IntField(primary_key=True)
    group_id = fields.CharField(max_length=64, db_index=True)
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Their id: what the listing, export and erasure look for."""
    name = SealedTextField()
    """Their display name in the group (it may hold a room number, or worse)."""

    class Meta:
        table = "nicknames_member"
        unique_together = (("group_id", "person"),)
