"""Timers: scheduled by plugins and rules, fired as events by the bot's clock, exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sanshe.core.actions import Action, DirectMessage, Send
from sanshe.core.arguments import Arguments, Word
from sanshe.core.commands import ChatCommand
from sanshe.core.config import CommunityFile, ConfigError
from sanshe.core.context import Context
from sanshe.core.contributions import vocabulary
from sanshe.core.hookspecs import hookimpl
from sanshe.core.plugins import plugin_manager
from sanshe.core.storage.models import DeadLetter, EventTry, Timer
from sanshe.core.timers import Due, Schedule
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import EXAMPLE, example_text, write_community


def quiet() -> ManualClock:
    """13:00 in Shanghai: none of the example's own timers (the health report at 20:00, the
    roster's shortage notices) is due within the next hours, whatever the real time is."""
    return ManualClock(datetime(2026, 12, 2, 5, 0, tzinfo=UTC))


class Reminders:
    """``/remind <minutes>`` sets a reminder in this chat; ``/forget`` cancels it."""

    spec = Arguments(minutes=Word(name="arguments.name.duration"))

    def __init__(self) -> None:
        self.fired: list[Due] = []

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [
            ChatCommand("remind", self.remind, help="arguments.name.duration", arguments=self.spec),
            ChatCommand("forget", self.forget, help="arguments.name.duration"),
        ]

    def remind(self, ctx: Context) -> Action:
        minutes = int(self.spec.read(ctx).minutes)
        data = {"chat": ctx.event.chat}
        ctx.timers("Reminders").after(f"remind:{ctx.person.id}", timedelta(minutes=minutes), data)
        return ctx.reply("set")

    def forget(self, ctx: Context) -> Action:
        ctx.timers("Reminders").cancel(f"remind:{ctx.person.id}")
        return ctx.reply("forgotten")

    @hookimpl
    def sanshe_timer(self, context: Context, timer: Due) -> Action:
        self.fired.append(timer)
        late = int(timer.late.total_seconds() // 60)
        return Send(network="console", chat=timer.data["chat"], text=f"reminder, {late} min late")


def texts(actions: list[Action]) -> list[str]:
    return [a.text for a in actions if isinstance(a, Send)]


def in_chats(actions: list[Action], *chats: str) -> list[Action]:
    """What the bot did in ``chats`` (the example community's roster goes on meanwhile: its
    announcements, the handovers at the ends of its shifts)."""
    return [a for a in actions if getattr(a, "chat", None) in chats]


def test_a_daily_time_is_local_time_of_the_community() -> None:
    eight = Schedule.daily("08:00")
    shanghai = ZoneInfo("Asia/Shanghai")
    assert eight.after(datetime(2026, 12, 1, 23, 0, tzinfo=UTC), shanghai) == datetime(
        2026, 12, 2, 0, 0, tzinfo=UTC
    )  # 08:00 in Shanghai is midnight UTC


def test_a_daily_time_keeps_its_local_hour_across_a_change_of_summer_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    eight = Schedule.daily("08:00")
    moment = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)  # summer time starts on 28 March 2027
    seen = []
    for _day in range(4):
        moment = eight.after(moment, berlin)
        seen.append(moment)
    assert [m.astimezone(berlin).hour for m in seen] == [8, 8, 8, 8]
    assert [(m.day, m.hour) for m in seen] == [(27, 7), (28, 6), (29, 6), (30, 6)]  # UTC+1, +2


def test_a_schedule_reads_back_what_it_stored() -> None:
    for schedule in (Schedule.daily("20:00"), Schedule.every("30m"), Schedule.every("2h")):
        assert Schedule.read(schedule.text) == schedule
    with pytest.raises(ValueError):
        Schedule.every("soon")


