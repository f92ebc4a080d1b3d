"""The README's social worker's guide says what the bot does, in English and in Chinese.

Each language's guide names every command of the intake, cases and crisis plugins (a new
command without a line in both fails here), and the same commands as its twin; its example
exchanges (the fenced blocks labelled ``text replay=en-social`` and ``zh-social``, in the
console's line format, see ``tests/test_readme_guides.py``) give the answers they show when
replayed in the example community, a press on a button of a message the bot edited pressing
the edited buttons; among them a case read, a note setting a follow-up, a crisis alert (sent
urgently, the message's words repeated nowhere) and its ``/ack``.  The crisis settings'
table gives every setting with the example's value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import yaml

from sanshe.adapters.console import format_action
from sanshe.core.actions import Action, Button, DirectMessage, Edit
from sanshe.plugins.crisis.settings import CrisisSettings
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import EXAMPLE, ROOT, example_text
from tests.test_readme_guides import (
    CLOCK,
    INPUT,
    PRESS,
    START,
    Shown,
    Step,
    commands_of,
    community,
    done,
    named,
    perform,
    shows,
    steps,
    with_buttons,
)

SECTION = "## A social worker's guide to casework and crisis alerts / 社工个案与危机处理指南"
#: The English guide's heading and its Chinese twin's.
GUIDES = ("### A social worker's guide", "### 社工使用指南")
#: The plugins whose commands the guide is about.
GUIDED = ("intake", "cases", "crisis")
STORIES = ("en-social", "zh-social")
BLOCK = re.compile(r"^```text replay=(?P<stories>[\w,-]+)\n(?P<body>.*?)^```$", re.M | re.S)
#: How each language's crisis alert begins (the crisis catalogue's ``crisis.alert``).
ALERT = ("URGENT crisis alert:", "【紧急·危机提醒】")
#: A row of the crisis settings' table: the setting, the example's value.
SETTING_ROW = re.compile(r"^\| `(?P<key>\w+)` \| `(?P<value>.+?)` \|", re.M)
#: The example's addition to the lexicon, and a message only it makes a crisis.
ADDITION = "add: {zh: {suicide: {phrases: [不想撑下去了]}}}"
ADDED_PHRASE = "我真的不想撑下去了"


def readme_section() -> str:
    """The guide's section of the README: from its heading to the next one of its level."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, f"the README has no section {SECTION!r}"
    return text.split(SECTION + "\n", 1)[1].split("\n## ", 1)[0]


def subsection(heading: str) -> str:
    """The guide under ``heading``, up to the next heading of its level or above."""
    section = readme_section()
    assert heading + "\n" in section, f"the guide has no {heading!r}"
    rest = section.split(heading + "\n", 1)[1]
    return re.split(r"^#{2,3} ", rest, maxsplit=1, flags=re.M)[0]


def guided_commands() -> set[str]:
    return {c.name for plugin in GUIDED for c in commands_of(f"sanshe.plugins.{plugin}")}


@pytest.mark.parametrize("heading", GUIDES)
def test_each_language_names_every_command_of_the_intake_cases_and_crisis_plugins(
    heading: str,
) -> None:
    assert sorted(guided_commands() - named(subsection(heading))) == []


def test_the_english_and_chinese_guides_name_the_same_commands() -> None:
    english, chinese = (named(subsection(heading)) for heading in GUIDES)
    assert english == chinese, (
        f"only in English: {sorted(english - chinese)}; only in Chinese: {sorted(chinese - english)}"
    )


@pytest.mark.parametrize("heading", GUIDES)
def test_the_crisis_settings_table_gives_every_setting_with_the_examples_value(
    heading: str,
) -> None:
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["plugins"]["crisis"]
    rows = {m["key"]: m["value"] for m in SETTING_ROW.finditer(subsection(heading))}
    assert sorted(rows) == sorted(CrisisSettings.model_fields)
    for key, value in rows.items():
        if "…" not in value:  # the emergency text is shortened
            assert yaml.safe_load(value) == example[key], key


# -- the example exchanges ----------------------------------------------------------------------


def stories() -> dict[str, list[Step]]:
    """Each story's steps, its blocks in the README's order."""
    found: dict[str, list[Step]] = {}
    for block in BLOCK.finditer(readme_section()):
        for story in block["stories"].split(","):
            found.setdefault(story, []).extend(steps(block["body"]))
    return found


#: Per chat (``dm:<handle>`` for a private one), the message whose buttons a press presses:
#: the action that sent it, or once edited its id, with the buttons it shows now.
Showing = dict[str, tuple[Action | str, tuple[Button, ...]]]


