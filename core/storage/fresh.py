"""A fresh in-memory SQLite database gets a copy of the first one this process migrated.

tortoise's migration executor renders every model's state again for each
migration: about 0.2 s for core's and the built-in plugins' tables, paid
again by each test kit sandbox and benchmark on ``sqlite://:memory:``.  The
copy is what the migrations left, taken right after them: every table, index
and row (their history included), so the copy is that database.  Files and
PostgreSQL are always migrated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

Apps = tuple[tuple[str, str, tuple[str, ...]], ...]
"""Each app's label, migrations package and model modules: what the copy is of."""


@dataclass(frozen=True, slots=True)
class Migrated:
    """An in-memory database just after its migrations: its statements and rows."""

    schema: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...], tuple[tuple[Any, ...], ...]], ...]
    applied: tuple[str, ...]


_COPIES: dict[Apps, Migrated] = {}


def apps_of(db_url: str, apps: Mapping[str, Mapping[str, Any]]) -> Apps | None:
    """What a copy for ``apps`` is kept under; None for a database that is not in memory."""
    if not db_url.startswith("sqlite://") or ":memory:" not in db_url:
        return None
    return tuple(
        (label, str(app["migrations"]), tuple(str(m) for m in app["models"]))
        for label, app in apps.items()
    )


async def empty(connection: BaseDBAsyncClient) -> bool:
    """Whether the database of ``connection`` has no table yet."""
    _count, rows = await connection.execute_query("SELECT count(*) FROM sqlite_master")
    return int(rows[0][0]) == 0


async def restore(connection: BaseDBAsyncClient, apps: Apps) -> list[str] | None:
    """Make the empty database of ``connection`` the copy for ``apps`` and return the names of
    the migrations it holds; None when there is no copy yet."""
    copy = _COPIES.get(apps)
    if copy is None:
        return None
    await connection.execute_script(";\n".join(copy.schema))
    for table, columns, rows in copy.rows:
        if table == "sqlite_sequence":  # kept last: the inserts above have counted already
            await connection.execute_script("DELETE FROM sqlite_sequence")
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        await connection.execute_many(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [list(r) for r in rows]
        )
    return list(copy.applied)


async def keep(connection: BaseDBAsyncClient, apps: Apps, applied: list[str]) -> None:
    """Keep a copy of the database of ``connection``, migrated from empty by ``applied``, for
    ``apps``."""
    _count, found = await connection.execute_query(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
    )
    schema = tuple(str(sql) for _type, name, sql in found if not str(name).startswith("sqlite_"))
    rows = []
    tables = [str(name) for kind, name, _sql in found if kind == "table"]
    for table in sorted(tables, key=lambda name: name == "sqlite_sequence"):
        _count, content = await connection.execute_query(f'SELECT * FROM "{table}"')
        if content:
            rows.append((str(table), tuple(content[0].keys()), tuple(tuple(r) for r in content)))
    _COPIES[apps] = Migrated(schema, tuple(rows), tuple(applied))
