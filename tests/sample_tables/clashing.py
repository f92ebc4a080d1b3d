"""A plugin whose model takes the table of core's filled forms (``record``): refused."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sanshe.core.hookspecs import hookimpl
from sanshe.core.storage.tables import Tables


class Form(Model):
    """Named without the plugin's prefix, as core's table is."""

    id = fields.IntField(primary_key=True)

    class Meta:
        table = "record"


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app="clashing", models=__name__, migrations="tests.sample_tables.migrations")
