"""The sample plugin's one table, named after the plugin."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Note(Model):
    """A note a volunteer left for the next shift."""

    id = fields.IntField(primary_key=True)
    text = fields.CharField(max_length=200)
    urgent = fields.BooleanField(default=False, db_default=False)
    """Added by the second migration: rows written before it are not urgent."""

    class Meta:
        table = "sample_tables_note"
