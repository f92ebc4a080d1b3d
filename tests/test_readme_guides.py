"""The README's guides for volunteers and secretaries say what the bot does.

Every ``/command`` the guides name is a command (or alias) of a built-in plugin; each guide
in English names the same commands as its Chinese twin; and the example exchanges, the
fenced blocks labelled ``text replay=<story>``, give the answers they show when replayed
in the example community.

An exchange is written in the console's line format ("The console" in the README):
``who@chat: text`` is a message (``dm``: the private chat), ``who@chat! button n`` presses
button n of the latest message with buttons there, ``# HH:MM`` moves the clock to that
time of the day (firing the timers due), and ``verb target: text`` is something the bot
did, as the console prints it, its further lines indented by four spaces (blank lines
left out).  ``…`` stands for what was left out of a text.  The bot's actions shown after a
step must be among those it performed for that step, in that order; the others are not
shown.  The blocks of a story replay in the order of the README in one sandbox, from
1 December 2026, 07:00 in the example's time zone; a block may belong to several stories
(``replay=zh-volunteer,zh-secretary``).  Stories named ``en-…`` run the example community
with ``locale: en``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sanshe.adapters.console import format_action
from sanshe.core.actions import Action, DirectMessage, Reply, Send
from sanshe.core.commands import ChatCommand
from sanshe.core.plugins import BUILTINS
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import EXAMPLE, ROOT, example_text

SECTION = "## Guides for volunteers and secretaries / 志愿者与群秘书使用指南"
#: Each guide's English heading and its Chinese twin's.
GUIDES = {
    "volunteer": ("### A volunteer's guide", "### 志愿者使用指南"),
    "secretary": ("### A secretary's guide", "### 群秘书使用指南"),
}
#: The plugins whose commands the guides are about.
GUIDED = ("volunteers", "shifts", "handover", "hours")
STORIES = ("en-volunteer", "zh-volunteer", "en-secretary", "zh-secretary")
ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 1, 7, 0, tzinfo=ZONE)

#: A command named in the text: a slash not inside a word, a path or a URL, then its name.
COMMAND = re.compile(r"(?<![\w/.:])/([A-Za-z_]+|[\u4e00-\u9fff]+)")
BLOCK = re.compile(r"^```text replay=(?P<stories>[\w,-]+)\n(?P<body>.*?)^```$", re.M | re.S)
INPUT = re.compile(r"^(?P<who>[^@\s:!]+)@(?P<where>[^:\s!]+)(?P<sep>[:!]) ?(?P<text>.*)$")
OUTPUT = re.compile(r"^(?P<verb>[a-z][a-z-]*) (?P<target>[^\s:]+): ?(?P<body>.*)$")
CLOCK = re.compile(r"^# (?P<hour>\d\d):(?P<minute>\d\d)\b")
PRESS = re.compile(r"^button (?P<n>\d+)$")
INDENT = "    "


def readme_section() -> str:
    """The guides' section of the README: from its heading to the next one of its level."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, f"the README has no section {SECTION!r}"
    rest = text.split(SECTION + "\n", 1)[1]
    return rest.split("\n## ", 1)[0]


def subsection(heading: str) -> str:
    """The text of the guide under ``heading``, up to the next heading of its level or above."""
    section = readme_section()
    assert heading + "\n" in section, f"the guides have no {heading!r}"
    rest = section.split(heading + "\n", 1)[1]
    return re.split(r"^#{2,3} ", rest, maxsplit=1, flags=re.M)[0]


def commands_of(module: str) -> list[ChatCommand]:
    """The chat commands of the plugin ``module``."""
    made = getattr(importlib.import_module(module), "sanshe_commands", None)
    return list(made()) if made is not None else []


def builtin_commands() -> dict[str, str]:
    """Every name and alias of the built-in plugins' commands, each to its command's name."""
    return {
        name.casefold(): command.name
        for module in BUILTINS
        for command in commands_of(module)
        for name in (command.name, *command.aliases)
    }


def named(text: str) -> set[str]:
    """The commands (by name) that ``text`` names; a name no built-in plugin has fails."""
    known = builtin_commands()
    found = set(COMMAND.findall(text))
    unknown = sorted(word for word in found if word.casefold() not in known)
    assert not unknown, f"not commands of the built-in plugins: {unknown}"
    return {known[word.casefold()] for word in found}


def test_the_guides_name_builtin_commands_only_and_every_command_of_their_plugins() -> None:
    """Each command of the plugins the guides are about is in them."""
    theirs = {
        command.name for plugin in GUIDED for command in commands_of(f"sanshe.plugins.{plugin}")
    }
    assert sorted(theirs - named(readme_section())) == []


@pytest.mark.parametrize("guide", sorted(GUIDES))
def test_the_english_and_chinese_guides_name_the_same_commands(guide: str) -> None:
    english, chinese = (named(subsection(heading)) for heading in GUIDES[guide])
    assert english == chinese, (
        f"only in English: {sorted(english - chinese)}; only in Chinese: {sorted(chinese - english)}"
    )


