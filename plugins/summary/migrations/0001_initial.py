from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Compiled",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("group", fields.CharField(max_length=64)),
                ("day", fields.DateField()),
                ("rows", fields.IntField()),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "summary_compiled",
                "app": "summary",
                "unique_together": (("group", "day"),),
                "pk_attr": "id",
                "table_description": "A consultation group's daily summary, compiled once: how many rows it has.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Row",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("record", fields.IntField(unique=True)),
                ("person", fields.CharField(db_index=True, max_length=300)),
            ],
            options={
                "table": "summary_row",
                "app": "summary",
                "pk_attr": "id",
                "table_description": "Whom a record of the summary is about: the client's row, erased and exported with them\n(the record itself names its recorder).",
            },
            bases=["Model"],
        ),
    ]
