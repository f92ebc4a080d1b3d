"""sanshe.testing as a plugin author meets it: communities from text and dicts, the clock, fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sanshe.core.actions import Action, Edit, Send
from sanshe.core.buttons import ButtonHandler
from sanshe.core.config import ConfigError
from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.hookspecs import hookimpl
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import EXAMPLE

SMALL = """
    community:
      id: c
      name: 小区
    groups:
      - id: b1
        kind: resident
        name: 1号楼
    people:
      - id: wang
        name: 王芳
        handles: {console: wang}
        roles: [social_worker]
"""

SMALL_DATA = {
    "community": {"id": "c", "name": "Little Court", "locale": "en"},
    "groups": [{"id": "b1", "kind": "resident", "name": "Building 1"}],
    "people": [
        {
            "id": "wang",
            "name": "Wang Fang",
            "handles": {"console": "wang"},
            "roles": ["social_worker"],
        }
    ],
}


class Stamps:
    """Answers every group message with the time the event carries."""

    @hookimpl
    def sanshe_message(self, context: Context) -> Send:
        return Send(chat=context.event.chat, text=str(context.event.time))


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANSHE_LANG", "zh_CN")


async def test_a_community_from_yaml_text() -> None:
    async with Sandbox.from_yaml(SMALL) as s:
        assert s.community.community.name == "小区" and s.config is None
        [text] = s.texts(await s.send("wang", "b1", "/whoami"))
        assert text.startswith("您是王芳。") and "社会工作者" in text


async def test_a_community_from_a_dict() -> None:
    async with Sandbox.from_dict(SMALL_DATA) as s:
        [text] = s.texts(await s.send("wang", "b1", "/whoami"))
        assert text.startswith("You are Wang Fang.")


async def test_yaml_text_with_a_mistake_is_refused_at_its_line_and_column() -> None:
    broken = SMALL.replace("kind: resident", "kind: [resident")
    with pytest.raises(ConfigError) as info:
        await Sandbox.from_yaml(broken).start()
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith("<string>:8:9: ") and "YAML" in problem, problem


async def test_a_wrong_value_in_text_or_dict_is_named_where_it_is() -> None:
    with pytest.raises(ConfigError) as info:
        await Sandbox.from_yaml(
            SMALL.replace("kind: resident", "kind: castle"), name="my.yaml"
        ).start()
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith("my.yaml:7:11: ") and "castle" in problem, problem
    data = {**SMALL_DATA, "groups": [{"id": "b1", "kind": "castle", "name": "B"}]}
    with pytest.raises(ConfigError) as info:
        await Sandbox.from_dict(data).start()
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith("<dict>:") and "castle" in problem, problem


async def test_text_includes_files_from_its_base_folder() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    async with Sandbox.from_yaml(text, base=EXAMPLE.parent) as s:
        assert len(s.community.forms) == 10  # the guide's eight, the help request, return to work
    with pytest.raises(ConfigError) as info:
        await Sandbox.from_yaml(text, base="/nowhere").start()
    assert any("forms/*.yaml" in str(p) for p in info.value.problems)


async def test_the_clock_stands_still_until_advanced_and_stamps_the_events() -> None:
    start = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    async with Sandbox.from_yaml(SMALL, clock=ManualClock(start), plugins=[Stamps()]) as s:
        assert s.bot.clock is s.clock and s.bot.clock.now() == start
        [first] = s.texts(await s.send("wang", "b1", "hello"))
        assert float(first) == start.timestamp()
        assert s.clock.advance(minutes=30) == start + timedelta(minutes=30)
        assert s.bot.clock.now() == start + timedelta(minutes=30)
        [later] = s.texts(await s.send("wang", "b1", "hello"))
        assert float(later) - float(first) == 1800
        await s.restart()  # the clock is the sandbox's, not the bot's: a restart keeps its time
        assert s.bot.clock.now() == start + timedelta(minutes=30)


def test_a_manual_clock_moves_only_forward_by_advance_and_wants_a_zone() -> None:
    clock = ManualClock(datetime(2024, 3, 1, 17, 0, tzinfo=UTC))
    clock.advance(timedelta(days=1), hours=1)
    assert clock.now() == datetime(2024, 3, 2, 18, 0, tzinfo=UTC)
    assert clock.time() == clock.now().timestamp()
    with pytest.raises(ValueError, match="set"):
        clock.advance(minutes=-1)
    clock.set(datetime(2024, 1, 1, tzinfo=UTC))
    assert clock.now().year == 2024 and clock.now().month == 1
    with pytest.raises(ValueError, match="time zone"):
        clock.set(datetime(2024, 1, 1))


async def test_the_sandbox_fixture_runs_the_example_on_the_test_clock(
    sandbox: Sandbox, manual_clock: ManualClock
) -> None:
    assert sandbox.community.community.id == "sunshine"
    before = sandbox.bot.clock.now()
    manual_clock.advance(hours=2)
    assert sandbox.bot.clock.now() - before == timedelta(hours=2)
    [text] = sandbox.texts(await sandbox.send("wang", "building-1", "/whoami"))
    assert text.startswith("您是王芳。")


async def test_make_sandbox_makes_one_from_text_a_dict_or_a_file(
    make_sandbox, manual_clock: ManualClock
) -> None:
    async with make_sandbox(yaml=SMALL) as small:
        assert small.clock is manual_clock
        [text] = small.texts(await small.send("wang", "b1", "/whoami"))
        assert text.startswith("您是王芳。")
    async with make_sandbox(data=SMALL_DATA) as english:
        assert english.community.locale == "en"
    async with make_sandbox(config=EXAMPLE, clock=ManualClock()) as example:
        assert example.community.community.id == "sunshine"
        assert example.clock is not manual_clock
    with pytest.raises(TypeError):
        make_sandbox(yaml=SMALL, data=SMALL_DATA)


PLUGIN_AUTHOR_TESTS = '''
import pytest

from sanshe.core.actions import Send
from sanshe.core.hookspecs import hookimpl

COMMUNITY = """
    community: {id: c, name: Court, locale: en}
    groups: [{id: b1, kind: resident, name: Building 1}]
