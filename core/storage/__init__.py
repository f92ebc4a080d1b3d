"""Storage on tortoise-orm: SQLite by default, PostgreSQL by DSN.

The schema is created and upgraded by shipped migrations (``sanshe migrate``,
and on ``sanshe run``); nobody writes tables by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import os
import sys
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.exceptions import BaseORMException
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget
from tortoise.models import Model
from tortoise.transactions import in_transaction

from ..actions import Action, from_record, to_record
from ..events import Event
from .batch import Batch
from .models import (
    AdapterState,
    AuditEntry,
    ChatBinding,
    DeadLetter,
    EventTry,
    FormSession,
    HandledEvent,
    OutboxAction,
    Record,
    TryUnderWay,
    stored_person,
)
from .tables import Tables

APP = "sanshe"

log = logging.getLogger(__name__)

#: An event to checkpoint: network, event id, and its actions' outbox keys and stored payloads.
_Checkpoint = tuple[str, str, list[tuple[str, Any]]]
#: Events to checkpoint together, and the tries under way they end (see :meth:`Storage.begin`).
_Request = tuple[list[_Checkpoint], str | None]
#: Rows per statement when many are written at once (SQLite takes 32,766 parameters).
_ROWS = 1000


def database_url(configured: str) -> str:
    """The database to use: ``SANSHE_DB_URL`` when set, else the YAML's."""
    return os.environ.get("SANSHE_DB_URL") or configured


def connection_name(db_url: str) -> str:
    """The connection's name: its backend (``sqlite``, ``postgres``…).

    tortoise caches prepared statements per connection name, so one process
    that opens SQLite and later PostgreSQL (tests do) needs different names.
    """
    return db_url.split(":", 1)[0]


#: App labels taken by core: its own, and tortoise's record of applied migrations.
_CORE_LABELS = (APP, "_migrations")


def tortoise_config(db_url: str, tables: Mapping[str, Tables] | None = None) -> dict[str, Any]:
    """The tortoise-orm configuration for ``db_url``: core's app, then one per plugin of ``tables``.

    ``tables`` maps a plugin's name to its :class:`Tables`.  Raises
    :class:`CannotOpen` when two plugins name one app, or one names core's.
    """
    name = connection_name(db_url)
    apps: dict[str, dict[str, Any]] = {
        APP: {
            "models": ["sanshe.core.storage.models"],
            "migrations": "sanshe.core.storage.migrations",
            "default_connection": name,
        }
    }
    owners: dict[str, str] = {}
    for plugin, declared in (tables or {}).items():
        label = declared.app
        if label in _CORE_LABELS:
            raise CannotOpen("storage.tables_label_core", plugin=plugin, label=label)
        if label in owners:
            raise CannotOpen(
                "storage.tables_label_clash", plugin=plugin, other=owners[label], label=label
            )
        owners[label] = plugin
        apps[label] = {
            "models": [declared.models],
            "migrations": declared.migrations,
            "default_connection": name,
        }
    return {"connections": {name: _securely_deleting(db_url)}, "apps": apps}


def _securely_deleting(db_url: str) -> str:
    """``db_url``, for a SQLite file, with ``secure_delete`` on: what a row held is overwritten
    when the row goes, not left in free pages."""
    if not db_url.startswith("sqlite://") or ":memory:" in db_url:
        return db_url
    return db_url + ("&" if "?" in db_url else "?") + "secure_delete=ON"


def _refuse_shared_tables(
    apps: Mapping[str, Mapping[str, type[Model]]], plugins: Mapping[str, str]
) -> None:
    """Raise :class:`CannotOpen` when a plugin's model has the table of core's or of a plugin
    before it; ``apps`` are tortoise's, core's first, ``plugins`` their labels' plugin names."""
    owners = {"tortoise_migrations": APP}
    for label, models in apps.items():
        for model in models.values():
            table = model._meta.db_table
            owner = owners.setdefault(table, label)
            if owner == label:
                continue
            plugin = plugins.get(label, label)
            if owner == APP:
                raise CannotOpen("storage.table_of_core", plugin=plugin, table=table, label=label)
            other = plugins.get(owner, owner)
            raise CannotOpen(
                "storage.table_clash", plugin=plugin, other=other, table=table, label=label
            )


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


