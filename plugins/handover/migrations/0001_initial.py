import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedJSONField


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Handover",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("group_id", fields.CharField(db_index=True, max_length=64)),
                ("shift", fields.CharField(max_length=64)),
                ("start", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("end", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("next_start", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("due_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "content",
                    SealedJSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "people",
                    SealedJSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("editor", fields.CharField(null=True, db_index=True, max_length=300)),
                ("confirmed_by", fields.CharField(null=True, max_length=300)),
                ("sent_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "handover_shift",
                "app": "handover",
                "pk_attr": "id",
                "table_description": "The handover of one shift of a group to the next.",
            },
            bases=["Model"],
        ),
    ]
