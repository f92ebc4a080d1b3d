from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedTextField


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="WarningEntry",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("group_id", fields.CharField(db_index=True, max_length=64)),
                ("person", fields.CharField(db_index=True, max_length=300)),
                ("name", SealedTextField(generated=False, null=False, unique=False)),
                ("by", fields.CharField(default="", max_length=300)),
                ("reason", SealedTextField(generated=False, null=False, unique=False)),
                ("rule_id", fields.CharField(default="", max_length=64)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "withdrawn_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "warnings_entry",
                "app": "warnings",
                "pk_attr": "id",
                "table_description": "A warning given to a person in a group: by an admin (``/warn``) or by a service rule.",
            },
            bases=["Model"],
        ),
    ]
