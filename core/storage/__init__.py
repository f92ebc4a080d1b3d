"""Storage on tortoise-orm: SQLite by default, PostgreSQL by DSN.

The schema is created and upgraded by shipped migrations (``sanshe migrate``,
and on ``sanshe run``); nobody writes tables by hand.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.exceptions import BaseORMException, IntegrityError
from tortoise.migrations.executor import MigrationExecutor
from tortoise.models import Model
from tortoise.transactions import in_transaction

from ..actions import Action, from_record, to_record
from ..events import Event
from .batch import Batch
from .models import (
    AdapterState,
    AuditEntry,
    ChatBinding,
    FormSession,
    HandledEvent,
    OutboxAction,
    Record,
    stored_person,
)

APP = "sanshe"

log = logging.getLogger(__name__)

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


def _db_value(model: type[Model], field: str, value: Any) -> Any:
    """``value`` as the database of ``model`` stores ``field``."""
    return model._meta.fields_map[field].to_db_value(value, model)


def _marks(connection: BaseDBAsyncClient, count: int) -> list[str]:
    """``count`` query parameter marks in the connection's style (``?`` or ``$1``…)."""
    if connection.capabilities.dialect == "postgres":
        return [f"${i}" for i in range(1, count + 1)]
    return ["?"] * count


def _insert(connection: BaseDBAsyncClient, table: str, columns: tuple[str, ...]) -> str:
    """An INSERT statement in the connection's parameter style."""
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(_marks(connection, len(columns)))})'


#: The URL schemes of the databases Sanshe ships migrations for.
SCHEMES = ("sqlite", "postgres", "postgresql")


class CannotOpen(Exception):
    """The database cannot be used; ``key`` and ``values`` are core's catalogue sentence for it."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def shown_url(db_url: str) -> str:
    """``db_url`` with its password, if any, replaced by ``***``."""
    parts = urlsplit(db_url)
    if parts.password is None:
        return db_url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def _from_driver(exc: Exception) -> bool:
    """Whether ``exc`` is the database driver's (asyncpg's errors share no base with tortoise's)."""
    return type(exc).__module__.split(".", 1)[0] in ("asyncpg", "sqlite3", "aiosqlite")


def _create_sqlite_file(db_url: str) -> None:
    """Create a SQLite database's missing folders (0700) and file (0600) for the owner only.

    SQLite gives its journal and WAL files the database file's mode.  A
    database (or journal) that others may read, left by an older version, is
    closed to them.
    """
    if not db_url.startswith("sqlite://") or ":memory:" in db_url:
        return
    path = Path(db_url.removeprefix("sqlite://").split("?", 1)[0]).expanduser()
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(FileNotFoundError):
            mode = file.stat().st_mode & 0o777
            if mode & 0o077:
                file.chmod(mode & 0o700)
                log.warning("%s was readable by others; it is now for its owner only", file)


