"""The check-ins plugin's table: one row per person and day (the community health monitoring
form: who, which household, when, temperature, symptoms)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.storage.sealed import SealedJSONField, SealedTextField


class Checkin(Model):
    """A resident's health report of one day (the latest of that day replaces the earlier)."""

    id = fields.IntField(primary_key=True)
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Who reported (``stored_person``): what the missing-report list, export and erasure read."""
    day = fields.DateField(db_index=True)
    """The day it counts for, in the community's time zone."""
    building = fields.CharField(max_length=64)
    room = SealedTextField(default="")
    """The household's room (an address: sealed)."""
    temperature = SealedTextField()
    """In °C, as ``36.8`` (health data: sealed)."""
    symptoms: SealedJSONField[list[str]] = SealedJSONField(default=list)
    """The ids of the symptoms reported (of the settings' list)."""
    at = fields.DatetimeField()

    class Meta:
        table = "checkins_checkin"


class Draft(Model):
    """A check-in being answered question by question (``/checkin`` alone): where it stands."""

    id = fields.IntField(primary_key=True)
    person = fields.CharField(max_length=PERSON_LENGTH, unique=True)
    """Who answers (``stored_person``)."""
    day = fields.DateField()
    """The day it was started: a draft of an earlier day is dropped, not taken."""
    step = fields.IntField(default=0)
    """0: the temperature is asked; 1: the symptoms."""
    temperature = SealedTextField(default="")
    """The temperature answered, as ``36.8`` (health data: sealed)."""

    class Meta:
        table = "checkins_draft"
