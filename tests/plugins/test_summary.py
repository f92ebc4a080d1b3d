"""The daily work record summary (form 8) on the example community: compiled at its time per
consultation group from the day's cases and shifts, one row per person served, exported as
the paper form, its social workers told privately; compiled once, across a restart and a
reload moving its time too.

The example at 14:00 in Shanghai on Wednesday 2 December 2026, when shift 1 (focus-1) runs
(12:00–18:00): 何秘书 serves it as its secretary, 王芳 as its social worker, 孙医生 as its
medical volunteer; 徐老师 (psychological volunteer) notes without a shift.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from sanshe.core.actions import Action, SendFile
from sanshe.core.personal_data import erase, export
from sanshe.plugins.summary.models import Compiled
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import EXAMPLE, example_text, write_community
from tests.plugins.test_casework_path import answer, in_groups, reached, say, told

#: 14:00 in Shanghai.
NOON = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
READY = (
    "聚焦服务群12月2日的每日工作记录汇总已整理好，共2行：/导出 daily_summary 2026-12-02 2026-12-02"
)
#: The daily summary's headers, as the seeds' Annex 2 (tool 8) prints them, then the record's own.
HEADERS = [
    "求助日期", "服务对象", "微信群名", "所属社区", "是否确诊",
    "性别", "年龄", "是否怀孕（孕几周）", "曾何时出现什么症状",
    "是否去过医院诊治、曾做过怎样的处理", "和谁共同居住、是否有照顾者", "目前症状",
    "求助内容", "值班社工服务内容", "值班医务志愿者服务内容", "值班心理志愿者服务内容",
    "服务结果", "跟进建议", "微信截图", "服务评估", "记录员",
]  # fmt: skip


def sandbox(path: Path, db: Path) -> Sandbox:
    return Sandbox(path, db_url=f"sqlite://{db}", clock=ManualClock(NOON))


async def a_day_of_work(s: Sandbox) -> None:
    """Two requests routed to focus-1 and served there on shift; noted by its volunteers."""
    for who in ("he", "wang", "sun"):
        assert (await say(s, who, "/claim 1")).startswith("您已认领1号班次")
        await s.send(who, "focus-1", "到岗")
    await s.send("maria", "building-1", "/求助")
    await answer(s, "maria", "玛丽亚", "女", "45", "1号楼101", "13812345678", "1", "头疼发烧三天了")
    await s.send("bob", "dm", "/求助")
    await answer(s, "bob", "鲍勃", "男", "61", "2号楼101", "13912345678", "2", "睡不着")
    assert (await say(s, "wang", "/分流 1 聚焦")).startswith("1 号个案已分流到聚焦服务群")
    assert (await say(s, "wang", "/分流 2 聚焦")).startswith("2 号个案已分流到聚焦服务群")
    assert await say(s, "sun", "/跟进记录 1 医疗 已送退烧药") == "已记入 1 号个案（医疗）。"
    assert (
        await say(s, "xu", "/跟进记录 2 心理 已电话陪伴，情绪平稳") == "已记入 2 号个案（心理）。"
    )
    assert await say(s, "wang", "/结案 2 情绪平稳，转回社区") == "2 号个案已结案。"


def summaries(actions: list[Action], user: str) -> list[str]:
    """What ``user`` read privately of daily summaries among ``actions``."""
    return [text for text in told(actions, user) if "每日工作记录汇总已整理好" in text]


async def test_the_daily_summary_is_compiled_at_its_time_and_exports_as_form_8(
    tmp_path: Path,
) -> None:
    async with sandbox(EXAMPLE, tmp_path / "bot.sqlite3") as s:
        await a_day_of_work(s)
        early = await s.advance(hours=6, minutes=59)  # 20:59
        assert not await Compiled.exists() and not summaries(early, "wang")
        actions = await s.advance(minutes=1)  # 21:00
        assert told(actions, "wang") == [READY]
        assert reached(actions) == {"wang"}
        assert in_groups(actions) == []
        [answer_] = await s.send("wang", "dm", "/导出 daily_summary 2026-12-02 2026-12-02")
        assert isinstance(answer_, SendFile), s.texts([answer_])
        assert answer_.caption == "“每日工作记录汇总表”：共2条记录。"
        sheet = load_workbook(io.BytesIO(answer_.read())).active
        assert sheet["A1"].value == "每日工作记录汇总表"
        assert sheet["F2"].value == "基本信息及症状描述"
        top, below = ([c.value for c in sheet[r]][: len(HEADERS)] for r in (2, 3))
        # the grouped columns (F to L) have their headers below the group's; the others span both
        assert top[:5] + below[5:12] + top[12:] == HEADERS
        rows = [[c.value for c in sheet[r]][: len(HEADERS)] for r in (4, 5)]
        assert rows == [
            [
                "2026-12-02", "玛丽亚", "聚焦服务群", "阳光社区", None,
                "女", 45, None, None, None, None, None,
                "头疼发烧三天了", None, "孙医生：已送退烧药", None,
                None, None, None, None, "何秘书",
            ],
            [
                "2026-12-02", "鲍勃", "聚焦服务群", "阳光社区", None,
                "男", 61, None, None, None, None, None,
                "睡不着", None, None, "徐老师：已电话陪伴，情绪平稳",
                "情绪平稳，转回社区", None, None, None, "何秘书",
            ],
        ]  # fmt: skip
        assert sheet.max_row == 5
        listed = await say(s, "wang", "/记录 daily_summary")
        assert "玛丽亚" in listed and "鲍勃" in listed
        # The next evening: nothing new happened in focus-1, so no rows and nobody is told.
        quiet = await s.advance(days=1)
        assert summaries(quiet, "wang") == []
        assert len(await s.records("daily_summary")) == 2


async def test_a_day_is_compiled_once_across_a_restart_and_a_reload(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    path = write_community(tmp_path, example_text())
    clock = ManualClock(NOON)
    async with Sandbox(path, db_url=f"sqlite://{db}", clock=clock) as s:
        await a_day_of_work(s)
        await s.stop()
        clock.advance(hours=8)  # 22:00: the bot was stopped over 21:00
        await s.start()
        actions = await s.advance()
        assert summaries(actions, "wang") == [READY]
        # A reload moving the time later that evening compiles nothing again.
        path.write_text(
            example_text().replace("plugins:\n", 'plugins:\n  summary: {at: "23:00"}\n', 1),
            encoding="utf-8",
        )
        await s.bot.reload()
        assert summaries(await s.advance(hours=1, minutes=30), "wang") == []
        assert len(await s.records("daily_summary")) == 2
        assert await Compiled.filter(group="focus-1").count() == 1


async def test_a_row_is_exported_and_erased_with_the_person_it_is_about(tmp_path: Path) -> None:
    async with sandbox(EXAMPLE, tmp_path / "bot.sqlite3") as s:
        await a_day_of_work(s)
        await s.advance(hours=7)  # 21:00
        maria = s.bot.directory.person("console", "maria")
        exported = await export(s.storage, s.community, s.bot.pm, maria.id)
        [row] = exported["plugins"]["summary"]["rows"]
        assert (row["group"], row["data"]["client_name"]) == ("focus-1", "玛丽亚")
        await erase(s.storage, s.community, s.bot.pm, maria.id)
        [left] = await s.records("daily_summary")
        assert left.data["client_name"] == "鲍勃"


async def test_with_nobody_on_shift_a_social_worker_given_the_role_in_chat_is_told(
    tmp_path: Path,
) -> None:
    async with sandbox(EXAMPLE, tmp_path / "bot.sqlite3") as s:
        await s.send("maria", "building-1", "/求助")
        await answer(s, "maria", "玛丽亚", "女", "45", "1号楼101", "13812345678", "1", "头疼")
        assert (await say(s, "wang", "/分流 1 聚焦")).startswith("1 号个案已分流到聚焦服务群")
        await s.send("lily", "focus-1", "你好")
        granted = await say(s, "wang", "/grant @lily social_worker focus-1")
        assert granted.endswith("担任社会工作者。"), granted
        actions = await s.advance(hours=7)  # 21:00, nobody having served a shift
        ready = "聚焦服务群12月2日的每日工作记录汇总已整理好，共1行：/导出 daily_summary 2026-12-02 2026-12-02"
        assert summaries(actions, "lily") == [ready]
        assert summaries(actions, "wang") == [ready]
