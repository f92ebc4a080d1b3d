"""Room for long person keys: a stranger's ``network:handle`` may pass 255 characters."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    initial = False

    operations = [
        ops.AlterField(
            model_name="Volunteer",
            name="person",
            field=fields.CharField(db_index=True, max_length=300),
        ),
        ops.AlterField(
            model_name="Volunteer",
            name="vetted_by",
            field=fields.CharField(null=True, max_length=300),
        ),
        ops.AlterField(
            model_name="Volunteer",
            name="agreed_handle",
            field=fields.CharField(null=True, max_length=300),
        ),
        ops.AlterField(
            model_name="Training",
            name="person",
            field=fields.CharField(db_index=True, max_length=300),
        ),
        ops.AlterField(
            model_name="Dispatch",
            name="person",
            field=fields.CharField(db_index=True, max_length=300),
        ),
        ops.AlterField(model_name="Dispatch", name="by", field=fields.CharField(max_length=300)),
    ]
