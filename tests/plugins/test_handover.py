"""Handover: drafted at a shift's end from its records, confirmed or edited by the outgoing
shift, received privately by the incoming one (at the latest when it starts).

The shifts plugin is stood in for by :class:`ShiftEnds`, which offers its hooks, ends the
shifts it is given on its own timers (as the shifts plugin does) and says who is on duty.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pluggy import PluginManager
from tortoise import connections

from sanshe.core.actions import Action, AnswerButton, DirectMessage
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Group
from sanshe.core.plugins import as_actions
from sanshe.core.services import Services
from sanshe.core.timers import Due
from sanshe.plugins.handover.commands import NOTES_AWAITED
from sanshe.plugins.handover.models import Handover, HandoverNote
from sanshe.plugins.shifts import hookspecs as shift_hooks
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import write_community

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 12, 1, tzinfo=SHANGHAI)


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    """A time on the test's day (Shanghai)."""
    return DAY + timedelta(days=days, hours=hour, minutes=minute)


#: The test's community, where the shifts plugin gives way to :class:`ShiftEnds`, which stands
#: in for it (but in :data:`WITH_SHIFTS`).
COMMUNITY = """\
community: {id: c, name: Test, locale: en, timezone: Asia/Shanghai}
groups:
  - {id: focus-1, kind: focus_service, name: Focus, administered_by: [social_worker]}
  - {id: key-1, kind: key_accompaniment, name: Key, administered_by: [social_worker]}
  - {id: volunteers, kind: volunteer_pool, name: Pool, administered_by: [social_worker]}
  - {id: quiet-1, kind: focus_service, name: Quiet, administered_by: [expert]}
people:
  - {id: wang, name: Wang, handles: {console: wang}, roles: [social_worker]}
  - id: he
    name: He
    handles: {console: he}
    roles: [{role: general_volunteer, groups: [focus-1, key-1]}]
  - id: sun
    name: Sun
    handles: {console: sun}
    roles: [{role: medical_volunteer, groups: [focus-1, key-1]}]
  - id: xu
    name: Xu
    handles: {console: xu}
    roles: [{role: psych_volunteer, groups: [focus-1]}]
  - id: gao
    name: Gao
    locale: zh_CN
    handles: {console: gao}
    roles: [{role: general_volunteer, groups: [focus-1]}]
  - id: lin
    name: Lin
    handles: {console: lin}
    roles: [{role: social_worker, groups: [key-1]}]
  - id: pool
    name: Pei
    handles: {console: pool}
    roles: [{role: social_worker, groups: [volunteers]}]
forms:
  - id: consult
    title: Consultation record
    fill: [general_volunteer, social_worker]
    fields:
      - {id: client, type: text, label: Client}
      - {id: follow_up, type: text, required: false, label: Follow-up advice}
plugins:
  disable: [shifts]
"""


@dataclass
class Ending:
    """A shift that ends, with what the shifts plugin would say about it."""

    group: str
    shift: str
    start: datetime
    end: datetime
    served: dict[str, str]
    arrived: dict[str, datetime] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)
    incoming: dict[str, str] = field(default_factory=dict)
    next_start: datetime | None = None
    fires_at: datetime | None = None
    """When the shifts plugin calls the hook (None: at ``end``; later: a shift ended again)."""


class ShiftEnds:
    """Stands in for the shifts plugin: offers its hooks, calls ``shifts_shift_ended`` from a
    timer at each ending's end, and answers ``shifts_on_duty`` from :attr:`roster`."""

    def __init__(self, *endings: Ending) -> None:
        self.endings = endings
        self.roster: dict[tuple[str, datetime], dict[str, str]] = {}
        """(group id, a shift's start) -> who is on that shift."""
        self.planned = False

    @hookimpl
    def sanshe_addhooks(self, pluginmanager: PluginManager) -> None:
        caller = getattr(pluginmanager.hook, "shifts_shift_ended", None)
        if caller is None or caller.spec is None:
            pluginmanager.add_hookspecs(shift_hooks)

    @hookimpl
    async def sanshe_startup(self, services: Services) -> None:
        """Set the timers at the first start (they are kept across a restart)."""
        if self.planned:
            return
        self.planned = True

        def plan(ctx: Context) -> None:
            for n, ending in enumerate(self.endings):
                ctx.timers(type(self).__name__).at(f"end:{n}", ending.fires_at or ending.end)

        await services.act(type(self).__name__, plan)

    @hookimpl
    async def sanshe_timer(self, context: Context, timer: Due) -> list[Action]:
        """The shift's end, told to ``shifts_shift_ended``: what it answers is performed."""
        ending = self.endings[int(timer.key.partition(":")[2])]
        answers = await context.call(
            "shifts_shift_ended",
            context=context,
            group=context.community.group(ending.group),
            shift=ending.shift,
            start=ending.start,
            end=ending.end,
            served=ending.served,
            arrived=ending.arrived,
            absent=ending.absent,
            incoming=ending.incoming,
            next_start=ending.next_start,
        )
        return [action for answer in answers for action in as_actions(answer)]

    @hookimpl
    def shifts_on_duty(self, group: Group, at: datetime) -> Mapping[str, str]:
        return self.roster.get((group.id, at), {})


