"""The observation plugin's tables: home medical observation files (居家医学观察健康档案) and
the requests of the people under observation (supplies, parcels, rubbish)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sanshe.core.storage.models import PERSON_LENGTH
from sanshe.core.storage.sealed import SealedTextField


class Observation(Model):
    """One person's home observation: who, where, the period, who keeps the file."""

    id = fields.IntField(primary_key=True)
    number = fields.IntField(unique=True)
    """How workers name it (``/observe 3``): the community's ``observation`` sequence."""
    person = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """Who is under observation (``stored_person``)."""
    name = SealedTextField(default="")
    """How the worker names them (an excerpt of their name)."""
    building = fields.CharField(max_length=64)
    room = SealedTextField(default="")
    """Their room (an address: sealed)."""
    reason = SealedTextField(default="")
    """Why, as the worker gave it (returned from elsewhere, a close contact…)."""
    worker = fields.CharField(max_length=PERSON_LENGTH, db_index=True)
    """The community worker keeping the file (``stored_person``): who gets its requests."""
    start = fields.DateField()
    """The period's first day (day 1), in the community's time zone."""
    end = fields.DateField()
    """The period's last day."""
    open = fields.BooleanField(default=True, db_index=True)
    opened_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "observation_file"


class Need(Model):
    """A request of the person under observation: supplies, a parcel to fetch, rubbish."""

    id = fields.IntField(primary_key=True)
    file = fields.IntField(db_index=True)
    """The file's number."""
    kind = fields.CharField(max_length=16)
    """``supplies``, ``parcel`` or ``rubbish``."""
    detail = SealedTextField(default="")
    at = fields.DatetimeField()

    class Meta:
        table = "observation_need"
