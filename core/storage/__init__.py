"""Storage on tortoise-orm: SQLite by default, PostgreSQL by DSN.

The schema is created and upgraded by shipped migrations (``sanshe migrate``,
and on ``sanshe run``); nobody writes tables by hand.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError
from tortoise.migrations.executor import MigrationExecutor
from tortoise.transactions import in_transaction

from ..actions import Action, from_record, to_record
from .batch import Batch
from .models import (
    AdapterState,
    AuditEntry,
    ChatBinding,
    FormSession,
    HandledEvent,
    OutboxAction,
    Record,
)

APP = "sanshe"

#: An event to checkpoint: network, event id, and its actions with their outbox keys.
_Checkpoint = tuple[str, str, list[tuple[str, Action]]]


def database_url(configured: str) -> str:
    """The database to use: ``SANSHE_DB_URL`` when set, else the YAML's."""
    return os.environ.get("SANSHE_DB_URL") or configured


def connection_name(db_url: str) -> str:
    """The connection's name: its backend (``sqlite``, ``postgres``…).

    tortoise caches prepared statements per connection name, so one process
    that opens SQLite and later PostgreSQL (tests do) needs different names.
    """
    return db_url.split(":", 1)[0]


def tortoise_config(db_url: str) -> dict[str, Any]:
    """The tortoise-orm configuration for ``db_url``."""
    name = connection_name(db_url)
    return {
        "connections": {name: db_url},
        "apps": {
            APP: {
                "models": ["sanshe.core.storage.models"],
                "migrations": "sanshe.core.storage.migrations",
                "default_connection": name,
            }
        },
    }


def _ensure_sqlite_folder(db_url: str) -> None:
    if db_url.startswith("sqlite://") and ":memory:" not in db_url:
        Path(db_url.removeprefix("sqlite://")).expanduser().parent.mkdir(
            parents=True, exist_ok=True
        )


class Storage:
    """One open database: checkpoints, outbox, bindings, records, audit."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self._config = tortoise_config(db_url)
        self._seen = Batch(self._seen_many)
        self._checkpoints = Batch(self._checkpoint_many, alone=self._write_one)
        self._done = Batch(self._performed_many)

    async def _write_one(self, item: _Checkpoint) -> None:
        await self._write_checkpoints([item])

    async def open(self, *, migrate: bool = True) -> list[str]:
        """Connect; with ``migrate``, apply pending migrations and return their names."""
        _ensure_sqlite_folder(self.db_url)
        await Tortoise.init(config=self._config)
        return await self.migrate() if migrate else []

    async def migrate(self) -> list[str]:
        """Apply pending migrations; return the names of those applied."""
        executor = MigrationExecutor(
            get_connection(connection_name(self.db_url)), self._config["apps"]
        )
        plan = await executor.plan(None)
        await executor.migrate(None)
        return [f"{step.migration.app_label}.{step.migration.name}" for step in plan]

    async def pending_migrations(self) -> list[str]:
        """Names of migrations not yet applied."""
        executor = MigrationExecutor(
            get_connection(connection_name(self.db_url)), self._config["apps"]
        )
        return [f"{s.migration.app_label}.{s.migration.name}" for s in await executor.plan(None)]

    async def close(self) -> None:
        """Close the connections."""
        await Tortoise.close_connections()

    # -- checkpoints and outbox -------------------------------------------------
    # Calls from concurrent chats are gathered into one query or transaction
    # each (group commit), so a busy bot pays a few statements per batch
    # rather than per event.

    async def was_handled(self, network: str, event_id: str) -> bool:
        """Whether this event was handled before (a second delivery)."""
        return await self._seen((network, event_id))

    async def checkpoint(self, network: str, event_id: str, actions: Sequence[Action]) -> list[str]:
        """Record the event as handled and keep its actions in the outbox, atomically.

        Returns the outbox keys of the actions, in order.  Raises
        ``IntegrityError`` if the event was already checkpointed.
        """
        keys = [f"{network}|{event_id}|{i}" for i in range(len(actions))]
        await self._checkpoints((network, event_id, list(zip(keys, actions, strict=True))))
        return keys

    async def performed(self, key: str) -> None:
        """The adapter performed this action: drop it from the outbox."""
        await self._done(key)

    async def outbox(self, network: str) -> list[tuple[str, Action]]:
        """Actions decided but not yet performed on ``network`` (after a crash), oldest first."""
        rows = await OutboxAction.filter(network=network).order_by("id")
        return [(row.key, from_record(row.payload)) for row in rows]

    async def _seen_many(self, items: list[tuple[str, str]]) -> list[bool]:
        found: set[tuple[str, str]] = set()
        for network in {n for n, _ in items}:
            ids = [e for n, e in items if n == network]
            rows = await HandledEvent.filter(network=network, event_id__in=ids).values_list(
                "event_id", flat=True
            )
            found.update((network, str(r)) for r in rows)
        return [item in found for item in items]

    async def _checkpoint_many(self, items: list[_Checkpoint]) -> list[None]:
        try:
            await self._write_checkpoints(items)
        except IntegrityError:
            if len(items) == 1:
                raise
            # One event of the batch was checkpointed before: find it, keep the others.
            return [await self._checkpoints.run_alone(item) for item in items]
        return [None] * len(items)

    async def _write_checkpoints(self, items: list[_Checkpoint]) -> None:
        async with in_transaction(connection_name(self.db_url)):
            await HandledEvent.bulk_create(
                [HandledEvent(network=n, event_id=e) for n, e, _ in items]
            )
            rows = [
                OutboxAction(network=n, key=key, payload=to_record(action))
                for n, _e, planned in items
                for key, action in planned
            ]
            if rows:
                await OutboxAction.bulk_create(rows)

    async def _performed_many(self, keys: list[str]) -> list[None]:
        await OutboxAction.filter(key__in=keys).delete()
        return [None] * len(keys)

    # -- adapter positions --------------------------------------------------------

    async def get_state(self, network: str, key: str) -> str | None:
        """An adapter's stored value (sync token, offset)."""
        row = await AdapterState.get_or_none(network=network, key=key)
        return row.value if row else None

    async def set_state(self, network: str, key: str, value: str) -> None:
        """Store an adapter's value."""
        await AdapterState.update_or_create(network=network, key=key, defaults={"value": value})

    # -- chat bindings -------------------------------------------------------------

    async def bindings(self) -> dict[tuple[str, str], str]:
        """All ``/bind`` bindings: (network, chat) -> group id."""
        return {(b.network, b.chat): b.group_id for b in await ChatBinding.all()}

    async def bind(self, network: str, chat: str, group_id: str, bound_by: str) -> None:
        """Bind a chat to a group (replacing an earlier binding of that chat)."""
        await ChatBinding.update_or_create(
            network=network, chat=chat, defaults={"group_id": group_id, "bound_by": bound_by}
        )

    # -- records and audit -----------------------------------------------------------

    async def add_record(
        self,
        form_id: str,
        person: str,
        group_id: str | None,
        data: dict[str, Any],
        finishing: FormSession | None = None,
    ) -> Record:
        """Store a filled form and audit its creation; end the dialog that filled it, atomically."""
        async with in_transaction(connection_name(self.db_url)):
            record = await Record.create(
                form_id=form_id, person=person, group_id=group_id, data=data
            )
            await AuditEntry.create(actor=person, action="create", subject=f"record:{record.id}")
            if finishing is not None:
                await finishing.delete()
        return record

    async def audit(self, actor: str, action: str, subject: str) -> None:
        """Note that ``actor`` did ``action`` on ``subject``."""
        await AuditEntry.create(actor=actor, action=action, subject=subject)
