"""The shifts plugin: the roster, claims and their refusals, release, swap, reminders, the
no-show flag, the announcement of under-staffed shifts and the end of a shift told to the
``shifts_shift_ended`` hook, all driven by the test kit's clock."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, get_args
from zoneinfo import ZoneInfo

import pytest

from sanshe.core.actions import Action, AnswerButton, DirectMessage, Edit, Send
from sanshe.core.config import ConfigError, load_community
from sanshe.core.context import Context
from sanshe.core.contributions import vocabulary
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import SHIFT_ROLES, Group
from sanshe.core.plugins import plugin_manager
from sanshe.plugins.shifts.settings import StaffRole
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import write_community
from tests.core.test_config import english  # noqa: F401 - the fixture

SHANGHAI = ZoneInfo("Asia/Shanghai")
COMMUNITY = """\
community: {id: c, name: Test, locale: en, timezone: Asia/Shanghai}
groups:
  - {id: focus-1, kind: focus_service, name: Focus, administered_by: [social_worker]}
  - {id: key-1, kind: key_accompaniment, name: Key, administered_by: [social_worker]}
  - {id: pool, kind: volunteer_pool, name: Pool, administered_by: [social_worker]}
  - {id: b1, kind: resident, name: B1}
people:
  - {id: wang, name: Wang, handles: {console: wang}, roles: [social_worker]}
  - {id: sun, name: Sun, handles: {console: sun}, roles: [{role: medical_volunteer, groups: [focus-1]}]}
  - {id: lin, name: Lin, handles: {console: lin}, roles: [{role: medical_volunteer, groups: [focus-1]}]}
  - {id: xu, name: Xu, handles: {console: xu}, roles: [{role: psych_volunteer, groups: [focus-1, key-1]}]}
  - {id: he, name: He, handles: {console: he}, roles: [{role: general_volunteer, groups: [focus-1]}]}
  - {id: gao, name: Gao, handles: {console: gao}, roles: [{role: general_volunteer, groups: [focus-1]}]}
  - {id: zhao, name: Zhao, handles: {console: zhao}, roles: [{role: general_volunteer, groups: [key-1]}]}
plugins:
  shifts:
    templates:
      - groups: [focus-1]
        shifts:
          - {start: "08:00", end: "12:00", needs: {social_worker: 1, medical_volunteer: 1, psych_volunteer: 1, general_volunteer: 1}}
          - {start: "12:00", end: "18:00", needs: {medical_volunteer: 1, general_volunteer: 1}}
          - {start: "22:00", end: "02:00", needs: {psych_volunteer: 1}}
      - kinds: [key_accompaniment]
        shifts:
          - {start: "09:00", end: "17:00", needs: {social_worker: 1, general_volunteer: 1}}
    plan_days: 3
