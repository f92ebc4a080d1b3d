"""A handover's notes in a table of their own: two people adding one at once both stay."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedTextField


class Migration(migrations.Migration):
    dependencies = [("handover", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="HandoverNote",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("handover", fields.IntField(db_index=True)),
                ("person", fields.CharField(db_index=True, max_length=300)),
                ("text", SealedTextField(generated=False, null=False, unique=False)),
                ("written_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "handover_note",
                "app": "handover",
                "pk_attr": "id",
                "table_description": "A line someone of the outgoing shift added to a handover's draft (their words: sealed).",
            },
            bases=["Model"],
        ),
    ]