async def test_a_timer_fires_once_when_its_time_comes_and_not_before() -> None:
    reminders = Reminders()
    clock = ManualClock(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    async with Sandbox(EXAMPLE, plugins=[reminders], clock=clock) as sandbox:
        assert sandbox.texts(await sandbox.send("li", "building-1", "/remind 30")) == ["set"]
        assert await sandbox.advance(minutes=29) == []
        fired = await sandbox.advance(minutes=1)
        assert texts(fired) == ["reminder, 0 min late"]
        assert [a.network for a in fired] == ["console"]
        assert in_chats(await sandbox.advance(hours=5), "building-1") == []
        assert len(reminders.fired) == 1
        assert not await Timer.filter(plugin="Reminders").exists()


async def test_a_cancelled_or_replaced_timer_does_not_fire_at_its_old_time() -> None:
    reminders = Reminders()
    async with Sandbox(EXAMPLE, plugins=[reminders], clock=quiet()) as sandbox:
        await sandbox.send("li", "building-1", "/remind 10")
        await sandbox.send("li", "building-1", "/forget")
        assert in_chats(await sandbox.advance(minutes=15), "building-1") == []
        await sandbox.send("li", "building-1", "/remind 10")
        await sandbox.send("li", "building-1", "/remind 60")  # the same key: replaced
        assert in_chats(await sandbox.advance(minutes=15), "building-1") == []
        fired = in_chats(await sandbox.advance(minutes=50), "building-1")
        assert texts(fired) == ["reminder, 5 min late"]


async def test_a_timer_due_while_the_bot_was_stopped_fires_once_at_start_with_its_lateness(
    tmp_path: Path,
) -> None:
    reminders = Reminders()
    clock = ManualClock(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    sandbox = Sandbox(
        EXAMPLE, plugins=[reminders], clock=clock, db_url=f"sqlite://{tmp_path}/db.sqlite3"
    )
    await sandbox.start()
    try:
        await sandbox.send("li", "building-1", "/remind 30")
        await sandbox.stop()
        clock.advance(hours=2)  # due at 01:30, the bot is back at 03:00
        await sandbox.start()
        assert texts(await sandbox.advance()) == ["reminder, 90 min late"]
        assert reminders.fired[0].late == timedelta(minutes=90)
        await sandbox.restart()
        assert in_chats(await sandbox.advance(hours=1), "building-1") == []
    finally:
        await sandbox.stop()


async def test_a_rule_on_a_schedule_posts_in_each_group_it_watches_at_local_time(
    tmp_path: Path,
) -> None:
    rule = """
rules:
  - id: evening-notice
    on: {every: day, at: "20:00"}
    where: {groups: [building-1, building-2]}
    do:
      - reply: 今天的健康打卡请在21点前完成。
"""
    text = example_text().replace("\nrules:\n", rule + "\n", 1)
    clock = ManualClock(datetime(2026, 12, 2, 11, 0, tzinfo=UTC))  # 19:00 in Shanghai
    async with Sandbox(write_community(tmp_path, text), clock=clock) as sandbox:
        assert await sandbox.advance(minutes=59) == []
        notice = "今天的健康打卡请在21点前完成。"
        posted = [a for a in await sandbox.advance(minutes=1) if texts([a]) == [notice]]
        assert sorted(a.chat for a in posted if isinstance(a, Send)) == ["building-1", "building-2"]
        day = in_chats(await sandbox.advance(hours=23, minutes=59), "building-1", "building-2")
        assert [a for a in day if texts([a]) == [notice]] == []  # (the example's 06:00 reminder)
        again = [a for a in await sandbox.advance(minutes=1) if texts([a]) == [notice]]
        assert len(again) == 2  # the next evening


async def test_a_plugin_acts_outside_any_event_through_the_outbox() -> None:
    async with Sandbox(EXAMPLE, clock=quiet()) as sandbox:
        services = sandbox.bot.services

        def work(ctx: Context) -> Action:
            ctx.timers("Notices").at("later", ctx.now() + timedelta(hours=1))
            return Send(network="console", chat="building-1", text="notice")

        await services.act("Notices", work)
        assert texts(sandbox.adapter.performed) == ["notice"]
        assert await sandbox.pending() == []
        assert await Timer.filter(plugin="Notices", key="later").exists()


class Failing:
    """A daily timer whose firing fails in a way core cannot isolate (its actions cannot be stored)."""

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [ChatCommand("daily", self.daily, help="arguments.name.duration")]

    def daily(self, ctx: Context) -> Action:
        ctx.timers("Failing").every("daily", Schedule.daily("09:00"))
        return ctx.reply("set")

    fixed = False

    @hookimpl
    def sanshe_timer(self, context: Context, timer: Due) -> Action:
        if self.fixed:
            return Send(network="console", chat="building-1", text="done")
        return Send(network="console", chat="building-1", text="x", buttons=(object(),))  # type: ignore[arg-type]


async def test_a_firing_set_aside_leaves_a_recurring_timer_going_and_tells_the_admins() -> None:
    clock = ManualClock(datetime(2026, 12, 2, 0, 0, tzinfo=UTC))  # 08:00 in Shanghai
    async with Sandbox(EXAMPLE, plugins=[Failing()], clock=clock) as sandbox:
        await sandbox.send("li", "building-1", "/daily")
        told = await sandbox.advance(hours=1)  # 09:00: the first try fails
        for _try in range(2):  # the community's dead_letter_after is 3
            told += await sandbox.advance(minutes=1)
        [row] = await Timer.filter(plugin="Failing")
        assert row.due_at.astimezone(UTC) == datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
        notes = [a for a in told if isinstance(a, DirectMessage)]
        assert [n.user for n in notes] == ["li", "zhang"]  # the admins, on their network
        assert all("--replay 1" in n.text and n.network == "console" for n in notes)


SCHEDULED = """\
community: {id: c, name: Test, locale: en}
groups: [{id: b1, kind: resident, name: B1}]
rules:
  - id: evening
    on: ON
    do: [{reply: hi}]
"""


@pytest.mark.parametrize(
    ("on", "said"),
    [
        (
            "{every: soon}",
            "“every” is written as day, or a duration such as 30m, 2h or 1d, not “soon”.",
        ),
        ('{every: day, at: "25:00"}', "“at” is written as a time of day as HH:MM"),
    ],
)
def test_a_wrong_schedule_is_refused_at_its_place_in_plain_words(
    tmp_path: Path, on: str, said: str
) -> None:
    text = SCHEDULED.replace("ON", on)
    path = write_community(tmp_path, text)
    with pytest.raises(ConfigError) as refused:
        CommunityFile.read(path).check(vocabulary(plugin_manager()))
    problems = [str(p) for p in refused.value.problems]
    assert any("community.yaml:5:" in p and said in p for p in problems), problems


class Notices:
    """A timer that posts in each chat of building-1 through ``context.in_chats_of``."""

    @hookimpl
    def sanshe_timer(self, context: Context, timer: Due) -> list[Action]:
        group = context.community.group("building-1")
        assert group is not None
        return [place.reply("posted") for place in context.in_chats_of(group)]


async def test_a_timer_posts_in_a_groups_chats() -> None:
    async with Sandbox(EXAMPLE, plugins=[Notices()], clock=quiet()) as sandbox:
        await sandbox.bot.services.act(
            "Notices", lambda ctx: ctx.timers("Notices").after("post", timedelta(minutes=5))
        )
        posted = await sandbox.advance(minutes=6)
        assert [(a.chat, a.text, a.network) for a in posted if isinstance(a, Send)] == [
            ("building-1", "posted", "console")
        ]


def test_a_recurring_timer_keeps_its_pace_and_skips_what_it_missed() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    due = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    half_hour = Schedule.every("30m")
    assert half_hour.next(due, due + timedelta(seconds=5), zone) == due + timedelta(minutes=30)
    late = due + timedelta(
        hours=2, minutes=10
    )  # back after a stop: the missed ones are not made up
    assert half_hour.next(due, late, zone) == late + timedelta(minutes=30)


class Slow:
    """An hourly timer whose firing takes a while; ``/stop`` cancels it meanwhile."""

    def __init__(self) -> None:
        self.inside = asyncio.Event()
        self.gate = asyncio.Event()

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [ChatCommand("stop", self.stop, help="arguments.name.duration")]

    def stop(self, ctx: Context) -> Action:
        ctx.timers("Slow").cancel("hourly")
        return ctx.reply("stopped")

    @hookimpl
    async def sanshe_timer(self, context: Context, timer: Due) -> None:
        self.inside.set()
        await self.gate.wait()


async def test_a_timer_cancelled_while_it_fires_stays_cancelled() -> None:
    slow = Slow()
    async with Sandbox(EXAMPLE, plugins=[slow], clock=quiet()) as sandbox:
        await sandbox.bot.services.act(
            "Slow", lambda ctx: ctx.timers("Slow").every("hourly", Schedule.every("1h"))
        )
        firing = asyncio.ensure_future(sandbox.advance(hours=1))
        await asyncio.wait_for(slow.inside.wait(), 10)
        assert sandbox.texts(await sandbox.send("li", "building-1", "/stop")) == ["stopped"]
        slow.gate.set()
        await firing
        assert not await Timer.filter(plugin="Slow").exists()
        assert in_chats(await sandbox.advance(hours=3), "building-1") == []


async def test_a_timers_dead_letter_replayed_once_fixed_does_what_the_firing_was_for() -> None:
    failing = Failing()
    clock = ManualClock(datetime(2026, 12, 2, 0, 0, tzinfo=UTC))
    async with Sandbox(EXAMPLE, plugins=[failing], clock=clock) as sandbox:
        await sandbox.send("li", "building-1", "/daily")
        await sandbox.advance(hours=1)
        for _try in range(2):
            await sandbox.advance(minutes=1)
        [letter] = await DeadLetter.all()
        failing.fixed = True
        replayed = await sandbox.bot.replay(letter)
        assert [a.text for a in replayed if isinstance(a, Send)] == ["done"]
        assert not await DeadLetter.exists()
        [row] = await Timer.filter(plugin="Failing")  # still tomorrow's
        assert row.due_at.astimezone(UTC) == datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


class Morning:
    """A daily timer at 08:00, set with ``/morning``; keeps each firing."""

    def __init__(self) -> None:
        self.fired: list[Due] = []

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [ChatCommand("morning", self.morning, help="arguments.name.duration")]

    def morning(self, ctx: Context) -> Action:
        ctx.timers("Morning").every("briefing", Schedule.daily("08:00"))
        return ctx.reply("set")

    @hookimpl
    def sanshe_timer(self, context: Context, timer: Due) -> None:
        self.fired.append(timer)


async def test_a_daily_timer_in_berlin_fires_at_eight_local_across_summer_time(
    tmp_path: Path,
) -> None:
    text = example_text().replace("timezone: Asia/Shanghai", "timezone: Europe/Berlin")
    morning = Morning()
    clock = ManualClock(datetime(2027, 3, 26, 12, 0, tzinfo=UTC))  # summer time from 28 March
    async with Sandbox(write_community(tmp_path, text), plugins=[morning], clock=clock) as sandbox:
        await sandbox.send("li", "building-1", "/morning")
        for _hour in range(4 * 24):
            await sandbox.advance(hours=1)
    berlin = ZoneInfo("Europe/Berlin")
    assert [(t.due.day, t.due.hour) for t in morning.fired] == [(27, 7), (28, 6), (29, 6), (30, 6)]
    assert {t.due.astimezone(berlin).hour for t in morning.fired} == {8}


async def test_a_daily_timer_missed_for_days_while_stopped_fires_once_at_start(
    tmp_path: Path,
) -> None:
    morning = Morning()
    clock = ManualClock(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))  # 09:00 in Shanghai
    sandbox = Sandbox(
        EXAMPLE, plugins=[morning], clock=clock, db_url=f"sqlite://{tmp_path}/db.sqlite3"
    )
    await sandbox.start()
    try:
        await sandbox.send("li", "building-1", "/morning")
        await sandbox.stop()
        clock.advance(days=3, hours=2)  # back on 5 December at 11:00, three mornings missed
        await sandbox.start()
        await sandbox.advance()
        [once] = morning.fired
        assert once.due == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)  # the first one missed
        assert once.late == timedelta(days=2, hours=3)
        [row] = await Timer.filter(plugin="Morning")
        assert row.due_at.astimezone(UTC) == datetime(2026, 12, 6, 0, 0, tzinfo=UTC)
    finally:
        await sandbox.stop()


