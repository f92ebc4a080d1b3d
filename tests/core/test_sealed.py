"""Sealed columns on real databases: what is stored is ciphertext, read back with the key only."""

from __future__ import annotations

from pathlib import Path

import pytest
from tortoise.connection import get_connection
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from sanshe.core.storage import CannotOpen, Storage, connection_name
from sanshe.core.storage.models import DeadLetter, OutboxAction, Record
from sanshe.core.storage.sealed import VERSION, KeySource, Seal, Unsealable, new_key

PHONE = "13812345678"


def test_a_sealed_value_opens_with_its_key_only() -> None:
    seal, other = Seal(new_key()), Seal(new_key())
    sealed = seal.seal(PHONE.encode())
    assert sealed[:1] == VERSION and PHONE.encode() not in sealed
    assert seal.open(sealed) == PHONE.encode()
    assert seal.seal(PHONE.encode()) != sealed  # a fresh nonce each time
    with pytest.raises(Unsealable):
        other.open(sealed)
    with pytest.raises(Unsealable):
        seal.open(sealed[:-1] + bytes([sealed[-1] ^ 1]))
    with pytest.raises(Unsealable):
        seal.open(b'{"phone": "13812345678"}')


async def _raw(db_url: str, table: str, column: str) -> list[bytes]:
    connection = get_connection(connection_name(db_url))
    _count, rows = await connection.execute_query(f'SELECT "{column}" FROM "{table}"')
    return [bytes(row[column]) for row in rows]


async def test_a_record_is_stored_sealed_and_read_back(db_url: str) -> None:
    key = KeySource(key=new_key())
    storage = Storage(db_url, key=key)
    await storage.open()
    try:
        record = await Record.create(form_id="intake", person="console:ann", data={"phone": PHONE})
        [stored] = await _raw(db_url, "record", "data")
        assert stored[:1] == VERSION and PHONE.encode() not in stored
    finally:
        await storage.close()
    again = Storage(db_url, key=key)
    await again.open()
    try:
        read = await again.record(record.id)
        assert read is not None and read.data == {"phone": PHONE}
    finally:
        await again.close()


async def test_another_key_or_none_is_refused_at_open(db_url: str) -> None:
    storage = Storage(db_url, key=KeySource(key=new_key()))
    await storage.open()
    await storage.close()
    with pytest.raises(CannotOpen) as wrong:
        await Storage(db_url, key=KeySource(key=new_key())).open()
    assert wrong.value.key == "storage.key_wrong"
    with pytest.raises(CannotOpen) as missing:
        await Storage(db_url, key=KeySource()).open()
    assert missing.value.key == "storage.key_missing"


async def test_postgresql_without_a_key_is_refused(postgres_url: str, monkeypatch) -> None:
    monkeypatch.delenv("SANSHE_KEY")
    with pytest.raises(CannotOpen) as refused:
        await Storage(postgres_url).open()
    assert refused.value.key == "storage.key_needed"


async def test_an_older_database_is_sealed_by_its_upgrade(db_url: str, tmp_path: Path) -> None:
    """Outbox actions and dead letters kept in plaintext by 0003 are sealed by 0004, and read."""
    key = KeySource(key=new_key())
    old = Storage(db_url, key=key)
    await old.open(migrate=False)
    connection = get_connection(connection_name(db_url))
    executor = MigrationExecutor(connection, old._config["apps"])
    await executor.migrate([MigrationTarget("sanshe", "0003_dead_letters")])
    await connection.execute_script(
        'INSERT INTO "outbox_action" ("network", "key", "payload", "created_at") VALUES '
        '(\'console\', \'console|1|0\', \'{"kind":"Send","text":"13812345678"}\', '
        "'2026-01-01 00:00:00+00:00');"
        'INSERT INTO "dead_letter" ("network", "event_id", "chat", "kind", "event", "error", '
        "\"tries\", \"failed_at\") VALUES ('console', '2', 'dm:ann', 'Message', "
        "'{\"text\":\"13812345678\"}', '', 3, '2026-01-01 00:00:00+00:00');"
    )
    await old.close()
    upgraded = Storage(db_url, key=key)
    await upgraded.open()
    try:
        for table, column in (("outbox_action", "payload"), ("dead_letter", "event")):
            [stored] = await _raw(db_url, table, column)
            assert stored[:1] == VERSION and PHONE.encode() not in stored, table
        [action] = await OutboxAction.all()
        assert action.payload == {"kind": "Send", "text": PHONE}
        [letter] = await DeadLetter.all()
        assert letter.event == {"text": PHONE}
        assert await Record.all() == []
    finally:
        await upgraded.close()


async def test_sqlite_overwrites_what_a_deleted_row_held(tmp_path: Path) -> None:
    """Outbox rows and dialogs are deleted once done: their pages are zeroed, not left free."""
    db_url = f"sqlite://{tmp_path}/db.sqlite3"
    storage = Storage(db_url, key=KeySource(key=new_key()))
    await storage.open()
    try:
        connection = get_connection(connection_name(db_url))
        _count, rows = await connection.execute_query("PRAGMA secure_delete")
        assert [tuple(row) for row in rows] == [(1,)]
    finally:
        await storage.close()
