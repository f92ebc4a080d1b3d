"""The summary plugin's tables: which group's summary of which day is compiled already, and
whom each of its rows is about."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH


class Compiled(Model):
    """A consultation group's daily summary, compiled once: how many rows it has."""

    id = fields.IntField(primary_key=True)
    group = fields.CharField(max_length=64)
    day = fields.DateField()
    """The day it is the summary of, in the community's time zone."""
    rows = fields.IntField()
    at = fields.DatetimeField()

    class Meta:
        table = "summary_compiled"
        unique_together = (("group", "day"),)


class Row(Model):
    """Whom a record of the summary is about: the client's row, erased and exported with them
    (the record itself names its recorder)."""

    id = fields.IntField(primary_key=True)
    record = fields.IntField(unique=True)
    """The id of core's ``Record``."""
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """The client (``stored_person``)."""

    class Meta:
        table = "summary_row"
