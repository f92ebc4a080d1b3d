import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedJSONField, SealedTextField


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Application",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("network", fields.CharField(max_length=32)),
                ("chat", fields.CharField(max_length=255)),
                ("group_id", fields.CharField(max_length=64)),
                ("handle", fields.CharField(db_index=True, max_length=300)),
                ("person", fields.CharField(db_index=True, max_length=300)),
                ("name", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("language", fields.CharField(null=True, max_length=8)),
                ("status", fields.CharField(max_length=16)),
                ("step", fields.CharField(default="", max_length=40)),
                (
                    "answers",
                    SealedJSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("note", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("asked_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("decided_by", fields.CharField(null=True, max_length=300)),
                ("decided_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("reason", SealedTextField(null=True, generated=False, unique=False)),
            ],
            options={
                "table": "joining_application",
                "app": "joining",
                "pk_attr": "id",
                "table_description": "A request to join a group: the applicant's dialog while they answer, then the decision.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Household",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("group_id", fields.CharField(max_length=64)),
                ("building", fields.CharField(max_length=64)),
                ("room", SealedTextField(generated=False, null=False, unique=False)),
                ("tenure", fields.CharField(max_length=8)),
                ("person", fields.CharField(db_index=True, max_length=300)),
                (
                    "household",
                    SealedTextField(default="", generated=False, null=False, unique=False),
                ),
                ("joined_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "joining_household",
                "app": "joining",
                "pk_attr": "id",
                "table_description": "A member of a resident group and the household they stand for (one per household).",
            },
            bases=["Model"],
        ),
    ]
