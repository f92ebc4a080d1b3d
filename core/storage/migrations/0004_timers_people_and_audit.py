"""Timers, number sequences, people and role grants made at runtime, pseudonyms for the audit log;
form dialogs without their redelivery bookkeeping."""

import functools
from json import dumps, loads
from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

_json: dict[str, Any] = {"encoder": functools.partial(dumps, separators=(",", ":")), "decoder": loads}


def _id() -> tuple[str, fields.Field[Any]]:
    return ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True))


class Migration(migrations.Migration):
    dependencies = [("sanshe", "0003_dead_letters")]

    operations = [
        ops.CreateModel(
            name="Timer",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("plugin", fields.CharField(max_length=64)),
                ("key", fields.CharField(max_length=255)),
                ("due_at", fields.DatetimeField(auto_now=False, auto_now_add=False, db_index=True)),
                ("schedule", fields.CharField(max_length=64, default="")),
                ("data", fields.JSONField(default=dict, **_json)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "timer",
                "app": "sanshe",
                "unique_together": (("plugin", "key"),),
                "pk_attr": "id",
                "table_description": "Work a plugin scheduled.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="NumberSequence",
            fields=[
                ("name", fields.CharField(primary_key=True, max_length=64)),
                ("next", fields.BigIntField(default=1)),
            ],
            options={
                "table": "number_sequence",
                "app": "sanshe",
                "pk_attr": "name",
                "table_description": "The next number of a sequence.",
            },
            bases=["Model"],
        ),
        ops.RunSQL(
            "INSERT INTO number_sequence (name, next) "
            "SELECT 'record', COALESCE(MAX(id), 0) + 1 FROM record"
        ),
        ops.CreateModel(
            name="StoredPerson",
            fields=[
                ("id", fields.CharField(primary_key=True, max_length=64)),
                ("name", fields.CharField(max_length=255, default="")),
                ("locale", fields.CharField(max_length=8, null=True)),
                ("details", fields.JSONField(default=dict, **_json)),
                ("added_by", fields.CharField(max_length=300, default="")),
                ("added_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "person",
                "app": "sanshe",
                "pk_attr": "id",
                "table_description": "A person who became known in chat.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PersonHandle",
            fields=[
                _id(),
                ("person_id", fields.CharField(max_length=64, db_index=True)),
                ("network", fields.CharField(max_length=32)),
                ("handle", fields.CharField(max_length=255)),
            ],
            options={
                "table": "person_handle",
                "app": "sanshe",
                "unique_together": (("network", "handle"),),
                "pk_attr": "id",
                "table_description": "A stored person's id on one network.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RoleGrant",
            fields=[
                _id(),
                ("person_id", fields.CharField(max_length=300, db_index=True)),
                ("role", fields.CharField(max_length=64)),
                ("groups", fields.JSONField(null=True, **_json)),
                ("granted_by", fields.CharField(max_length=300)),
                ("reason", fields.CharField(max_length=255, default="")),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("until", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "revoked_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("revoked_by", fields.CharField(max_length=300, default="")),
            ],
            options={
                "table": "role_grant",
                "app": "sanshe",
                "pk_attr": "id",
                "table_description": "A role given at runtime.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Pseudonym",
            fields=[
                ("person", fields.CharField(primary_key=True, max_length=300)),
                ("pseudonym", fields.CharField(max_length=32, unique=True)),
            ],
            options={
                "table": "pseudonym",
                "app": "sanshe",
                "pk_attr": "person",
                "table_description": "The name the audit log knows a person by.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="AuditEntry",
            name="detail",
            field=fields.CharField(max_length=255, default="", db_default=""),
        ),
        # A form dialog's writes are made with its event's checkpoint, which keeps nothing of
        # a redelivered event: the dialog no longer notes its events, nor keeps a finished row
        # for a last answer delivered again.
        ops.RunSQL("DELETE FROM form_session WHERE record_id IS NOT NULL"),
        ops.RemoveField(model_name="FormSession", name="answered"),
        ops.RemoveField(model_name="FormSession", name="record_id"),
    ]
