"""The README's guides for building leaders and community workers say what the bot does.

Each guide, in English and in Chinese, names every command of the plugins it is about (a
new command without a line in both fails here) and the same commands as its twin; its
example exchanges (the fenced blocks labelled ``text replay=<story>``, in the console's
line format, see ``tests/test_readme_guides.py``) give the answers they show when replayed
in the example community.  Beside the lines of that format, ``who@group! join <note>`` is a
join request, and a file the bot sends shows as ``dm-file <handle>: <name> <caption>``; the
health monitoring form the community worker's guide exports has the columns it lists.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from sanshe.core.actions import Action, SendFile
from sanshe.testing import Sandbox
from tests.conftest import ROOT
from tests.test_readme_guides import (
    INPUT,
    Shown,
    Step,
    commands_of,
    community,
    done,
    named,
    shows,
    steps,
)
from tests.test_social_workers_guide import Showing, note_buttons, replay

SECTION = "## Guides for building leaders and community workers / 楼长与社区工作者使用指南"
#: Each guide's English heading and its Chinese twin's.
GUIDES = {
    "leader": ("### A building leader's guide", "### 楼长使用指南"),
    "worker": ("### A community worker's guide", "### 社区工作者使用指南"),
}
#: The plugins whose commands each guide is about.
GUIDED = {
    "leader": ("joining", "checkins", "knowledge", "feedback", "intake", "errands"),
    "worker": ("checkins", "observation", "records", "errands", "feedback", "knowledge", "intake"),
}
STORIES = ("en-leader", "zh-leader", "en-worker", "zh-worker")
BLOCK = re.compile(r"^```text replay=(?P<stories>[\w,-]+)\n(?P<body>.*?)^```$", re.M | re.S)
JOIN = re.compile(r"^join(?: (?P<note>.*))?$")
#: The health monitoring form's columns, as each language's worker's guide lists them.
COLUMNS = re.compile(r"^\*\*(?:Its columns|表头)\*\*[:：] ?(?P<columns>.+)$", re.M)


def readme_section() -> str:
    """The guides' section of the README: from its heading to the next one of its level."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, f"the README has no section {SECTION!r}"
    return text.split(SECTION + "\n", 1)[1].split("\n## ", 1)[0]


def subsection(heading: str) -> str:
    """The guide under ``heading``, up to the next heading of its level or above."""
    section = readme_section()
    assert heading + "\n" in section, f"the guides have no {heading!r}"
    rest = section.split(heading + "\n", 1)[1]
    return re.split(r"^#{2,3} ", rest, maxsplit=1, flags=re.M)[0]


def guided_commands(guide: str) -> set[str]:
    return {c.name for plugin in GUIDED[guide] for c in commands_of(f"sanshe.plugins.{plugin}")}


@pytest.mark.parametrize(
    ("guide", "heading"), [(g, h) for g, headings in GUIDES.items() for h in headings]
)
def test_each_language_names_every_command_of_the_guides_plugins(guide: str, heading: str) -> None:
    assert sorted(guided_commands(guide) - named(subsection(heading))) == []


@pytest.mark.parametrize("guide", sorted(GUIDES))
def test_the_english_and_chinese_guides_name_the_same_commands(guide: str) -> None:
    english, chinese = (named(subsection(heading)) for heading in GUIDES[guide])
    assert english == chinese, (
        f"only in English: {sorted(english - chinese)}; only in Chinese: {sorted(chinese - english)}"
    )


# -- the example exchanges ----------------------------------------------------------------------


def stories() -> dict[str, list[Step]]:
    """Each story's steps, its blocks in the README's order."""
    found: dict[str, list[Step]] = {}
    for block in BLOCK.finditer(readme_section()):
        for story in block["stories"].split(","):
            found.setdefault(story, []).extend(steps(block["body"]))
    return found


async def perform(sandbox: Sandbox, line: str, showing: Showing) -> list[Action]:
    """Do what ``line`` says (a join request, or as the social worker's guide replays it)."""
    found = INPUT.match(line)
    if found is not None and found["sep"] == "!" and (join := JOIN.match(found["text"])):
        return await sandbox.ask_to_join(found["who"], found["where"], join["note"] or "")
    return await replay(sandbox, line, showing)


def shown(action: Action) -> Shown:
    """What the bot did as an exchange shows it: a file by its name and caption."""
    if isinstance(action, SendFile):
        verb, target = ("dm-file", action.user) if action.user else ("file", action.chat)
        return Shown(verb, target, f"{action.name} {action.caption}")
    return done(action)


@pytest.mark.parametrize("story", STORIES)
async def test_the_example_exchanges_give_the_answers_shown(story: str) -> None:
    told = stories()
    assert sorted(told) == sorted(STORIES)
    showing: Showing = {}
    async with community(story) as sandbox:
        for step in told[story]:
            actions = await perform(sandbox, step.line, showing)
            note_buttons(actions, showing)
            performed = iter([shown(action) for action in actions])
            for expected in step.shown:
                assert any(shows(expected, actual) for actual in performed), (
                    f"{story}, after {step.line!r}: the bot did not do\n"
                    f"  {expected.verb} {expected.target}: {expected.body}\n"
                    "what it did:\n"
                    + "\n".join(f"{a.verb} {a.target}: {a.body}" for a in map(shown, actions))
                )


@pytest.mark.parametrize(("story", "heading"), [("en-worker", 0), ("zh-worker", 1)])
async def test_the_exported_health_monitoring_form_has_the_columns_the_guide_lists(
    story: str, heading: int
) -> None:
    listed = COLUMNS.search(subsection(GUIDES["worker"][heading]))
    assert listed is not None, "the guide lists the form's columns"
    columns = [c.strip(" `") for c in re.split(r"[,，、]", listed["columns"].rstrip(".。"))]
    files: list[SendFile] = []
    showing: Showing = {}
    async with community(story) as sandbox:
        for step in stories()[story]:
            actions = await perform(sandbox, step.line, showing)
            note_buttons(actions, showing)
            files += [a for a in actions if isinstance(a, SendFile) and a.name.endswith(".xlsx")]
    assert files, "the guide exports a spreadsheet"
    sheet = load_workbook(io.BytesIO(files[0].read())).active
    assert sheet is not None
    header = next(
        [str(cell) for cell in row if cell is not None]
        for row in sheet.iter_rows(values_only=True)
        if row and row[0] is not None and str(row[0]) == columns[0]
    )
    assert header == columns