"""
#: 06:00 in Shanghai on 1 December: shift 1 is focus-1's 08:00-12:00, 2 key-1's 09:00-17:00,
#: 3 focus-1's 12:00-18:00, 4 its 22:00-02:00; 5 to 8 the same on 2 December, and so on.
START = datetime(2026, 12, 1, 6, 0, tzinfo=SHANGHAI)
SHIFT_1 = "shift 1 (Focus, Tue, Dec 1, 08:00–12:00)"
SHIFT_3 = "shift 3 (Focus, Tue, Dec 1, 12:00–18:00)"


def first(text: str) -> str:
    """``text`` as a sentence begins with it: ``Shift 1 (…)``."""
    return text[:1].upper() + text[1:]


def sandbox(*plugins: object) -> Sandbox:
    return Sandbox.from_yaml(COMMUNITY, plugins=plugins, clock=ManualClock(START))


async def say(community: Sandbox, who: str, where: str, text: str) -> str:
    """What ``who`` is answered (one text) when they write ``text`` in ``where``."""
    [answer] = community.texts(await community.send(who, where, text))
    return answer


def told(actions: Iterable[Action], who: str) -> list[str]:
    """The texts written privately to ``who``."""
    return [a.text for a in actions if isinstance(a, DirectMessage) and a.user == who]


def flags(actions: Iterable[Action]) -> list[tuple[str, str]]:
    """(who, text) of the no-show flags written privately."""
    return [
        (a.user, a.text)
        for a in actions
        if isinstance(a, DirectMessage) and ("not there yet" in a.text or "尚未到岗" in a.text)
    ]


class Recorder:
    """A plugin following the ends of shifts, as handover and hours do; it thanks the group."""

    def __init__(self) -> None:
        self.ended: list[dict[str, Any]] = []

    @hookimpl
    def shifts_shift_ended(
        self,
        context: Context,
        group: Group,
        shift: str,
        start: datetime,
        end: datetime,
        served: dict[str, str],
        arrived: dict[str, datetime],
        absent: dict[str, str],
        incoming: dict[str, str],
        next_start: datetime | None,
    ) -> list[Action]:
        self.ended.append(
            {
                "group": group.id,
                "shift": shift,
                "start": start.astimezone(SHANGHAI).strftime("%d %H:%M"),
                "end": end.astimezone(SHANGHAI).strftime("%d %H:%M"),
                "served": served,
                "arrived": {
                    p: t.astimezone(SHANGHAI).strftime("%H:%M") for p, t in arrived.items()
                },
                "absent": absent,
                "incoming": incoming,
                "next": next_start.astimezone(SHANGHAI).strftime("%d %H:%M")
                if next_start
                else None,
            }
        )
        return [place.reply(f"shift {shift} is over") for place in context.in_chats_of(group)]


async def test_the_roster_shows_each_groups_shifts_by_day_with_their_numbers() -> None:
    async with sandbox() as community:
        today = await say(community, "sun", "focus-1", "/shifts")
        assert today == (
            "Shifts of Focus on Tue, Dec 1:\n"
            "1  08:00–12:00  social worker: 1 free; medical volunteer: 1 free; "
            "counselling volunteer: 1 free; general volunteer (group secretary): 1 free\n"
            "3  12:00–18:00  medical volunteer: 1 free; general volunteer (group secretary): 1 free\n"
            "4  22:00–02:00  counselling volunteer: 1 free\n"
            "Claim one with /claim <number>."
        )
        tomorrow = await say(community, "xu", "dm", "/shifts key-1 tomorrow")
        assert tomorrow.splitlines()[:2] == [
            "Shifts of Key on Wed, Dec 2:",
            "6  09:00–17:00  social worker: 1 free; general volunteer (group secretary): 1 free",
        ]
        assert (await say(community, "wang", "focus-1", "/shifts 2026-12-03")).startswith(
            "Shifts of Focus on Thu, Dec 3:\n9  08:00–12:00"
        )
        assert await say(community, "wang", "b1", "/shifts") == "B1 has no shift roster."
        assert await say(community, "wang", "focus-1", "/shifts 12-09") == (
            "Focus has no shifts on Wed, Dec 9."
        )
        assert await say(community, "wang", "dm", "/shifts") == (
            "Name the group (focus-1, key-1). Write it as /shifts [group] [day]: the group "
            "(left out: this chat's) and the day: today, tomorrow or a date such as 2026-12-01 "
            "(left out: today)."
        )
        assert (await say(community, "wang", "focus-1", "/shifts someday")).startswith(
            "There is no group “someday”. Groups with shifts: focus-1, key-1."
        )
        for no_day, quoted in (
            ("2月30日", "2月30日"),
            ("2026-13-01", "***"),
            ("１３-０１", "１３-０１"),  # quoted as typed
        ):
            assert (await say(community, "wang", "focus-1", f"/shifts {no_day}")).startswith(
                f"“{quoted}” is not a day: write today, tomorrow or a date such as 2026-12-01."
            )
        assert (await say(community, "wang", "focus-1", "/shifts ＴＯＭＯＲＲＯＷ")).startswith(
            "Shifts of Focus on Wed, Dec 2:"
        )


async def test_the_roster_privately_of_the_one_group_one_serves_or_of_the_group_named() -> None:
    async with sandbox() as community:
        assert (await say(community, "sun", "dm", "/shifts")).startswith(
            "Shifts of Focus on Tue, Dec 1:\n1  08:00–12:00"
        )
        assert (await say(community, "he", "dm", "/班次 tomorrow")).startswith(
            "Shifts of Focus on Wed, Dec 2:\n5  08:00–12:00"
        )
        assert (await say(community, "xu", "dm", "/shifts tomorrow")).startswith(
            "Name the group (focus-1, key-1). Write it as /shifts [group] [day]"
        )
        assert (await say(community, "xu", "dm", "/shifts key-1 tomorrow")).startswith(
            "Shifts of Key on Wed, Dec 2:"
        )
        assert await say(community, "zhao", "dm", "/shifts focus-1") == (
            "Sorry, you hold no role in Focus, so /shifts cannot act on it from here."
        )
        assert await say(community, "maria", "focus-1", "/shifts") == (
            "Sorry, /shifts is for: community worker, general volunteer (group secretary), "
            "medical volunteer, counselling volunteer, social worker. In Focus you are: client."
        )
        assert "/shifts /班次 /排班" in await say(community, "sun", "dm", "/help")
        assert "/shifts" not in await say(community, "maria", "dm", "/help")


async def test_a_claim_takes_a_free_place_of_ones_role_and_refusals_say_why() -> None:
    async with sandbox() as community:
        assert await say(community, "sun", "dm", "/claim 1") == (
            f"You have claimed {SHIFT_1}, as medical volunteer. "
            "I will remind you 30 min before it begins."
        )
        assert await say(community, "sun", "focus-1", "/认领 1") == (
            f"You claimed {SHIFT_1} earlier, as medical volunteer: no need to claim it again."
        )
        assert await say(community, "lin", "focus-1", "/claim 1") == (
            f"{first(SHIFT_1)} is full: every place for medical volunteer is taken."
        )
        assert await say(community, "zhao", "dm", "/claim 1") == (
            f"{first(SHIFT_1)} needs social worker, medical volunteer, counselling volunteer, "
            "general volunteer (group secretary); in Focus you are: no role."
        )
        assert await say(community, "lin", "dm", "/claim 99") == (
            "There is no shift 99. Write it as /claim <shift number>; "
            "/shifts lists the shifts with their numbers."
        )
        assert (await say(community, "lin", "dm", "/claim soon")).startswith(
            "“soon” is not a shift number."
        )
        assert (await say(community, "lin", "dm", "/claim")).startswith("Missing: shift number.")
        assert await say(community, "wang", "key-1", "/claim #2") == (
            "You have claimed shift 2 (Key, Tue, Dec 1, 09:00–17:00), as social worker. "
            "I will remind you 30 min before it begins."
        )
        shown = await say(community, "he", "focus-1", "/shifts")
        assert shown.splitlines()[1] == (
            "1  08:00–12:00  social worker: 1 free; medical volunteer: Sun; "
            "counselling volunteer: 1 free; general volunteer (group secretary): 1 free"
        )
        await community.advance(hours=6)  # 12:00: shift 1 is over
        assert await say(community, "xu", "dm", "/claim 1") == f"{first(SHIFT_1)} is over."


async def test_two_claims_of_the_last_place_at_the_same_moment_one_gets_it() -> None:
    async with sandbox() as community:
        by_sun, by_lin = await asyncio.gather(
            community.send("sun", "dm", "/claim 1"), community.send("lin", "dm", "/claim 1")
        )
        performed = by_sun + [a for a in by_lin if a not in by_sun]  # each sees both
        answers = {
            who: community.texts(a for a in performed if a.chat == f"dm:{who}")
            for who in ("sun", "lin")
        }
        [claimer] = [who for who, texts in answers.items() if texts[0].startswith("You have")]
        [other] = {"sun", "lin"} - {claimer}
        assert answers[other] == [
            f"{first(SHIFT_1)} is full: every place for medical volunteer is taken."
        ]
        shown = await say(community, "he", "focus-1", "/shifts")
        name = {"sun": "Sun", "lin": "Lin"}[claimer]
        assert f"medical volunteer: {name};" in shown.splitlines()[1]


async def test_a_claim_is_released_before_its_shift_begins_and_its_place_is_free_again() -> None:
    async with sandbox() as community:
        await community.send("sun", "dm", "/claim 3")
        assert await say(community, "lin", "dm", "/release 3") == f"You have not claimed {SHIFT_3}."
        assert await say(community, "sun", "dm", "/退班 3") == (
            f"You have released {SHIFT_3}; its place is free again."
        )
        assert (await say(community, "lin", "dm", "/claim 3")).startswith(
            f"You have claimed {SHIFT_3}, as medical volunteer."
        )
        await community.advance(hours=6)  # 12:00
        assert await say(community, "lin", "dm", "/release 3") == (
            f"{first(SHIFT_3)} has begun: it can no longer be released or swapped."
        )


async def test_claimers_are_reminded_before_and_thanked_at_the_end_with_the_next_shift() -> None:
    async with sandbox() as community:
        await community.send("sun", "dm", "/claim 1")
        await community.send("he", "dm", "/claim 1")
        await community.send("lin", "dm", "/claim 3")
        assert await community.advance(hours=1, minutes=29) == []  # 07:29
        reminded = await community.advance(minutes=1)
        assert told(reminded, "sun") == [
            f"Reminder: {SHIFT_1} begins at 08:00; you serve it as medical volunteer. "
            "Once there, write in the group or send /arrive."
        ]
        assert told(reminded, "he") == [
            f"Reminder: {SHIFT_1} begins at 08:00; you serve it as general volunteer "
            "(group secretary). Once there, write in the group or send /arrive."
        ]
        assert told(reminded, "lin") == []  # 12:00 is not yet near
        await community.advance(minutes=30)  # 08:00
        await community.send("sun", "focus-1", "Good morning.")  # He never appears
        await community.advance(hours=3, minutes=29)  # 11:29
        assert [t[:18] for t in told(await community.advance(minutes=1), "lin")] == [
            "Reminder: shift 3 "
        ]
        ended = await community.advance(minutes=30)  # 12:00
        assert told(ended, "sun") == [
            f"{first(SHIFT_1)} has ended. Thank you!\n"
            "The next shift begins at 12:00: Lin (medical volunteer)."
        ]
        assert told(ended, "he") == [
            f"{first(SHIFT_1)} has ended without you: you did not appear for it "
            "(a message in the group, or /arrive)."
        ]


async def test_a_professional_who_has_not_appeared_is_flagged_to_the_secretary() -> None:
    async with sandbox() as community:
        for who in ("sun", "xu", "he", "wang"):
            await community.send(who, "dm", "/claim 1")
        await community.advance(hours=2)  # 08:00
        await community.send("xu", "focus-1", "Good morning, I am here.")
        assert await say(community, "wang", "dm", "/arrive") == (
            "Noted: you are on duty in Focus until 12:00."
        )
        assert (
            await say(community, "wang", "dm", "/到岗") == "You are noted as arrived since 08:00."
        )
        assert flags(await community.advance(minutes=15)) == [
            (
                "he",
                f"{first(SHIFT_1)}: not there yet, 15 min after its start: Sun (medical volunteer). "
                "Please get in touch.",
            )
        ]


async def test_without_a_secretary_the_flag_goes_to_the_social_worker_unless_they_arrived() -> None:
    async with sandbox() as community:
        await community.send("lin", "dm", "/claim 3")  # 12:00-18:00 on 1 December: no secretary
        await community.send("sun", "dm", "/claim 7")  # the same on 2 December
        flagged = await community.advance(hours=6, minutes=15)  # 12:15
        assert flags(flagged) == [
            (
                "wang",
                f"{first(SHIFT_3)}: not there yet, 15 min after its start: Lin (medical volunteer). "
                "Please get in touch.",
            )
        ]
        await community.advance(hours=23, minutes=30)  # 11:45 on 2 December
        assert await say(community, "sun", "focus-1", "/arrive") == (
            "Noted: you are on duty in Focus until 18:00."
        )
        assert flags(await community.advance(minutes=30)) == []  # 12:15


async def test_under_staffed_shifts_are_announced_to_the_volunteer_pool_ahead() -> None:
    async with sandbox() as community:
        for who in ("wang", "zhao"):
            await community.send(who, "dm", "/claim 6")  # key-1's 09:00 on 2 December: full
        assert await community.advance(hours=1, minutes=59) == []  # 07:59
        posted = await community.advance(minutes=1)  # 08:00: 24 hours before shift 5
        assert [(a.chat, a.text) for a in posted if isinstance(a, Send)] == [
            (
                "pool",
                "These shifts still need people:\n"
                "• Shift 5 (Focus, Wed, Dec 2, 08:00–12:00): social worker 1, medical volunteer 1, "
                "counselling volunteer 1, general volunteer (group secretary) 1\n"
                "Claim one with /claim <number>.",
            )
        ]
        nine = await community.advance(hours=1)  # shift 6 is fully staffed: nothing to say
        assert [a for a in nine if isinstance(a, Send) and a.chat == "pool"] == []


async def test_a_swap_hands_the_claim_over_when_accepted_by_button() -> None:
    async with sandbox() as community:
        await community.send("sun", "dm", "/claim 1")
        asked = await community.send("sun", "focus-1", "/换班 1 @lin")
        assert community.texts(asked) == [
            f"I have asked Lin to take over {SHIFT_1}; it stays yours until they accept.",
            f"Sun asks you to take over {SHIFT_1}, as medical volunteer. "
            "Accept with the button or /accept 1.",
        ]
        [offer] = [a for a in asked if isinstance(a, DirectMessage)]
        assert offer.user == "lin"
        assert [b.label for b in offer.buttons] == ["Accept", "Decline"]
        pressed = await community.press("lin", "dm", offer.buttons[0])
        assert [type(a) for a in pressed] == [Edit, AnswerButton, DirectMessage]
        edit = pressed[0]
        assert isinstance(edit, Edit) and edit.text == (
            f"{first(SHIFT_1)} is yours now, as medical volunteer."
        )
        assert told(pressed, "sun") == [f"Lin took over your {SHIFT_1}."]
        again = await community.press("lin", "dm", offer.buttons[0], on=offer)
        assert community.texts(again) == ["This offer no longer stands."]
        assert "medical volunteer: Lin;" in await say(community, "he", "focus-1", "/shifts")
        assert (await say(community, "sun", "dm", "/claim 1")).endswith(
            "is full: every place for medical volunteer is taken."
        )


async def test_a_swap_is_accepted_by_command_or_declined_and_refusals_say_why() -> None:
    async with sandbox() as community:
        await community.send("he", "dm", "/claim 1")
        await community.send("xu", "dm", "/claim 4")
        assert await say(community, "xu", "dm", "/swap 4 @sun") == (
            "Sun is not a counselling volunteer in Focus: only one can take over this place."
        )
        assert await say(community, "xu", "dm", "/swap 4 @xu") == (
            "You cannot swap a shift with yourself."
        )
        assert await say(community, "sun", "dm", "/swap 4 @lin") == (
            "You have not claimed shift 4 (Focus, Tue, Dec 1, 22:00–02:00)."
        )
        assert (
            await say(community, "gao", "dm", "/accept 1") == f"Nobody has offered you {SHIFT_1}."
        )
        await community.send("he", "dm", "/swap 1 @gao")
        accepted = await community.send("gao", "dm", "/接班 1")
        assert community.texts(accepted) == [
            f"{first(SHIFT_1)} is yours now, as general volunteer (group secretary).",
            f"Gao took over your {SHIFT_1}.",
        ]
        assert [a.user for a in accepted if isinstance(a, DirectMessage)] == ["he"]
        asked = await community.send("gao", "dm", "/swap 1 he")
        [offer] = [a for a in asked if isinstance(a, DirectMessage) and a.user == "he"]
        declined = await community.press("he", "dm", offer.buttons[1])
        assert isinstance(declined[0], Edit) and declined[0].text == f"You declined {SHIFT_1}."
        assert told(declined, "gao") == [f"He declined to take over {SHIFT_1}; it stays yours."]
        await community.advance(hours=2)  # 08:00
        assert await say(community, "gao", "dm", "/swap 1 @he") == (
            f"{first(SHIFT_1)} has begun: it can no longer be released or swapped."
        )


async def test_each_shifts_end_is_told_to_the_hook_with_who_served_and_who_comes_next() -> None:
    recorder = Recorder()
    async with sandbox(recorder) as community:
        for who in ("sun", "he", "xu"):
            await community.send(who, "dm", "/claim 1")
        await community.send("lin", "dm", "/claim 3")
        await community.advance(hours=2, minutes=5)  # 08:05
        await community.send("sun", "focus-1", "Here.")
        await community.send("he", "dm", "/arrive")
        ended = await community.advance(hours=3, minutes=55)  # 12:00
        assert [a.text for a in ended if isinstance(a, Send) and a.chat == "focus-1"] == [
            "shift 1 is over"
        ]
        [first] = [e for e in recorder.ended if e["shift"] == "1"]
        assert first == {
            "group": "focus-1",
            "shift": "1",
            "start": "01 08:00",
            "end": "01 12:00",
            "served": {"sun": "medical_volunteer", "he": "general_volunteer"},
            "arrived": {"sun": "08:05", "he": "08:05"},
            "absent": {"xu": "psych_volunteer"},
            "incoming": {"lin": "medical_volunteer"},
            "next": "01 12:00",
        }
        await community.advance(hours=6)  # 18:00: shift 3 ends, shift 4 (22:00) comes next
        [third] = [e for e in recorder.ended if e["shift"] == "3"]
        assert (third["served"], third["absent"], third["incoming"], third["next"]) == (
            {},
            {"lin": "medical_volunteer"},
            {},
            "01 22:00",
        )
        assert [e["shift"] for e in recorder.ended] == ["1", "2", "3"]  # in order of their ends


async def test_the_example_communitys_roster_in_chinese() -> None:
    """The example community (zh_CN): its focus service group's 08:00 shift is number 1."""
    clock = ManualClock(datetime(2026, 12, 1, 6, 0, tzinfo=SHANGHAI))
    async with Sandbox(clock=clock) as community:
        shift = "1号班次（聚焦服务群 12月1日周二 08:00–12:00）"
        assert await say(community, "sun", "focus-1", "/认领 1") == (
            f"您已认领{shift}，身份：医务志愿者。开始前30分钟我会提醒您。"
        )
        await community.send("he", "focus-1", "/认领 1")
        listed = await say(community, "he", "focus-1", "/班次")
        assert listed.splitlines()[:2] == [
            "聚焦服务群 12月1日周二的班次：",
            "1号  08:00–12:00  社会工作者：空缺1；医务志愿者：孙医生；心理咨询志愿者：空缺1；"
            "一般志愿者（群秘书）：何秘书",
        ]
        assert await say(community, "zhao", "dm", "/认领 1") == (
            f"{shift}需要社会工作者、医务志愿者、心理咨询志愿者、一般志愿者（群秘书）；"
            "您在聚焦服务群的身份是：无。"
        )
        assert await say(community, "maria", "building-1", "/在班") == "1号楼居民群没有排班。"
        assert "/claim /认领 — 认领班次：/认领 班次号" in await say(community, "sun", "dm", "/帮助")
        assert (await say(community, "he", "dm", "/班次")).startswith(  # 何秘书 serves focus-1 only
            "聚焦服务群 12月1日周二的班次：\n1号  08:00–12:00"
        )
        assert (await say(community, "sun", "dm", "/班次 明天")).startswith(  # focus-1 and key-1
            "请写明是哪个群（"
        )
        assert (await say(community, "he", "focus-1", "/班次 2月30日")).startswith(
            "“2月30日”不是日期，请写今天、明天或 2026-12-01 这样的日期。"
        )
        assert "/claim" not in await say(community, "maria", "building-1", "/帮助")
        in_focus, in_building = [
            await say(community, "wang", group, "/帮助") for group in ("focus-1", "building-1")
        ]  # a social worker: listed where there is a roster, not in a group without one
        assert "/claim" in in_focus and "/claim" not in in_building
        reminded = await community.advance(hours=1, minutes=30)  # 07:30
        assert told(reminded, "sun") == [
            f"提醒：{shift}将于08:00开始，您的身份是医务志愿者。到岗后请在群里发言或发送 /到岗。"
        ]
        await community.advance(minutes=30)  # 08:00
        assert await say(community, "maria", "focus-1", "/在班") == (
            "聚焦服务群当前在班：孙医生（医务志愿者）、何秘书（一般志愿者（群秘书））。"
        )
        assert flags(await community.advance(minutes=15)) == [
            ("he", f"{shift}已开始15分钟，孙医生（医务志愿者）尚未到岗，请联系。")
        ]