class OpenCases:
    """A plugin adding a line to every handover, as triage will add its open cases."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, datetime, datetime]] = []

    @hookimpl
    def shifts_handover_items(
        self, context: Context, group: Group, start: datetime, end: datetime
    ) -> Iterable[str]:
        self.asked.append((group.id, start, end))
        return ["Case 7 waits for a call back"]


#: The morning shift of focus-1: He (the secretary) and Xu served, Sun never appeared; the
#: afternoon's Gao and Sun come next, from 12:00.
MORNING = Ending(
    "focus-1",
    "12",
    at(8),
    at(12),
    served={"he": "general_volunteer", "xu": "psych_volunteer"},
    arrived={"he": at(7, 55), "xu": at(8, 20)},
    absent={"sun": "medical_volunteer"},
    incoming={"gao": "general_volunteer", "sun": "medical_volunteer"},
    next_start=at(12),
)


def _sandbox(tmp_path: Path, *plugins: object, start: datetime | None = None) -> Sandbox:
    """The test's community with ``plugins``, its clock at ``start`` (default 07:00)."""
    config = write_community(tmp_path, COMMUNITY)
    return Sandbox(config, plugins=plugins, clock=ManualClock(start or at(7)))


async def fill(sandbox: Sandbox, who: str, group: str, client: str, follow_up: str = "") -> int:
    """``who`` fills a consultation record in ``group``; its number."""
    await sandbox.send(who, group, "/form consult")
    await sandbox.send(who, "dm", client)
    await sandbox.send(who, "dm", follow_up or "/skip")
    return (await sandbox.records("consult"))[-1].id


def told(actions: Iterable[Action]) -> dict[str, list[str]]:
    """What each person was told privately, by handle."""
    found: dict[str, list[str]] = {}
    for action in actions:
        if isinstance(action, DirectMessage):
            found.setdefault(action.user, []).append(action.text)
    return found


def draft_text(records: tuple[int, int], follow_up: int, rest: str = "") -> str:
    served, other = records
    return (
        "Handover of shift 12 (Focus, Tue, Dec 1, 08:00–12:00)\n"
        "Records of this shift (2):\n"
        f"• #{served} Consultation record (recorded by He)\n"
        f"• #{other} Consultation record (recorded by He)\n"
        "To follow up:\n"
        f"• #{follow_up} Consultation record: Follow-up advice\n"
        "Did not appear: Sun (medical volunteer)\n"
        "Also:\n"
        "• Case 7 waits for a call back" + rest
    )


HOW = (
    "\n\nOnce confirmed it goes privately to the next shift: Gao, Sun. To add a note: "
    "/handover your note; to send it: /handover confirm, or the buttons below. "
    "If nobody confirms it, it goes as drafted at 12-01 12:30."
)


async def morning(sandbox: Sandbox) -> tuple[int, int]:
    """The morning's records: one before the shift and one in another group (neither counts),
    two in focus-1 during it (one asking for a follow-up)."""
    await fill(sandbox, "he", "focus-1", "before the shift")
    await sandbox.advance(hours=2)  # 09:00
    first = await fill(sandbox, "he", "focus-1", "Mrs A", follow_up="ring her daughter")
    await fill(sandbox, "wang", "volunteers", "elsewhere", follow_up="not ours")
    second = await fill(sandbox, "he", "focus-1", "Mr B")
    return first, second