class Storage:
    """One open database: checkpoints, outbox, bindings, records, audit."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self._config = tortoise_config(db_url)
        self._seen = Batch(self._seen_many)
        self._checkpoints = Batch(self._checkpoint_many)
        self._done = Batch(self._performed_many)

    async def open(self, *, migrate: bool = True) -> list[str]:
        """Connect; with ``migrate``, apply pending migrations and return their names.

        Raises :class:`CannotOpen` for a URL of another kind or a database that
        cannot be reached; ``ModuleNotFoundError`` when its driver is not installed.
        """
        if "://" not in self.db_url or connection_name(self.db_url) not in SCHEMES:
            raise CannotOpen("storage.unsupported_url", url=shown_url(self.db_url))
        try:
            _create_sqlite_file(self.db_url)
            await Tortoise.init(config=self._config)
            return await self.migrate() if migrate else []
        except Exception as exc:
            await Tortoise.close_connections()
            if isinstance(exc, OSError | BaseORMException) or _from_driver(exc):
                reason = str(exc).replace(self.db_url, shown_url(self.db_url))
                raise CannotOpen(
                    "storage.unreachable", url=shown_url(self.db_url), reason=reason
                ) from exc
            raise

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

    async def handled_among(self, events: Sequence[Event]) -> set[tuple[str, str]]:
        """Which of these events were handled before (network, event id): second deliveries."""
        return await self._seen([(e.network, e.event_id) for e in events])

    async def checkpoint(
        self, decided: Sequence[tuple[Event, Sequence[Action]]]
    ) -> list[list[str]]:
        """Record events as handled and keep their actions in the outbox, atomically.

        Returns, per event, the outbox keys of its actions in order.  Raises
        ``IntegrityError`` if an event was already checkpointed.
        """
        items = [
            (
                e.network,
                e.event_id,
                [(f"{e.network}|{e.event_id}|{i}", a) for i, a in enumerate(actions)],
            )
            for e, actions in decided
        ]
        await self._checkpoints(items)
        return [[key for key, _ in planned] for _n, _e, planned in items]

    async def performed(self, key: str) -> None:
        """The adapter performed this action: drop it from the outbox."""
        await self._done(key)

    async def outbox(self, network: str) -> list[tuple[str, Action]]:
        """Actions decided but not yet performed on ``network`` (after a crash), oldest first."""
        rows = await OutboxAction.filter(network=network).order_by("id")
        return [(row.key, from_record(row.payload)) for row in rows]

    async def _seen_many(self, requests: list[list[tuple[str, str]]]) -> list[set[tuple[str, str]]]:
        wanted = {key for request in requests for key in request}
        found: set[tuple[str, str]] = set()
        connection = get_connection(connection_name(self.db_url))
        for network in {n for n, _ in wanted}:
            ids = [e for n, e in wanted if n == network]
            query = (
                'SELECT "event_id" FROM "handled_event" WHERE "network" = {} AND "event_id" IN ({})'
            )
            marks = _marks(connection, len(ids) + 1)
            _count, rows = await connection.execute_query(
                query.format(marks[0], ", ".join(marks[1:])), [network, *ids]
            )
            found.update((network, str(row["event_id"])) for row in rows)
        return [found.intersection(request) for request in requests]

    async def _checkpoint_many(self, requests: list[list[_Checkpoint]]) -> list[None | Exception]:
        try:
            await self._write_checkpoints([item for request in requests for item in request])
        except IntegrityError:
            if len(requests) == 1:
                raise
            # A request of the batch was checkpointed before: write each alone to find it.
            outcomes: list[None | Exception] = []
            for request in requests:
                try:
                    await self._write_checkpoints(request)
                except IntegrityError as exc:
                    outcomes.append(exc)
                else:
                    outcomes.append(None)
            return outcomes
        return [None] * len(requests)

    async def _write_checkpoints(self, items: list[_Checkpoint]) -> None:
        # Plain INSERTs with executemany: building a model object per event cost more than the write.
        now = datetime.now(UTC)
        handled_at = _db_value(HandledEvent, "handled_at", now)
        created_at = _db_value(OutboxAction, "created_at", now)
        async with in_transaction(connection_name(self.db_url)) as connection:
            await connection.execute_many(
                _insert(connection, "handled_event", ("network", "event_id", "handled_at")),
                [[n, e, handled_at] for n, e, _ in items],
            )
            rows = [
                [n, key, _db_value(OutboxAction, "payload", to_record(action)), created_at]
                for n, _e, planned in items
                for key, action in planned
            ]
            if rows:
                await connection.execute_many(
                    _insert(
                        connection, "outbox_action", ("network", "key", "payload", "created_at")
                    ),
                    rows,
                )

    async def _performed_many(self, keys: list[str]) -> list[None]:
        connection = get_connection(connection_name(self.db_url))
        marks = ", ".join(_marks(connection, len(keys)))
        await connection.execute_query(
            f'DELETE FROM "outbox_action" WHERE "key" IN ({marks})', keys
        )
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
            network=network,
            chat=chat,
            defaults={"group_id": group_id, "bound_by": stored_person(bound_by)},
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
        """Store a filled form and audit its creation; end the dialog that filled it, atomically.

        The dialog's row stays, without its answers, naming the record: a last
        answer delivered again finds it (see :class:`FormSession`).
        """
        async with in_transaction(connection_name(self.db_url)):
            record = await Record.create(
                form_id=form_id, person=stored_person(person), group_id=group_id, data=data
            )
            await AuditEntry.create(
                actor=stored_person(person), action="create", subject=f"record:{record.id}"
            )
            if finishing is not None:
                finishing.answers = {}
                finishing.record_id = record.id
                await finishing.save(
                    update_fields=["answers", "step", "answered", "record_id", "updated_at"]
                )
        return record

    async def record(self, record_id: int | None) -> Record | None:
        """The record with this id, if there is one."""
        return await Record.get_or_none(id=record_id) if record_id is not None else None

    async def audit(self, actor: str, action: str, subject: str) -> None:
        """Note that ``actor`` did ``action`` on ``subject``."""
        await AuditEntry.create(
            actor=stored_person(actor), action=action, subject=stored_person(subject)
        )
