"""Room for every person id in the claims and the swaps (a stranger's ``network:handle`` may pass
255 characters): the columns are as long as core's, holding ``stored_person`` of the id."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("shifts", "0001_initial")]

    operations = [
        ops.AlterField(
            model_name="StoredClaim",
            name="person",
            field=fields.CharField(db_index=True, max_length=300),
        ),
        ops.AlterField(
            model_name="SwapOffer",
            name="from_person",
            field=fields.CharField(db_index=True, max_length=300),
        ),
        ops.AlterField(
            model_name="SwapOffer",
            name="to_person",
            field=fields.CharField(db_index=True, max_length=300),
        ),
    ]
