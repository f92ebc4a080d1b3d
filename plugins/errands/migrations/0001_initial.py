from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedTextField


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Errand",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("number", fields.IntField(unique=True)),
                ("person", fields.CharField(db_index=True, max_length=300)),
                ("asked_by", fields.CharField(max_length=300)),
                ("building", fields.CharField(max_length=64)),
                ("room", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("kind", fields.CharField(max_length=16)),
                ("detail", SealedTextField(generated=False, null=False, unique=False)),
                ("state", fields.CharField(default="open", db_index=True, max_length=8)),
                ("ring", fields.IntField(default=0)),
                ("taker", fields.CharField(default="", max_length=300)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("taken_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("done_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "errands_errand",
                "app": "errands",
                "pk_attr": "id",
                "table_description": "An errand asked for a vulnerable household: open until taken, taken until done.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ServingArea",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("person", fields.CharField(unique=True, max_length=300)),
                ("building", fields.CharField(default="", max_length=64)),
                ("area", fields.CharField(default="", max_length=64)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "errands_serving_area",
                "app": "errands",
                "pk_attr": "id",
                "table_description": "Where a volunteer takes errands: a building (and so its area), or an area.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Vulnerable",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("number", fields.IntField(unique=True)),
                ("person", fields.CharField(default="", db_index=True, max_length=300)),
                ("building", fields.CharField(db_index=True, max_length=64)),
                ("room", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("category", SealedTextField(generated=False, null=False, unique=False)),
                ("note", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("added_by", fields.CharField(max_length=300)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "errands_vulnerable",
                "app": "errands",
                "pk_attr": "id",
                "table_description": "A vulnerable household of the registry, kept by a community worker.",
            },
            bases=["Model"],
        ),
    ]