async def test_the_draft_goes_to_the_secretary_at_the_shifts_end_with_its_buttons(
    tmp_path: Path,
) -> None:
    cases = OpenCases()
    async with _sandbox(tmp_path, ShiftEnds(MORNING), cases) as sandbox:
        first, second = await morning(sandbox)
        assert await sandbox.advance(hours=2, minutes=59) == []  # 11:59: the shift goes on
        ended = await sandbox.advance(minutes=1)
        assert told(ended) == {"he": [draft_text((first, second), first) + HOW]}
        [draft] = [a for a in ended if isinstance(a, DirectMessage)]
        assert [b.label for b in draft.buttons] == ["Confirm and send", "Add a note"]
        assert cases.asked == [("focus-1", at(8), at(12))]
        [stored] = await Handover.all()
        assert "Mrs A" not in str(stored.content) and "daughter" not in str(stored.content)


async def test_confirmed_by_button_the_incoming_shift_gets_it_privately(tmp_path: Path) -> None:
    shifts = ShiftEnds(MORNING)
    shifts.roster[("focus-1", at(12))] = {"gao": "general_volunteer", "sun": "medical_volunteer"}
    async with _sandbox(tmp_path, shifts, OpenCases()) as sandbox:
        first, second = await morning(sandbox)
        ended = await sandbox.advance(hours=3)
        [draft] = [a for a in ended if isinstance(a, DirectMessage)]
        pressed = await sandbox.press("he", "dm", draft.buttons[0], on=draft)
        assert any(isinstance(a, AnswerButton) for a in pressed)
        body = draft_text((first, second), first)
        gao = (
            "上一班的交接（He已确认）：\n"
            "12号班次交接（Focus 12月1日周二 08:00–12:00）\n"
            "本班服务记录（2份）：\n"
            f"• #{first} Consultation record（记录人：He）\n"
            f"• #{second} Consultation record（记录人：He）\n"
            "需要跟进：\n"
            f"• #{first} Consultation record：Follow-up advice\n"
            "未到岗：Sun（医务志愿者）\n"
            "其他事项：\n"
            "• Case 7 waits for a call back"
        )
        assert told(pressed) == {
            "gao": [gao],
            "sun": ["The handover of the shift before (confirmed by He):\n" + body],
        }
        assert sandbox.texts(a for a in pressed if not isinstance(a, DirectMessage))[-1] == (
            "The handover went to the next shift: Gao, Sun."
        )
        again = await sandbox.press("he", "dm", draft.buttons[0], on=draft)
        assert sandbox.texts(again) == [
            "This handover went to the next shift at 12-01 12:00; it cannot be changed now."
        ]
        assert told(await sandbox.advance(hours=1)) == {}  # nothing more at 12:30


async def test_unconfirmed_it_goes_as_drafted_when_the_next_shift_can_start(
    tmp_path: Path,
) -> None:
    """Back to back (the next shift starts at this one's end) it waits confirm_within (30m);
    a claim made meanwhile counts: who is on the next shift when it goes gets it."""
    shifts = ShiftEnds(MORNING)
    async with _sandbox(tmp_path, shifts, OpenCases()) as sandbox:
        first, second = await morning(sandbox)
        await sandbox.advance(hours=3)  # 12:00: the draft
        shifts.roster[("focus-1", at(12))] = {"xu": "psych_volunteer"}  # claimed since
        assert told(await sandbox.advance(minutes=29)) == {}
        sent = await sandbox.advance(minutes=1)
        assert told(sent) == {
            "xu": [
                "The handover of the shift before (not confirmed: sent as drafted):\n"
                + draft_text((first, second), first)
            ]
        }
        [shown] = sandbox.texts(await sandbox.send("he", "dm", "/handover focus-1"))
        assert shown == (
            draft_text((first, second), first)
            + "\n\nNot confirmed: sent as drafted when the next shift started, at 12-01 12:30."
        )
        [late] = sandbox.texts(await sandbox.send("he", "dm", "/handover confirm"))
        assert late == "No handover is waiting for you to confirm it."


