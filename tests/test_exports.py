"""Exports of the example community's eight forms, opened back and read as their paper forms.

Each form is filled through its chat dialog, exported with /export as XLSX, as
CSV and as PDF, and the files opened again (openpyxl, the csv module, pypdf's
text extraction).  The expected
headers are written here as the seeds' Annex 2 prints them (实用工具一 … 八), not
read from the forms' YAML; the record's own two columns (its number and time)
follow them.  The example's language is Chinese, so the headers are too.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sanshe.core.actions import SendFile
from sanshe.core.cli import parser
from sanshe.core.i18n import Translator
from sanshe.core.plugins import plugin_manager
from sanshe.core.verbs import Invocation, verb_book
from sanshe.plugins.records.cli import Bar, run_export
from sanshe.plugins.records.sheets import pdf
from sanshe.plugins.records.table import Cell, Column, Table
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import example_text, write_community

#: 2026-12-03 13:00 in Shanghai: a quiet hour of the example's timers.
START = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
#: A record's time as the export writes it (the database stamps records with the machine's clock).
WHEN = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")
#: The record's own columns, after the form's.
OWN = ["记录编号", "记录时间"]

Header = str | tuple[str, list[str]]

#: Each form: who fills it (and where), the answers typed, the headers of Annex 2 (a grouped
#: column as (header over it, [its columns])) and the cells expected of the answers.
FORMS: dict[str, dict[str, Any]] = {
    "volunteer_registration": {
        "who": ("he", ""),
        "title": "志愿者信息登记表",
        "answers": [
            "李四", "女", "群众", "11010519491231002X", "5", "北京大学", "护理 本科", "护理",
            "阳光社区", "13912345678", "lisi_wx", "第一医院", "/skip", "护士执业证书",
            "周末上午", "1,3",
        ],
        "headers": [
            "姓名", "性别", "政治面貌", "身份证号码", "工作年限", "毕业院校", "专业及学历",
            "服务技能", "所在地区", "联系电话", "微信号", "工作单位",
            "工作经历（类似公共事件工作经验）", "专业资质及证明材料",
            "可参与志愿服务的时长及时段", "可胜任志愿服务岗位",
        ],
        "cells": [
            "李四", "女", "群众", "11010519491231002X", 5, "北京大学", "护理 本科", "护理",
            "阳光社区", "13912345678", "lisi_wx", "第一医院", None, "护士执业证书",
            "周末上午", "医务志愿者、一般志愿者",
        ],
    },
    "confidentiality_agreement": {
        "who": ("he", ""),
        "title": "志愿服务保密协议",
        "answers": [
            "阳光社区居委会", "13700000001", "李四", "11010519491231002X", "13912345678",
            "/agree", "2026-12-01",
        ],
        "headers": [
            ("甲方", ["签名（志愿者组织方名称）", "联系电话"]),
            ("乙方", ["签名（参与志愿服务的志愿者）", "身份证号", "联系电话", "同意本协议"]),
            "签订时间",
        ],
        "cells": [
            "阳光社区居委会", "13700000001", "李四", "11010519491231002X", "13912345678",
            "已同意", "2026-12-01",
        ],
    },
    "consultation_record": {
        "who": ("wang", ""),
        "title": "服务对象咨询记录表",
        "answers": [
            "A组", "007", "何秘书", "12月1日 10:00", "张三", "男", "40", "幸福路1号", "13812345678",
            "医疗", "王芳 13800000000", "何秘书", "问发烧怎么办；答：先量体温", "/skip",
        ],
        "headers": [
            "组别", "编号", "记录员签名", "记录时间", "服务对象姓名", "性别", "年龄", "居住地址",
            "联系电话", "咨询类别", "服务人员及联系方式", "记录员（微信群秘书）", "咨询内容",
            "微信群服务记录",
        ],
        "cells": [
            "A组", "007", "何秘书", "12月1日 10:00", "张三", "男", 40, "幸福路1号", "13812345678",
            "医疗", "王芳 13800000000", "何秘书", "问发烧怎么办；答：先量体温", None,
        ],
    },
    "social_work_service_record": {
        "who": ("wang", ""),
        "title": "服务记录表（社会工作者）",
        "answers": [
            "张三", "男", "40", "13812345678", "阳光社区", "幸福路1号", "13600000000", "1,2", "2",
            "/skip", "1,3", "9:00", "9:30", "电话安抚", "情绪稳定", "明天回访", "王芳", "2026-12-01",
        ],
        "headers": [
            (
                "基本资料",
                [
                    "服务对象姓名", "性别", "年龄", "联系电话", "所属社区", "居住地址",
                    "紧急联系人及电话",
                ],
            ),
            "诉求情况",
            ("需求评估", ["医疗", "照护", "支持"]),
            ("服务时间", ["起", "止"]),
            "服务内容", "服务结果", "跟进建议", "社工签名", "日期",
        ],
        "cells": [
            "张三", "男", 40, "13812345678", "阳光社区", "幸福路1号", "13600000000", "情绪、医疗",
            "健康建议", None, "医疗物资、情绪支持", "9:00", "9:30", "电话安抚", "情绪稳定",
            "明天回访", "王芳", "2026-12-01",
        ],
    },
    "case_followup": {
        "who": ("wang", ""),
        "title": "个案管理跟进表",
        "answers": [
            "A组", "12", "张三", "男", "40", "幸福路1号", "13812345678", "王芳", "13800000000",
            "2026-12-02", "已联系社区医生", "孙医生 13900000000", "/skip", "/skip", "送菜上门",
            "何秘书", "王芳",
        ],
        "headers": [
            "组别", "个案编号", "案主姓名", "性别", "年龄", "居住地址", "联系电话", "接案社工",
            "联系电话", "日期",
            ("医疗", ["内容", "负责人及联系方式"]),
            ("心理", ["内容", "负责人及联系方式"]),
            ("其他", ["内容", "负责人及联系方式"]),
            "负责社工",
        ],
        "cells": [
            "A组", "12", "张三", "男", 40, "幸福路1号", "13812345678", "王芳", "13800000000",
            "2026-12-02", "已联系社区医生", "孙医生 13900000000", None, None, "送菜上门",
            "何秘书", "王芳",
        ],
    },
    "medical_service_record": {
        "who": ("sun", "focus-1"),
        "title": "服务记录表（医务志愿者）",
        "answers": [
            "张三", "男", "40", "大专", "已婚", "发热两天", "高血压", "降压药", "13600000000",
            "线上问诊", "多喝水，观察体温", "好转", "10:00", "10:20", "孙医生", "2026-12-01",
        ],
        "headers": [
            "求助者姓名", "性别", "年龄", "学历", "婚姻状况", "身体状况",
            "有无其他病史、曾患病信息", "曾服用药物、曾治疗方法、曾治疗次数", "紧急联系人及电话",
            "在线服务内容", "专业建议", "服务结果", ("服务时间", ["起", "止"]), "医务志愿者签名",
            "日期",
        ],
        "cells": [
            "张三", "男", 40, "大专", "已婚", "发热两天", "高血压", "降压药", "13600000000",
            "线上问诊", "多喝水，观察体温", "好转", "10:00", "10:20", "孙医生", "2026-12-01",
        ],
    },
    "psych_service_record": {
        "who": ("xu", "focus-1"),
        "title": "服务记录表（心理咨询志愿者）",
        "answers": [
            "张三", "男", "40", "本科", "良好", "未婚", "无", "独居", "无", "/skip", "13600000000",
            "焦虑", "倾听与放松训练", "每周一次", "是", "14:00", "14:50", "徐老师", "2026-12-01",
        ],
        "headers": [
            "咨询者姓名", "性别", "年龄", "学历", "身体状况", "婚姻状况", "有无其他病史",
            "一般资料", "曾咨询次数", "曾用药物、曾用疗法", "紧急联系人及电话", "心理咨询师观察",
            "心理咨询师在线咨询过程", "目标方案", "是否预约下次咨询时间", ("服务时间", ["起", "止"]),
            "心理咨询志愿者签名", "日期",
        ],
        "cells": [
            "张三", "男", 40, "本科", "良好", "未婚", "无", "独居", "无", None, "13600000000",
            "焦虑", "倾听与放松训练", "每周一次", "是", "14:00", "14:50", "徐老师", "2026-12-01",
        ],
    },
    "daily_summary": {
        "who": ("wang", ""),
        "title": "每日工作记录汇总表",
        "answers": [
            "2026-12-01", "张三", "聚焦服务一群", "阳光社区", "否", "男", "40", "/skip",
            "12月1日起发热", "未就诊，自行服用退烧药", "与妻子同住，妻子照顾", "低烧、乏力",
            "想知道是否要去医院", "安抚情绪", "建议居家观察", "/skip", "已解答", "明天回访",
            "/skip", "满意", "何秘书",
        ],
        "headers": [
            "求助日期", "服务对象", "微信群名", "所属社区", "是否确诊",
            (
                "基本信息及症状描述",
                [
                    "性别", "年龄", "是否怀孕（孕几周）", "曾何时出现什么症状",
                    "是否去过医院诊治、曾做过怎样的处理", "和谁共同居住、是否有照顾者",
                    "目前症状",
                ],
            ),
            "求助内容", "值班社工服务内容", "值班医务志愿者服务内容", "值班心理志愿者服务内容",
            "服务结果", "跟进建议", "微信截图", "服务评估", "记录员",
        ],
        "cells": [
            "2026-12-01", "张三", "聚焦服务一群", "阳光社区", "否", "男", 40, None,
            "12月1日起发热", "未就诊，自行服用退烧药", "与妻子同住，妻子照顾", "低烧、乏力",
            "想知道是否要去医院", "安抚情绪", "建议居家观察", None, "已解答", "明天回访", None,
            "满意", "何秘书",
        ],
    },
}  # fmt: skip


def flat(headers: list[Header]) -> list[tuple[str, str]]:
    """(header over it, column) for each column: "" over a column of no group."""
    found: list[tuple[str, str]] = []
    for header in headers:
        if isinstance(header, str):
            found.append(("", header))
        else:
            found.extend((header[0], column) for column in header[1])
    return found


def sheet_headers(sheet: Any) -> tuple[list[Header], int]:
    """The headers of an exported sheet read as the paper form shows them, and the first row of
    data: a merged cell over several columns (or a cell with columns below it) is a group."""
    merged = list(sheet.merged_cells.ranges)
    grouped = any(r.min_row == 2 and r.max_row == 3 for r in merged) or any(
        r.min_row == 2 and r.max_row == 2 for r in merged
    )
    if not grouped:
        row = [c.value for c in sheet[2]]
        return list(row), 3
    headers: list[Header] = []
    column = 1
    while column <= sheet.max_column:
        top = sheet.cell(row=2, column=column).value
        across = next(
            (r for r in merged if r.min_row == 2 and r.min_col == column and r.max_row == 2), None
        )
        down = next(
            (r for r in merged if r.min_row == 2 and r.max_row == 3 and r.min_col == column), None
        )
        if down is not None:
            headers.append(top)
            column += 1
            continue
        last = across.max_col if across is not None else column
        below = [sheet.cell(row=3, column=c).value for c in range(column, last + 1)]
        headers.append((top, below))
        column = last + 1
    return headers, 4


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page of a PDF, as a reader copying it out gets it."""
    assert content.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def unspaced(text: str) -> str:
    """``text`` without its white space (a PDF cell wraps its text over several lines)."""
    return re.sub(r"\s+", "", text)


