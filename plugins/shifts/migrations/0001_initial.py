import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="StoredClaim",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("shift", fields.IntField(db_index=True)),
                ("person", fields.CharField(db_index=True, max_length=255)),
                ("role", fields.CharField(max_length=64)),
                ("place", fields.IntField()),
                ("claimed_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("arrived_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "shifts_claim",
                "app": "shifts",
                "unique_together": (("shift", "person"), ("shift", "role", "place")),
                "pk_attr": "id",
                "table_description": "A person's place on a shift, in a role, and when they appeared (None: not yet).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="StoredShift",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("group", fields.CharField(db_index=True, max_length=255)),
                (
                    "starts_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
                ),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "needs",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
            ],
            options={
                "table": "shifts_shift",
                "app": "shifts",
                "unique_together": (("group", "starts_at", "ends_at"),),
                "pk_attr": "id",
                "table_description": "A shift planned from a template: its number, group, times (UTC) and the places it needs.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SwapOffer",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("shift", fields.IntField(db_index=True)),
                ("from_person", fields.CharField(db_index=True, max_length=255)),
                ("to_person", fields.CharField(db_index=True, max_length=255)),
                ("role", fields.CharField(max_length=64)),
                ("made_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "shifts_swap",
                "app": "shifts",
                "unique_together": (("shift", "from_person"),),
                "pk_attr": "id",
                "table_description": "A claimer's offer to hand their shift to someone else, until it is accepted or declined.",
            },
            bases=["Model"],
        ),
    ]
