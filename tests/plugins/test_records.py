"""Reading records in chat (/records, /record) and who sees a sensitive answer, in chat and in an
export: the form's view: reads, its export: exports, and a sensitive answer is in clear only
for record.field:<form>/<field> (by default the form's view:)."""

from __future__ import annotations

import argparse
import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from sanshe.core.actions import SendFile
from sanshe.core.context import Context
from sanshe.core.exports import Cell, ExportSheet, SheetColumn, SheetQuery
from sanshe.core.hookspecs import hookimpl
from sanshe.core.i18n import Translator
from sanshe.core.permissions import record_field
from sanshe.core.verbs import Invocation
from sanshe.plugins.records.cli import run_export
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import write_community

COMMUNITY = """\
community: {id: c, name: Test, locale: en, timezone: Asia/Shanghai, admins: [community_worker]}
groups: [{id: b1, kind: resident, name: B1}]
people:
  - {id: sam, name: Sam Wu, handles: {console: sam}, roles: [social_worker]}
  - {id: cora, name: Cora Lin, handles: {console: cora}, roles: [community_worker]}
  - {id: ann, name: Ann Lee, handles: {console: ann}}
  - {id: mei, name: 梅, handles: {console: mei}, locale: zh_CN}
  - id: vic
    name: Vic Tan
    handles: {console: vic}
    roles: [{role: social_worker, groups: [b1]}]
forms:
  - id: visit
    title: {en: Home visit, zh_CN: 家访记录}
    fill: [social_worker]
    view: [social_worker]
    export: [social_worker, community_worker]
    fields:
      - {id: name, type: text, label: Name}
      - {id: phone, type: phone, sensitive: true, label: Phone}
      - {id: age, type: age, label: Age, column: Age (years)}
      - {id: notes, type: long_text, sensitive: true, label: Notes, column_group: Visit}
      - {id: next, type: text, required: false, label: Next visit, column_group: Visit}
"""
#: 2026-12-03 13:00 in Shanghai.
START = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
WHEN = r"\d{4}-\d\d-\d\d \d\d:\d\d"


def sandbox(tmp_path: Path, plugins: tuple[object, ...] = ()) -> Sandbox:
    return Sandbox(write_community(tmp_path, COMMUNITY), clock=ManualClock(START), plugins=plugins)


async def visit(
    s: Sandbox, name: str, phone: str, notes: str, next_visit: str = "/skip", group: str = ""
) -> int:
    await s.send("sam", "dm", f"/form visit {group}".strip())
    for answer in (name, phone, "70", notes, next_visit):
        said = s.texts(await s.send("sam", "dm", answer))
    assert said[0].startswith("Thank you. “Home visit” is saved"), said
    return max(r.id for r in await s.records("visit"))