def test_the_roles_a_shift_may_need_are_the_roles_that_serve_shifts() -> None:
    """The settings' roles (checked where the file names them) are core's SHIFT_ROLES, which the
    handover and hours plugins list their commands to."""
    assert set(get_args(StaffRole)) == SHIFT_ROLES


#: The test community where social workers may grant volunteers' roles, Tan has no role of
#: the file, and medical volunteers speak in Focus on their shift only.
GRANTING = (
    COMMUNITY.replace(
        "groups:\n", "grants: {social_worker: [medical_volunteer, general_volunteer]}\ngroups:\n", 1
    )
    .replace("people:\n", "people:\n  - {id: tan, name: Tan, handles: {console: tan}}\n", 1)
    .replace(
        "plugins:\n",
        "rules:\n"
        "  - id: off-shift-silence\n"
        "    where: {groups: [focus-1]}\n"
        "    when: {sender_role: [medical_volunteer], not_sender_role: [on_shift]}\n"
        "    do: [{reply: Volunteers speak here on their shift only.}]\n"
        "plugins:\n",
        1,
    )
)


async def test_a_claimer_whose_role_is_revoked_is_no_longer_on_that_shift() -> None:
    recorder = Recorder()
    clock = ManualClock(START)
    async with Sandbox.from_yaml(GRANTING, plugins=[recorder], clock=clock) as community:
        await community.send("wang", "dm", "/grant @tan medical_volunteer focus-1")
        assert (await say(community, "tan", "dm", "/claim 1")).startswith(
            f"You have claimed {SHIFT_1}, as medical volunteer."
        )
        await community.send("he", "dm", "/claim 1")
        await community.send("wang", "dm", "/revoke @tan medical_volunteer focus-1")
        reminded = await community.advance(hours=1, minutes=30)  # 07:30
        assert told(reminded, "tan") == [] and len(told(reminded, "he")) == 1
        await community.advance(minutes=30)  # 08:00
        assert await say(community, "wang", "focus-1", "/onduty") == (
            "On shift now in Focus: He (general volunteer (group secretary))."
        )
        focus = community.community.group("focus-1")
        duty = await community.bot.services.call("shifts_on_duty", group=focus, at=clock.now())
        assert duty == {"he": "general_volunteer"}
        assert await say(community, "tan", "focus-1", "/whoami") == (
            "You are Tan.\nIn this group: client."  # no longer on shift
        )
        assert await say(community, "tan", "focus-1", "/arrive") == "You have no shift now."
        assert flags(await community.advance(minutes=15)) == []  # 08:15: Tan is not flagged
        ended = await community.advance(hours=3, minutes=45)  # 12:00
        [first] = [e for e in recorder.ended if e["shift"] == "1"]
        assert (first["served"], first["absent"]) == ({}, {"he": "general_volunteer"})
        assert told(ended, "tan") == []
        assert (await say(community, "tan", "dm", "/hours")).startswith(
            "You have no service hours recorded yet"
        )


