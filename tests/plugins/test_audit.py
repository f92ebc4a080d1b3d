"""The audit log: entries for what people read and change, by pseudonym; /audit shows them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sanshe.core.actions import Action
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.hookspecs import hookimpl
from sanshe.core.storage.models import AuditEntry, Pseudonym
from sanshe.testing import NETWORK, ManualClock, Sandbox
from tests.conftest import write_community

COMMUNITY = """\
community: {id: c, name: Test, locale: en, timezone: Asia/Shanghai, admins: [social_worker]}
groups: [{id: b1, kind: resident, name: B1}]
people:
  - {id: sam, name: Sam Wu, handles: {console: sam}, roles: [social_worker]}
  - {id: ann, name: Ann Lee, handles: {console: ann}}
forms:
  - id: checkin
    title: Daily check-in
    fields: [{id: temp, type: temperature, label: Temperature}]
"""
#: 2026-03-01 09:30 in Shanghai.
START = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
#: The time of an entry as /audit shows it (a record's creation is stamped by the machine's clock).
WHEN = r"\d{4}-\d\d-\d\d \d\d:\d\d"


def sandbox(
    tmp_path: Path, db_url: str = "sqlite://:memory:", plugins: Sequence[object] = ()
) -> Sandbox:
    config = write_community(tmp_path, COMMUNITY)
    return Sandbox(config, db_url=db_url, clock=ManualClock(START), plugins=plugins)


async def fill_checkin(s: Sandbox, who: str = "ann") -> None:
    await s.send(who, "dm", "/form checkin")
    [done] = s.texts(await s.send(who, "dm", "36.6"))
    assert "is saved" in done


async def test_a_record_created_is_shown_by_audit_to_a_social_worker(
    tmp_path: Path, db_url: str
) -> None:
    async with sandbox(tmp_path, db_url) as s:
        await fill_checkin(s)
        [record] = await s.records()
        assert len(await s.audit(who="ann", action="create", subject=f"record:{record.id}")) == 1
        [text] = s.texts(await s.send("sam", "dm", "/audit"))
        assert re.fullmatch(
            "The audit log, newest first \\(1 entry\\):\n"
            f"{WHEN} Ann Lee: created record:{record.id} \\(checkin\\)",
            text,
        )
        [one] = s.texts(await s.send("sam", "dm", f"/audit record:{record.id}"))
        assert one.startswith(f"The audit log on record:{record.id}, newest first (1 entry):\n")
        assert one.endswith(f" Ann Lee: created record:{record.id} (checkin)")
        [none] = s.texts(await s.send("sam", "dm", "/audit record:999"))
        assert none == "The audit log has no entries on record:999."


async def test_audit_refuses_a_resident_with_the_reason(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as s:
        [text] = s.texts(await s.send("ann", "dm", "/audit"))
        assert text == (
            "Sorry, the audit log is for the community's admins: community-wide social worker."
            " You are not one of them."
        )
        [in_group] = s.texts(await s.send("sam", "b1", "/audit"))
        assert in_group == "/audit works in a private chat with me, not in a group."


async def test_audit_in_chinese(tmp_path: Path) -> None:
    config = write_community(tmp_path, COMMUNITY.replace("locale: en", "locale: zh_CN"))
    async with Sandbox(config, clock=ManualClock(START)) as s:
        await s.send("ann", "dm", "/form checkin")
        await s.send("ann", "dm", "36.6")
        [text] = s.texts(await s.send("sam", "dm", "/审计"))
        assert re.fullmatch(
            f"审计日志（最新在前，共 1 条）：\n{WHEN} Ann Lee：创建了 record:1（checkin）", text
        )
        [refused] = s.texts(await s.send("ann", "dm", "/audit"))
        assert refused == "抱歉，审计日志仅限社区管理员查看：全社区的社会工作者。您不是其中之一。"


async def test_entries_name_people_by_pseudonym(tmp_path: Path, db_url: str) -> None:
    async with sandbox(tmp_path, db_url) as s:
        await fill_checkin(s)
        await s.bot.services.audit("cli:operator", "read", "person:ann", "1 row")
        rows = await AuditEntry.all().order_by("id")
        assert len(rows) == 2
        named = {p.person: p.pseudonym for p in await Pseudonym.all()}
        assert set(named) == {"ann", "cli:operator"}
        assert all(re.fullmatch(r"[0-9a-f]{16}", p) for p in named.values())
        assert [(r.actor, r.subject) for r in rows] == [
            (named["ann"], "record:1"),
            (named["cli:operator"], f"person:{named['ann']}"),
        ]
        assert not any("ann" in f"{r.actor} {r.subject} {r.detail}" for r in rows)
        [text] = s.texts(await s.send("sam", "dm", "/audit @ann"))
        assert text == (
            "The audit log on Ann Lee, newest first (1 entry):\n"
            "2026-03-01 09:30 cli:operator: read Ann Lee (1 row)"
        )


async def test_forgetting_a_person_keeps_the_entries_but_names_nobody(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as s:
        await fill_checkin(s)
        await s.bot.services.audit("sam", "read", "person:ann")
        pseudonym = (await Pseudonym.get(person="ann")).pseudonym
        before = await AuditEntry.all().count()
        assert await s.storage.forget("ann")
        assert not await s.storage.forget("ann")
        assert await AuditEntry.all().count() == before == 2
        [text] = s.texts(await s.send("sam", "dm", "/audit"))
        assert "Ann Lee" not in text
        assert text.splitlines()[1] == f"2026-03-01 09:30 Sam Wu: read person:{pseudonym}"
        assert re.fullmatch(
            f"{WHEN} {pseudonym}: created record:1 \\(checkin\\)", text.splitlines()[2]
        )
        [gone] = s.texts(await s.send("sam", "dm", "/audit @ann"))
        assert gone == "The audit log has no entries on Ann Lee."


async def test_audit_shows_the_latest_twenty(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as s:
        for number in range(1, 26):
            await s.bot.services.audit("sam", "read", f"record:{number}")
        [text] = s.texts(await s.send("sam", "dm", "/audit"))
        lines = text.splitlines()
        assert lines[0] == "The audit log, newest first (the latest 20 entries):"
        assert len(lines) == 21
        assert lines[1].endswith("read record:25") and lines[-1].endswith("read record:6")


async def test_a_subject_of_no_known_form_gets_the_usage(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as s:
        usage = (
            "Write it as /audit [subject]: record:<number>, grant:<number>, case:<number>,"
            " or a person (@handle, their id or name)."
        )
        for typed in ("banana:3", "record:x", "@nobody"):
            [text] = s.texts(await s.send("sam", "dm", f"/audit {typed}"))
            assert text == f"“{typed}” is not a subject of the audit log. {usage}"
        [two] = s.texts(await s.send("sam", "dm", "/audit record:1 record:2"))
        assert two.endswith(usage)


class Peek:
    """``/peek``: reads record 7 (pretend) and audits it, through the event's writes."""

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [ChatCommand("peek", self.peek, help="arguments.name.word")]

    def peek(self, ctx: Context) -> Action:
        ctx.audit("read", "record:7", "1 row")
        return ctx.reply("peeked")


async def test_ctx_audit_is_written_once_with_the_events_checkpoint(tmp_path: Path) -> None:
    async with sandbox(tmp_path, plugins=[Peek()]) as s:
        event = Message(
            network=NETWORK,
            chat="dm:sam",
            event_id=f"{NETWORK}:peek-1",
            sender="sam",
            direct=True,
            text="/peek",
            message_id="peek-1",
        )
        assert s.texts(await s.deliver(event)) == ["peeked"]
        assert s.texts(await s.deliver(event)) == []  # delivered again: handled before
        [entry] = await s.audit(who="sam", subject="record:7")
        assert (entry.action, entry.detail, entry.at) == ("read", "1 row", START)
