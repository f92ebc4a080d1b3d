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
from collections.abc import Iterable, Mapping, Sequence
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
from . import audit as audit_log
from . import fresh, inline_sqlite, sealed
from .batch import Batch
from .models import (
    AdapterState,
    AuditEntry,
    ChatBinding,
    DeadLetter,
    EventTry,
    HandledEvent,
    OutboxAction,
    Record,
    TryUnderWay,
    stored_person,
)
from .sealed import KeyProblem, KeySource, key_source
from .tables import Tables
from .writes import Gathering, Writes

APP = "sanshe"

log = logging.getLogger(__name__)

#: An event to checkpoint: network, event id, its actions' outbox keys, networks and stored
#: payloads, and its writes.
_Checkpoint = tuple[str, str, list[tuple[str, str, Any]], "Writes | None"]
#: Events to checkpoint together, and the tries under way they end (see :meth:`Storage.begin`).
_Request = tuple[list[_Checkpoint], str | None]
#: How many events a process remembers having checkpointed (see ``Storage.begin``).
_HANDLED_KEPT = 100_000
#: Rows per statement when many are written at once (SQLite takes 32,766 parameters).
_ROWS = 1000
#: The settings a SQLite file is opened with: write-ahead log (readers do not wait for the
#: writer), foreign keys, and ``secure_delete`` (what a row held is overwritten when the row
#: goes, not left in free pages).
SQLITE_PRAGMAS: Mapping[str, str] = {
    "journal_mode": "WAL",
    "journal_size_limit": "16384",
    "foreign_keys": "ON",
    "secure_delete": "ON",
}
#: The most calls one group commit serves (events' checkpoints in one transaction).
BATCH = 500


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
    url = _with_pragmas(db_url)
    given = inline_sqlite.connection(url) if name == "sqlite" else url
    return {"connections": {name: given}, "apps": apps}