def note_buttons(actions: list[Action], showing: Showing) -> None:
    """Keep the buttons ``actions`` show: a new message's, or an edited one's new buttons."""
    for action in actions:
        if isinstance(action, Edit):
            if action.buttons:
                showing[action.chat] = (action.message_id, action.buttons)
            else:
                showing.pop(action.chat, None)
        elif found := with_buttons(action):
            chat, message = found
            showing[chat] = (message, message.buttons)


async def replay(sandbox: Sandbox, line: str, showing: Showing) -> list[Action]:
    """Do what ``line`` says (a press: on the message as it shows now); the bot's actions."""
    found = INPUT.match(line)
    if found is None or found["sep"] != "!":
        return await perform(sandbox, line, {})
    press = PRESS.match(found["text"])
    who, where = found["who"], found["where"]
    chat = f"dm:{who}" if where == "dm" else where
    assert press is not None and chat in showing, f"{line!r}: no button to press there"
    on, buttons = showing[chat]
    return await sandbox.press(who, where, buttons[int(press["n"]) - 1], on=on)


def matched(expected: list[Shown], actions: list[Action]) -> Iterator[Action]:
    """For each of ``expected``, in order, the action it shows; fails naming the one missing."""
    performed = iter(actions)
    for shown in expected:
        action = next((a for a in performed if shows(shown, done(a))), None)
        if action is None:
            raise AssertionError(
                f"the bot did not do\n  {shown.verb} {shown.target}: {shown.body}\nwhat it did:\n"
                + "\n".join(format_action(a, one_line=False) for a in actions)
            )
        yield action


def is_alert(action: Action) -> bool:
    return isinstance(action, DirectMessage) and action.text.startswith(ALERT)


@pytest.mark.parametrize("story", STORIES)
async def test_the_example_exchanges_give_the_answers_shown(story: str) -> None:
    told = stories()
    assert sorted(told) == sorted(STORIES)
    showing: Showing = {}
    alerted: list[DirectMessage] = []
    crises: list[str] = []
    async with community(story) as sandbox:
        for step in told[story]:
            actions = await replay(sandbox, step.line, showing)
            note_buttons(actions, showing)
            try:
                shown = list(matched(step.shown, actions))
            except AssertionError as failure:
                raise AssertionError(f"{story}, after {step.line!r}: {failure}") from None
            alerts = [a for a in shown if isinstance(a, DirectMessage) and is_alert(a)]
            alerted += alerts
            message = INPUT.match(step.line)
            if alerts and message is not None and not message["text"].startswith("/"):
                crises.append(message["text"])  # what raised them
        assert alerted and all(a.urgent for a in alerted), "a crisis alert is sent urgently"
        assert crises, "the guide shows the message that raised an alert"
        texts = [getattr(a, "text", "") for a in sandbox.adapter.performed]
        assert [t for t in texts if any(crisis in t for crisis in crises)] == []


@pytest.mark.parametrize("story", STORIES)
def test_the_exchanges_read_a_case_note_a_follow_up_and_take_up_a_crisis(story: str) -> None:
    """What the guide must show: a /case answered privately, a /note that sets a follow-up
    (and its reminder), a crisis alert, and an /ack answered."""
    told = stories()[story]
    english = story.startswith("en-")

    def answered(command: str, words: str) -> bool:
        return any(
            re.search(rf": /{command}\b", step.line) and any(words in s.body for s in step.shown)
            for step in told
        )

    if english:
        assert answered("case", "Client:")
        assert answered("note", "Follow-up")
        assert answered("ack", "is yours")
    else:
        assert answered("个案", "服务对象：")
        assert answered("跟进记录", "下次跟进")
        assert answered("收到", "由您接手")
    reminder = "Follow-up due:" if english else "跟进提醒："
    assert any(CLOCK.match(s.line) and any(reminder in x.body for x in s.shown) for s in told)
    assert any(any(x.body.startswith(ALERT) for x in s.shown) for s in told)


async def test_the_examples_lexicon_addition_is_what_makes_the_guides_message_a_crisis() -> None:
    """The Chinese guide's crisis message is one only the example's ``lexicon: add`` catches."""
    assert ADDED_PHRASE in subsection(GUIDES[1])
    text = example_text()
    assert ADDITION in text
    without = text.replace(ADDITION, "add: {}", 1)
    for yaml_text, alerted in ((text, True), (without, False)):
        clock = ManualClock(START)
        async with Sandbox.from_yaml(
            yaml_text, name=str(EXAMPLE), base=EXAMPLE.parent, clock=clock
        ) as sandbox:
            actions = await sandbox.send("xiaoyu", "building-1", ADDED_PHRASE)
            assert any(is_alert(a) for a in actions) is alerted