def pdf_order(headers: list[Header]) -> list[str]:
    """A PDF's header cells in the order they are printed: the top row, then the row below."""
    top = [h if isinstance(h, str) else h[0] for h in headers]
    below = [c for h in headers if not isinstance(h, str) for c in h[1]]
    return [*top, *below]


async def fill(s: Sandbox, form: str) -> int:
    """Fill ``form`` in the example as its ``FORMS`` entry says; the new record's number."""
    spec = FORMS[form]
    who, group = spec["who"]
    opened = s.texts(await s.send(who, "dm", f"/form {form} {group}".strip()))
    assert opened and "1/" in opened[-1], opened
    said: list[str] = []
    for answer in spec["answers"]:
        said = s.texts(await s.send(who, "dm", answer))
    assert any("已保存" in text for text in said), said
    return max(r.id for r in await s.records(form))


async def exported(s: Sandbox, who: str, command: str) -> SendFile:
    [answer] = await s.send(who, "dm", command)
    assert isinstance(answer, SendFile), s.texts([answer])
    return answer


def sandbox() -> Sandbox:
    return Sandbox(clock=ManualClock(START))


@pytest.mark.parametrize("form", list(FORMS))
async def test_each_form_exports_as_its_paper_form_in_xlsx_csv_and_pdf(form: str) -> None:
    spec = FORMS[form]
    async with sandbox() as s:
        number = await fill(s, form)
        file = await exported(s, "wang", f"/export {form}")
        assert file.name.startswith(f"{form}_") and file.name.endswith(".xlsx")
        assert file.caption == f"“{spec['title']}”：共1条记录。"
        book = load_workbook(io.BytesIO(file.read()))
        sheet = book.active
        assert sheet.cell(row=1, column=1).value == spec["title"]
        headers, first = sheet_headers(sheet)
        assert headers == [*spec["headers"], *OWN]
        values = [c.value for c in sheet[first]]
        assert values[: len(spec["cells"])] == spec["cells"]
        assert values[len(spec["cells"])] == number
        assert WHEN.fullmatch(values[-1])
        assert sheet.max_row == first

        text = (await exported(s, "wang", f"/export {form} csv")).read()
        assert text.startswith(b"\xef\xbb\xbf")  # the byte order mark: Excel reads UTF-8
        rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
        expected = [f"{g}：{c}" if g else c for g, c in flat(spec["headers"])]
        assert rows[0] == [*expected, *OWN]
        assert len(rows) == 2
        cells = ["" if c is None else str(c) for c in spec["cells"]]
        assert rows[1][: len(cells)] == cells
        assert rows[1][len(cells)] == str(number)

        document = await exported(s, "wang", f"/export {form} pdf")
        assert document.name.startswith(f"{form}_") and document.name.endswith(".pdf")
        [page] = pdf_pages(document.read())
        printed = unspaced(page)
        heads = [spec["title"], *pdf_order([*spec["headers"], *OWN])]
        values = [c for c in spec["cells"] if c is not None]
        expected = unspaced("".join(str(v) for v in [*heads, *values, number]))
        # the page's number (drawn first), the title, the headers, then the row, cell by cell
        assert re.fullmatch(re.escape(f"第1页{expected}") + r"\d{4}-\d\d-\d\d\d\d:\d\d", printed)


