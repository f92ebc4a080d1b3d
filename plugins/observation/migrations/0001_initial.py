from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from sanshe.core.storage.sealed import SealedTextField


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Observation",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("number", fields.IntField(unique=True)),
                ("person", fields.CharField(db_index=True, max_length=300)),
                ("name", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("building", fields.CharField(max_length=64)),
                ("room", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("reason", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("worker", fields.CharField(db_index=True, max_length=300)),
                ("start", fields.DateField()),
                ("end", fields.DateField()),
                ("open", fields.BooleanField(default=True, db_index=True)),
                ("opened_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "ended_at",
                    fields.DatetimeField(auto_now=False, auto_now_add=False, null=True),
                ),
            ],
            options={
                "table": "observation_file",
                "app": "observation",
                "pk_attr": "id",
                "table_description": "One person's home observation: who, where, the period, who keeps the file.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Need",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("file", fields.IntField(db_index=True)),
                ("kind", fields.CharField(max_length=16)),
                ("detail", SealedTextField(default="", generated=False, null=False, unique=False)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "observation_need",
                "app": "observation",
                "pk_attr": "id",
                "table_description": "A request of the person under observation: supplies, a parcel to fetch, rubbish.",
            },
            bases=["Model"],
        ),
    ]
