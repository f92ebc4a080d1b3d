from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedTextField


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="SeenMember",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("group_id", fields.CharField(db_index=True, max_length=64)),
                ("person", fields.CharField(db_index=True, max_length=300)),
                ("name", SealedTextField(generated=False, null=False, unique=False)),
            ],
            options={
                "table": "nicknames_member",
                "app": "nicknames",
                "unique_together": (("group_id", "person"),),
                "pk_attr": "id",
                "table_description": "A member of a group as last seen there (joined, renamed, wrote): what /nicknames checks.",
            },
            bases=["Model"],
        ),
    ]
