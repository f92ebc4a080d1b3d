"""The example's daily health-report reminder agrees with the check-in window: a resident who
reports when the reminder asks is inside the window and is not told it was too late."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sanshe.core.actions import Reply, Send
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import example_text, write_community
from tests.plugins.households import settle_in

#: 01:00 in Shanghai on Thursday 3 December 2026, before any reminder of the day.
NIGHT = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)


@pytest.fixture
async def town(tmp_path: Path):
    async with Sandbox(write_community(tmp_path, example_text()), clock=ManualClock(NIGHT)) as s:
        yield s


async def test_residents_are_reminded_to_check_in_within_the_window(town: Sandbox) -> None:
    await settle_in(town, "maria", "building-1", "302", "王家")
    actions = await town.advance(hours=5)  # 06:00
    reminders = [
        a.text
        for a in actions
        if isinstance(a, Send | Reply) and a.chat == "building-1" and "打卡" in a.text
    ]
    assert reminders == [
        "早上好！请各位居民在10:00前完成今日健康打卡：私聊我发送 /打卡 体温（如 /打卡 36.5，"
        "有症状请写上，如 /打卡 37.5 咳嗽）。有不适请私聊楼长。"
    ]
    [deadline] = re.findall(r"(\d\d:\d\d)前", reminders[0])
    await town.advance(hours=3, minutes=59)
    answer = await town.send("maria", "dm", "/打卡 36.6")
    assert town.texts(answer) == ["已记录今日健康打卡：体温36.6℃，症状：无。谢谢！"]
    assert deadline == "10:00"