async def test_the_daily_summary_merges_its_grouped_header_over_seven_columns() -> None:
    async with sandbox() as s:
        await fill(s, "daily_summary")
        sheet = load_workbook(
            io.BytesIO((await exported(s, "wang", "/导出 每日工作记录汇总表")).read())
        ).active
        merged = {str(r) for r in sheet.merged_cells.ranges}
        assert "A1:W1" in merged  # the title, over the 21 columns and the record's two
        assert "F2:L2" in merged  # 基本信息及症状描述 over 性别 … 目前症状
        assert {"A2:A3", "E2:E3", "M2:M3", "W2:W3"} <= merged
        assert sheet["F2"].value == "基本信息及症状描述" and sheet["F3"].value == "性别"
        assert sheet.freeze_panes == "A4"


async def test_several_records_export_in_order_and_dates_choose_them() -> None:
    async with sandbox() as s:
        first = await fill(s, "consultation_record")
        FORMS["consultation_record"]["answers"][4] = "李五"
        try:
            second = await fill(s, "consultation_record")
        finally:
            FORMS["consultation_record"]["answers"][4] = "张三"
        sheet = load_workbook(
            io.BytesIO((await exported(s, "wang", "/export consultation_record")).read())
        ).active
        assert [sheet.cell(row=r, column=5).value for r in (3, 4)] == ["张三", "李五"]
        assert [sheet.cell(row=r, column=15).value for r in (3, 4)] == [first, second]
        old = await exported(s, "wang", "/export consultation_record 2000-01-01 2000-01-31 csv")
        assert old.name == "consultation_record_2000-01-01_2000-01-31.csv"
        assert len(list(csv.reader(io.StringIO(old.read().decode("utf-8-sig"))))) == 1
        assert old.caption == "“服务对象咨询记录表”：共0条记录。"
        [entry, none] = await s.audit(who="wang", action="export")
        assert (entry.subject, entry.detail) == ("form:consultation_record", "xlsx rows=2")
        assert none.detail == "csv rows=0 from=2000-01-01 to=2000-01-31"


