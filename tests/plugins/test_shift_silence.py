"""Shift silence (the example's ``off-shift-silence`` rule, with the shifts plugin): a social
worker or volunteer who is not on shift and posts in a consultation group is reminded privately,
at most once an hour; the message stays; on shift, or typing a command, nothing happens."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sanshe.core.actions import Action, Delete, DirectMessage
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import EXAMPLE

#: 06:00 in Shanghai on 1 December 2026; shift 1 is focus-1's 08:00-12:00.
START = datetime(2026, 12, 1, 6, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REMINDER = (
    "您现在不在班。按照线上服务规则，不在班的社工和志愿者不在群内发言；如需跟进，"
    "请私聊当班人员或群秘书。"
)


def reminded(actions: list[Action], who: str) -> list[str]:
    return [a.text for a in actions if isinstance(a, DirectMessage) and a.user == who]


async def test_a_volunteer_off_shift_is_reminded_privately_and_on_shift_is_not() -> None:
    async with Sandbox(clock=ManualClock(START)) as community:
        claimed = community.texts(await community.send("sun", "dm", "/claim 1"))
        assert claimed[0].startswith("您已认领1号班次（聚焦服务群 12月1日周二 08:00–12:00）")
        off_shift = await community.send("sun", "focus-1", "大家好，我是孙医生")
        assert reminded(off_shift, "sun") == [REMINDER]
        [note] = [a for a in off_shift if isinstance(a, DirectMessage)]
        assert (
            note.fallback_chat == "focus-1"
        )  # asked to open a private chat if it cannot be written
        assert not any(isinstance(a, Delete) for a in off_shift)  # the message stays
        assert await community.send("sun", "focus-1", "还有一件事") == []  # no nagging
        await community.advance(hours=2)  # 08:00: the shift has begun
        assert reminded(await community.send("sun", "focus-1", "我到岗了"), "sun") == []
        await community.advance(hours=4)  # 12:00: it has ended
        assert reminded(await community.send("sun", "focus-1", "下班了"), "sun") == [REMINDER]


async def test_a_reminder_comes_again_after_an_hour_and_per_group() -> None:
    async with Sandbox(clock=ManualClock(START)) as community:
        assert reminded(await community.send("xu", "focus-1", "在吗"), "xu") == [REMINDER]
        assert reminded(await community.send("xu", "key-1", "在吗"), "xu") == [REMINDER]
        await community.advance(minutes=59)
        assert await community.send("xu", "focus-1", "在吗") == []
        await community.advance(minutes=1)
        assert reminded(await community.send("xu", "focus-1", "在吗"), "xu") == [REMINDER]


async def test_the_quiet_hour_holds_across_a_restart(tmp_path: Path) -> None:
    db = f"sqlite://{tmp_path}/silence.sqlite3"
    async with Sandbox(EXAMPLE, db_url=db, clock=ManualClock(START)) as community:
        assert reminded(await community.send("he", "focus-1", "早"), "he") == [REMINDER]
        await community.restart()
        assert await community.send("he", "focus-1", "早") == []


async def test_commands_and_members_are_not_reminded() -> None:
    async with Sandbox(clock=ManualClock(START)) as community:
        onduty = await community.send("sun", "focus-1", "/onduty")
        assert reminded(onduty, "sun") == []
        assert reminded(await community.send("maria", "focus-1", "我很焦虑"), "maria") == []