"""


class Hello:
    @hookimpl
    def sanshe_message(self, context):
        return Send(chat=context.event.chat, text="hello " + context.event.sender)


@pytest.mark.asyncio
async def test_example_community(sandbox):
    [text] = sandbox.texts(await sandbox.send("wang", "building-1", "/whoami"))
    assert "王芳" in text


@pytest.mark.asyncio
async def test_my_plugin(make_sandbox, manual_clock):
    async with make_sandbox(yaml=COMMUNITY, plugins=[Hello()]) as sandbox:
        assert sandbox.texts(await sandbox.send("li", "b1", "hi")) == ["hello li"]
        before = sandbox.bot.clock.now()
        manual_clock.advance(minutes=30)
        assert (sandbox.bot.clock.now() - before).total_seconds() == 1800
'''


def test_a_plugin_author_gets_the_fixtures_from_the_installed_package(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(textwrap.dedent(PLUGIN_AUTHOR_TESTS), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mine.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


async def test_one_sandbox_at_a_time() -> None:
    async with Sandbox.from_yaml(SMALL) as first:
        with pytest.raises(RuntimeError, match="one sandbox at a time"):
            await Sandbox.from_yaml(SMALL).start()
        [text] = first.texts(await first.send("wang", "b1", "/whoami"))
        assert text.startswith("您是王芳。")
    async with Sandbox.from_yaml(SMALL) as second:  # once the first stopped
        assert second.community.community.name == "小区"


async def test_reload_of_a_community_from_text_says_there_is_no_file_to_read() -> None:
    async with Sandbox.from_yaml(SMALL) as s:
        here, details = s.texts(await s.send("wang", "b1", "/reload"))
        assert "没有重新加载" in here
        assert "文本" in details and "Sandbox(" in details, details


def took(ctx: Context) -> Action:
    assert ctx.press is not None
    return ctx.answer(f"{ctx.press.payload} on {ctx.press.message_id}")


TAKE = ButtonHandler("x.take", took)


class Hushed:
    """Serves the x.take button; answers ``who?`` with whom and what it answers."""

    @hookimpl
    def sanshe_buttons(self) -> list[ButtonHandler]:
        return [TAKE]

    @hookimpl
    def sanshe_message(self, context: Context) -> Send | None:
        event = context.event
        if not isinstance(event, Message) or event.text != "who?":
            return None
        return Send(chat=event.chat, text=f"{event.reply_to} {event.reply_to_sender}")


async def test_a_press_carries_the_message_that_showed_the_button_and_sends_can_reply() -> None:
    async with Sandbox.from_yaml(SMALL, plugins=[Hushed()]) as s:
        first = Send(chat="b1", text="选", buttons=(TAKE.button("上午", "am"),))
        await s.adapter.perform(first)
        await s.adapter.perform(Send(chat="b1", text="别的"))
        later = Send(chat="b1", text="再选", buttons=(TAKE.button("上午", "am"),))
        await s.adapter.perform(later)
        assert [s.adapter.number(a) for a in (first, later)] == ["b1", "b3"]
        pressed = [
            await s.press("wang", "b1", "x.take|am"),
            await s.press("wang", "b1", first.buttons[0], on=first),
        ]
        await s.adapter.perform(Edit(chat="b1", message_id="b3", text="已选"))
        pressed += [
            await s.press("wang", "b1", TAKE.button("上午", "am")),
            await s.press("wang", "b1", "x.take|am", on="b9"),
        ]
        assert [s.texts(p) for p in pressed] == [
            ["am on b3"],
            ["am on b1"],
            ["am on b1"],
            ["am on b9"],
        ]
        [text] = s.texts(await s.send("wang", "b1", "who?", reply_to=later))
        assert text == "b3 None"
        [text] = s.texts(await s.send("wang", "b1", "who?", reply_to="7", reply_to_sender="li"))
        assert text == "7 li"