async def test_a_later_next_shift_gets_it_at_its_start(tmp_path: Path) -> None:
    """With a gap before the next shift, the draft waits until that shift starts."""
    evening = Ending(
        "focus-1", "14", at(14), at(18), served={"he": "general_volunteer"}, next_start=at(20)
    )
    shifts = ShiftEnds(evening)
    shifts.roster[("focus-1", at(20))] = {"gao": "general_volunteer"}
    async with _sandbox(tmp_path, shifts, start=at(13)) as sandbox:
        drafted = await sandbox.advance(hours=5)
        assert list(told(drafted)) == ["he"]
        assert told(await sandbox.advance(hours=1, minutes=59)) == {}
        [text] = told(await sandbox.advance(minutes=1))["gao"]
        assert text.startswith("上一班的交接（未经确认，按原稿发送）：\n14号班次交接（Focus")
        assert "本班在群内没有填写服务记录。" in text


async def test_the_title_names_the_day_and_times_as_the_shifts_plugin_does(tmp_path: Path) -> None:
    """The day with its weekday in the reader's language; an end at midnight is 24:00."""
    evening = Ending(
        "focus-1", "14", at(18), at(24), served={"he": "general_volunteer"}, incoming={"gao": ""}
    )
    async with _sandbox(tmp_path, ShiftEnds(evening), start=at(17)) as sandbox:
        [draft] = told(await sandbox.advance(hours=7))["he"]
        assert draft.startswith("Handover of shift 14 (Focus, Tue, Dec 1, 18:00–24:00)\n")
        [read] = sandbox.texts(await sandbox.send("gao", "dm", "/交接 focus-1"))
        assert read.startswith(
            "（草稿，尚未确认）\n14号班次交接（Focus 12月1日周二 18:00–24:00）\n"
        )


async def test_notes_by_command_and_after_edit_then_confirm_by_command(tmp_path: Path) -> None:
    shifts = ShiftEnds(MORNING)
    shifts.roster[("focus-1", at(12))] = {"gao": "general_volunteer"}
    async with _sandbox(tmp_path, shifts, OpenCases()) as sandbox:
        first, second = await morning(sandbox)
        ended = await sandbox.advance(hours=3)
        [draft] = [a for a in ended if isinstance(a, DirectMessage)]
        in_group = await sandbox.send("he", "focus-1", "/交接 Bed 3's daughter calls at 9")
        assert sandbox.texts(in_group)[0] == "I have sent you the handover privately."
        [private] = told(in_group)["he"]
        assert private.startswith("Note added.\n\nHandover of shift 12 (Focus")
        assert "Notes:\n• He: Bed 3's daughter calls at 9\n\nOnce confirmed" in private
        edit = await sandbox.press("he", "dm", draft.buttons[1], on=draft)
        assert told(edit) == {
            "he": ["Send the note to add as your next message; a command instead cancels it."]
        }
        noted = sandbox.texts(await sandbox.send("he", "dm", "Oxygen delivery due at 14:00"))
        assert "• He: Bed 3's daughter calls at 9\n• He: Oxygen delivery due at 14:00" in noted[0]
        plain = sandbox.texts(await sandbox.send("he", "dm", "thanks"))
        assert "Note added." not in plain[0]  # one message after "edit", not more
        confirmed = await sandbox.send("he", "dm", "/handover confirm")
        assert sandbox.texts(confirmed)[0] == "The handover went to the next shift: Gao."
        [received] = told(confirmed)["gao"]
        assert received.endswith(
            "备注：\n• He：Bed 3's daughter calls at 9\n• He：Oxygen delivery due at 14:00"
        )
        assert received.startswith("上一班的交接（He已确认）：")


@pytest.mark.parametrize("typed", ["确定", "确认。", "ＣＯＮＦＩＲＭ", "Confirm!"])
async def test_confirm_typed_as_people_type_it_sends_it(tmp_path: Path, typed: str) -> None:
    """确定, a full stop or exclamation mark after it, full-width letters: all confirm."""
    shifts = ShiftEnds(MORNING)
    shifts.roster[("focus-1", at(12))] = {"gao": "general_volunteer"}
    async with _sandbox(tmp_path, shifts) as sandbox:
        await sandbox.advance(hours=5)
        confirmed = await sandbox.send("he", "dm", f"/交接 {typed}")
        assert sandbox.texts(confirmed)[0] == "The handover went to the next shift: Gao."
        assert list(told(confirmed)) == ["gao"]
        assert not await HandoverNote.exists()


