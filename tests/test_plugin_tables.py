"""A plugin's own tables: ``sanshe migrate`` applies its migrations after core's, on SQLite and
PostgreSQL; the sandbox creates them; a table named as core's is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tortoise.connection import get_connection
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from sanshe.core.plugins import BUILTINS, plugin_name
from sanshe.core.storage import CannotOpen, Storage, connection_name
from sanshe.core.storage.tables import Tables
from sanshe.testing import Sandbox
from tests import sample_tables
from tests.adapters.test_console import sanshe
from tests.conftest import EXAMPLE, ROOT
from tests.sample_tables.models import Note

SHIPPED = sorted((ROOT / "core" / "storage" / "migrations").glob("[0-9][0-9][0-9][0-9]_*.py"))
CORE_APPLIED = [f"applied sanshe.{m.stem}" for m in SHIPPED]
TABLES = {"sample_tables": sample_tables.sanshe_tables()}


def install_sample_tables(
    tmp_path: Path, name: str = "sample_tables", module: str = "tests.sample_tables"
) -> dict[str, str]:
    """Install ``module`` (of this checkout) as plugin ``name``; the environment that finds it."""
    site = tmp_path / f"site-{name}"
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(f"[sanshe]\n{name} = {module}\n", encoding="utf-8")
    path = [str(site), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {"PYTHONPATH": os.pathsep.join(path), "SANSHE_LANG": "en"}


def migrate(db_url: str, env: dict[str, str]) -> list[str]:
    """``sanshe migrate`` on ``db_url`` with the example community; its lines, but those of
    the built-in plugins' own tables (core's and the installed plugin's are looked at)."""
    result = sanshe("migrate", "--config", str(EXAMPLE), "--db", db_url, env=env)
    assert result.returncode == 0, result.stderr
    built_in = tuple(f"applied {plugin_name(module)}." for module in BUILTINS)
    return [line for line in result.stdout.splitlines() if not line.startswith(built_in)]


async def columns(db_url: str, table: str) -> set[str]:
    """The columns of ``table``, as the database's own catalogue lists them."""
    connection = get_connection(connection_name(db_url))
    if connection.capabilities.dialect == "postgres":
        _count, rows = await connection.execute_query(
            "SELECT column_name AS name FROM information_schema.columns WHERE table_name = $1",
            [table],
        )
    else:
        _count, rows = await connection.execute_query(f'PRAGMA table_info("{table}")')
    return {str(row["name"]) for row in rows}


async def test_sanshe_migrate_applies_a_plugins_two_migrations(db_url: str, tmp_path: Path) -> None:
    env = install_sample_tables(tmp_path)
    assert migrate(db_url, env) == [
        *CORE_APPLIED,
        "applied sample_tables.0001_initial",
        "applied sample_tables.0002_add_urgent",
    ]
    storage = Storage(db_url, TABLES)
    assert await storage.open() == []
    try:
        assert await columns(db_url, "sample_tables_note") == {"id", "text", "urgent"}
        written = await Note.create(text="water station, 3rd floor", urgent=True)
        read = await Note.get(id=written.id)
        assert (read.text, read.urgent) == ("water station, 3rd floor", True)
    finally:
        await storage.close()
    assert migrate(db_url, env) == ["The database is up to date."]


async def test_an_upgrade_adds_the_column_and_keeps_the_notes(db_url: str, tmp_path: Path) -> None:
    """A database where the plugin's first migration only ran, with a note: the second adds
    ``urgent``, false for it."""
    old = Storage(db_url, TABLES)
    await old.open(migrate=False)
    connection = get_connection(connection_name(db_url))
    executor = MigrationExecutor(connection, old._config["apps"])
    await executor.migrate(
        [MigrationTarget("sanshe", "__latest__"), MigrationTarget("sample_tables", "0001_initial")]
    )
    assert await old.pending_migrations() == ["sample_tables.0002_add_urgent"]
    await connection.execute_script(
        'INSERT INTO "sample_tables_note" ("text") VALUES (\'bring insulin to 2-301\')'
    )
    await old.close()
    env = install_sample_tables(tmp_path)
    assert migrate(db_url, env) == ["applied sample_tables.0002_add_urgent"]
    storage = Storage(db_url, TABLES)
    await storage.open()
    try:
        [kept] = await Note.all()
        assert (kept.text, kept.urgent) == ("bring insulin to 2-301", False)
    finally:
        await storage.close()


