from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="AddedResource",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("number", fields.IntField(unique=True)),
                ("name", fields.TextField(unique=False)),
                ("needs", fields.TextField(unique=False)),
                ("area", fields.TextField(default="", unique=False)),
                ("hours", fields.TextField(default="", unique=False)),
                ("contact", fields.TextField(default="", unique=False)),
                ("author", fields.CharField(db_index=True, max_length=300)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("checked_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("flagged_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "knowledge_resource",
                "app": "knowledge",
                "pk_attr": "id",
                "table_description": "A resource staff added to the map with /resource add.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Entry",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("number", fields.IntField(unique=True)),
                ("question", fields.TextField(unique=False)),
                ("answer", fields.TextField(unique=False)),
                ("author", fields.CharField(db_index=True, max_length=300)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("checked_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("flagged_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "knowledge_entry",
                "app": "knowledge",
                "pk_attr": "id",
                "table_description": "A question answered online, kept for anyone to find with /faq.",
            },
            bases=["Model"],
        ),
    ]