async def test_a_note_with_personal_data_or_too_long_is_refused(tmp_path: Path) -> None:
    async with _sandbox(tmp_path, ShiftEnds(MORNING)) as sandbox:
        await sandbox.advance(hours=5)
        [phone] = sandbox.texts(await sandbox.send("he", "dm", "/handover call 13812345678"))
        assert phone == (
            "A note may not hold phone numbers: the handover says only what the next shift "
            "needs; name clients by their record number."
        )
        [long] = sandbox.texts(await sandbox.send("he", "dm", "/handover " + "x" * 501))
        assert long.startswith("The note is too long (501 characters, at most 500)")
        assert not await HandoverNote.exists()


async def test_only_the_shifts_people_and_the_groups_social_workers_may_edit_or_confirm(
    tmp_path: Path,
) -> None:
    shifts = ShiftEnds(MORNING)
    shifts.roster[("focus-1", at(12))] = {"gao": "general_volunteer", "sun": "medical_volunteer"}
    async with _sandbox(tmp_path, shifts) as sandbox:
        ended = await sandbox.advance(hours=5)
        [draft] = [a for a in ended if isinstance(a, DirectMessage)]
        refused = (
            "Only the people of the shift and the group's social workers may add to or confirm "
            "the handover of Focus."
        )
        [lin] = sandbox.texts(await sandbox.send("lin", "dm", "/handover focus-1 confirm"))
        assert lin == "Sorry, you hold no role in Focus, so /handover cannot act on it from here."
        assert sandbox.texts(await sandbox.send("sun", "focus-1", "/handover confirm")) == [refused]
        assert sandbox.texts(await sandbox.press("sun", "dm", draft.buttons[0], on=draft)) == [
            refused
        ]
        [read] = sandbox.texts(await sandbox.send("maria", "focus-1", "/handover"))
        assert read == (
            "Only the people of this shift and the next and the group's social workers may "
            "read the handover of Focus."
        )
        # Xu served the shift; Sun, absent, comes next and may read it; Wang is the social worker.
        [noted] = sandbox.texts(await sandbox.send("xu", "dm", "/handover Bed 2 slept well"))
        assert noted.startswith("Note added.")
        assert told(await sandbox.send("sun", "focus-1", "/handover"))["sun"][0].startswith(
            "(a draft, not confirmed yet)\nHandover of shift 12 (Focus"
        )
        done = await sandbox.send("wang", "dm", "/handover focus-1 confirm")
        assert sandbox.texts(done)[0] == "The handover went to the next shift: Gao, Sun."


async def test_the_draft_goes_to_the_social_worker_without_a_secretary_else_the_admins(
    tmp_path: Path,
) -> None:
    night = Ending("key-1", "30", at(0), at(8), served={"lin": "social_worker"})
    dawn = Ending("key-1", "31", at(8), at(9), served={"sun": "medical_volunteer"})
    async with _sandbox(tmp_path, ShiftEnds(night, dawn), start=at(0)) as sandbox:
        assert list(told(await sandbox.advance(hours=8))) == ["lin"]
        assert sorted(told(await sandbox.advance(hours=1))) == ["lin", "wang"]  # the admins
        # No shift is planned after it: confirmed, it goes to the group's (other) admins.
        confirmed = await sandbox.send("lin", "dm", "/handover key-1 confirm")
        assert sandbox.texts(confirmed)[0] == (
            "Confirmed. No shift follows, so it went to the group's admins: Wang."
        )
        [text] = told(confirmed)["wang"]
        assert text.startswith(
            "The handover of the shift before (confirmed by Lin):\n"
            "Handover of shift 31 (Key, Tue, Dec 1, 08:00–09:00)"
        )


async def test_several_drafts_ask_which_group(tmp_path: Path) -> None:
    focus = Ending("focus-1", "1", at(8), at(12), served={"he": "general_volunteer"})
    key = Ending("key-1", "2", at(8), at(12), served={"he": "general_volunteer"})
    async with _sandbox(tmp_path, ShiftEnds(focus, key)) as sandbox:
        await sandbox.advance(hours=5)
        [which] = sandbox.texts(await sandbox.send("he", "dm", "/handover"))
        assert which == (
            "Handovers of several groups are waiting for you; name the group: "
            "/handover key-1, /handover focus-1"
        )
        [shown] = sandbox.texts(await sandbox.send("he", "dm", "/handover key-1"))
        assert shown.startswith("Handover of shift 2 (Key, Tue, Dec 1, 08:00–12:00)")