async def test_a_claimer_whose_grant_ends_during_the_shift_is_on_it_until_then() -> None:
    recorder = Recorder()
    clock = ManualClock(START)
    async with Sandbox.from_yaml(GRANTING, plugins=[recorder], clock=clock) as community:
        await community.send("wang", "dm", "/grant @tan medical_volunteer focus-1 2026-12-01 10:00")
        await community.send("tan", "dm", "/claim 1")
        reminded = await community.advance(hours=1, minutes=30)  # 07:30
        assert [t[:18] for t in told(reminded, "tan")] == ["Reminder: shift 1 "]
        await community.advance(minutes=30)  # 08:00
        assert community.texts(await community.send("tan", "focus-1", "Good morning")) == []
        assert (await say(community, "tan", "focus-1", "/whoami")).endswith(
            "In this group: medical volunteer, on shift."
        )
        assert await say(community, "wang", "focus-1", "/onduty") == (
            "On shift now in Focus: Tan (medical volunteer)."
        )
        await community.advance(hours=2)  # 10:00: the grant has ended
        assert await say(community, "wang", "focus-1", "/onduty") == (
            "Nobody is on shift in Focus now."
        )
        focus = community.community.group("focus-1")
        duty = await community.bot.services.call("shifts_on_duty", group=focus, at=clock.now())
        assert duty == {}
        ended = await community.advance(hours=2)  # 12:00
        [first] = [e for e in recorder.ended if e["shift"] == "1"]
        assert (first["served"], first["absent"]) == ({}, {})
        assert told(ended, "tan") == []