async def test_records_lists_the_latest_masked_and_audits_each_read(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as s:
        first = await visit(s, "Lao Wang", "13812345678", "lives alone, knee pain")
        second = await visit(s, "Lao Li", "13900001111", "fine", "Friday")
        [text] = s.texts(await s.send("sam", "dm", "/records visit"))
        assert re.fullmatch(
            "The latest records of “Home visit”, newest first \\(2\\):\n"
            f"#{second} {WHEN}: Name: Lao Li; Phone: 139\\*\\*\\*\\*1111; Age: 70; Notes: \\(recorded\\)\n"
            f"#{first} {WHEN}: Name: Lao Wang; Phone: 138\\*\\*\\*\\*5678; Age: 70; Notes: \\(recorded\\)\n"
            "Send /record <number> to read one in full.",
            text,
        )
        assert "knee" not in text and "13812345678" not in text
        reads = await s.audit(who="sam", action="read")
        assert [e.subject for e in reads] == [f"record:{second}", f"record:{first}"]
        [found] = s.texts(await s.send("sam", "dm", "/records visit lao wang"))
        assert f"#{first} " in found and f"#{second} " not in found
        # words are looked for in what the list shows: a sensitive answer is no way to search
        [none] = s.texts(await s.send("sam", "dm", "/records visit knee"))
        assert none == "No recent record of “Home visit” shows “knee”."


async def test_record_shows_one_in_full_to_the_form_s_view_and_audits_it(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as s:
        number = await visit(s, "Lao Wang", "13812345678", "lives alone, knee pain")
        [text] = s.texts(await s.send("sam", "dm", f"/record {number}"))
        assert re.fullmatch(
            f"Record #{number}, “Home visit”, recorded {WHEN}:\n"
            "Name: Lao Wang\nPhone: 13812345678\nAge: 70\nNotes: lives alone, knee pain\n"
            "Next visit: \\(skipped\\)",
            text,
        )
        assert len(await s.audit(who="sam", action="read", subject=f"record:{number}")) == 1
        # the community worker exports these records but does not read them (view:)
        for who in ("cora", "ann"):
            [refused] = s.texts(await s.send(who, "dm", f"/record {number}"))
            assert refused == f"There is no record {number} that you may read."
            [listed] = s.texts(await s.send(who, "dm", "/records visit"))
            assert listed == (
                "Sorry, the records of “Home visit” are read only by these roles: social worker."
                " You hold none of them."
            )
        [missing] = s.texts(await s.send("sam", "dm", "/record 999"))
        assert missing == "There is no record 999 that you may read."
        assert await s.audit(who="cora", action="read") == []


async def test_wrong_record_commands_are_answered_in_the_sender_s_language(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as s:
        [bare] = s.texts(await s.send("sam", "dm", "/records"))
        assert bare == "Missing: form. Write it as /records <form> [text]."
        [word] = s.texts(await s.send("sam", "dm", "/record twelve"))
        assert word == "“twelve” is not a record number. Write it as /record <record number>."
        [unknown] = s.texts(await s.send("sam", "dm", "/records nope"))
        assert unknown == (
            "“nope” is not a form of this community; the forms you may use here: visit."
            " Write it as /records <form> [text]."
        )
        *_others, chinese = s.texts(await s.send("mei", "dm", "/记录 nope"))
        assert chinese == (
            "本社区没有“nope”这张表，而且您没有查看任何表的记录的权限。请这样写：/记录 <表> [内容]。"
        )
        [by_title] = s.texts(await s.send("mei", "dm", "/记录 家访记录"))
        assert by_title == "抱歉，“家访记录”的记录只有社会工作者可以查看，您不在其中。"
        [in_group] = s.texts(await s.send("sam", "b1", "/records visit"))
        assert in_group == "/records works in a private chat with me, not in a group."


async def test_an_export_masks_what_the_exporter_may_not_read(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as s:
        number = await visit(s, "Lao Wang", "13812345678", "lives alone", "Friday")
        [by_sam] = await s.send("sam", "dm", "/export visit")
        [by_cora] = await s.send("cora", "dm", "/export visit")
        assert isinstance(by_sam, SendFile) and isinstance(by_cora, SendFile)
        sam_sheet = load_workbook(io.BytesIO(by_sam.read())).active
        cora_sheet = load_workbook(io.BytesIO(by_cora.read())).active
        for sheet in (sam_sheet, cora_sheet):
            assert sheet["A1"].value == "Home visit"
            assert [sheet.cell(row=2, column=c).value for c in range(1, 8)] == [
                "Name", "Phone", "Age (years)", "Visit", None, "Record no.", "Recorded at"
            ]  # fmt: skip
            assert [sheet.cell(row=3, column=c).value for c in (4, 5)] == ["Notes", "Next visit"]
            assert {"A2:A3", "D2:E2", "G2:G3"} <= {str(r) for r in sheet.merged_cells.ranges}
        assert [c.value for c in sam_sheet[4]][:6] == [
            "Lao Wang", "13812345678", 70, "lives alone", "Friday", number
        ]  # fmt: skip
        assert [c.value for c in cora_sheet[4]][:6] == [
            "Lao Wang", "138****5678", 70, "(recorded)", "Friday", number
        ]  # fmt: skip
        [audited] = await s.audit(who="cora", action="export")
        assert (audited.subject, audited.detail) == ("form:visit", "xlsx rows=1")
        [refused] = s.texts(await s.send("ann", "dm", "/export visit"))
        assert refused == (
            "Sorry, the records of “Home visit” are exported only by these roles: social worker,"
            " community worker. You hold none of them; this request is noted in the audit log."
        )
        [csv_file] = await s.send("cora", "dm", "/export visit csv")
        assert isinstance(csv_file, SendFile)
        rows = list(csv.reader(io.StringIO(csv_file.read().decode("utf-8-sig"))))
        assert rows[0] == [
            "Name", "Phone", "Age (years)", "Visit: Notes", "Visit: Next visit",
            "Record no.", "Recorded at",
        ]  # fmt: skip
        assert rows[1][:5] == ["Lao Wang", "138****5678", "70", "(recorded)", "Friday"]


async def test_who_holds_the_role_in_a_group_reads_the_records_filed_there(
    tmp_path: Path,
) -> None:
    async with sandbox(tmp_path) as s:
        there = await visit(s, "Lao Wang", "13812345678", "lives alone", group="b1")
        elsewhere = await visit(s, "Lao Li", "13900001111", "fine")
        [listed] = s.texts(await s.send("vic", "dm", "/records visit"))
        assert f"#{there} " in listed and f"#{elsewhere} " not in listed
        [full] = s.texts(await s.send("vic", "dm", f"/record {there}"))
        assert "Phone: 13812345678\n" in full
        [other] = s.texts(await s.send("vic", "dm", f"/record {elsewhere}"))
        assert other == f"There is no record {elsewhere} that you may read."
        assert [e.subject for e in await s.audit(who="vic", action="read")] == [
            f"record:{there}",
            f"record:{there}",
        ]
        # and exports them: the records filed there only
        [exported] = await s.send("vic", "dm", "/export visit csv")
        assert isinstance(exported, SendFile), s.texts([exported])
        rows = list(csv.reader(io.StringIO(exported.read().decode("utf-8-sig"))))
        assert [r[0] for r in rows[1:]] == ["Lao Wang"]
        [entry] = await s.audit(who="vic", action="export")
        assert entry.detail == "csv rows=1 groups=b1"


async def test_sanshe_export_counts_the_roles_held_in_its_group(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as s:
        await visit(s, "Lao Wang", "13812345678", "lives alone", group="b1")
        await visit(s, "Lao Li", "13900001111", "fine")
        given = {"form": "visit", "person": "vic", "start": None, "end": None, "format": "csv"}
        _ = Translator(s.bot.catalogue, "en")

        async def export(group: str | None) -> int:
            args = argparse.Namespace(**given, group=group, output=str(tmp_path / "out"))
            return await run_export(
                Invocation(args, s.community, s.storage, s.bot.pm, tmp_path, _, s.bot.clock)
            )

        assert await export("b1") == 0
        [path] = (tmp_path / "out").iterdir()
        assert path.name.startswith("visit_b1_")
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert [r[:2] for r in rows[1:]] == [["Lao Wang", "13812345678"]]
        assert await export(None) == 0  # the groups where vic holds it: b1
        entries = [e.detail for e in await s.audit(who="vic", action="export")]
        assert entries == ["csv rows=1 group=b1", "csv rows=1 groups=b1"]


class NoPhones:
    """Shows nobody a phone number in clear."""

    @hookimpl
    def sanshe_permission(self, context: Context, permission: str) -> bool | None:
        return False if permission == record_field("visit", "phone") else None


async def test_a_plugin_decides_per_field_who_sees_it_in_clear(tmp_path: Path) -> None:
    async with sandbox(tmp_path, plugins=(NoPhones(),)) as s:
        number = await visit(s, "Lao Wang", "13812345678", "lives alone")
        [text] = s.texts(await s.send("sam", "dm", f"/record {number}"))
        assert "Phone: 138****5678\n" in text and "Notes: lives alone\n" in text
        [file] = await s.send("sam", "dm", "/export visit")
        assert isinstance(file, SendFile)
        row = [c.value for c in load_workbook(io.BytesIO(file.read())).active[4]]
        assert row[:4] == ["Lao Wang", "138****5678", 70, "lives alone"]


async def test_the_menus_show_records_and_export_to_who_may_use_them(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as s:
        [sam] = s.texts(await s.send("sam", "dm", "/help"))
        [cora] = s.texts(await s.send("cora", "dm", "/help"))
        *_others, ann = s.texts(await s.send("ann", "dm", "/help"))
        assert "/records" in sam and "/record " in sam and "/export" in sam
        assert "/export" in cora and "/records" not in cora
        assert "/export" not in ann and "/records" not in ann


class Offering:
    """Offers two sheets, exported by a role nobody here holds; counts how often it is asked."""

    def __init__(self) -> None:
        self.asked = 0

    @hookimpl
    def sanshe_export_sheets(self, context: Context) -> list[ExportSheet]:
        self.asked += 1

        async def rows(ctx: Context, query: SheetQuery) -> list[list[Cell]]:
            return []

        column = (SheetColumn("name", "form.recorded"),)
        return [
            ExportSheet(
                id=f"tally{n}",
                title="form.recorded",
                columns=column,
                rows=rows,
                roles=("psych_volunteer",),
            )
            for n in (1, 2)
        ]


async def test_the_menu_asks_for_the_sheets_once_and_stops_at_the_first_export(
    tmp_path: Path,
) -> None:
    offering = Offering()
    async with sandbox(tmp_path, plugins=(offering,)) as s:
        *_others, ann = s.texts(await s.send("ann", "dm", "/help"))
        assert "/export" not in ann
        assert offering.asked == 1  # not once more for each sheet's vote in each place
        [sam] = s.texts(await s.send("sam", "dm", "/help"))
        assert "/export" in sam
        assert offering.asked == 1  # sam exports the visits: no sheet is looked at
        [refused] = s.texts(await s.send("ann", "dm", "/export tally2"))
        assert refused.startswith(
            "Sorry, the records of “(recorded)” are exported only by these roles: counselling"
        )
        assert offering.asked == 2