async def test_a_person_is_exported_and_erased_from_the_handovers(tmp_path: Path) -> None:
    async with _sandbox(tmp_path, ShiftEnds(MORNING)) as sandbox:
        await morning(sandbox)
        await sandbox.advance(hours=3)
        await sandbox.send("he", "dm", "/handover Bed 3 needs a call")
        await sandbox.send("xu", "dm", "/handover All quiet")
        exported = await _export(sandbox, "he")
        assert exported["plugins"]["handover"] == {
            "handovers": [
                {
                    "handover": 1,
                    "group": "focus-1",
                    "shift": "12",
                    "as": ["outgoing", "drafted_to", "recorder", "notes"],
                    "notes": ["Bed 3 needs a call"],
                }
            ]
        }
        await _erase(sandbox, "he")
        [stored] = await Handover.all()
        assert all("he" not in part for part in stored.people.values())
        assert [n.text for n in await HandoverNote.all()] == ["All quiet"]
        assert {s["by"] for s in stored.content["served"]} == {""}
        assert "sun" in stored.people["incoming"]


async def _export(sandbox: Sandbox, person_id: str) -> dict[str, Any]:
    from sanshe.core.personal_data import export

    return await export(sandbox.storage, sandbox.community, sandbox.bot.pm, person_id)


async def _erase(sandbox: Sandbox, person_id: str) -> dict[str, int]:
    from sanshe.core.personal_data import erase

    return await erase(sandbox.storage, sandbox.community, sandbox.bot.pm, person_id)


async def test_help_lists_handover_and_hours_to_those_who_serve_shifts(tmp_path: Path) -> None:
    async with _sandbox(tmp_path) as sandbox:
        [staff] = sandbox.texts(await sandbox.send("sun", "dm", "/help"))
        assert "/handover" in staff and "/hours" in staff
        [client] = sandbox.texts(await sandbox.send("maria", "focus-1", "/help"))
        assert "/handover" not in client and "/hours" not in client
        # The commands still answer, saying why there is nothing for them.
        assert sandbox.texts(await sandbox.send("maria", "dm", "/hours")) == [
            "You have no service hours recorded yet: each shift you appear for is entered when "
            "it ends."
        ]


async def test_a_late_claimer_of_the_next_shift_gets_the_confirmed_handover_too(
    tmp_path: Path,
) -> None:
    shifts = ShiftEnds(MORNING)
    shifts.roster[("focus-1", at(12))] = {"gao": "general_volunteer"}
    async with _sandbox(tmp_path, shifts) as sandbox:
        await sandbox.advance(hours=5)
        confirmed = await sandbox.send("he", "dm", "/handover confirm")
        assert list(told(confirmed)) == ["gao"]
        shifts.roster[("focus-1", at(12))] = {"gao": "general_volunteer", "xu": "psych_volunteer"}
        [late] = told(await sandbox.advance(minutes=30))["xu"]
        assert late.startswith("The handover of the shift before (confirmed by He):\n")


async def test_confirmed_with_nobody_on_the_next_shift_it_waits_for_them_and_takes_notes(
    tmp_path: Path,
) -> None:
    """Confirmed while nobody has claimed the next shift, it is not said to be sent: a note can
    still be added, and whoever has claimed it by the time it goes gets it, confirmed."""
    shifts = ShiftEnds(MORNING)
    async with _sandbox(tmp_path, shifts) as sandbox:
        await sandbox.advance(hours=5)  # 12:00: the draft
        confirmed = await sandbox.send("he", "dm", "/handover confirm")
        assert sandbox.texts(confirmed) == [
            "Confirmed. Nobody has claimed the next shift yet: it goes to whoever is on it when "
            "it starts."
        ]
        [shown] = sandbox.texts(await sandbox.send("he", "dm", "/handover focus-1"))
        assert shown.endswith(
            "\n\nConfirmed by He. Nobody is on the next shift yet: it goes to whoever is on it "
            "at 12-01 12:30; a note can still be added: /handover your note."
        )
        [noted] = sandbox.texts(await sandbox.send("he", "dm", "/handover Bed 3 needs a call"))
        assert noted.startswith("Note added.")
        [read] = told(await sandbox.send("sun", "focus-1", "/handover"))["sun"]
        assert read.startswith("(confirmed by He, not sent yet)\nHandover of shift 12 (Focus")
        shifts.roster[("focus-1", at(12))] = {"gao": "general_volunteer"}  # claimed since
        [sent] = told(await sandbox.advance(minutes=30))["gao"]
        assert sent.startswith("上一班的交接（He已确认）：")
        assert sent.endswith("备注：\n• He：Bed 3 needs a call")
        [shown] = sandbox.texts(await sandbox.send("he", "dm", "/handover focus-1"))
        assert shown.endswith("\n\nConfirmed and sent to the next shift at 12-01 12:30.")


