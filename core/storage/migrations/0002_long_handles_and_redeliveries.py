"""Room for 255-character handles; form dialogs remember their form's version and the events they took."""

import functools
from json import dumps, loads
from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

_json: dict[str, Any] = {"encoder": functools.partial(dumps, separators=(",", ":")), "decoder": loads}


class Migration(migrations.Migration):
    dependencies = [("sanshe", "0001_initial")]

    operations = [
        ops.AlterField(
            model_name="ChatBinding", name="bound_by", field=fields.CharField(max_length=300)
        ),
        ops.AlterField(
            model_name="FormSession",
            name="person",
            field=fields.CharField(unique=True, max_length=300),
        ),
        ops.AddField(
            model_name="FormSession",
            name="form_version",
            field=fields.CharField(max_length=64, default="", db_default=""),
        ),
        ops.AddField(
            model_name="FormSession",
            name="answered",
            field=fields.JSONField(default=list, db_default="[]", **_json),
        ),
        ops.AddField(model_name="FormSession", name="record_id", field=fields.IntField(null=True)),
        ops.AlterField(
            model_name="Record",
            name="person",
            field=fields.CharField(db_index=True, max_length=300),
        ),
        ops.AlterField(
            model_name="AuditEntry", name="actor", field=fields.CharField(max_length=300)
        ),
        ops.AlterField(
            model_name="AuditEntry", name="subject", field=fields.CharField(max_length=300)
        ),
    ]