async def _count_tries(
    connection: BaseDBAsyncClient, network: str, tries: list[tuple[str, int]], error: str = ""
) -> None:
    """Add tries to events' counts (one statement per thousand events); ``error``, if given, too."""
    for start in range(0, len(tries), _ROWS):
        chunk = tries[start : start + _ROWS]
        marks = iter(_marks(connection, 4 * len(chunk)))
        rows = ", ".join(
            f"({next(marks)}, {next(marks)}, {next(marks)}, {next(marks)})" for _ in chunk
        )
        error_set = ', "error" = excluded."error"' if error else ""
        await connection.execute_query(
            f'INSERT INTO "event_try" ("network", "event_id", "tries", "error") VALUES {rows} '
            'ON CONFLICT ("network", "event_id") DO UPDATE SET '
            f'"tries" = "event_try"."tries" + excluded."tries"{error_set}',
            [value for event_id, count in chunk for value in (network, event_id, count, error)],
        )


class Settled(Exception):
    """The dead letter was replayed already (by another ``sanshe dead-letters --replay``)."""


def event_record(event: Event) -> dict[str, Any]:
    """A JSON-ready form of an event, as a dead letter keeps it."""
    return {"type": type(event).__name__, **dataclasses.asdict(event)}


def event_of(record: Mapping[str, Any]) -> Event:
    """The event kept with :func:`event_record` (fields a later version dropped are left out)."""
    values = dict(record)
    name = str(values.pop("type", ""))
    kinds: dict[str, type[Event]] = {}
    pending: list[type[Event]] = [Event]
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        # A slotted dataclass replaces its class; the one replaced is a subclass still.
        if getattr(sys.modules.get(kind.__module__), kind.__qualname__, None) is kind:
            kinds[kind.__name__] = kind
    if name not in kinds:
        raise ValueError(f"no kind of event is called {name!r}")
    names = {spec.name for spec in dataclasses.fields(kinds[name])}
    kept: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in names
    }
    return kinds[name](**kept)