async def test_work_a_plugin_does_outside_events_that_fails_is_told_and_leaves_no_try() -> None:
    async with Sandbox(EXAMPLE, clock=quiet()) as sandbox:

        def broken(ctx: Context) -> Action:
            raise RuntimeError("the plugin's own fault")

        with pytest.raises(RuntimeError, match="own fault"):
            await sandbox.bot.services.act("Notices", broken)
        assert not await EventTry.exists() and not await DeadLetter.exists()


async def test_daily_timers_follow_the_community_to_another_time_zone(tmp_path: Path) -> None:
    morning = Morning()
    clock = ManualClock(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    path = write_community(tmp_path, example_text())
    sandbox = Sandbox(
        path, plugins=[morning], clock=clock, db_url=f"sqlite://{tmp_path}/db.sqlite3"
    )
    await sandbox.start()
    try:
        await sandbox.send("li", "building-1", "/morning")  # 08:00 in Shanghai: 00:00 UTC
        path.write_text(
            example_text().replace("timezone: Asia/Shanghai", "timezone: Europe/Berlin"),
            encoding="utf-8",
        )
        await sandbox.restart()
        await sandbox.advance(days=1)
        [fired] = morning.fired
        assert fired.due == datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # 08:00 in Berlin that day
    finally:
        await sandbox.stop()
