from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="HoursEntry",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("person", fields.CharField(db_index=True, max_length=300)),
                ("group_id", fields.CharField(max_length=64)),
                ("role", fields.CharField(max_length=64)),
                ("shift", fields.CharField(max_length=64)),
                ("start", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("end", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "hours_entry",
                "app": "hours",
                "pk_attr": "id",
                "table_description": "One shift one person served: from when they appeared (not before its start) to its end.",
            },
            bases=["Model"],
        ),
    ]
