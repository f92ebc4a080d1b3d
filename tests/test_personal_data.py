"""`sanshe person export` and `sanshe person erase`: everything stored about one person, out or gone."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sanshe.core.actions import Action, DirectMessage
from sanshe.core.cli import main
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Person
from sanshe.core.personal_data import erase, export
from sanshe.core.storage.models import (
    AuditEntry,
    DeadLetter,
    FormSession,
    OutboxAction,
    Pseudonym,
    Record,
    RoleGrant,
    Timer,
)
from sanshe.core.storage.writes import Writes
from sanshe.testing import Sandbox
from tests.conftest import write_community

COMMUNITY = """\
community: {id: c, name: Test, locale: en}
groups: [{id: b1, kind: resident, name: B1}]
people:
  - {id: li, name: Li, handles: {console: li}, roles: [community_worker]}
forms:
  - id: checkin
    title: Daily check-in
    fields:
      - {id: temp, type: temperature, label: Temperature}
      - {id: phone, type: phone, label: Phone, sensitive: true}
"""
#: Someone who never registered: known by their handle on the console.
WHO = "console:anna7"
PHONE = "13987654321"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(\+00:00)?")


async def leave_traces(sandbox: Sandbox) -> None:
    """What a person leaves in storage: a record, an open dialog, a grant, a timer, an outbox
    action to them and a dead letter of theirs, a position keyed by them, audit entries."""
    await sandbox.send("anna7", "b1", "/form checkin")
    await sandbox.send("anna7", "dm", "38.7")
    await sandbox.send("anna7", "dm", PHONE)
    await sandbox.send("anna7", "b1", "/form checkin")  # a second dialog, left open
    await sandbox.send("anna7", "dm", "38.9")
    await RoleGrant.create(
        person_id=WHO, role="general_volunteer", granted_by="li", starts_at=sandbox.clock.now()
    )
    await Timer.create(plugin="x", key="remind", due_at=sandbox.clock.now(), data={"who": WHO})
    left = Message(network="console", chat="b1", event_id="gone", sender="anna7", text="hi")
    await sandbox.storage.checkpoint([(left, [DirectMessage(user="anna7", text=f"{PHONE}?")])])
    await sandbox.storage.set_state("console", "dm:anna7", "room-9")
    failed = Message(network="console", chat="b1", event_id="bad", sender="anna7", text=PHONE)
    await sandbox.storage.set_aside(failed, 3, "")
    # Someone else, with a handle that holds hers: none of this is theirs to lose.
    await sandbox.send("anna70", "b1", "/form checkin")
    await sandbox.send("anna70", "dm", "36.6")
    await sandbox.send("anna70", "dm", "13811112222")
    await sandbox.storage.set_state("console", "dm:anna70", "room-10")
    await sandbox.storage.set_state("console", "since", "anna7x-token")


async def sealed_values() -> list[str]:
    """What the sealed columns hold, opened with the key (raw bytes there are ciphertext)."""
    rows: list[Any] = [
        *(r.data for r in await Record.all()),
        *(d.answers for d in await FormSession.all()),
        *(o.payload for o in await OutboxAction.all()),
        *(d.event for d in await DeadLetter.all()),
        *(t.data for t in await Timer.all()),
    ]
    return [json.dumps(row, ensure_ascii=False) for row in rows]


async def cli(argv: list[str]) -> int:
    """``sanshe <argv>``, as from a terminal (its own event loop, the sandbox stopped)."""
    return await asyncio.to_thread(main, argv)


def every_cell(path: Path) -> list[str]:
    """Every value of every table the schema catalogue lists, as text."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [
            str(cell)
            for table in tables
            for row in db.execute(f'SELECT * FROM "{table}"')
            for cell in row
        ]


