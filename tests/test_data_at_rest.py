"""Personal data at rest: what a console ``sanshe run`` stores is sealed with the deployment's key.

A person fills a form with a phone number, an ID number and a temperature; the
raw bytes of the SQLite file (its free pages included), its WAL and journal hold
none of them, while the bot runs and after it is killed.  The key is a file the
first run creates beside the database; a run without it, or with another key,
stops at start with a sentence and exit 1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sanshe.core.storage.sealed import key_text, new_key

PHONE = "13812345678"
ID_NUMBER = "440305198706152839"
TEMPERATURE = "38.6"
COMMUNITY = """\
community: {id: c, name: Test, locale: en}
people:
  - {id: zhang, name: Zhang, handles: {console: zhang}, roles: [resident]}
forms:
  - id: health
    title: Health check
    fields:
      - {id: phone, type: phone, label: Phone, sensitive: true}
      - {id: id_number, type: id_number, label: ID number, sensitive: true}
      - {id: temp, type: temperature, label: Temperature}
"""
LINES = ["zhang@dm: /form health", *(f"zhang@dm: {v}" for v in (PHONE, ID_NUMBER, TEMPERATURE))]


def _env(**extra: str) -> dict[str, str]:
    """The environment of a deployment that gives no key: the tests' own is left out."""
    base = {k: v for k, v in os.environ.items() if k not in ("SANSHE_KEY", "SANSHE_KEY_FILE")}
    return {**base, "SANSHE_LANG": "en", **extra}


def _run(tmp_path: Path, lines: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "community.yaml"
    config.write_text(COMMUNITY, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", "run", "--config", str(config)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(SANSHE_DB_URL=f"sqlite://{tmp_path}/data/sanshe.sqlite3", **env),
    )


def _leaks(folder: Path) -> dict[str, list[str]]:
    """Per database file in ``folder`` (the key file aside), which of the answers its bytes hold."""
    needles = {
        value: [value.encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be")]
        for value in (PHONE, ID_NUMBER, TEMPERATURE, "3.86e1")
    }
    found: dict[str, list[str]] = {}
    for file in sorted(folder.iterdir()):
        if file.suffix == ".key":
            continue
        data = file.read_bytes()
        found[file.name] = [v for v, forms in needles.items() if any(f in data for f in forms)]
    return found


def test_a_filled_form_leaves_no_answer_in_the_database_files(tmp_path: Path) -> None:
    config = tmp_path / "community.yaml"
    config.write_text(COMMUNITY, encoding="utf-8")
    folder = tmp_path / "data"
    process = subprocess.Popen(
        [sys.executable, "-m", "sanshe.core.cli", "run", "--config", str(config)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(SANSHE_DB_URL=f"sqlite://{folder}/sanshe.sqlite3"),
    )
    assert process.stdin and process.stdout and process.stderr
    try:
        for line in LINES:
            process.stdin.write(line + "\n")
            process.stdin.flush()
            said = process.stdout.readline()
        # The person is shown what was saved (masked); the database files hold none of it.
        assert said.startswith("dm zhang: Thank you. “Health check” is saved"), said
        assert f"Temperature: {TEMPERATURE}" in said
        while_running = _leaks(folder)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert "sanshe.sqlite3-wal" in while_running  # the WAL was written, and read
    assert while_running == dict.fromkeys(while_running, []), while_running
    after_kill = _leaks(folder)
    assert after_kill == dict.fromkeys(after_kill, []), after_kill
    key = folder / "sanshe.sqlite3.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert f"created the key that seals personal data in the database: {key}" in (
        process.stderr.read()
    )

    # The next run reads the record with that key: the form is shown as filled once.
    again = _run(tmp_path, ["zhang@dm: /form health", "zhang@dm: /cancel"])
    assert again.returncode == 0, again.stderr
    assert "created the key" not in again.stderr


def test_a_missing_key_stops_the_start_with_a_sentence(tmp_path: Path) -> None:
    first = _run(tmp_path, LINES)
    assert first.returncode == 0, first.stderr
    key = tmp_path / "data" / "sanshe.sqlite3.key"
    key.unlink()
    result = _run(tmp_path, LINES)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        f"The database is sealed with a key, and the key is missing ({key}): put back the key "
        "file, or give the key in $SANSHE_KEY. Without it the personal data in the database "
        "cannot be read; Sanshe does not start without it."
    )
    assert not key.exists()  # no other key is made for a sealed database


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "The key $SANSHE_KEY is not the one this database is sealed with"),
        ("zh_CN", "密钥 $SANSHE_KEY 不是这个数据库加密时所用的密钥"),
    ],
)
def test_a_wrong_key_stops_the_start_with_a_sentence(
    tmp_path: Path, lang: str, sentence: str
) -> None:
    first = _run(tmp_path, LINES)
    assert first.returncode == 0, first.stderr
    result = _run(tmp_path, LINES, SANSHE_KEY=key_text(new_key()), SANSHE_LANG=lang)
    assert result.returncode == 1
    assert result.stdout == ""
    assert sentence in result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr


def test_a_key_that_is_not_one_is_named(tmp_path: Path) -> None:
    result = _run(tmp_path, LINES, SANSHE_KEY="secret")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "The key in $SANSHE_KEY is not a key: it must be 32 random bytes in URL-safe base64 "
        "(44 characters)."
    )
    assert result.stdout == ""


def test_the_yaml_names_the_key_file_beside_the_community_file(tmp_path: Path) -> None:
    config = tmp_path / "community.yaml"
    text = COMMUNITY + "storage: {key_file: secrets/sanshe.key}\n"
    config.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", "migrate", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(SANSHE_DB_URL=f"sqlite://{tmp_path}/db/sanshe.sqlite3"),
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secrets" / "sanshe.key").stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / "db" / "sanshe.sqlite3.key").exists()
