"""Shared fixtures: the example community, sandboxes, a fresh PostgreSQL database."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import textwrap
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sanshe.core.storage.sealed import key_text, new_key
from sanshe.testing import ManualClock, Sandbox

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "community.yaml"
pytest_plugins = ["tests.synapse.fixtures"]

PG_ADMIN = os.environ.get("SANSHE_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")

# One key seals every database the tests open (PostgreSQL's too), in-process and in the
# ``sanshe`` commands they run; a test of keys sets its own.
os.environ.setdefault("SANSHE_KEY", key_text(new_key()))


#: 13:00 in Shanghai, a Wednesday: none of the example's own timers (the 20:00 health report,
#: the roster's shortage notices at 12:00, 18:00 and midnight) is due in the next hours.
QUIET = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)


@pytest.fixture
def manual_clock() -> ManualClock:
    """The ``sandbox`` and ``make_sandbox`` fixtures' clock, at :data:`QUIET` whatever the real
    time: a test that moves it never meets a timer of the example it did not ask for."""
    return ManualClock(QUIET)


class QuietClock(ManualClock):
    """A manual clock that, given no start, stands at :data:`QUIET` instead of the real time."""

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__(start or QUIET)


@pytest.fixture(autouse=True)
def _sandboxes_start_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Sandbox made without a clock gets a :class:`QuietClock`: what a test sees never depends
    on the hour the suite runs at."""
    monkeypatch.setattr("sanshe.testing.sandbox.ManualClock", QuietClock)


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """Put back what a ``sanshe`` command run in-process set (core/cli.py's
    ``configure_logging``: the sanshe logger at warning, the SQL logger's level and filter), so
    that a later test's ``caplog`` still reads every level.  (Its ``basicConfig`` leaves the
    root alone under pytest, whose handlers are already there.)"""
    saved = [
        (logger, logger.level, list(logger.filters))
        for logger in map(logging.getLogger, ("sanshe", "tortoise.db_client"))
    ]
    yield
    for logger, level, filters in saved:
        logger.setLevel(level)
        logger.filters[:] = filters


@pytest.fixture
def example() -> Path:
    """The example community file."""
    return EXAMPLE


@pytest.fixture
def community(sandbox: Sandbox) -> Sandbox:
    """The example community on an in-memory database: sanshe.testing's ``sandbox`` fixture."""
    return sandbox


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database on the local server, dropped afterwards.

    The test command starts the server; if it is not reachable the test fails.
    """
    name = f"sanshe_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    yield f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database of each backend in turn: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/db.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


def example_text() -> str:
    """The example community's YAML with its forms by absolute path, to be written anywhere."""
    return EXAMPLE.read_text(encoding="utf-8").replace(
        "forms/*.yaml", str(EXAMPLE.parent / "forms" / "*.yaml")
    )


def install_plugin(tmp_path: Path, name: str, module: str, source: str) -> Path:
    """Write ``module.py`` and a distribution declaring it as plugin ``name``; return the folder
    to put on ``sys.path`` (or ``PYTHONPATH``) for the plugin to be found by its entry point."""
    folder = tmp_path / f"site-{name}"
    folder.mkdir()
    (folder / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = folder / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(f"[sanshe]\n{name} = {module}\n", encoding="utf-8")
    return folder


def write_community(tmp_path: Path, text: str, name: str = "community.yaml") -> Path:
    """Write a community file for a test and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def sanshe(*args: str) -> tuple[int, str, str]:
    """``sanshe <args>`` as an operator runs it, beside the running bot; its code and output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sanshe.core.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "SANSHE_LANG": "en"},
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
