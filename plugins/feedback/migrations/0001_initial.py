from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedTextField


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Suggestion",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("person", fields.CharField(db_index=True, max_length=300)),
                ("building", fields.CharField(default="", max_length=64)),
                ("text", SealedTextField(generated=False, null=False, unique=False)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False, db_index=True)),
            ],
            options={
                "table": "feedback_suggestion",
                "app": "feedback",
                "pk_attr": "id",
                "table_description": "An opinion or a suggestion a resident sent (``/suggest``).",
            },
            bases=["Model"],
        ),
    ]