async def test_confirmed_with_nobody_to_send_it_to_it_is_not_said_sent(tmp_path: Path) -> None:
    """No shift after it and no admin of the group (nobody holds the role that administers it)."""
    last = Ending("quiet-1", "40", at(8), at(12), served={"he": "general_volunteer"})
    async with _sandbox(tmp_path, ShiftEnds(last)) as sandbox:
        await sandbox.advance(hours=5)
        confirmed = await sandbox.send("he", "dm", "/handover confirm")
        assert sandbox.texts(confirmed) == [
            "Confirmed, but there is nobody to send it to: no shift follows, and none of the "
            "group's admins can be reached."
        ]
        [shown] = sandbox.texts(await sandbox.send("he", "dm", "/handover"))
        assert shown.endswith(
            "\n\nConfirmed by He, not sent: no shift follows and none of the group's admins "
            "could be reached."
        )


async def test_nobody_on_the_next_shift_when_it_goes_then_the_groups_admins_get_it(
    tmp_path: Path,
) -> None:
    async with _sandbox(tmp_path, ShiftEnds(MORNING)) as sandbox:
        await sandbox.advance(hours=5)
        [sent] = told(await sandbox.advance(minutes=30))["wang"]
        assert sent.startswith("The handover of the shift before (not confirmed: sent as drafted)")


async def test_the_draft_and_its_timer_outlive_a_restart(db_url: str, tmp_path: Path) -> None:
    shifts = ShiftEnds(MORNING)
    shifts.roster[("focus-1", at(12))] = {"gao": "general_volunteer"}
    sandbox = _sandbox(tmp_path, shifts)
    sandbox.db_url = db_url
    async with sandbox:
        await sandbox.advance(hours=5)
        await sandbox.send("he", "dm", "/handover Bed 3 needs a call")
        await sandbox.restart()
        [sent] = told(await sandbox.advance(minutes=30))["gao"]
        assert sent.endswith("备注：\n• He：Bed 3 needs a call")


async def test_a_note_awaited_after_edit_is_taken_after_a_restart(tmp_path: Path) -> None:
    """The bot remembers who pressed "edit" (in memory, to leave other messages unread) also
    when it starts again before the note comes."""
    sandbox = _sandbox(tmp_path, ShiftEnds(MORNING))
    sandbox.db_url = f"sqlite://{tmp_path}/handover.sqlite3"
    async with sandbox:
        ended = await sandbox.advance(hours=5)
        [draft] = [a for a in ended if isinstance(a, DirectMessage)]
        await sandbox.press("he", "dm", draft.buttons[1], on=draft)
        await sandbox.stop()
        NOTES_AWAITED.clear()  # a new process remembers nothing
        await sandbox.start()
        [noted] = sandbox.texts(await sandbox.send("he", "dm", "Oxygen delivery due at 14:00"))
        assert noted.startswith("Note added.") and "• He: Oxygen delivery due at 14:00" in noted


#: The community with the shifts plugin itself: two shifts a day in focus-1 (numbered 1 and 2
#: on 1 December, 3 and 4 on the 2nd).
WITH_SHIFTS = (
    COMMUNITY.replace("  disable: [shifts]\n", "")
    + """\
  shifts:
    templates:
      - groups: [focus-1]
        shifts:
          - {start: "08:00", end: "12:00", needs: {medical_volunteer: 1, general_volunteer: 1}}
          - {start: "12:00", end: "18:00", needs: {psych_volunteer: 1, general_volunteer: 1}}
    plan_days: 2
"""
)


def with_shifts(tmp_path: Path, *plugins: object) -> Sandbox:
    """The test's community served by the shifts plugin, from 07:00 on 1 December."""
    config = write_community(tmp_path, WITH_SHIFTS)
    return Sandbox(config, plugins=plugins, clock=ManualClock(at(7)))


