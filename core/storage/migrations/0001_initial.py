from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AdapterState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.CharField(max_length=32)),
                ('key', fields.CharField(max_length=64)),
                ('value', fields.TextField(unique=False)),
            ],
            options={'table': 'adapter_state', 'app': 'sanshe', 'unique_together': (('network', 'key'),), 'pk_attr': 'id', 'table_description': 'The position of an adapter on its network (Telegram offset, Matrix sync token).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('actor', fields.CharField(max_length=160)),
                ('action', fields.CharField(max_length=32)),
                ('subject', fields.CharField(max_length=160)),
            ],
            options={'table': 'audit_entry', 'app': 'sanshe', 'pk_attr': 'id', 'table_description': 'Who read or changed which record, and when.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatBinding',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.CharField(max_length=32)),
                ('chat', fields.CharField(max_length=255)),
                ('group_id', fields.CharField(max_length=64)),
                ('bound_by', fields.CharField(max_length=128)),
                ('bound_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chat_binding', 'app': 'sanshe', 'unique_together': (('network', 'chat'),), 'pk_attr': 'id', 'table_description': 'A chat bound to a group of the YAML with ``/bind``.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FormSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.CharField(unique=True, max_length=160)),
                ('network', fields.CharField(max_length=32)),
                ('form_id', fields.CharField(max_length=64)),
                ('step', fields.IntField(default=0)),
                ('answers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('group_id', fields.CharField(null=True, max_length=64)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'form_session', 'app': 'sanshe', 'pk_attr': 'id', 'table_description': 'A form being filled in a private dialog, kept across restarts.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HandledEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.CharField(max_length=32)),
                ('event_id', fields.CharField(max_length=255)),
                ('handled_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'handled_event', 'app': 'sanshe', 'unique_together': (('network', 'event_id'),), 'pk_attr': 'id', 'table_description': 'An event that was handled: the checkpoint that makes a second delivery a no-op.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxAction',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.CharField(max_length=32)),
                ('key', fields.CharField(unique=True, max_length=300)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'outbox_action', 'app': 'sanshe', 'pk_attr': 'id', 'table_description': 'An action decided while handling an event, kept until the adapter performed it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Record',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('form_id', fields.CharField(db_index=True, max_length=64)),
                ('person', fields.CharField(db_index=True, max_length=160)),
                ('group_id', fields.CharField(null=True, max_length=64)),
                ('data', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'record', 'app': 'sanshe', 'pk_attr': 'id', 'table_description': 'A filled form.'},
            bases=['Model'],
        ),
    ]
