"""Tries of the events being handled, and the events set aside after their last try (dead letters)."""

import functools
from json import dumps, loads
from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

_json: dict[str, Any] = {"encoder": functools.partial(dumps, separators=(",", ":")), "decoder": loads}


class Migration(migrations.Migration):
    dependencies = [("sanshe", "0002_long_handles_and_redeliveries")]

    operations = [
        ops.CreateModel(
            name="TryUnderWay",
            fields=[
                ("key", fields.CharField(primary_key=True, max_length=32)),
                ("network", fields.CharField(max_length=32)),
                ("events", fields.JSONField(**_json)),
                ("started_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "try_under_way",
                "app": "sanshe",
                "pk_attr": "key",
                "table_description": (
                    "Events of one network being tried right now, noted before the try starts."
                ),
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="EventTry",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("network", fields.CharField(max_length=32)),
                ("event_id", fields.CharField(max_length=255)),
                ("tries", fields.IntField(default=0)),
                ("error", fields.CharField(max_length=255, default="")),
            ],
            options={
                "table": "event_try",
                "app": "sanshe",
                "unique_together": (("network", "event_id"),),
                "pk_attr": "id",
                "table_description": (
                    "The tries of an event not yet handled: those that raised, and those a "
                    "crash cut short."
                ),
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="DeadLetter",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("network", fields.CharField(max_length=32)),
                ("event_id", fields.CharField(max_length=255)),
                ("chat", fields.CharField(max_length=255)),
                ("kind", fields.CharField(max_length=32)),
                ("event", fields.JSONField(**_json)),
                ("error", fields.CharField(max_length=255)),
                ("tries", fields.IntField()),
                ("failed_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "dead_letter",
                "app": "sanshe",
                "unique_together": (("network", "event_id"),),
                "pk_attr": "id",
                "table_description": (
                    "An event core could not handle in its tries, set aside until an operator "
                    "replays it."
                ),
            },
            bases=["Model"],
        ),
    ]
