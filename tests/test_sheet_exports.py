"""Exports of the health check-ins and of the hours ledger (sheets the check-ins and hours
plugins offer the records' exporter), opened back as XLSX, CSV and PDF and read header by
header and cell by cell; who may not is refused and audited.

The expected headers are written here as the community health monitoring form and the
ledger print them (the example's language is Chinese), not read from the catalogues.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from sanshe.plugins.hours.models import HoursEntry
from sanshe.plugins.records.cli import run_export
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import write_community
from tests.plugins.households import settle_in, zhang_of_building_1
from tests.plugins.test_checkins import MORNING
from tests.test_exports import exported, invocation, pdf_pages, sheet_headers, unspaced

CHECKIN_HEADERS = ["日期", "楼栋", "房号", "姓名", "体温（℃）", "是否发热", "症状", "打卡时间"]
LEDGER_HEADERS: list[Any] = [
    "姓名",
    "服务群组",
    "服务岗位",
    "班次",
    ("服务时间", ["起", "止"]),
    "时长（小时）",
]
MASKED = "（已记录）"


@pytest.fixture
async def town(tmp_path: Path):
    """The example, 张敏 a community worker of building 1 only; 王家 (building 1, 302) and 魏家
    (building 3, 101) reported this morning, 魏家 a fever."""
    async with Sandbox(
        write_community(tmp_path, zhang_of_building_1()), clock=ManualClock(MORNING)
    ) as s:
        await settle_in(s, "maria", "building-1", "302", "王家")
        await settle_in(s, "wei", "building-3", "101", "魏家")
        await s.send("maria", "dm", "/打卡 36.6")
        await s.send("wei", "dm", "/打卡 38.1 乏力")
        yield s


def rows_of(content: bytes) -> list[list[Any]]:
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(content)).active.iter_rows()]


MARIA = ["2026-12-03", "1号楼", "302", "王家", 36.6, "否", "无", "2026-12-03 07:30"]
WEI = ["2026-12-03", "3号楼", "101", "魏家", 38.1, "是", "乏力", "2026-12-03 07:30"]


async def test_the_check_ins_export_as_the_health_monitoring_form_to_who_gets_the_lists(
    town: Sandbox,
) -> None:
    # 李书记, the community-wide community worker: every building, in clear.
    file = await exported(town, "li", "/export checkins")
    assert file.caption == "“社区健康监测表”：共2条记录。"
    assert rows_of(file.read()) == [
        ["社区健康监测表", *[None] * 7],
        CHECKIN_HEADERS,
        MARIA,
        WEI,
    ]
    text = (await exported(town, "li", "/导出 健康监测表 csv")).read().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        CHECKIN_HEADERS,
        [str(c) for c in MARIA],
        [str(c) for c in WEI],
    ]
    document = await exported(town, "li", "/export 打卡 pdf")
    assert document.name.endswith(".pdf")
    [page] = pdf_pages(document.read())
    cells = ["社区健康监测表", *CHECKIN_HEADERS, *MARIA, *WEI]
    assert unspaced(page) == "第1页" + unspaced("".join(str(c) for c in cells))
    # 张敏, community worker of building 1 only: its check-ins, in clear.
    assert rows_of((await exported(town, "zhang", "/export checkins")).read())[2:] == [MARIA]
    # The building leaders (the missing-report lists): their building's, health data masked.
    masked = [*MARIA[:4], MASKED, MASKED, MASKED, MARIA[-1]]
    assert rows_of((await exported(town, "zhao", "/export checkins")).read())[2:] == [masked]
    leader = (await exported(town, "chen", "/export checkins pdf")).read()
    [page] = pdf_pages(leader)
    assert "38.1" not in page and "乏力" not in page
    assert unspaced(page).endswith(
        unspaced("2026-12-033号楼101魏家" + MASKED * 3 + "2026-12-0307:30")
    )
    entries = await town.audit(action="export", subject="sheet:checkins")
    assert [e.detail for e in entries] == [
        "xlsx rows=2",
        "csv rows=2",
        "pdf rows=2",
        "xlsx rows=1 groups=building-1",
        "xlsx rows=1 groups=building-1,building-2",
        "pdf rows=1 groups=building-3",
    ]


async def test_the_check_ins_are_refused_to_who_gets_no_list_nor_alert_and_audited(
    town: Sandbox,
) -> None:
    [refused] = town.texts(await town.send("he", "dm", "/export checkins"))
    assert refused == (
        "抱歉，“社区健康监测表”的记录只能由楼门栋长、网格员、社区工作者导出，您不在其中。"
        "这次请求已记入审计日志。"
    )
    [entry] = await town.audit(who="he", action="export_refused")
    assert (entry.subject, entry.detail) == ("sheet:checkins", "xlsx")
    assert await town.audit(action="export") == []
    [typed] = town.texts(await town.send("he", "dm", "/export checkinz"))
    assert typed == (
        "本社区没有“checkinz”这张表，而且您没有查看任何表的记录的权限。"
        "请这样写：/export <表> [起始日期] [截止日期] [xlsx|csv|pdf]。"
    )


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A time of December 2026 (November: ``day`` negative, counted back) in Shanghai, in UTC."""
    month, dom = (11, 30 + day) if day <= 0 else (12, day)
    return datetime(2026, month, dom, hour - 8, minute, tzinfo=UTC)


