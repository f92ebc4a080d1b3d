"""Nothing a person typed reaches the log: a real `sanshe run` at its most verbose, SQL included.

The volunteer registration form is filled with sentinel values (a valid ID
number, a phone, names and free texts); the log (standard error) must show
the SQL statements and none of the sentinels, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sanshe.core.storage.sealed import Seal, key_of
from tests.conftest import EXAMPLE, install_plugin

ID_NUMBER = "11010519491231002X"
PHONE = "13987654321"
#: The answers, in the form's order; every free text is a sentinel of its own.
ANSWERS = [
    ("name", "Qzsentname"),
    ("gender", "1"),
    ("political_status", "/skip"),
    ("id_number", ID_NUMBER),
    ("years_of_work", "7"),
    ("school", "Qzsentschool"),
    ("major_degree", "Qzsentmajor"),
    ("skills", "Qzsentskills"),
    ("region", "Qzsentregion"),
    ("phone", PHONE),
    ("handle", "Qzsenthandle"),
    ("employer", "Qzsentemployer"),
    ("experience", "Qzsentexperience"),
    ("qualifications", "Qzsentqualifications"),
    ("available_hours", "Qzsenthours"),
    ("roles", "1,3"),
]
SENTINELS = [
    ID_NUMBER,
    ID_NUMBER.lower(),
    PHONE,
    "3987654321",
    *(a for _, a in ANSWERS if a.startswith("Qz")),
]


def _fill_the_form(db_url: str) -> subprocess.CompletedProcess[str]:
    lines = ["maria@volunteers: /form volunteer_registration"]
    lines += [f"maria@dm: {answer}" for _, answer in ANSWERS]
    return subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", "-v", "-v", "-v", "run"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SANSHE_CONFIG": str(EXAMPLE), "SANSHE_DB_URL": db_url},
    )


def _check(result: subprocess.CompletedProcess[str], stored: dict[str, object]) -> None:
    assert result.returncode == 0, result.stderr[-3000:]
    assert any("谢谢！“志愿者信息登记表”已保存" in line for line in result.stdout.splitlines())
    assert (stored["id_number"], stored["phone"], stored["school"]) == (
        ID_NUMBER,
        PHONE,
        "Qzsentschool",
    ), "the form was stored"
    log = result.stderr
    assert "INSERT INTO" in log and "DEBUG" in log, "SQL logging was on"
    found = [s for s in SENTINELS if s in log]
    leaking = [line for line in log.splitlines() if any(s in line for s in found)]
    assert not found, leaking[:5]


def _opened(sealed: bytes | None) -> dict[str, object]:
    """A record's answers, sealed with the tests' deployment key (``SANSHE_KEY``)."""
    if sealed is None:
        return {}
    opened: dict[str, object] = json.loads(
        Seal(key_of(os.environ["SANSHE_KEY"], "key")).open(bytes(sealed))
    )
    return opened


def test_nothing_typed_is_logged_on_sqlite(tmp_path: Path) -> None:
    result = _fill_the_form(f"sqlite://{tmp_path}/log.sqlite3")
    with sqlite3.connect(tmp_path / "log.sqlite3") as db:
        rows = db.execute("select data from record").fetchall()
    _check(result, _opened(rows[0][0] if rows else None))


def test_nothing_typed_is_logged_on_postgres(postgres_url: str) -> None:
    import asyncpg

    result = _fill_the_form(postgres_url)

    async def stored() -> dict[str, object]:
        connection = await asyncpg.connect(postgres_url)
        try:
            data = await connection.fetchval("select data from record")
        finally:
            await connection.close()
        return _opened(data)

    _check(result, asyncio.run(stored()))


def test_debug_without_sql_logs_no_sql(tmp_path: Path) -> None:
    """SQL statements are logged at the most verbose level only (-v -v is below it)."""
    result = subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", "-v", "-v", "run"],
        input="maria@building-1: /start\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "SANSHE_CONFIG": str(EXAMPLE),
            "SANSHE_DB_URL": f"sqlite://{tmp_path}/v.sqlite3",
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "INSERT INTO" not in result.stderr and "SELECT" not in result.stderr


SLOPPY = """
from datetime import datetime

from sanshe.core.hookspecs import hookimpl


@hookimpl
def sanshe_message(context):
    datetime.strptime(context.event.text, "%Y-%m-%d")  # its ValueError quotes the text
"""


def test_a_plugin_failing_on_a_message_logs_no_text_of_it(tmp_path: Path) -> None:
    """A plugin's exception may quote what was typed; its traceback is logged without it."""
    site = install_plugin(tmp_path, "sloppy", "sloppy", SLOPPY)
    result = subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", "-v", "-v", "-v", "run"],
        input=f"maria@dm: {PHONE}\nmaria@dm: Qzsentname\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "PYTHONPATH": str(site),
            "SANSHE_CONFIG": str(EXAMPLE),
            "SANSHE_DB_URL": f"sqlite://{tmp_path}/p.sqlite3",
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stderr
    assert log.count("plugin 'sloppy' failed in sanshe_message") == 2, log[-3000:]
    assert "ValueError" in log and "datetime.strptime(context.event.text" in log, (
        "the traceback is kept"
    )
    assert [s for s in (PHONE, "3987654321", "Qzsentname") if s in log] == [], log[-2000:]
