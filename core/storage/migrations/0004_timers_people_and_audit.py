"""Timers, number sequences, people and role grants made at runtime, pseudonyms for the audit log;
the columns that may hold a person's words sealed with the deployment's key; form dialogs
without their redelivery bookkeeping."""

import functools
from json import dumps, loads
from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage import sealed

_json: dict[str, Any] = {"encoder": functools.partial(dumps, separators=(",", ":")), "decoder": loads}


def _id() -> tuple[str, fields.Field[Any]]:
    return ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True))


class SealField(ops.AlterField):
    """A JSON column made sealed: BYTEA in PostgreSQL (SQLite keeps any value), and the value
    of every row there is sealed with the key loaded (a database older than sealing)."""

    def __init__(self, model_name: str, name: str, **options: Any) -> None:
        super().__init__(model_name, name, sealed.SealedJSONField(**options, **_json))

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        if not state_editor:
            return
        meta = new_state.apps.get_model(f"{app_label}.{self.model_name}")._meta
        table, pk, column = meta.db_table, meta.db_pk_column, self.name
        client = state_editor.client
        postgres = client.capabilities.dialect == "postgres"
        if postgres:
            await client.execute_script(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE BYTEA '
                f'USING convert_to("{column}"::text, \'UTF8\')'
            )
        _count, rows = await client.execute_query(
            f'SELECT "{pk}", "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
        )
        seal = sealed.loaded()
        marks = ("$1", "$2") if postgres else ("?", "?")
        plain = [(row[pk], row[column]) for row in rows]
        if plain:
            await client.execute_many(
                f'UPDATE "{table}" SET "{column}" = {marks[0]} WHERE "{pk}" = {marks[1]}',
                [
                    [seal.seal(v if isinstance(v, bytes) else str(v).encode("utf-8")), key]
                    for key, v in plain
                ],
            )


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
                ("data", sealed.SealedJSONField(default=dict, **_json)),
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
                ("name", sealed.SealedTextField(default="")),
                ("locale", fields.CharField(max_length=8, null=True)),
                ("details", sealed.SealedJSONField(default=dict, **_json)),
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
                ("reason", sealed.SealedTextField(default="")),
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
        ops.CreateModel(
            name="SealKey",
            fields=[
                ("version", fields.IntField(primary_key=True, generated=False)),
                ("fingerprint", fields.CharField(max_length=64)),
            ],
            options={
                "table": "seal_key",
                "app": "sanshe",
                "pk_attr": "version",
                "table_description": "Which key seals the database.",
            },
            bases=["Model"],
        ),
        SealField("OutboxAction", "payload"),
        SealField("DeadLetter", "event"),
        SealField("FormSession", "answers", default=dict),
        SealField("Record", "data"),
        # A form dialog's writes are made with its event's checkpoint, which keeps nothing of
        # a redelivered event: the dialog no longer notes its events, nor keeps a finished row
        # for a last answer delivered again.
        ops.RunSQL("DELETE FROM form_session WHERE record_id IS NOT NULL"),
        ops.RemoveField(model_name="FormSession", name="answered"),
        ops.RemoveField(model_name="FormSession", name="record_id"),
    ]
