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
            name="Case",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("number", fields.IntField(unique=True)),
                ("person", fields.CharField(db_index=True, max_length=300)),
                ("name", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("source", fields.CharField(max_length=64)),
                ("category", fields.CharField(default="other", max_length=64)),
                ("status", fields.CharField(default="open", db_index=True, max_length=64)),
                ("tier", fields.CharField(default="intake", max_length=64)),
                ("origin", fields.CharField(null=True, max_length=300)),
                ("group", fields.CharField(null=True, max_length=300)),
                ("owner", fields.CharField(null=True, max_length=300)),
                ("opened_by", fields.CharField(max_length=300)),
                ("reason", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("record", fields.IntField(null=True)),
                (
                    "assessment",
                    SealedJSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("result", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("requested_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "first_reply_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("routed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("closed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "follow_up_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "cases_case",
                "app": "cases",
                "pk_attr": "id",
                "table_description": "One person's request for help, from intake to closing (forms 3 and 4 of DOMAIN.md).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CaseNote",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "case",
                    fields.ForeignKeyField(
                        "cases.Case",
                        source_field="case_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="notes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("medical", SealedTextField(default="", generated=False, null=False, unique=False)),
                (
                    "psychological",
                    SealedTextField(default="", generated=False, null=False, unique=False),
                ),
                ("other", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("by", fields.CharField(max_length=300)),
            ],
            options={
                "table": "cases_note",
                "app": "cases",
                "pk_attr": "id",
                "table_description": "One dated entry of a case's follow-up (form 5): what was done, by whom.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Conflict",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("client", fields.CharField(db_index=True, max_length=300)),
                ("staff", fields.CharField(max_length=300)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "cases_conflict",
                "app": "cases",
                "unique_together": (("client", "staff"),),
                "pk_attr": "id",
                "table_description": "A staff member knows a client: never assigned to, nor alerted about, the client's cases.",
            },
            bases=["Model"],
        ),
    ]