# -- the example exchanges ----------------------------------------------------------------------


@dataclass
class Shown:
    """Something the bot did, as an exchange shows it."""

    verb: str
    target: str
    body: str


@dataclass
class Step:
    """One line a person (or the clock) does, and what the exchange shows the bot doing."""

    line: str
    shown: list[Shown] = field(default_factory=list)


def steps(body: str) -> Iterator[Step]:
    """The steps of an exchange block, each with the bot's actions shown after it."""
    step: Step | None = None
    for line in body.splitlines():
        if not line.strip():
            continue
        if line.startswith(INDENT):
            assert step is not None and step.shown, f"a further line of nothing: {line!r}"
            step.shown[-1].body += "\n" + line.removeprefix(INDENT)
        elif INPUT.match(line) or CLOCK.match(line):
            if step is not None:
                yield step
            step = Step(line)
        elif found := OUTPUT.match(line):
            assert step is not None, f"the bot does something before anyone: {line!r}"
            step.shown.append(Shown(found["verb"], found["target"], found["body"]))
        else:
            raise AssertionError(f"not a line of an exchange: {line!r}")
    if step is not None:
        yield step


def stories() -> dict[str, list[Step]]:
    """Each story's steps, its blocks in the README's order."""
    found: dict[str, list[Step]] = {}
    for block in BLOCK.finditer(readme_section()):
        for story in block["stories"].split(","):
            found.setdefault(story, []).extend(steps(block["body"]))
    return found


def done(action: Action) -> Shown:
    """What the bot did, as the console prints it (blank lines left out)."""
    header, _colon, body = format_action(action, one_line=False).partition(": ")
    verb, _space, target = header.partition(" ")
    lines = body.replace("\n" + INDENT, "\n").split("\n")
    return Shown(verb, target, "\n".join(line for line in lines if line.strip()))


def shows(expected: Shown, actual: Shown) -> bool:
    """Whether ``actual`` is what ``expected`` shows, ``…`` standing for what is left out."""
    if (expected.verb, expected.target) != (actual.verb, actual.target):
        return False
    parts = expected.body.split("…")
    text = actual.body
    if len(parts) == 1:
        return text == expected.body
    if not text.startswith(parts[0]) or not text.endswith(parts[-1]):
        return False
    at = len(parts[0])
    for part in parts[1:-1]:
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return at <= len(text) - len(parts[-1])


def community(story: str) -> Sandbox:
    """The example community (in English for an ``en-`` story) from the start of the stories."""
    clock = ManualClock(START)
    if not story.startswith("en-"):
        return Sandbox(EXAMPLE, clock=clock)
    text = example_text().replace("locale: zh_CN", "locale: en", 1)
    return Sandbox.from_yaml(text, name=str(EXAMPLE), base=EXAMPLE.parent, clock=clock)


#: A message the bot sends, which may show buttons.
Sent = Send | Reply | DirectMessage


def with_buttons(action: Action) -> tuple[str, Sent] | None:
    """A message with buttons and the chat it shows them in (``dm:<handle>``: a private one)."""
    if isinstance(action, DirectMessage) and action.buttons:
        return f"dm:{action.user}", action
    if isinstance(action, Send | Reply) and action.buttons:
        return action.chat, action
    return None


async def perform(sandbox: Sandbox, line: str, buttons: dict[str, Sent]) -> list[Action]:
    """Do what ``line`` says; the actions the bot performed for it."""
    if found := CLOCK.match(line):
        now = sandbox.clock.now().astimezone(ZONE)
        then = now.replace(hour=int(found["hour"]), minute=int(found["minute"]), second=0)
        assert then >= now, f"{line!r}: the clock does not go back (it is {now:%H:%M})"
        return await sandbox.advance(then - now)
    found = INPUT.match(line)
    assert found is not None
    who, where, text = found["who"], found["where"], found["text"]
    if found["sep"] == ":":
        return await sandbox.send(who, where, text)
    press = PRESS.match(text)
    chat = f"dm:{who}" if where == "dm" else where
    assert press is not None and chat in buttons, f"{line!r}: no button to press there"
    message = buttons[chat]
    return await sandbox.press(who, where, message.buttons[int(press["n"]) - 1], on=message)


@pytest.mark.parametrize("story", STORIES)
async def test_the_example_exchanges_give_the_answers_shown(story: str) -> None:
    told = stories()
    assert sorted(told) == sorted(STORIES)
    buttons: dict[str, Sent] = {}
    async with community(story) as sandbox:
        for step in told[story]:
            actions = await perform(sandbox, step.line, buttons)
            buttons.update(shown for action in actions if (shown := with_buttons(action)))
            performed = iter([done(action) for action in actions])
            for expected in step.shown:
                assert any(shows(expected, actual) for actual in performed), (
                    f"{story}, after {step.line!r}: the bot did not do\n"
                    f"  {expected.verb} {expected.target}: {expected.body}\n"
                    "what it did:\n" + "\n".join(format_action(a, one_line=False) for a in actions)
                )