def _with_pragmas(db_url: str) -> str:
    """``db_url``, for a SQLite file, with the :data:`SQLITE_PRAGMAS` it does not set itself."""
    if not db_url.startswith("sqlite://") or ":memory:" in db_url:
        return db_url
    given = {part.split("=", 1)[0] for part in urlsplit(db_url).query.split("&") if part}
    added = "&".join(f"{k}={v}" for k, v in SQLITE_PRAGMAS.items() if k not in given)
    return db_url + ("&" if "?" in db_url else "?") + added if added else db_url


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

    def __init__(
        self,
        db_url: str,
        tables: Mapping[str, Tables] | None = None,
        key: KeySource | None = None,
    ) -> None:
        """A database at ``db_url``, with core's tables and those of ``tables`` (plugin name ->
        :class:`Tables`, see :func:`~sanshe.core.storage.tables.plugin_tables`), sealed with
        the key of ``key`` (default: :func:`~sanshe.core.storage.sealed.key_source`)."""
        self.db_url = db_url
        self._key = key
        self._config = tortoise_config(db_url, tables)
        self._plugins = {declared.app: plugin for plugin, declared in (tables or {}).items()}
        self._seen = Batch(self._seen_many)
        self._begun = Batch(self._begin_many)
        self._tries: dict[str, dict[str, int]] = {}
        """Per network, the events with tries so far (failed, or cut short), and how many."""
        self._tries_loaded: dict[str, asyncio.Future[None]] = {}
        self._try_keys = (f"{uuid.uuid4().hex[:20]}{n:x}" for n in itertools.count())
        """Names of tries under way, unique to this process (see :meth:`begin`)."""
        self._checkpoints: Batch[_Request, list[bool]] = Batch(self._checkpoint_many, BATCH)
        self._handled_here: dict[tuple[str, str], None] = {}
        """The events this process checkpointed lately, oldest first: a second delivery of one
        (an update Telegram sends again before its offset is confirmed) is not decided again."""
        self._done = Batch(self._performed_many)

    async def open(self, *, migrate: bool = True) -> list[str]:
        """Connect; with ``migrate``, apply pending migrations and return their names.

        Raises :class:`CannotOpen` for a URL of another kind, a database that
        cannot be reached, a plugin's table named as core's or another
        plugin's, or a key that is missing, malformed or not the database's
        (see :mod:`.sealed`); ``ModuleNotFoundError`` when its driver is not installed.
        """
        if "://" not in self.db_url or connection_name(self.db_url) not in SCHEMES:
            raise CannotOpen("storage.unsupported_url", url=shown_url(self.db_url))
        try:
            _create_sqlite_file(self.db_url)
            await Tortoise.init(config=self._config)
            assert Tortoise.apps is not None
            _refuse_shared_tables(dict(Tortoise.apps.items()), self._plugins)
            connection = get_connection(connection_name(self.db_url))
            source = self._key or key_source(self.db_url)
            seal, known = await sealed.load_key(connection, source)
            sealed.use(seal)
            applied = await self.migrate() if migrate else []
            if migrate and not known:
                await sealed.remember_key(connection, seal, source)
            return applied
        except KeyProblem as exc:
            sealed.use(None)
            await Tortoise.close_connections()
            raise CannotOpen(exc.key, **exc.values) from None
        except Exception as exc:
            sealed.use(None)
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
        connection = get_connection(connection_name(self.db_url))
        apps = fresh.apps_of(self.db_url, self._config["apps"])
        if apps is not None and not await fresh.empty(connection):
            apps = None  # migrated before: only its pending migrations are applied
        if apps is not None and (copied := await fresh.restore(connection, apps)) is not None:
            return copied
        executor, latest = self._migrations()
        plan = await executor.plan(latest)
        await executor.migrate(latest)
        applied = [f"{step.migration.app_label}.{step.migration.name}" for step in plan]
        if apps is not None:
            await fresh.keep(connection, apps, applied)
        return applied

    async def pending_migrations(self) -> list[str]:
        """Names of migrations not yet applied, in the order :meth:`migrate` applies them."""
        executor, latest = self._migrations()
        return [f"{s.migration.app_label}.{s.migration.name}" for s in await executor.plan(latest)]

    async def close(self) -> None:
        """Close the connections; sealed columns can no longer be read."""
        await Tortoise.close_connections()
        sealed.use(None)

    # -- checkpoints and outbox -------------------------------------------------
    # Calls from concurrent chats are gathered into one query or transaction
    # each (group commit), so a busy bot pays a few statements per batch
    # rather than per event.

    async def handled_among(self, events: Sequence[Event]) -> set[tuple[str, str]]:
        """Which of these events were handled before (network, event id): second deliveries."""
        return await self._seen([(e.network, e.event_id) for e in events])

    async def checkpoint(
        self,
        decided: Sequence[tuple[Event, Sequence[Action]]],
        trying: str | None = None,
        writes: Sequence[Writes | None] = (),
    ) -> list[list[str]]:
        """Record events as handled, make their writes and keep their actions in the outbox, atomically.

        ``writes`` are the events' database writes (one per event, or none),
        made only for an event not handled before.  Returns, per event, the
        outbox keys of its actions in order; none for an event handled before
        (a second delivery: nothing of it is kept).  Raises what storing an
        action raised (an action no database can store: a value that is not
        JSON) before writing anything, and what a write raised (then nothing of
        the whole call is written).  The events' tries are forgotten, and the
        tries under way ``trying`` (of :meth:`begin`) are over.  An action
        whose ``network`` is empty goes to its event's network.
        """
        items = [
            (
                e.network,
                e.event_id,
                [
                    (
                        f"{e.network}|{e.event_id}|{i}",
                        a.network or e.network,
                        _db_value(OutboxAction, "payload", to_record(a)),
                    )
                    for i, a in enumerate(actions)
                ],
                writes[index] if index < len(writes) else None,
            )
            for index, (e, actions) in enumerate(decided)
        ]
        handled = await self._checkpoints((items, trying))
        for network, event_id, _planned, _writes in items:
            self._tries.get(network, {}).pop(event_id, None)
        return [
            [key for key, _n, _p in planned] if new else []
            for (_n, _e, planned, _w), new in zip(items, handled, strict=True)
        ]

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

    async def _checkpoint_many(self, requests: list[_Request]) -> list[list[bool] | Exception]:
        try:
            handled = await self._write_checkpoints(
                [item for items, _trying in requests for item in items],
                [trying for _items, trying in requests if trying is not None],
            )
        except Exception:
            if len(requests) == 1:
                raise
            # A request of the batch cannot be written (a plugin's write fails, say): write
            # each alone, so that it fails alone.
            outcomes: list[list[bool] | Exception] = []
            for items, trying in requests:
                try:
                    outcomes.append(
                        await self._write_checkpoints(items, [trying] if trying else [])
                    )
                except Exception as exc:
                    outcomes.append(exc)
            return outcomes
        results: list[list[bool] | Exception] = []
        start = 0
        for items, _trying in requests:
            results.append(handled[start : start + len(items)])
            start += len(items)
        return results

    async def _write_checkpoints(self, items: list[_Checkpoint], trying: list[str]) -> list[bool]:
        """Write the checkpoints in one transaction; per item, whether it was new (not a repeat).

        The duplicate check is the insert itself (``ON CONFLICT DO NOTHING
        RETURNING``): one statement per thousand events, no look-up before it.
        """
        # Plain INSERTs: building a model object per event cost more than the write.
        now = datetime.now(UTC)
        handled_at = _db_value(HandledEvent, "handled_at", now)
        created_at = _db_value(OutboxAction, "created_at", now)
        async with in_transaction(connection_name(self.db_url)) as connection:
            new: set[tuple[str, str]] = set()
            for start in range(0, len(items), _ROWS):
                chunk = items[start : start + _ROWS]
                marks = iter(_marks(connection, 3 * len(chunk)))
                values = ", ".join(f"({next(marks)}, {next(marks)}, {next(marks)})" for _ in chunk)
                returned = await connection.execute_query_dict(
                    f'INSERT INTO "handled_event" ("network", "event_id", "handled_at") VALUES {values} '
                    'ON CONFLICT ("network", "event_id") DO NOTHING RETURNING "network", "event_id"',
                    [value for n, e, _p, _w in chunk for value in (n, e, handled_at)],
                )
                new.update((str(r["network"]), str(r["event_id"])) for r in returned)
            fresh = []
            for n, e, _p, _w in items:  # the same event twice in the batch: the first is new
                fresh.append((n, e) in new)
                new.discard((n, e))
            gathering = Gathering(connection)
            for (_n, _e, _p, writes), is_new in zip(items, fresh, strict=True):
                if is_new and writes:
                    await writes.write(gathering)
            await gathering.flush()
            if trying:
                await connection.execute_many(
                    'DELETE FROM "try_under_way" WHERE "key" = {}'.format(*_marks(connection, 1)),
                    [[key] for key in trying],
                )
            tried = [[n, e] for n, e, _p, _w in items if e in self._tries.get(n, {})]
            if tried:
                await connection.execute_many(
                    'DELETE FROM "event_try" WHERE "network" = {} AND "event_id" = {}'.format(
                        *_marks(connection, 2)
                    ),
                    tried,
                )
            rows = [
                [network, key, payload, created_at]
                for (_n, _e, planned, _w), is_new in zip(items, fresh, strict=True)
                if is_new
                for key, network, payload in planned
            ]
            if rows:
                await connection.execute_many(
                    _insert(
                        connection, "outbox_action", ("network", "key", "payload", "created_at")
                    ),
                    rows,
                )
        handled = self._handled_here
        for (network, event_id, _p, writes), is_new in zip(items, fresh, strict=True):
            handled[(network, event_id)] = None
            if is_new and writes is not None:
                writes.written()
        while len(handled) > _HANDLED_KEPT:
            del handled[next(iter(handled))]
        return fresh

    async def _performed_many(self, keys: list[str]) -> list[None]:
        connection = get_connection(connection_name(self.db_url))
        marks = ", ".join(_marks(connection, len(keys)))
        # Lost in a power cut, the actions are performed again, as after a crash before this.
        await inline_sqlite.lightly(connection).execute_query_lightly(
            f'DELETE FROM "outbox_action" WHERE "key" IN ({marks})', keys
        )
        return [None] * len(keys)

    # -- tries and dead letters ----------------------------------------------------

    async def begin(self, events: Sequence[Event]) -> tuple[list[int], str]:
        """Begin a try of these events (of one network), noting it in storage before it starts.

        Returns, per event, how many tries it had before (see
        :meth:`tries_so_far`), or -1 for a repeat of an earlier one of
        ``events``; and what names the try (for :meth:`checkpoint` or
        :meth:`tried` to end it).  An event this process checkpointed lately
        is -1 too; whether another was handled before (by an earlier run) is
        found by its checkpoint (see :meth:`checkpoint`), not looked up here.
        """
        network = events[0].network
        await self._load(network)
        tries = self._tries[network]
        key = next(self._try_keys)
        handled = self._handled_here
        ids = list(
            dict.fromkeys(e.event_id for e in events if (network, e.event_id) not in handled)
        )
        if ids:
            await self._begun((key, network, ids))
        before: list[int] = []
        seen: set[str] = set()
        for e in events:
            if e.event_id in seen or (network, e.event_id) in handled:
                before.append(-1)
            else:
                seen.add(e.event_id)
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
        listed = list(cut_short)
        for start in range(0, len(listed), 10 * _ROWS):  # those checkpointed during the try
            chunk = listed[start : start + 10 * _ROWS]
            done = HandledEvent.filter(network=network, event_id__in=chunk)
            for event_id in await done.values_list("event_id", flat=True):
                del cut_short[str(event_id)]
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

    async def _begin_many(self, requests: list[tuple[str, str, list[str]]]) -> list[None]:
        """Note the tries under way (one statement for the batch)."""
        started = _db_value(TryUnderWay, "started_at", datetime.now(UTC))
        connection = get_connection(connection_name(self.db_url))
        # Lost in a power cut, a try under way is not counted: the event is tried again anyway.
        await inline_sqlite.lightly(connection).execute_many_lightly(
            _insert(connection, "try_under_way", ("key", "network", "events", "started_at")),
            [
                [key, network, _db_value(TryUnderWay, "events", ids), started]
                for key, network, ids in requests
            ],
        )
        return [None] * len(requests)

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

    async def settle(
        self, letter: DeadLetter, actions: Sequence[Action], writes: Writes | None = None
    ) -> list[str]:
        """A dead letter handled again: drop it, make its writes and keep its actions in the
        outbox, atomically.

        Returns the actions' outbox keys; raises :class:`Settled` if it was
        replayed meanwhile (nothing is kept then).
        """
        planned = [
            (f"{letter.network}|{letter.event_id}|replay-{letter.id}|{i}", action)
            for i, action in enumerate(actions)
        ]
        async with in_transaction(connection_name(self.db_url)) as connection:
            if not await DeadLetter.filter(id=letter.id).using_db(connection).delete():
                raise Settled(letter.id)
            if writes:
                await writes.write(connection)
            for key, action in planned:
                await OutboxAction.create(
                    network=action.network or letter.network,
                    key=key,
                    payload=to_record(action),
                    using_db=connection,
                )
        if writes is not None:
            writes.written()
        return [key for key, _ in planned]

    async def write(self, writes: Writes) -> None:
        """Make ``writes`` now, in a transaction of their own (outside any event: start-up)."""
        async with in_transaction(connection_name(self.db_url)) as connection:
            await writes.write(connection)
        writes.written()

    # -- numbers ---------------------------------------------------------------------

    async def number(self, sequence: str) -> int:
        """The next number of ``sequence`` (records, cases…), taken now and never given again.

        Taken outside any checkpoint: a decision that is not kept leaves a gap.
        """
        connection = get_connection(connection_name(self.db_url))
        mark = _marks(connection, 1)[0]
        rows = await connection.execute_query_dict(
            f'INSERT INTO "number_sequence" ("name", "next") VALUES ({mark}, 2) '
            'ON CONFLICT ("name") DO UPDATE SET "next" = "number_sequence"."next" + 1 '
            'RETURNING "next"',
            [sequence],
        )
        return int(rows[0]["next"]) - 1

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

    async def bind(
        self,
        network: str,
        chat: str,
        group_id: str,
        bound_by: str,
        using: BaseDBAsyncClient | None = None,
    ) -> None:
        """Bind a chat to a group (replacing an earlier binding of that chat), on ``using``'s
        connection if given (a checkpoint's)."""
        await ChatBinding.update_or_create(
            network=network,
            chat=chat,
            defaults={"group_id": group_id, "bound_by": stored_person(bound_by)},
            using_db=using,
        )

    # -- records and audit -----------------------------------------------------------

    async def add_record(
        self,
        writes: Writes,
        form_id: str,
        person: str,
        group_id: str | None,
        data: dict[str, Any],
        at: datetime,
    ) -> Record:
        """Note on ``writes`` the storing of a form filled at ``at`` (the bot's clock), numbered
        now (``ctx.audit`` it)."""
        record = Record(
            id=await self.number("record"),
            form_id=form_id,
            person=stored_person(person),
            group_id=group_id,
            data=data,
            created_at=at,
        )
        writes.add(record)
        return record

    async def record(self, record_id: int | None) -> Record | None:
        """The record with this id, if there is one."""
        return await Record.get_or_none(id=record_id) if record_id is not None else None

    async def audit(self, actor: str, action: str, subject: str, detail: str, at: datetime) -> None:
        """Append an audit entry now: ``actor`` did ``action`` on ``subject`` at ``at``.

        Outside events only (while one is handled, ``ctx.audit`` stages it); see
        :mod:`sanshe.core.audit`.  Raises ``ValueError`` for a subject of no known kind.
        """
        async with in_transaction(connection_name(self.db_url)) as connection:
            await audit_log.append(connection, actor, action, subject, detail, at)

    async def audit_log(self, subject: str | None = None, limit: int = 20) -> list[AuditEntry]:
        """The latest ``limit`` audit entries, newest first: all, or those on ``subject``.

        A ``person:<id>`` subject is looked up by the person's pseudonym (none: no entries).
        """
        return await audit_log.recent(get_connection(connection_name(self.db_url)), subject, limit)

    async def people_named(self, pseudonyms: Iterable[str]) -> dict[str, str]:
        """The people these pseudonyms of the audit log still name: pseudonym -> person id."""
        connection = get_connection(connection_name(self.db_url))
        return await audit_log.people_named(connection, pseudonyms)

    async def forget(self, person: str) -> bool:
        """Delete ``person``'s pseudonym: the audit log keeps their entries, naming nobody.

        Whether they had one.  (``sanshe person erase`` calls this.)
        """
        return await audit_log.forget(get_connection(connection_name(self.db_url)), person)
