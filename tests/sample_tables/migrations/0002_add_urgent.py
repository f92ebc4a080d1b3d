"""Notes can be urgent: a column, false for the notes written before it."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("sample_tables", "0001_initial")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Note",
            name="urgent",
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