async def test_a_sandbox_creates_the_plugins_tables() -> None:
    async with Sandbox(plugins=[sample_tables]) as s:
        assert await s.storage.pending_migrations() == []
        await Note.create(text="shift swap: Li takes Sunday")
        assert [n.text for n in await Note.all()] == ["shift swap: Li takes Sunday"]


def test_a_plugin_table_named_as_cores_is_refused(tmp_path: Path) -> None:
    env = install_sample_tables(tmp_path, "clashing", "tests.sample_tables.clashing")
    result = sanshe(
        "migrate", "--config", str(EXAMPLE), "--db", f"sqlite://{tmp_path}/c.sqlite3", env=env
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "The plugin “clashing” declares the table “record”, which is one of Sanshe's own: "
        "a plugin's tables are named after it (clashing_…)."
    )


async def test_a_sandbox_refuses_a_plugin_table_named_as_cores() -> None:
    from tests.sample_tables import clashing

    with pytest.raises(CannotOpen) as refused:
        await Sandbox(plugins=[clashing]).start()
    assert refused.value.key == "storage.table_of_core"
    assert refused.value.values == {
        "plugin": "tests.sample_tables.clashing",
        "table": "record",
        "label": "clashing",
    }


def test_an_app_two_plugins_name_or_cores_is_refused() -> None:
    tables = sample_tables.sanshe_tables()
    with pytest.raises(CannotOpen) as refused:
        Storage("sqlite://:memory:", {"sample_tables": tables, "notes": tables})
    assert (refused.value.key, refused.value.values) == (
        "storage.tables_label_clash",
        {"plugin": "notes", "other": "sample_tables", "label": "sample_tables"},
    )
    with pytest.raises(CannotOpen) as refused:
        Storage(
            "sqlite://:memory:", {"notes": Tables("sanshe", "notes.models", "notes.migrations")}
        )
    assert refused.value.key == "storage.tables_label_core"


@pytest.mark.parametrize("app", ["my-notes", "notes.v2", "_migrations", "", "笔记"])
def test_an_app_is_named_in_letters_digits_and_underscores(app: str) -> None:
    with pytest.raises(ValueError, match="name the app as the plugin"):
        Tables(app, "notes.models", "notes.migrations")


async def _contents(
    storage: Storage,
) -> tuple[list[tuple[str, ...]], dict[str, list[tuple[str, ...]]]]:
    """Every statement of the schema and every row of every table, as text."""
    connection = get_connection(connection_name(storage.db_url))
    _n, schema = await connection.execute_query(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    )
    rows = {}
    for kind, name, _table, _sql in schema:
        if kind == "table":
            _n, found = await connection.execute_query(f'SELECT * FROM "{name}"')
            rows[name] = sorted(tuple(str(v) for v in row) for row in found)
    return [tuple(str(v) for v in row) for row in schema], rows


async def test_a_fresh_database_in_memory_is_a_copy_of_one_migrated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The test kit's databases in memory are copied from the first one migrated in the process
    (tortoise's migrations take 0.2 s each time): the copy has every table, index and row of a
    migrated one, the plugins' included, and says the same migrations were applied."""
    from sanshe.core.storage import fresh

    monkeypatch.setattr(fresh, "_COPIES", {})
    seen = []
    for _ in range(2):
        storage = Storage("sqlite://:memory:", TABLES)
        applied = await storage.open()
        seen.append((applied, await _contents(storage)))
        assert await storage.pending_migrations() == []
        await storage.close()
    (migrated, by_migrations), (copied, by_copy) = seen
    assert fresh._COPIES and copied == migrated and "sample_tables.0002_add_urgent" in copied
    assert by_copy == by_migrations
    assert any(name == "sample_tables_note" for _kind, name, *_ in by_copy[0])
