"""tortoise-orm's SQLite client with its statements run where they are awaited, not in a thread.

aiosqlite, tortoise's driver, hands every statement to a thread of its own and
wakes the event loop when it is done: a round trip per ``BEGIN``, ``INSERT``,
``COMMIT``…, which cost a handled console line more than its statements.  A
SQLite file answers a statement in microseconds, so here it runs on the
event loop's thread, under the same locks tortoise's client takes; only a
commit's wait for the disk holds the loop.

A statement the database refuses at once because another process (``sanshe
dead-letters``, say) is writing is tried again in a thread, waiting for the
database as long as aiosqlite would (five seconds), so that the loop does
not wait.  This module's name holds ``sqlite``: tortoise's migrations pick
the SQLite schema editor by the client's module.

A write made :func:`lightly` does not wait for the disk either (``PRAGMA
synchronous = NORMAL`` for it): it survives a crash of the process, and a
power cut once the next durable commit is written (the WAL file is synced
whole).  Storage writes so what a power cut may lose at no cost to exactly-once:
that a try is under way, that an action was performed (it is performed again).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.sqlite.client import SqliteClient, translate_exceptions

T = TypeVar("T")

#: Milliseconds a statement tried again in a thread waits for another process's write.
WAIT_FOR_OTHERS = 5000


class Cursor:
    """What ``execute`` returns: the rows are read already."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def close(self) -> None:
        self._cursor.close()


class Connection:
    """The part of ``aiosqlite.Connection`` tortoise's SQLite client uses, run in the caller."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection

    @property
    def total_changes(self) -> int:
        return self._conn.total_changes

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` now; in a thread, waiting for the database, if another process writes."""
        try:
            return call(*args)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
        return await asyncio.to_thread(self._waiting, call, *args)

    def _waiting(self, call: Callable[..., T], *args: Any) -> T:
        self._conn.execute(f"PRAGMA busy_timeout = {WAIT_FOR_OTHERS}")
        try:
            return call(*args)
        finally:
            self._conn.execute("PRAGMA busy_timeout = 0")

    async def execute(self, sql: str, parameters: Any = None) -> Cursor:
        return Cursor(await self._run(self._conn.execute, sql, parameters or []))

    async def execute_insert(self, sql: str, parameters: Any = None) -> Any:
        return await self._run(self._insert, sql, parameters or [])

    def _insert(self, sql: str, parameters: Any) -> Any:
        cursor = self._conn.execute(sql, parameters)
        return cursor.execute("SELECT last_insert_rowid()").fetchone()

    async def execute_fetchall(self, sql: str, parameters: Any = None) -> list[Any]:
        return await self._run(self._fetchall, sql, parameters or [])

    def _fetchall(self, sql: str, parameters: Any) -> list[Any]:
        return self._conn.execute(sql, parameters).fetchall()

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Cursor:
        return Cursor(await self._run(self._conn.executemany, sql, parameters))

    async def executescript(self, script: str) -> Cursor:
        return Cursor(await self._run(self._conn.executescript, script))

    @contextlib.contextmanager
    def without_waiting_for_the_disk(self) -> Iterator[None]:
        """Commits in the block are not synced to the disk (``synchronous = NORMAL``)."""
        (before,) = self._conn.execute("PRAGMA synchronous").fetchone()
        self._conn.execute("PRAGMA synchronous = NORMAL")
        try:
            yield
        finally:
            self._conn.execute(f"PRAGMA synchronous = {int(before)}")

    async def create_function(
        self, name: str, num_params: int, func: Callable[..., Any], deterministic: bool = False
    ) -> None:
        self._conn.create_function(name, num_params, func, deterministic=deterministic)

    async def commit(self) -> None:
        await self._run(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()


class InlineSqliteClient(SqliteClient):
    """tortoise's SQLite client on a :class:`Connection`: the same statements, pragmas and locks."""

    async def create_connection(self, with_db: bool) -> None:
        if self._connection:
            return
        # isolation_level None: tortoise says BEGIN itself; timeout 0: see Connection._run.
        connection = sqlite3.connect(
            self.filename, isolation_level=None, timeout=0, check_same_thread=False
        )
        connection.row_factory = sqlite3.Row
        made = Connection(connection)
        for pragma, value in self.pragmas.items():
            await made.execute(f"PRAGMA {pragma}={value}")
        self._connection = made  # type: ignore[assignment]
        await self._post_connect()

    @translate_exceptions
    async def execute_many_lightly(self, query: str, values: list[list[Any]]) -> None:
        """``execute_many``, its transaction not waiting for the disk."""
        async with self.acquire_connection() as connection:
            with connection.without_waiting_for_the_disk():
                await connection.execute("BEGIN")
                try:
                    await connection.executemany(query, values)
                except Exception:
                    await connection.rollback()
                    raise
                await connection.commit()

    @translate_exceptions
    async def execute_query_lightly(self, query: str, values: list[Any]) -> None:
        """``execute_query`` of a write, not waiting for the disk."""
        async with self.acquire_connection() as connection:
            with connection.without_waiting_for_the_disk():
                await connection.execute(query, values)


class _Durable:
    """Another database's client, its writes made as it makes them."""

    def __init__(self, client: BaseDBAsyncClient) -> None:
        self._client = client

    async def execute_many_lightly(self, query: str, values: list[list[Any]]) -> None:
        await self._client.execute_many(query, values)

    async def execute_query_lightly(self, query: str, values: list[Any]) -> None:
        await self._client.execute_query(query, values)


def lightly(client: BaseDBAsyncClient) -> InlineSqliteClient | _Durable:
    """``client``, to make a write that may be lost in a power cut (see the module's docstring):
    on SQLite, without waiting for the disk; on another database, as any write."""
    return client if isinstance(client, InlineSqliteClient) else _Durable(client)


client_class = InlineSqliteClient
"""What tortoise takes from an ``engine`` module."""


def connection(db_url: str) -> dict[str, Any]:
    """tortoise's settings for the SQLite database at ``db_url`` (its pragmas as the URL gives
    them), on :class:`InlineSqliteClient`."""
    settings = expand_db_url(db_url)
    settings["engine"] = __name__
    return settings
