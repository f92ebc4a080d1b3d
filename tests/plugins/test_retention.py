"""Retention: a form's records are deleted once older than its retention_days, by a daily timer."""

from __future__ import annotations

from pathlib import Path

from sanshe.core.storage.models import AuditEntry, Record
from sanshe.testing import Sandbox
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