async def test_an_export_by_a_role_not_allowed_is_refused_and_audited() -> None:
    async with sandbox() as s:
        await fill(s, "medical_service_record")
        # the medical volunteer reads these records (view:) but does not export them (export:)
        [refused] = s.texts(await s.send("zhang", "dm", "/export medical_service_record"))
        assert refused == (
            "抱歉，“服务记录表（医务志愿者）”的记录只能由社会工作者导出，您不在其中。"
            "这次请求已记入审计日志。"
        )
        [entry] = await s.audit(who="zhang", action="export_refused")
        assert (entry.subject, entry.detail) == ("form:medical_service_record", "xlsx")
        assert await s.audit(action="export") == []
        [typed] = s.texts(await s.send("wang", "dm", "/export daily_summary 2026-02-30"))
        assert typed == (
            "“2026-02-30”不是日期，请写成2026-12-01。"
            "请这样写：/export <表> [起始日期] [截止日期] [xlsx|csv|pdf]。"
        )
        [backwards] = s.texts(
            await s.send("wang", "dm", "/export daily_summary 2026-12-03 2026-12-01")
        )
        assert backwards.startswith("起始日期（2026-12-03）晚于截止日期（2026-12-01）。")
        in_group = s.texts(await s.send("wang", "focus-1", "/export daily_summary"))
        assert in_group[-1] == "/export 只能在与我的私聊中使用，不能在群里使用。"


