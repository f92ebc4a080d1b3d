"""Storage on real databases: migrations, checkpoints, outbox, bindings and records, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from tortoise.exceptions import IntegrityError

from sanshe.core.actions import Button, Delete, Send, from_record, to_record
from sanshe.core.storage import Storage
from sanshe.core.storage.models import AuditEntry, Record


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/db.sqlite3"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def storage(db_url: str):
    store = Storage(db_url)
    applied = await store.open()
    assert applied == ["sanshe.0001_initial"]
    yield store
    await store.close()


async def test_migrations_apply_once(storage: Storage) -> None:
    assert await storage.pending_migrations() == []
    assert await storage.migrate() == []


async def test_checkpoint_outbox_and_dedup(storage: Storage) -> None:
    assert not await storage.was_handled("telegram", "1001")
    actions = [
        Send(chat="-100", text="hi", buttons=(Button("ok", "x"),)),
        Delete(chat="-100", message_id="5"),
    ]
    ids = await storage.checkpoint("telegram", "1001", actions)
    assert await storage.was_handled("telegram", "1001")
    assert not await storage.was_handled("matrix", "1001")
    assert [a for _, a in await storage.outbox("telegram")] == actions
    await storage.performed(ids[0])
    assert [a for _, a in await storage.outbox("telegram")] == actions[1:]
    with pytest.raises(IntegrityError):
        await storage.checkpoint("telegram", "1001", [])


async def test_state_bindings_records(storage: Storage) -> None:
    assert await storage.get_state("matrix", "since") is None
    await storage.set_state("matrix", "since", "s1")
    await storage.set_state("matrix", "since", "s2")
    assert await storage.get_state("matrix", "since") == "s2"
    await storage.bind("telegram", "-1001", "building-1", "wang")
    await storage.bind("telegram", "-1001", "building-2", "wang")
    assert await storage.bindings() == {("telegram", "-1001"): "building-2"}
    record = await storage.add_record("checkin", "wang", "building-1", {"temp": 36.5})
    assert (await Record.get(id=record.id)).data == {"temp": 36.5}
    assert await AuditEntry.filter(subject=f"record:{record.id}").count() == 1


def test_actions_round_trip_through_json() -> None:
    action = Send(chat="c", text="t", buttons=(Button("a", "b"),), urgent=True)
    assert from_record(to_record(action)) == action
