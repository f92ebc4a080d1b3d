"""The short form: a check-in answered question by question keeps where it stands."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedTextField


class Migration(migrations.Migration):
    dependencies = [("checkins", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Draft",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("person", fields.CharField(unique=True, max_length=300)),
                ("day", fields.DateField()),
                ("step", fields.IntField(default=0)),
                (
                    "temperature",
                    SealedTextField(default="", generated=False, null=False, unique=False),
                ),
            ],
            options={
                "table": "checkins_draft",
                "app": "checkins",
                "pk_attr": "id",
                "table_description": "A check-in being answered question by question (``/checkin`` alone): where it stands.",
            },
            bases=["Model"],
        ),
    ]
