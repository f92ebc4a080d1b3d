"""The certificate of a volunteer's service hours: /certificate (证明) and sanshe certificate
give a social worker a PDF naming the community, the volunteer, the hours month by month and
in all, the issuer and the day, read back here with pypdf; anyone else is refused, audited."""

from __future__ import annotations

import argparse
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sanshe.core.i18n import Translator
from sanshe.core.verbs import Invocation
from sanshe.plugins.hours.cli import run_certificate
from sanshe.plugins.hours.models import HoursEntry
from sanshe.testing import ManualClock, Sandbox
from tests.test_exports import exported, pdf_pages, unspaced

#: 13:00 in Shanghai, Thursday 3 December 2026.
NOW = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A time of 2026 in Shanghai, in UTC."""
    return datetime(2026, month, day, hour - 8, minute, tzinfo=UTC)


async def ledger() -> None:
    """何秘书 served a shift of the focus group in November and one in December (3 h, 3.5 h);
    高 one of the pool."""
    for person, group, shift, start, end in (
        ("he", "focus-1", "1", local(11, 29, 9), local(11, 29, 12)),
        ("he", "focus-1", "3", local(12, 1, 14), local(12, 1, 17, 30)),
        ("gao", "volunteers", "2", local(12, 2, 9, 15), local(12, 2, 11)),
    ):
        role = "general_volunteer"
        await HoursEntry.create(
            person=person, group_id=group, role=role, shift=shift, start=start, end=end
        )


async def test_a_social_worker_gets_the_certificate_of_a_volunteers_hours() -> None:
    async with Sandbox(clock=ManualClock(NOW)) as s:
        await ledger()
        file = await exported(s, "wang", "/证明 何秘书")
        assert file.name == "certificate_he_2026-12-03.pdf"
        assert file.caption == "何秘书的志愿服务时长证明。"
        [page] = pdf_pages(file.read())
        assert unspaced(page) == "".join(  # lines wrap; the table's cells come one by one
            [
                "志愿服务时长证明",
                "兹证明何秘书在阳光社区参加志愿服务，共值班2次，累计服务6.5小时，各月服务时长如下。",
                "月份服务时长（小时）",
                "2026年11月3",
                "2026年12月3.5",
                "合计6.5",
                "出具人：王芳（社会工作者）",
                "阳光社区（盖章）",
                "日期：2026年12月3日",
            ]
        )
        [entry] = await s.audit(who="wang", action="certificate", subject="person:he")
        assert entry.detail == "months=2"
        [none] = s.texts(await s.send("wang", "dm", "/certificate 孙医生"))
        assert none == "孙医生还没有记录的服务时长。"


async def test_anyone_else_is_refused_and_audited_and_wrong_input_says_how() -> None:
    async with Sandbox(clock=ManualClock(NOW)) as s:
        await ledger()
        [refused] = s.texts(await s.send("he", "dm", "/certificate 何秘书"))
        assert refused == "只有全社区或志愿服务总群的社会工作者能出具服务时长证明。"
        [english] = s.texts(await s.send("gao", "dm", "/certificate Gao Lin"))
        assert english == (
            "Only a social worker of the whole community or of the volunteer general group issues"
            " certificates of hours."
        )
        [entry] = await s.audit(who="he", action="certificate_refused", subject="person:he")
        assert entry.detail == ""
        assert len(await s.audit(who="gao", action="certificate_refused")) == 1
        assert await s.audit(action="certificate") == []
        [missing] = s.texts(await s.send("wang", "dm", "/证明"))
        assert missing.startswith("缺少")
        [unknown] = s.texts(await s.send("wang", "dm", "/证明 无名氏"))
        assert "无名氏" in unknown
        in_group = s.texts(await s.send("wang", "focus-1", "/certificate 何秘书"))
        assert in_group[-1] == "/certificate 只能在与我的私聊中使用，不能在群里使用。"


def invocation(s: Sandbox, tmp_path: Path, **given: Any) -> Invocation:
    values = {"person": "he", "issuer": "wang", "output": None} | given
    _ = Translator(s.bot.catalogue, "en")
    return Invocation(
        argparse.Namespace(**values),
        s.community,
        s.storage,
        s.bot.pm,
        Path("community.yaml"),
        _,
        s.bot.clock,
    )


async def test_sanshe_certificate_writes_the_pdf_for_a_social_worker_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Sandbox(clock=ManualClock(NOW)) as s:
        await ledger()
        monkeypatch.chdir(tmp_path)
        assert await run_certificate(invocation(s, tmp_path)) == 0
        path = Path("certificate_he_2026-12-03.pdf")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        [page] = pdf_pages(path.read_bytes())
        assert "兹证明何秘书在阳光社区" in unspaced(page)
        assert "2026年11月3" in unspaced(page) and "出具人：王芳（社会工作者）" in unspaced(page)
        assert capsys.readouterr().out == (
            f"Wrote the certificate of 何秘书's service hours (2 months) to {path}.\n"
        )
        target = tmp_path / "out" / "gao.pdf"
        assert await run_certificate(invocation(s, tmp_path, person="gao", output=str(target))) == 0
        assert "GaoLin" in unspaced(pdf_pages(target.read_bytes())[0])
        assert len(await s.audit(who="wang", action="certificate")) == 2
        assert await run_certificate(invocation(s, tmp_path, issuer="he")) == 1
        assert capsys.readouterr().err.endswith(
            "he may not issue certificates of hours: only a social worker of the whole community"
            " or of the volunteer general group does. The refusal is noted in the audit log.\n"
        )
        assert len(await s.audit(who="he", action="certificate_refused")) == 1
        assert await run_certificate(invocation(s, tmp_path, person="nobody")) == 1
        assert capsys.readouterr().err == (
            "“nobody” is no one the community knows: give a person id.\n"
        )
        assert await run_certificate(invocation(s, tmp_path, person="sun")) == 1
        assert "nothing to certify" in capsys.readouterr().err
