import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedJSONField, SealedTextField


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Dispatch",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("volunteer", fields.IntField(db_index=True)),
                ("person", fields.CharField(db_index=True, max_length=255)),
                ("group_id", fields.CharField(max_length=255)),
                ("role", fields.CharField(max_length=64)),
                ("by", fields.CharField(max_length=255)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "volunteers_dispatch",
                "app": "volunteers",
                "pk_attr": "id",
                "table_description": "A volunteer sent into a consultation group (``/dispatch``).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Training",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("volunteer", fields.IntField(db_index=True)),
                ("person", fields.CharField(db_index=True, max_length=255)),
                ("item", fields.CharField(max_length=32)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "volunteers_training",
                "app": "volunteers",
                "unique_together": (("volunteer", "item"),),
                "pk_attr": "id",
                "table_description": "A training item a volunteer confirmed (``/trained``).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Volunteer",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("person", fields.CharField(db_index=True, max_length=255)),
                ("network", fields.CharField(max_length=32)),
                ("record", fields.IntField()),
                (
                    "offered",
                    SealedJSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("registered_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("status", fields.CharField(default="pending", max_length=16)),
                ("kind", fields.CharField(null=True, max_length=16)),
                ("qualified", fields.BooleanField(null=True)),
                ("note", SealedTextField(null=True, generated=False, unique=False)),
                ("vetted_by", fields.CharField(null=True, max_length=255)),
                ("vetted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("agreement_version", fields.CharField(null=True, max_length=64)),
                ("agreed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("agreed_handle", fields.CharField(null=True, max_length=255)),
                ("agreement_record", fields.IntField(null=True)),
            ],
            options={
                "table": "volunteers_volunteer",
                "app": "volunteers",
                "pk_attr": "id",
                "table_description": "A registration and what became of it: reviewed, classified, trained, signed.",
            },
            bases=["Model"],
        ),
    ]
