"""Retention: a form's records are deleted once older than its retention_days, by a daily timer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sanshe.core.storage.models import AuditEntry, FormSession, Record
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import write_community

COMMUNITY = """\
community: {id: c, name: Test, locale: en}
groups: [{id: b1, kind: resident, name: B1}]
people: [{id: li, name: Li, handles: {console: li}, roles: [community_worker]}]
forms:
  - id: checkin
    title: Daily check-in
    retention_days: 14
    fields: [{id: temp, type: temperature, label: Temperature}]
  - id: kept
    title: Kept form
    fields: [{id: a, type: text, label: A}]
"""


async def fill(sandbox: Sandbox, form: str, answer: str) -> None:
    await sandbox.send("ann", "b1", f"/form {form}")
    await sandbox.send("ann", "dm", answer)


async def test_records_past_their_forms_retention_go_and_each_is_audited(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, COMMUNITY)) as sandbox:
        await fill(sandbox, "checkin", "36.6")
        await fill(sandbox, "kept", "stays")
        await sandbox.advance(days=13)
        assert sorted(r.form_id for r in await Record.all()) == ["checkin", "kept"]
        await sandbox.advance(days=2)
        assert [r.form_id for r in await Record.all()] == ["kept"]
        [expired] = await AuditEntry.filter(action="expire")
        assert expired.subject.startswith("record:") and expired.detail == "checkin"
        [shown] = sandbox.texts(await sandbox.send("li", "dm", f"/audit {expired.subject}"))
        assert f"deleted (its retention over) {expired.subject} (checkin)" in shown
        await sandbox.advance(days=30)
        assert [r.form_id for r in await Record.all()] == ["kept"]  # no retention: kept


async def test_retention_ends_exactly_at_its_cutoff_for_records_and_idle_dialogs(
    tmp_path: Path,
) -> None:
    """A record or a dialog left a second past 14 days before the firing goes; one a second
    short of it stays.  The database stamps a dialog's time by the system's clock, not the
    sandbox's (see :class:`Sandbox`), so the test sets the times where the cutoff falls."""
    start = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai: the timer is at 03:00
    async with Sandbox(write_community(tmp_path, COMMUNITY), clock=ManualClock(start)) as sandbox:
        await fill(sandbox, "checkin", "36.6")
        await sandbox.send("bo", "b1", "/form checkin")
        await fill(sandbox, "checkin", "36.8")
        await sandbox.send("cai", "b1", "/form checkin")
        firing = start + timedelta(days=14)  # the clock when the daily timer next fires
        cutoff = firing - timedelta(days=14)
        outside, inside = cutoff - timedelta(seconds=1), cutoff + timedelta(seconds=1)
        old, new = await Record.all().order_by("id").values_list("id", flat=True)
        await Record.filter(id=old).update(created_at=outside)
        await Record.filter(id=new).update(created_at=inside)
        await FormSession.filter(person="console:bo").update(updated_at=outside)
        await FormSession.filter(person="console:cai").update(updated_at=inside)
        await sandbox.advance(firing - start)
        assert await Record.all().values_list("id", flat=True) == [new]
        assert await FormSession.all().values_list("person", flat=True) == ["console:cai"]
        assert await AuditEntry.filter(action="expire").values_list("subject", flat=True) == [
            f"record:{old}"
        ]
        [answer] = sandbox.texts(await sandbox.send("bo", "dm", "36.9"))
        assert answer.startswith("I did not understand that message.")  # no dialog to answer


async def test_a_wrong_retention_is_refused_at_its_line(tmp_path: Path) -> None:
    wrong = COMMUNITY.replace("retention_days: 14", "retention_days: -3")
    sandbox = Sandbox(write_community(tmp_path, wrong))
    try:
        await sandbox.start()
    except Exception as exc:
        assert "community.yaml:7:21" in str(exc) and "retention_days" in str(exc)
    else:
        await sandbox.stop()
        raise AssertionError("a negative retention was accepted")
