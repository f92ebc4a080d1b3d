"""Hours: an entry per person and shift served (from when they appeared, never before the
shift's start, to its end), and ``/hours``: one's own totals, a social worker's everyone's.

The shifts are ended by the stand-in for the shifts plugin of the handover tests.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sanshe.core.personal_data import erase, export
from sanshe.plugins.hours.models import HoursEntry
from sanshe.testing import Sandbox
from tests.plugins.test_handover import MORNING, Ending, ShiftEnds, _sandbox, at, told, with_shifts

#: He and Xu serve the morning in focus-1 (He from its start: he came at 07:55; Xu from
#: 08:20), He the afternoon in key-1 from 12:10, Gao the evening in focus-1, in time.
AFTERNOON = Ending(
    "key-1",
    "13",
    at(12),
    at(18),
    served={"he": "general_volunteer"},
    arrived={"he": at(12, 10)},
    absent={"sun": "medical_volunteer"},
)
EVENING = Ending(
    "focus-1",
    "14",
    at(18),
    at(24),
    served={"gao": "general_volunteer"},
    arrived={"gao": at(18)},
)
DAY_OF_SHIFTS = (MORNING, AFTERNOON, EVENING)


async def served(tmp_path: Path, *endings: Ending, db_url: str = "sqlite://:memory:") -> Sandbox:
    """A sandbox (not yet started) whose shifts end as ``endings`` say."""
    sandbox = _sandbox(tmp_path, ShiftEnds(*endings))
    sandbox.db_url = db_url
    return sandbox


async def test_each_shift_served_is_entered_from_arrival_to_its_end(
    db_url: str, tmp_path: Path
) -> None:
    async with await served(tmp_path, *DAY_OF_SHIFTS, db_url=db_url) as sandbox:
        await sandbox.advance(days=1)
        entries = await HoursEntry.all().order_by("end", "person")
        assert [(e.person, e.group_id, e.role, e.shift, e.start, e.end) for e in entries] == [
            ("he", "focus-1", "general_volunteer", "12", at(8), at(12)),
            ("xu", "focus-1", "psych_volunteer", "12", at(8, 20), at(12)),
            ("he", "key-1", "general_volunteer", "13", at(12, 10), at(18)),
            ("gao", "focus-1", "general_volunteer", "14", at(18), at(24)),
        ]


async def test_own_hours_privately_total_and_per_group(tmp_path: Path) -> None:
    async with await served(tmp_path, *DAY_OF_SHIFTS) as sandbox:
        await sandbox.advance(days=1)
        asked = await sandbox.send("he", "focus-1", "/hours")
        assert sandbox.texts(asked)[0] == "I have sent you the service hours privately."
        assert told(asked) == {
            "he": [
                "Your service hours: 9 h 50 min in all, 2 shifts.\n"
                "• Focus: 4 h, 1 shift\n"
                "• Key: 5 h 50 min, 1 shift"
            ]
        }
        assert sandbox.texts(await sandbox.send("gao", "dm", "/时长")) == [
            "您的服务时长：共6小时，1个班次。\n• Focus：6小时，1个班次"
        ]
        assert sandbox.texts(await sandbox.send("sun", "dm", "/hours")) == [
            "You have no service hours recorded yet: each shift you appear for is entered when "
            "it ends."
        ]


async def test_a_social_worker_sees_everyones_totals_and_one_persons(tmp_path: Path) -> None:
    async with await served(tmp_path, *DAY_OF_SHIFTS) as sandbox:
        await sandbox.advance(days=1)
        everyone = (
            "Service hours by person (3; 19 h 30 min in all):\n"
            "• He: 9 h 50 min, 2 shifts\n"
            "• Gao: 6 h, 1 shift\n"
            "• Xu: 3 h 40 min, 1 shift"
        )
        assert sandbox.texts(await sandbox.send("wang", "dm", "/hours")) == [everyone]
        in_pool = await sandbox.send("pool", "volunteers", "/hours")
        assert told(in_pool) == {"pool": [everyone]}  # a social worker of the volunteer pool
        assert sandbox.texts(await sandbox.send("wang", "dm", "/hours He")) == [
            "He's service hours: 9 h 50 min in all, 2 shifts.\n"
            "• Focus: 4 h, 1 shift\n"
            "• Key: 5 h 50 min, 1 shift"
        ]
        assert sandbox.texts(await sandbox.send("wang", "dm", "/hours sun")) == [
            "Sun has no service hours recorded yet."
        ]


async def test_others_see_only_their_own(tmp_path: Path) -> None:
    async with await served(tmp_path, *DAY_OF_SHIFTS) as sandbox:
        await sandbox.advance(days=1)
        refused = [
            "Only a social worker of the whole community or of a volunteer general group may "
            "see someone else's service hours. For your own, write /hours alone."
        ]
        assert sandbox.texts(await sandbox.send("xu", "dm", "/hours he")) == refused
        # Lin is a social worker of key-1 only: not of the community nor of the volunteer pool.
        assert sandbox.texts(await sandbox.send("lin", "dm", "/hours he")) == refused
        assert sandbox.texts(await sandbox.send("gao", "dm", "/时长 @he")) == [
            "只有全社区或志愿服务总群的社会工作者能查看别人的服务时长。查看自己的时长请只写 /时长。"
        ]
        assert sandbox.texts(await sandbox.send("xu", "dm", "/hours xu")) == [
            "Your service hours: 3 h 40 min in all, 1 shift.\n• Focus: 3 h 40 min, 1 shift"
        ]
        [wrong] = sandbox.texts(await sandbox.send("xu", "dm", "/hours nobody-here"))
        assert wrong.startswith("I do not know “nobody-here”.")
        assert wrong.endswith(
            "Write it as /hours [person]: without a person, your own hours (for a social worker, everyone's)."
        )


async def test_a_shift_ended_twice_is_entered_once(tmp_path: Path) -> None:
    again = replace(MORNING, fires_at=at(12, 5))
    async with await served(tmp_path, MORNING, again) as sandbox:
        await sandbox.advance(hours=5)  # 12:00: ended
        await sandbox.advance(minutes=5)  # and again
        assert await HoursEntry.all().count() == 2  # He and Xu, once each


async def test_a_persons_hours_are_exported_and_erased(tmp_path: Path) -> None:
    async with await served(tmp_path, *DAY_OF_SHIFTS) as sandbox:
        await sandbox.advance(days=1)
        data = await export(sandbox.storage, sandbox.community, sandbox.bot.pm, "he")
        assert [(e["group"], e["shift"]) for e in data["plugins"]["hours"]["entries"]] == [
            ("focus-1", "12"),
            ("key-1", "13"),
        ]
        await erase(sandbox.storage, sandbox.community, sandbox.bot.pm, "he")
        assert sorted(await HoursEntry.all().values_list("person", flat=True)) == ["gao", "xu"]


async def test_hours_follow_the_shifts_served_with_the_shifts_plugin(tmp_path: Path) -> None:
    """Claims, arrivals (a message, /arrive, one before the start, one never), two shifts'
    ends: the totals are the shifts served, from arrival (not before the start) to the end."""
    async with with_shifts(tmp_path) as sandbox:
        for who, shift in (("he", 1), ("sun", 1), ("gao", 2), ("xu", 2)):
            await sandbox.send(who, "dm", f"/claim {shift}")
        await sandbox.advance(minutes=50)  # 07:50, within the reminder's half hour
        await sandbox.send("he", "focus-1", "On my way in")  # early: counts from 08:00
        await sandbox.advance(hours=4, minutes=10)  # 12:00: Sun never came
        await sandbox.send("gao", "dm", "/arrive")
        await sandbox.advance(minutes=45)
        await sandbox.send("xu", "focus-1", "Hello everyone")  # 12:45
        await sandbox.advance(hours=5, minutes=15)  # 18:00
        assert sandbox.texts(await sandbox.send("wang", "dm", "/hours")) == [
            "Service hours by person (3; 15 h 15 min in all):\n"
            "• Gao: 6 h, 1 shift\n"
            "• Xu: 5 h 15 min, 1 shift\n"
            "• He: 4 h, 1 shift"
        ]
        assert sandbox.texts(await sandbox.send("sun", "dm", "/hours")) == [
            "You have no service hours recorded yet: each shift you appear for is entered when "
            "it ends."
        ]