async def test_erase_leaves_no_table_holding_the_persons_id_handles_or_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_community(tmp_path, COMMUNITY)
    db = tmp_path / "db.sqlite3"
    options = ["--config", str(config), "--db", f"sqlite://{db}"]
    async with Sandbox(config, db_url=f"sqlite://{db}") as sandbox:
        await leave_traces(sandbox)
        hers = await Record.filter(person=WHO)
        assert [r.data["phone"] for r in hers] == [PHONE]
    assert any("anna7" in cell for cell in every_cell(db))

    assert (
        await cli(["person", "export", WHO, "--output", str(tmp_path / "out.json"), *options]) == 0
    )
    exported = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [r["answers"]["phone"] for r in exported["records"]] == [PHONE]
    assert [d["answers"] for d in exported["dialogs"]] == [{"temp": 38.9}]
    assert [g["role"] for g in exported["grants"]] == ["general_volunteer"]
    assert (tmp_path / "out.json").stat().st_mode & 0o077 == 0
    capsys.readouterr()

    assert await cli(["person", "erase", WHO, *options]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Erased what was stored about {WHO}: records 1, dialogs 1, grants 1")
    for kind in ("outbox 1", "dead letters 1", "timers 1", "positions 1"):
        assert kind in said, said
    for cell in every_cell(db):  # her handle, not anna70's or a token that starts with it
        assert re.search(r"anna7(?![\w-])", cell) is None, f"anna7 is still stored: {cell[:80]!r}"
        if TIMESTAMP.fullmatch(cell):
            continue  # 05:39:38.729611 holds 38.7 but none of hers
        for trace in (PHONE, "38.7", "38.9"):
            assert trace not in cell, f"{trace!r} is still stored: {cell[:80]!r}"
    async with Sandbox(config, db_url=f"sqlite://{db}") as sandbox:
        for value in await sealed_values():
            for trace in ('anna7"', PHONE, "38.7", "38.9"):
                assert trace not in value, f"{trace!r} is still stored: {value[:80]!r}"
        assert not await DeadLetter.exists() and not await Timer.filter(plugin="x").exists()
        [kept] = await Record.all()  # anna70's
        assert kept.data["phone"] == "13811112222"
        assert await sandbox.storage.get_state("console", "dm:anna70") == "room-10"
        assert await sandbox.storage.get_state("console", "since") == "anna7x-token"
        assert await AuditEntry.filter(action="export").count() == 1
        assert await sandbox.pending() == []
        assert not await Pseudonym.filter(person=WHO).exists()
        [erased] = await AuditEntry.filter(action="erase")
        assert "anna7" not in erased.subject and erased.detail == ""
        assert await AuditEntry.filter(action="create").count() == 2  # the log keeps its entries
    assert await cli(["person", "erase", WHO, *options]) == 0
    assert capsys.readouterr().out.strip() == f"Nothing was stored about {WHO}."


class KeyedNotes:
    """A plugin whose erasure hook is async: it reads which of its timers are the person's first."""

    @hookimpl
    async def sanshe_person_erase(self, person: Person, writes: Writes) -> None:
        theirs = await Timer.filter(plugin="notes", key__startswith=f"{person.id}/")
        keys = [t.key for t in theirs]
        writes.run(lambda db: Timer.filter(plugin="notes", key__in=keys).using_db(db).delete())


async def test_an_async_erasure_hook_is_awaited_and_its_writes_made(tmp_path: Path) -> None:
    config = write_community(tmp_path, COMMUNITY)
    async with Sandbox(config, plugins=[KeyedNotes()]) as sandbox:
        now = sandbox.clock.now()
        await Timer.create(plugin="notes", key=f"{WHO}/1", due_at=now, data={})
        await Timer.create(plugin="notes", key="console:li/1", due_at=now, data={})
        await erase(sandbox.storage, sandbox.community, sandbox.bot.pm, WHO)
        assert [t.key for t in await Timer.filter(plugin="notes")] == ["console:li/1"]


class Registry:
    """``/register``: the sender, unknown so far, is stored as a person (as volunteers does)."""

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [ChatCommand("register", self.register, help="x")]

    def register(self, ctx: Context) -> Action:
        person = ctx.add_person(name="Anna", handles={"console": ctx.event.sender})
        ctx.audit("read", f"person:{person.id}")  # by her, stored now
        return ctx.reply(person.id)


async def test_what_someone_left_before_they_were_stored_is_theirs_once_stored(
    tmp_path: Path,
) -> None:
    """A record, an open dialog and audit entries made under ``console:anna7`` follow her when
    she becomes a stored person: she goes on with her dialog, her export has them and her
    erasure takes them."""
    config = write_community(tmp_path, COMMUNITY)
    db = f"sqlite://{tmp_path / 'db.sqlite3'}"
    async with Sandbox(config, db_url=db, plugins=[Registry()]) as sandbox:
        await sandbox.send("anna7", "b1", "/form checkin")
        await sandbox.send("anna7", "dm", "38.7")
        await sandbox.send("anna7", "dm", PHONE)
        await sandbox.send("anna7", "b1", "/form checkin")  # left open: she goes on with it
        [anna] = sandbox.texts(await sandbox.send("anna7", "b1", "/register"))
        assert "(1/2) Temperature" in sandbox.texts(await sandbox.send("anna7", "dm", "/back"))[0]
        exported = await export(sandbox.storage, sandbox.community, sandbox.bot.pm, anna)
        assert [r["answers"]["phone"] for r in exported["records"]] == [PHONE]
        assert len(exported["dialogs"]) == 1
        assert [e["action"] for e in exported["audit"]] == ["create", "create", "read"]
        await erase(sandbox.storage, sandbox.community, sandbox.bot.pm, anna)
        assert not await Record.exists() and not await FormSession.exists()
        assert not await Pseudonym.filter(person__in=[anna, WHO]).exists()
