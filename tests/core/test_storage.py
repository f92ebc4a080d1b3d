"""Storage on real databases: migrations, checkpoints, outbox, bindings and records, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise.connection import get_connection
from tortoise.exceptions import IntegrityError
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from sanshe.core.actions import Button, Delete, Send, from_record, to_record
from sanshe.core.events import Message
from sanshe.core.storage import (
    Settled,
    Storage,
    connection_name,
    event_of,
    event_record,
    migrations,
)
from sanshe.core.storage.models import AuditEntry, EventTry, HandledEvent, Record, TryUnderWay
from sanshe.core.storage.writes import Writes
from sanshe.testing import Sandbox
from tests.conftest import write_community
from tests.core.test_forms import FORM_COMMUNITY


@pytest.fixture
async def storage(db_url: str):
    store = Storage(db_url)
    applied = await store.open()
    shipped = sorted(Path(migrations.__file__).parent.glob("0*.py"))
    assert applied == [f"sanshe.{m.stem}" for m in shipped]
    yield store
    await store.close()


async def test_migrations_apply_once(storage: Storage) -> None:
    assert await storage.pending_migrations() == []
    assert await storage.migrate() == []


def event(network: str, event_id: str) -> Message:
    return Message(network=network, chat="-100", event_id=event_id, sender="u", text="t")


async def test_checkpoint_outbox_and_dedup(storage: Storage) -> None:
    first, other, same_id_elsewhere = (
        event("telegram", "1001"),
        event("telegram", "1002"),
        event("matrix", "1001"),
    )
    assert await storage.handled_among([first, other]) == set()
    actions = [
        Send(chat="-100", text="hi", buttons=(Button("ok", "x"),)),
        Delete(chat="-100", message_id="5"),
    ]
    [keys, none] = await storage.checkpoint([(first, actions), (other, [])])
    assert none == []
    assert await storage.handled_among([first, other, same_id_elsewhere]) == {
        ("telegram", "1001"),
        ("telegram", "1002"),
    }
    assert [a for _, a in await storage.outbox("telegram")] == actions
    await storage.performed(keys[0])
    assert [a for _, a in await storage.outbox("telegram")] == actions[1:]
    again = Send(chat="-100", text="decided again")  # a second delivery: nothing of it is kept
    assert await storage.checkpoint([(first, [again]), (first, [again])]) == [[], []]
    assert [a for _, a in await storage.outbox("telegram")] == actions[1:]


async def test_writes_are_made_with_the_checkpoint_of_a_new_event_only(storage: Storage) -> None:
    first, second = event("t", "w1"), event("t", "w2")
    writes = [Writes(), Writes()]
    for w, event_id in zip(writes, ("w1", "w2"), strict=True):
        w.add(AuditEntry(actor="wang", action="create", subject=event_id))
    seen: list[str] = []
    writes[0].after(lambda: seen.append("first written"))
    await storage.checkpoint([(first, [])], writes=writes[:1])
    assert seen == ["first written"]
    again = Writes()
    again.add(AuditEntry(actor="wang", action="create", subject="w1"))
    again.after(lambda: seen.append("written twice"))
    assert await storage.checkpoint(
        [(first, [Send(chat="c", text="x")]), (second, [Send(chat="c", text="y")])],
        writes=[again, writes[1]],
    ) == [[], ["t|w2|0"]]
    assert seen == ["first written"]
    assert sorted(await AuditEntry.all().values_list("subject", flat=True)) == ["w1", "w2"]


async def test_a_write_that_fails_leaves_nothing_of_its_checkpoint(storage: Storage) -> None:
    broken = Writes()
    broken.add(AuditEntry(actor="wang", action="create", subject="kept?"))
    for _twice in range(2):  # the second breaks a unique constraint
        broken.add(HandledEvent(network="t", event_id="twice"))
    with pytest.raises(IntegrityError):
        await storage.checkpoint([(event("t", "f1"), [Send(chat="c", text="x")])], writes=[broken])
    assert await storage.handled_among([event("t", "f1")]) == set()
    assert await storage.outbox("t") == []
    assert not await AuditEntry.exists()


async def test_numbers_are_never_given_twice(storage: Storage) -> None:
    taken = await asyncio.gather(*(storage.number("case") for _ in range(20)))
    assert sorted(taken) == list(range(1, 21))
    assert await storage.number("other") == 1


async def test_concurrent_checkpoints_share_a_transaction_but_fail_alone(storage: Storage) -> None:
    await storage.checkpoint([(event("t", "old"), [])])
    results = await asyncio.gather(
        storage.checkpoint([(event("t", "a"), [Send(chat="c", text="a")])]),
        storage.checkpoint([(event("t", "old"), [])]),
        storage.checkpoint([(event("t", "b"), [])]),
        return_exceptions=True,
    )
    assert results == [[["t|a|0"]], [[]], [[]]]  # the second delivery keeps nothing
    assert await storage.handled_among([event("t", "a"), event("t", "b")]) == {
        ("t", "a"),
        ("t", "b"),
    }


async def test_state_bindings_records(storage: Storage) -> None:
    assert await storage.get_state("matrix", "since") is None
    await storage.set_state("matrix", "since", "s1")
    await storage.set_state("matrix", "since", "s2")
    assert await storage.get_state("matrix", "since") == "s2"
    await storage.bind("telegram", "-1001", "building-1", "wang")
    await storage.bind("telegram", "-1001", "building-2", "wang")
    assert await storage.bindings() == {("telegram", "-1001"): "building-2"}
    writes = Writes()
    at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    record = await storage.add_record(writes, "checkin", "wang", "building-1", {"temp": 36.5}, at)
    other = await storage.add_record(Writes(), "checkin", "li", None, {"temp": 37.0}, at)
    assert other.id == record.id + 1 and await Record.all().count() == 0  # noted, numbered
    await storage.checkpoint([(event("t", "record"), [])], writes=[writes])
    stored = await Record.get(id=record.id)
    assert stored.data == {"temp": 36.5} and stored.created_at == at
    assert await Record.all().count() == 1


async def test_tries_a_crash_cut_short_count_and_a_checkpoint_forgets_them(
    storage: Storage, db_url: str
) -> None:
    first, second, other = event("t", "1"), event("t", "2"), event("m", "1")
    await storage.begin([first, second])
    await storage.begin([first])
    await storage.begin([other])
    await storage.close()
    again = Storage(db_url)  # the next start
    await again.open()
    assert await again.tries_so_far([first, second, event("t", "3")]) == [2, 1, 0]
    await again.note_failure(second, "RuntimeError at core/bot.py:1 in handle")
    assert await again.tries_so_far([second]) == [2]
    assert await again.last_failure(second) == "RuntimeError at core/bot.py:1 in handle"
    _before, under_way = await again.begin([first, second])
    await again.checkpoint([(first, []), (second, [])], under_way)
    assert await again.tries_so_far([first, second, other]) == [0, 0, 1]
    assert not await EventTry.filter(network="t").exists()
    assert not await TryUnderWay.filter(network="t").exists()
    await again.close()
    await storage.open()


async def test_a_try_begins_for_the_events_not_handled_before_and_counts_if_cut_short(
    storage: Storage, db_url: str
) -> None:
    handled, cut, failed = event("t", "h"), event("t", "c"), event("t", "f")
    await storage.checkpoint([(handled, [])])
    await storage.note_failure(failed, "RuntimeError at core/bot.py:1 in handle")
    before, _trying = await storage.begin([handled, cut, failed, cut])
    assert before == [-1, 0, 1, -1]  # handled by this process, or a repeat: not tried
    await storage.close()
    again = Storage(db_url)  # the process stopped during the try: it counts, for those tried
    await again.open()
    assert await again.tries_so_far([handled, cut, failed]) == [0, 1, 2]
    before, trying = await again.begin([handled])  # handled by the run before: decided again,
    assert before == [0]
    assert await again.checkpoint([(handled, [Send(chat="c", text="x")])], trying) == [[]]
    before, trying = await again.begin([handled, cut, failed])  # ... and its checkpoint keeps none
    assert before == [-1, 1, 2]
    await again.tried(trying)
    before, trying = await again.begin([cut, failed])
    assert before == [1, 2]
    await again.checkpoint([(cut, []), (failed, [])], trying)
    assert not await TryUnderWay.filter(network="t").exists()
    assert not await EventTry.filter(network="t").exists()
    await again.close()
    await storage.open()


async def test_a_dead_letter_is_kept_once_and_settled_once(storage: Storage) -> None:
    message = Message(
        network="t", chat="-100", event_id="9", sender="u", text="t", attachments=("image",)
    )
    letter = await storage.set_aside(message, 3, "RuntimeError at x.py:1 in f")
    assert (await storage.set_aside(message, 4, "later")).id == letter.id
    assert [d.id for d in await storage.dead_letters()] == [letter.id]
    assert event_of(letter.event) == message
    [key] = await storage.settle(letter, [Send(chat="-100", text="answered")])
    assert [a for k, a in await storage.outbox("t") if k == key] == [
        Send(chat="-100", text="answered")
    ]
    assert await storage.dead_letter(letter.id) is None
    with pytest.raises(Settled):
        await storage.settle(letter, [])


def test_every_kind_of_event_round_trips_as_a_dead_letter_keeps_it() -> None:
    from sanshe.core.events import Callback, JoinRequest, MemberRenamed

    for kept in (
        Message(network="n", chat="c", event_id="1", sender="s", text="hi", reply_to="0"),
        JoinRequest(network="n", chat="c", event_id="2", sender="s", note="let me in"),
        MemberRenamed(network="n", chat="c", event_id="3", sender="s", old_name="a"),
        Callback(network="n", chat="c", event_id="4", sender="s", data="p|x", callback_id="q"),
    ):
        assert event_of(event_record(kept)) == kept
        assert type(event_of(event_record(kept))) is type(kept)


def test_actions_round_trip_through_json() -> None:
    action = Send(chat="c", text="t", buttons=(Button("a", "b"),), urgent=True)
    assert from_record(to_record(action)) == action


async def test_upgrading_keeps_records_and_restarts_dialogs_of_unknown_version(
    db_url: str, tmp_path: Path
) -> None:
    """A database of 0001 with a record and a dialog under way, upgraded by 0002."""
    old = Storage(db_url)
    await old.open(migrate=False)
    connection = get_connection(connection_name(db_url))
    executor = MigrationExecutor(connection, old._config["apps"])
    await executor.migrate([MigrationTarget("sanshe", "0001_initial")])
    await connection.execute_script(
        'INSERT INTO "record" ("form_id", "person", "group_id", "data", "created_at") '
        "VALUES ('checkin', 'ann', NULL, '{\"temp\":36.5}', '2026-01-01 00:00:00+00:00');"
        'INSERT INTO "form_session" ("person", "network", "form_id", "step", "answers", '
        "\"group_id\", \"updated_at\") VALUES ('console:ann', 'console', 'checkin', 1, "
        "'{\"temp\":36.6}', NULL, '2026-01-01 00:00:00+00:00');"
    )
    await old.close()
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY), db_url=db_url) as s:
        assert await s.storage.pending_migrations() == []
        [kept] = await Record.all()
        assert kept.data == {"temp": 36.5}
        [restarted] = s.texts(await s.send("ann", "dm", "13812345678"))
        assert "changed while you were filling it" in restarted and "(1/3)" in restarted