class Storage:
    """One open database: checkpoints, tries and dead letters, outbox, bindings, records, audit."""

    def __init__(self, db_url: str, tables: Mapping[str, Tables] | None = None) -> None:
        """A database at ``db_url``, with core's tables and those of ``tables`` (plugin name ->
        :class:`Tables`, see :func:`~sanshe.core.storage.tables.plugin_tables`)."""
        self.db_url = db_url
        self._config = tortoise_config(db_url, tables)
        self._plugins = {declared.app: plugin for plugin, declared in (tables or {}).items()}
        self._seen = Batch(self._seen_many)
        self._begun = Batch(self._begin_many)
        self._tries: dict[str, dict[str, int]] = {}
        """Per network, the events with tries so far (failed, or cut short), and how many."""
        self._tries_loaded: dict[str, asyncio.Future[None]] = {}
        self._try_keys = (f"{uuid.uuid4().hex[:20]}{n:x}" for n in itertools.count())
        """Names of tries under way, unique to this process (see :meth:`begin`)."""
        self._checkpoints = Batch(self._checkpoint_many)
        self._done = Batch(self._performed_many)

    async def open(self, *, migrate: bool = True) -> list[str]:
        """Connect; with ``migrate``, apply pending migrations and return their names.

        Raises :class:`CannotOpen` for a URL of another kind, a database that
        cannot be reached, or a plugin's table named as core's or another
        plugin's; ``ModuleNotFoundError`` when its driver is not installed.
        """
        if "://" not in self.db_url or connection_name(self.db_url) not in SCHEMES:
            raise CannotOpen("storage.unsupported_url", url=shown_url(self.db_url))
        try:
            _create_sqlite_file(self.db_url)
            await Tortoise.init(config=self._config)
            assert Tortoise.apps is not None
            _refuse_shared_tables(dict(Tortoise.apps.items()), self._plugins)
            return await self.migrate() if migrate else []
        except Exception as exc:
            await Tortoise.close_connections()
            if isinstance(exc, OSError | BaseORMException) or _from_driver(exc):
                reason = str(exc).replace(self.db_url, shown_url(self.db_url))
                raise CannotOpen(
                    "storage.unreachable", url=shown_url(self.db_url), reason=reason
                ) from exc
            raise

    def _migrations(self) -> tuple[MigrationExecutor, list[MigrationTarget]]:
        """The executor of every app's migrations, and their latest: core's first, then each plugin's."""
        executor = MigrationExecutor(
            get_connection(connection_name(self.db_url)), self._config["apps"]
        )
        return executor, [MigrationTarget(label, "__latest__") for label in self._config["apps"]]

    async def migrate(self) -> list[str]:
        """Apply pending migrations, core's first; return the names of those applied
        (``sanshe.0001_initial``, ``<plugin's app label>.0001_initial``…)."""
        executor, latest = self._migrations()
        plan = await executor.plan(latest)
        await executor.migrate(latest)
        return [f"{step.migration.app_label}.{step.migration.name}" for step in plan]

    async def pending_migrations(self) -> list[str]:
        """Names of migrations not yet applied, in the order :meth:`migrate` applies them."""
        executor, latest = self._migrations()
        return [f"{s.migration.app_label}.{s.migration.name}" for s in await executor.plan(latest)]

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
        self, decided: Sequence[tuple[Event, Sequence[Action]]], trying: str | None = None
    ) -> list[list[str]]:
        """Record events as handled and keep their actions in the outbox, atomically.

        Returns, per event, the outbox keys of its actions in order.  Raises
        ``IntegrityError`` if an event was already checkpointed, and what
        storing an action raised (an action no database can store: a value that
        is not JSON) before writing anything.  The events' tries are forgotten,
        and the tries under way ``trying`` (of :meth:`begin`) are over.
        """
        items = [
            (
                e.network,
                e.event_id,
                [
                    (
                        f"{e.network}|{e.event_id}|{i}",
                        _db_value(OutboxAction, "payload", to_record(a)),
                    )
                    for i, a in enumerate(actions)
                ],
            )
            for e, actions in decided
        ]
        await self._checkpoints((items, trying))
        for network, event_id, _planned in items:
            self._tries.get(network, {}).pop(event_id, None)
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

    async def _checkpoint_many(self, requests: list[_Request]) -> list[None | Exception]:
        try:
            await self._write_checkpoints(
                [item for items, _trying in requests for item in items],
                [trying for _items, trying in requests if trying is not None],
            )
        except Exception:
            if len(requests) == 1:
                raise
            # A request of the batch cannot be written (checkpointed before, say): write each
            # alone, so that it fails alone.
            outcomes: list[None | Exception] = []
            for items, trying in requests:
                try:
                    await self._write_checkpoints(items, [trying] if trying else [])
                except Exception as exc:
                    outcomes.append(exc)
                else:
                    outcomes.append(None)
            return outcomes
        return [None] * len(requests)

    async def _write_checkpoints(self, items: list[_Checkpoint], trying: list[str]) -> None:
        # Plain INSERTs with executemany: building a model object per event cost more than the write.
        now = datetime.now(UTC)
        handled_at = _db_value(HandledEvent, "handled_at", now)
        created_at = _db_value(OutboxAction, "created_at", now)
        async with in_transaction(connection_name(self.db_url)) as connection:
            await connection.execute_many(
                _insert(connection, "handled_event", ("network", "event_id", "handled_at")),
                [[n, e, handled_at] for n, e, _ in items],
            )
            if trying:
                await connection.execute_many(
                    'DELETE FROM "try_under_way" WHERE "key" = {}'.format(*_marks(connection, 1)),
                    [[key] for key in trying],
                )
            tried = [[n, e] for n, e, _ in items if e in self._tries.get(n, {})]
            if tried:
                await connection.execute_many(
                    'DELETE FROM "event_try" WHERE "network" = {} AND "event_id" = {}'.format(
                        *_marks(connection, 2)
                    ),
                    tried,
                )
            rows = [
                [n, key, payload, created_at]
                for n, _e, planned in items
                for key, payload in planned
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

    # -- tries and dead letters ----------------------------------------------------

    async def begin(self, events: Sequence[Event]) -> tuple[list[int], str]:
        """Begin a try of those of these events (of one network) not handled before.

        Returns, per event, how many tries it had before (see
        :meth:`tries_so_far`), or -1 if it was handled before or is a repeat of
        an earlier one of ``events``; and what names the try (for
        :meth:`checkpoint` or :meth:`tried` to end it).  The try is noted in the transaction that reads
        which events were handled.
        """
        network = events[0].network
        await self._load(network)
        tries = self._tries[network]
        key = next(self._try_keys)
        ids = list(dict.fromkeys(e.event_id for e in events))
        handled = await self._begun((key, network, ids))
        before: list[int] = []
        for e in events:
            if e.event_id in handled:
                before.append(-1)
            else:
                handled.add(e.event_id)
                before.append(tries.get(e.event_id, 0))
        return before, key

    async def tries_so_far(self, events: Sequence[Event]) -> list[int]:
        """How many tries each event had before (failed, or cut short by a crash); mostly 0.

        Kept in memory once read, for each network; the first time, the tries a
        crash left under way are counted (see :meth:`begin`).
        """
        for network in {e.network for e in events}:
            await self._load(network)
        return [self._tries[e.network].get(e.event_id, 0) for e in events]

    async def _load(self, network: str) -> None:
        """Read the tries of ``network`` unless read already (once, however many ask at once)."""
        loading = self._tries_loaded.get(network)
        if loading is None:
            loading = self._tries_loaded[network] = asyncio.ensure_future(self._load_tries(network))
        elif loading.done() and loading.exception() is None:
            return
        try:
            await asyncio.shield(loading)
        except Exception:
            self._tries_loaded.pop(network, None)
            raise

    async def _load_tries(self, network: str) -> None:
        """Count a try for each event of the tries left under way on ``network``, then read them."""
        left = await TryUnderWay.filter(network=network)
        cut_short = Counter(str(e) for row in left for e in row.events)
        if cut_short:
            # Read first, then write in a transaction that starts writing: SQLite refuses a
            # transaction that read before writing while another process (sanshe
            # dead-letters) wrote meanwhile.
            async with in_transaction(connection_name(self.db_url)) as connection:
                await (
                    TryUnderWay.filter(key__in=[row.key for row in left])
                    .using_db(connection)
                    .delete()
                )
                await _count_tries(connection, network, list(cut_short.items()))
            log.warning(
                "%d event(s) of %s were being handled when the bot stopped; that try counts",
                len(cut_short),
                network,
            )
        rows = await EventTry.filter(network=network)
        self._tries[network] = {row.event_id: row.tries for row in rows}

    async def _begin_many(self, requests: list[tuple[str, str, list[str]]]) -> list[set[str]]:
        """Note the tries, read which of their events were handled, and keep only the others'.

        Written first: SQLite refuses a transaction that read before writing
        while another process (``sanshe dead-letters``) wrote meanwhile.
        """
        started = _db_value(TryUnderWay, "started_at", datetime.now(UTC))
        async with in_transaction(connection_name(self.db_url)) as connection:
            await connection.execute_many(
                _insert(connection, "try_under_way", ("key", "network", "events", "started_at")),
                [
                    [key, network, _db_value(TryUnderWay, "events", ids), started]
                    for key, network, ids in requests
                ],
            )
            found: dict[str, set[str]] = {}
            for network in {network for _key, network, _ids in requests}:
                ids = [i for _k, n, request in requests if n == network for i in request]
                seen: set[str] = set()
                found[network] = seen
                for start in range(0, len(ids), 10 * _ROWS):
                    chunk = ids[start : start + 10 * _ROWS]
                    marks = _marks(connection, len(chunk) + 1)
                    _count, rows = await connection.execute_query(
                        'SELECT "event_id" FROM "handled_event" WHERE "network" = {} '
                        'AND "event_id" IN ({})'.format(marks[0], ", ".join(marks[1:])),
                        [network, *chunk],
                    )
                    seen.update(str(row["event_id"]) for row in rows)
            handled = [found[network].intersection(ids) for _key, network, ids in requests]
            for (key, _network, ids), done in zip(requests, handled, strict=True):
                if done:  # delivered again: only the others are tried
                    left = [i for i in ids if i not in done]
                    if left:
                        await connection.execute_query(
                            'UPDATE "try_under_way" SET "events" = {} WHERE "key" = {}'.format(
                                *_marks(connection, 2)
                            ),
                            [_db_value(TryUnderWay, "events", left), key],
                        )
                    else:
                        await connection.execute_query(
                            'DELETE FROM "try_under_way" WHERE "key" = {}'.format(
                                *_marks(connection, 1)
                            ),
                            [key],
                        )
        return handled

    async def tried(self, trying: str) -> None:
        """The tries named ``trying`` are over (those not ended by a checkpoint)."""
        await TryUnderWay.filter(key=trying).delete()

    async def note_failure(self, event: Event, error: str) -> None:
        """A try of ``event`` raised: count it, with how it failed (type and place)."""
        connection = get_connection(connection_name(self.db_url))
        await _count_tries(connection, event.network, [(event.event_id, 1)], error[:255])
        tries = self._tries.setdefault(event.network, {})
        tries[event.event_id] = tries.get(event.event_id, 0) + 1

    async def last_failure(self, event: Event) -> str:
        """How the last try of ``event`` that raised failed; empty if none did (or none finished)."""
        row = await EventTry.get_or_none(network=event.network, event_id=event.event_id)
        return row.error if row is not None else ""

    async def set_aside(self, event: Event, tries: int, error: str) -> DeadLetter:
        """Keep ``event`` as received, as a dead letter; the same event set aside again is the first."""
        connection = get_connection(connection_name(self.db_url))
        columns = ("network", "event_id", "chat", "kind", "event", "error", "tries", "failed_at")
        values = [
            event.network,
            event.event_id,
            event.chat,
            type(event).__name__,
            _db_value(DeadLetter, "event", event_record(event)),
            error[:255],
            tries,
            _db_value(DeadLetter, "failed_at", datetime.now(UTC)),
        ]
        await connection.execute_query(
            _insert(connection, "dead_letter", columns)
            + ' ON CONFLICT ("network", "event_id") DO NOTHING',
            values,
        )
        return await DeadLetter.get(network=event.network, event_id=event.event_id)

    async def dead_letters(self) -> list[DeadLetter]:
        """The events set aside and not yet replayed, oldest first."""
        return await DeadLetter.all().order_by("id")

    async def dead_letter(self, letter_id: int) -> DeadLetter | None:
        """The dead letter with this id, if it is still there."""
        return await DeadLetter.get_or_none(id=letter_id)

    async def settle(self, letter: DeadLetter, actions: Sequence[Action]) -> list[str]:
        """A dead letter handled again: drop it and keep its actions in the outbox, atomically.

        Returns the actions' outbox keys; raises :class:`Settled` if it was
        replayed meanwhile (nothing is kept then).
        """
        planned = [
            (f"{letter.network}|{letter.event_id}|replay-{letter.id}|{i}", action)
            for i, action in enumerate(actions)
        ]
        async with in_transaction(connection_name(self.db_url)):
            if not await DeadLetter.filter(id=letter.id).delete():
                raise Settled(letter.id)
            for key, action in planned:
                await OutboxAction.create(
                    network=letter.network, key=key, payload=to_record(action)
                )
        return [key for key, _ in planned]

    # -- adapter positions --------------------------------------------------------

    async def get_state(self, network: str, key: str) -> str | None:
        """An adapter's stored value (sync token, offset)."""
        row = await AdapterState.get_or_none(network=network, key=key)
        return row.value if row else None

    async def set_state(self, network: str, key: str, value: str) -> None:
        """Store an adapter's value.

        One statement, not a read and a write: SQLite refuses a transaction that
        read before writing while another process (``sanshe dead-letters``) wrote.
        """
        connection = get_connection(connection_name(self.db_url))
        await connection.execute_query(
            _insert(connection, "adapter_state", ("network", "key", "value"))
            + ' ON CONFLICT ("network", "key") DO UPDATE SET "value" = excluded."value"',
            [network, key, value],
        )

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