def invocation(s: Sandbox, tmp_path: Path, **given: Any) -> Invocation:
    values = {"form": "daily_summary", "person": "wang", "start": None, "end": None}
    values |= {"group": None, "format": "xlsx", "output": str(tmp_path / "out")}
    args = argparse.Namespace(**(values | given))
    _ = Translator(s.bot.catalogue, "en")
    return Invocation(
        args, s.community, s.storage, s.bot.pm, Path("community.yaml"), _, s.bot.clock
    )


async def test_sanshe_export_writes_the_file_for_who_may_and_refuses_who_may_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with sandbox() as s:
        await fill(s, "daily_summary")
        assert await run_export(invocation(s, tmp_path, format="csv", start="2000-01-01")) == 0
        [path] = (tmp_path / "out").iterdir()
        assert re.fullmatch(r"daily_summary_2000-01-01_end\.csv", path.name)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert rows[0][:6] == [
            "求助日期",
            "服务对象",
            "微信群名",
            "所属社区",
            "是否确诊",
            "基本信息及症状描述：性别",
        ]
        assert rows[1][:3] == ["2026-12-01", "张三", "聚焦服务一群"]
        said = capsys.readouterr().out
        assert said == f"Exported 1 record of “Daily work record summary” to {path}.\n"
        [entry] = await s.audit(who="wang", action="export")
        assert (entry.subject, entry.detail) == ("form:daily_summary", "csv rows=1 from=2000-01-01")

        assert await run_export(invocation(s, tmp_path, person="zhang")) == 1
        assert capsys.readouterr().err == (
            "zhang may not export the records of “Daily work record summary”: only these roles"
            " do: social worker. The refusal is noted in the audit log.\n"
        )
        assert len(await s.audit(who="zhang", action="export_refused")) == 1
        assert await run_export(invocation(s, tmp_path, person="nobody")) == 1
        assert "“nobody” is no one the community knows" in capsys.readouterr().err
        assert await run_export(invocation(s, tmp_path, form="nope")) == 1
        assert capsys.readouterr().err.startswith("“nope” is not a form of this community")
        assert await run_export(invocation(s, tmp_path, end="2026-13-01")) == 1
        assert capsys.readouterr().err == "“2026-13-01” is not a day: write it as 2026-12-01.\n"
        assert await run_export(invocation(s, tmp_path, group="b9")) == 1
        assert capsys.readouterr().err.startswith("“b9” is not a group of this community")


