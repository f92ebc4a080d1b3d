"""The note table, as the plugin first shipped it."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Note",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("text", fields.CharField(max_length=200)),
            ],
            options={
                "table": "sample_tables_note",
                "app": "sample_tables",
                "pk_attr": "id",
                "table_description": "A note a volunteer left for the next shift.",
            },
            bases=["Model"],
        ),
    ]