async def test_claimed_shift_ends_and_its_handover_reaches_the_next_shift(tmp_path: Path) -> None:
    """The whole flow with the shifts plugin: claims, a shift served (Sun never appears), its
    end drafts the handover for He, who confirms it; the next shift's claimers receive it."""
    async with with_shifts(tmp_path, OpenCases()) as sandbox:
        for who, shift in (("he", 1), ("sun", 1), ("gao", 2), ("xu", 2)):
            await sandbox.send(who, "dm", f"/claim {shift}")
        await sandbox.advance(hours=1, minutes=5)  # 08:05
        await sandbox.send("he", "focus-1", "Good morning, I am on shift")
        await sandbox.advance(minutes=55)  # 09:00
        record = await fill(sandbox, "he", "focus-1", "Mrs A", follow_up="ring her daughter")
        ended = await sandbox.advance(hours=3)  # 12:00
        [draft] = [a for a in ended if isinstance(a, DirectMessage) and a.buttons]
        assert (draft.user, draft.text) == (
            "he",
            "Handover of shift 1 (Focus, Tue, Dec 1, 08:00–12:00)\n"
            "Records of this shift (1):\n"
            f"• #{record} Consultation record (recorded by He)\n"
            "To follow up:\n"
            f"• #{record} Consultation record: Follow-up advice\n"
            "Did not appear: Sun (medical volunteer)\n"
            "Also:\n"
            "• Case 7 waits for a call back\n\n"
            "Once confirmed it goes privately to the next shift: Gao, Xu. To add a note: "
            "/handover your note; to send it: /handover confirm, or the buttons below. "
            "If nobody confirms it, it goes as drafted at 12-01 12:30.",
        )
        confirmed = await sandbox.press("he", "dm", draft.buttons[0], on=draft)
        received = told(confirmed)
        assert sorted(received) == ["gao", "xu"]
        assert received["xu"][0].startswith(
            "The handover of the shift before (confirmed by He):\nHandover of shift 1 (Focus"
        )
        assert received["gao"][0].startswith("上一班的交接（He已确认）：\n1号班次交接（Focus")
        later = told(await sandbox.advance(minutes=30))  # the shifts plugin's flags only
        assert not any("handover" in text or "交接" in text for t in later.values() for text in t)


async def test_a_shift_nobody_served_and_nothing_happened_in_has_no_handover(
    tmp_path: Path,
) -> None:
    """An empty shift leaves the admins nothing to read: no draft, and nothing sent as drafted;
    one with a record in it still has its handover (to the admins, nobody being on it)."""
    async with with_shifts(tmp_path) as sandbox:
        quiet = told(await sandbox.advance(hours=5, minutes=30))  # 12:30: shift 1 over, nobody
        assert not any("andover" in text for texts in quiet.values() for text in texts)
        await fill(sandbox, "wang", "focus-1", "Mrs A")
        busy = told(await sandbox.advance(hours=6))  # 18:30: shift 2 had a record
        assert any(t.startswith("Handover of shift 2") for t in busy.get("wang", []))


async def test_notes_added_at_once_from_two_chats_both_stay(tmp_path: Path) -> None:
    async with _sandbox(tmp_path, ShiftEnds(MORNING)) as sandbox:
        await sandbox.advance(hours=5)
        await asyncio.gather(
            sandbox.send("he", "dm", "/handover focus-1 Bed 3 needs a call"),
            sandbox.send("xu", "focus-1", "/handover All quiet"),
        )
        [shown] = sandbox.texts(await sandbox.send("wang", "dm", "/handover focus-1"))
        assert "• He: Bed 3 needs a call" in shown and "• Xu: All quiet" in shown


async def test_notes_and_the_handovers_content_are_sealed_at_rest(tmp_path: Path) -> None:
    async with _sandbox(tmp_path, ShiftEnds(MORNING)) as sandbox:
        await morning(sandbox)
        await sandbox.advance(hours=3)
        await sandbox.send("he", "dm", "/handover Bed 3 needs a call")
        connection = connections.get(next(iter(connections.db_config)))
        [note] = await connection.execute_query_dict('SELECT "text" FROM "handover_note"')
        [row] = await connection.execute_query_dict(
            'SELECT "content", "people" FROM "handover_shift"'
        )
        stored = [note["text"], row["content"], row["people"]]
        assert all(isinstance(value, bytes) for value in stored)
        # Xu's id as the JSON holds it: two bytes alone turn up in ciphertext by chance.
        assert not any(b"Bed 3" in v or b"consult" in v or b'"xu"' in v for v in stored)
