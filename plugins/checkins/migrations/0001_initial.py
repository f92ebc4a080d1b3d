import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedJSONField, SealedTextField


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Checkin",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("person", fields.CharField(db_index=True, max_length=300)),
                ("day", fields.DateField(db_index=True)),
                ("building", fields.CharField(max_length=64)),
                ("room", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("temperature", SealedTextField(generated=False, null=False, unique=False)),
                (
                    "symptoms",
                    SealedJSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "checkins_checkin",
                "app": "checkins",
                "pk_attr": "id",
                "table_description": "A resident's health report of one day (the latest of that day replaces the earlier).",
            },
            bases=["Model"],
        ),
    ]
