import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedJSONField, SealedTextField


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="CrisisAlert",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("case", fields.IntField(db_index=True)),
                ("case_opened", fields.BooleanField(default=True)),
                ("client", fields.CharField(db_index=True, max_length=300)),
                (
                    "client_name",
                    SealedTextField(default="", generated=False, null=False, unique=False),
                ),
                (
                    "client_handles",
                    SealedJSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("origin", fields.CharField(null=True, max_length=64)),
                ("escalation", fields.CharField(null=True, max_length=64)),
                ("kind", fields.CharField(max_length=32)),
                (
                    "steps",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("step", fields.IntField(default=0)),
                ("raised_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("acked_by", fields.CharField(null=True, max_length=300)),
                ("acked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "crisis_alert",
                "app": "crisis",
                "pk_attr": "id",
                "table_description": "A crisis read in a message: whose, where, of what kind, for which case, how far the",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CrisisAlertee",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "alert",
                    fields.ForeignKeyField(
                        "crisis.CrisisAlert",
                        source_field="alert_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="alertees",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("person", fields.CharField(db_index=True, max_length=300)),
                ("handle", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("step", fields.IntField()),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "crisis_alertee",
                "app": "crisis",
                "pk_attr": "id",
                "table_description": "Someone an alert reached, at which step of its escalation.",
            },
            bases=["Model"],
        ),
    ]