async def ledger(s: Sandbox) -> None:
    """何秘书 served two shifts of the focus group (one in November), 高 one of the pool."""
    await HoursEntry.create(
        person="he", group_id="focus-1", role="general_volunteer", shift="1",
        start=local(-1, 9), end=local(-1, 12),
    )  # fmt: skip
    await HoursEntry.create(
        person="he", group_id="focus-1", role="general_volunteer", shift="3",
        start=local(1, 14), end=local(1, 17, 30),
    )  # fmt: skip
    await HoursEntry.create(
        person="gao", group_id="volunteers", role="general_volunteer", shift="2",
        start=local(2, 9, 15), end=local(2, 11),
    )  # fmt: skip


HE_NOV = [
    "何秘书",
    "聚焦服务群",
    "一般志愿者（群秘书）",
    "1",
    "2026-11-29 09:00",
    "2026-11-29 12:00",
    3,
]
HE_DEC = [
    "何秘书",
    "聚焦服务群",
    "一般志愿者（群秘书）",
    "3",
    "2026-12-01 14:00",
    "2026-12-01 17:30",
    3.5,
]
GAO = [
    "Gao Lin",
    "志愿服务总群",
    "一般志愿者（群秘书）",
    "2",
    "2026-12-02 09:15",
    "2026-12-02 11:00",
    1.75,
]


async def test_the_hours_ledger_exports_to_a_social_worker_with_its_grouped_time_columns() -> None:
    async with Sandbox(clock=ManualClock(MORNING)) as s:
        await ledger(s)
        file = await exported(s, "wang", "/export hours")
        assert file.caption == "“志愿服务时长台账”：共3条记录。"
        sheet = load_workbook(io.BytesIO(file.read())).active
        assert sheet["A1"].value == "志愿服务时长台账"
        headers, first = sheet_headers(sheet)
        assert headers == LEDGER_HEADERS
        assert [[c.value for c in row] for row in sheet.iter_rows(min_row=first)] == [
            HE_NOV,
            HE_DEC,
            GAO,
        ]
        december = await exported(s, "wang", "/export 时长 2026-12-01 2026-12-31 csv")
        assert december.name == "hours_2026-12-01_2026-12-31.csv"
        rows = list(csv.reader(io.StringIO(december.read().decode("utf-8-sig"))))
        assert rows == [
            [
                "姓名",
                "服务群组",
                "服务岗位",
                "班次",
                "服务时间：起",
                "服务时间：止",
                "时长（小时）",
            ],
            [str(c) for c in HE_DEC],
            [str(c) for c in GAO],
        ]
        [page] = pdf_pages((await exported(s, "wang", "/export 志愿服务时长台账 pdf")).read())
        printed = ["志愿服务时长台账", "姓名", "服务群组", "服务岗位", "班次", "服务时间"]
        printed += ["时长（小时）", "起", "止", *HE_NOV, *HE_DEC, *GAO]
        assert unspaced(page) == "第1页" + unspaced("".join(str(c) for c in printed))
        [refused] = s.texts(await s.send("gao", "dm", "/export hours"))
        assert refused == (  # Gao writes in English
            "Sorry, the records of “Volunteer service hours ledger” are exported only by these"
            " roles: social worker. You hold none of them; this request is noted in the audit log."
        )
        [entry] = await s.audit(who="gao", action="export_refused")
        assert (entry.subject, entry.detail) == ("sheet:hours", "xlsx")
        details = [e.detail for e in await s.audit(who="wang", action="export")]
        assert details == ["xlsx rows=3", "csv rows=2 from=2026-12-01 to=2026-12-31", "pdf rows=3"]


async def test_sanshe_export_writes_the_ledger_and_the_check_ins_as_who_may(
    town: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await ledger(town)
    assert await run_export(invocation(town, tmp_path, form="hours", format="pdf")) == 0
    [path] = (tmp_path / "out").iterdir()
    assert re.fullmatch(r"hours_\d{8}-\d{6}\.pdf", path.name)
    [page] = pdf_pages(path.read_bytes())
    assert unspaced("".join(str(c) for c in HE_DEC)) in unspaced(page)
    assert capsys.readouterr().out == (
        f"Exported 3 records of “Volunteer service hours ledger” to {path}.\n"
    )
    given = {"form": "checkins", "person": "zhang", "group": "building-1", "format": "csv"}
    assert await run_export(invocation(town, tmp_path, **given)) == 0
    [written] = (tmp_path / "out").glob("checkins_building-1_*.csv")
    rows = list(csv.reader(io.StringIO(written.read_text(encoding="utf-8-sig"))))
    assert rows == [CHECKIN_HEADERS, [str(c) for c in MARIA]]
    [entry] = await town.audit(who="zhang", action="export")
    assert (entry.subject, entry.detail) == ("sheet:checkins", "csv rows=1 group=building-1")
    refused = {"form": "checkins", "person": "zhang", "group": "building-3"}
    assert await run_export(invocation(town, tmp_path, **refused)) == 1
    assert capsys.readouterr().err == (
        "zhang may not export the records of “Community health monitoring form”: only these"
        " roles do: building leader, grid worker, community worker. The refusal is noted in"
        " the audit log.\n"
    )
    [entry] = await town.audit(who="zhang", action="export_refused")
    assert (entry.subject, entry.detail) == ("sheet:checkins", "xlsx")
