import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedJSONField, SealedTextField


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="CommunityBan",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("person", fields.CharField(db_index=True, max_length=300)),
                (
                    "handles",
                    SealedJSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("name", SealedTextField(default="")),
                ("reason", SealedTextField(default="")),
                ("by", fields.CharField(max_length=300)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("until", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("lifted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("lifted_by", fields.CharField(null=True, max_length=300)),
            ],
            options={
                "table": "sanctions_ban",
                "app": "sanctions",
                "pk_attr": "id",
                "table_description": "A person banned from every group of the community: who, why, by whom, until when.",
            },
            bases=["Model"],
        ),
    ]