@pytest.mark.usefixtures("english")
def test_a_template_naming_a_kind_or_group_the_community_lacks_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    wrong = COMMUNITY.replace("groups: [focus-1]\n", "groups: [focus-2]\n").replace(
        "kinds: [key_accompaniment]", "kinds: [key_acompaniment]"
    )
    path = write_community(tmp_path, wrong)
    with pytest.raises(ConfigError) as refused:
        load_community(path, vocabulary(plugin_manager()))
    assert [str(p).split(" Use one of")[0] for p in refused.value.problems] == [
        f"{path}:18:18: There is no group “focus-2” in this community. Did you mean “focus-1”?",
        f"{path}:23:17: Unknown group kind “key_acompaniment”.",
    ]


async def test_one_already_on_the_shift_offered_it_is_told_so_in_their_own_person() -> None:
    async with Sandbox.from_yaml(GRANTING, clock=ManualClock(START)) as community:
        for role in ("medical_volunteer", "general_volunteer"):
            await community.send("wang", "dm", f"/grant @tan {role} focus-1")
        await community.send("sun", "dm", "/claim 1")
        await community.send("sun", "dm", "/swap 1 @tan")
        assert (await say(community, "tan", "dm", "/claim 1")).startswith(
            f"You have claimed {SHIFT_1}, as general volunteer (group secretary)."
        )
        assert await say(community, "tan", "dm", "/accept 1") == f"You are on {SHIFT_1} already."
        await community.send("he", "dm", "/claim 3")
        await community.send("he", "dm", "/swap 3 @tan")
        await community.send("wang", "dm", "/revoke @tan general_volunteer focus-1")
        assert await say(community, "tan", "dm", "/accept 3") == (
            "You are not a general volunteer (group secretary) in Focus: "
            "only one can take over this place."
        )