def test_sanshe_export_is_a_verb_of_the_command_line() -> None:
    top = parser(verb_book(plugin_manager()))
    args = top.parse_args(["export", "daily_summary", "--as", "wang", "--format", "csv"])
    assert (args.form, args.person, args.format, args.output) == (
        "daily_summary",
        "wang",
        "csv",
        ".",
    )
    assert top.parse_args(
        ["export", "daily_summary", "--as", "wang", "--format", "pdf"]
    ).format == ("pdf")
    with pytest.raises(SystemExit):
        top.parse_args(["export", "daily_summary", "--as", "wang", "--format", "doc"])


def test_the_progress_bar_shows_a_long_export_only() -> None:
    out = io.StringIO()
    bar = Bar(out, "每日工作记录汇总表")
    bar(300, 300)
    assert out.getvalue() == ""
    bar(500, 1000)
    bar(1000, 1000)
    assert out.getvalue() == (
        "\r每日工作记录汇总表 [" + "#" * 15 + "." * 15 + "] 500/1000"
        "\r每日工作记录汇总表 [" + "#" * 30 + "] 1000/1000\n"
    )


async def test_a_long_pdf_runs_over_landscape_pages_each_headed_by_the_form_s_headers() -> None:
    columns = [
        Column("求助日期"),
        Column("性别", group="基本信息及症状描述"),
        Column("年龄", group="基本信息及症状描述"),
        Column("记录编号"),
    ]
    rows: list[list[Cell]] = [["2026-12-01", "女", 30 + n % 50, n] for n in range(1, 121)]
    async with sandbox() as s:
        _ = Translator(s.bot.catalogue, "zh_CN")
        content = pdf(Table("每日工作记录汇总表", columns, rows), _)
    reader = PdfReader(io.BytesIO(content))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape
    pages = [unspaced(page.extract_text()) for page in reader.pages]
    assert len(pages) > 1
    head = "求助日期基本信息及症状描述记录编号性别年龄"
    numbers: list[int] = []
    for number, page in enumerate(pages, start=1):
        assert (
            page.startswith(f"第{number}页") and head in page
        )  # the header rows again on every page
        numbers += [int(n) for n in re.findall(r"2026-12-01女\d\d(\d+?)(?=2026-|$)", page)]
    assert numbers == list(range(1, 121))  # every row once, in order


async def test_who_exports_a_form_in_some_groups_gets_the_records_filed_there(
    tmp_path: Path,
) -> None:
    lin = (
        "  - id: lin\n    name: 林社工\n    handles: {console: lin}\n"
        "    roles:\n      - {role: social_worker, groups: [focus-1]}\n"
    )
    text = example_text().replace("  - id: sun\n", lin + "  - id: sun\n", 1)
    async with Sandbox(write_community(tmp_path, text), clock=ManualClock(START)) as s:
        await fill(s, "medical_service_record")  # filed under focus-1
        FORMS["medical_service_record"]["who"] = ("sun", "key-1")
        FORMS["medical_service_record"]["answers"][0] = "李五"
        try:
            await fill(s, "medical_service_record")
        finally:
            FORMS["medical_service_record"]["who"] = ("sun", "focus-1")
            FORMS["medical_service_record"]["answers"][0] = "张三"
        file = await exported(s, "lin", "/export medical_service_record")
        assert file.caption == "“服务记录表（医务志愿者）”：共1条记录。"
        sheet = load_workbook(io.BytesIO(file.read())).active
        _headers, first = sheet_headers(sheet)
        assert sheet.cell(row=first, column=1).value == "张三"
        assert sheet.cell(row=first + 1, column=1).value is None
        [entry] = await s.audit(who="lin", action="export")
        assert entry.detail == "xlsx rows=1 groups=focus-1"
        everything = await exported(s, "wang", "/export medical_service_record")
        assert everything.caption == "“服务记录表（医务志愿者）”：共2条记录。"
