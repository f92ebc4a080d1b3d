"""The config loader: the example loads, and each kind of mistake is refused with file:line:col."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sanshe.core.bot import vocabulary
from sanshe.core.config import ConfigError, load_community
from sanshe.core.plugins import plugin_manager
from tests.conftest import write_community

BASE = """\
community:
  id: c
  name: Test
groups:
  - id: b1
    kind: resident
    name: Building 1
people:
  - id: wang
    handles: {console: wang}
    roles: [social_worker]
"""


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANSHE_LANG", "en")


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = write_community(tmp_path, textwrap.dedent(text))
    with pytest.raises(ConfigError) as info:
        load_community(path, vocabulary(plugin_manager()))
    return [str(p) for p in info.value.problems]


def test_example_community_loads(example: Path) -> None:
    community = load_community(example, vocabulary(plugin_manager()))
    kinds = [g.kind for g in community.groups]
    assert kinds.count("resident") >= 3
    for kind in (
        "focus_service",
        "key_accompaniment",
        "prevention_work",
        "volunteer_pool",
        "volunteer_dispatch",
        "expert_supervision",
    ):
        assert kind in kinds
    held = {grant.role for person in community.people for grant in person.roles}
    for role in (
        "community_worker",
        "grid_worker",
        "building_leader",
        "resident_group_leader",
        "property_staff",
        "social_worker",
        "medical_volunteer",
        "psych_volunteer",
        "general_volunteer",
        "expert",
    ):
        assert role in held, role
    assert len(community.forms) == 8
    assert community.locale == "zh_CN"


MISTAKES = [
    pytest.param(
        BASE.replace("kind: resident", "kind: residents"),
        6,
        11,
        "Unknown group kind “residents”",
        id="unknown-group-kind",
    ),
    pytest.param(
        BASE.replace(
            "roles: [social_worker]", "roles:\n      - {role: building_leader, groups: [b2]}"
        ),
        12,
        42,
        "There is no group “b2”",
        id="role-scoped-to-missing-group",
    ),
    pytest.param(
        BASE + "  - id: wang\n    name: Again\n",
        12,
        9,
        "The id “wang” is already used at line 9",
        id="duplicate-id",
    ),
    pytest.param(
        BASE.replace("    name: Building 1\n", "    name: Building 1\n    nickname: '^1-(\\d+$'\n"),
        8,
        15,
        "This regular expression is not valid: missing ), unterminated subpattern",
        id="bad-regex",
    ),
    pytest.param(
        BASE.replace("    name: Building 1\n", "    name: Building 1\n    capacity: lots\n"),
        8,
        15,
        "“capacity” must be a whole number, not “lots”",
        id="wrong-type",
    ),
    pytest.param(
        BASE.replace("roles: [social_worker]", "roles: [social_wroker]"),
        11,
        13,
        "Unknown role “social_wroker”",
        id="unknown-role",
    ),
    pytest.param(
        BASE.replace("    name: Building 1\n", "    name: Building 1\n    adminz: [x]\n"),
        8,
        5,
        "Unknown setting “adminz”",
        id="unknown-key",
    ),
    pytest.param(
        BASE.replace("  name: Test\n", "  name: Test\n  name: Again\n"),
        4,
        3,
        "The key “name” is given twice",
        id="duplicate-key",
    ),
    pytest.param(
        BASE.replace("  name: Test\n", "  name: Test\n  timezone: Mars/Olympus\n"),
        4,
        13,
        "Unknown time zone “Mars/Olympus”",
        id="bad-timezone",
    ),
    pytest.param(
        BASE + "rules:\n  - id: r\n    when: {shouting: true}\n    do: [delete]\n",
        14,
        12,
        "Unknown rule condition “shouting”",
        id="unknown-rule-condition",
    ),
    pytest.param(
        BASE + "rules:\n  - id: r\n    when: {keywords: [x]}\n    do: [explode]\n",
        15,
        10,
        "Unknown rule action “explode”",
        id="unknown-rule-action",
    ),
    pytest.param(
        BASE
        + "forms:\n  - id: f\n    title: F\n    fields:\n      - {id: a, type: colour, label: A}\n",
        16,
        23,
        "Unknown field type “colour”",
        id="unknown-field-type",
    ),
    pytest.param(
        BASE.replace("  id: c\n", "  id: c\n  locale: fr\n"),
        3,
        11,
        "“locale” must be one of",
        id="bad-locale",
    ),
    pytest.param(
        BASE.replace("    name: Building 1\n", "    name: Building 1\n    join_approval: maybe\n"),
        8,
        20,
        "“join_approval” must be true or false",
        id="not-a-bool",
    ),
    pytest.param(
        BASE.replace("groups:\n", "groups:\n  - id: b0\n    kind resident\n"),
        7,
        3,
        "This is not valid YAML",
        id="yaml-syntax",
    ),
    pytest.param(BASE.replace("  name: Test\n", ""), 2, 3, "“name” is required here", id="missing"),
    pytest.param(
        BASE + "plugins:\n  disable: [moderaton]\n",
        13,
        13,
        "No plugin is called “moderaton”",
        id="unknown-plugin",
    ),
]


@pytest.mark.parametrize(("text", "line", "column", "message"), MISTAKES)
def test_mistake_is_refused_with_place_and_sentence(
    tmp_path: Path, text: str, line: int, column: int, message: str
) -> None:
    problems = problems_of(tmp_path, text)
    matching = [p for p in problems if message in p]
    assert matching, f"no problem says {message!r}: {problems}"
    assert f"community.yaml:{line}:{column}: " in matching[0], matching[0]


def test_every_mistake_is_listed_not_just_the_first(tmp_path: Path) -> None:
    text = BASE.replace("kind: resident", "kind: residents").replace(
        "roles: [social_worker]", "roles: [social_wroker]"
    )
    problems = problems_of(tmp_path, text)
    assert len(problems) == 2
    assert any("residents" in p for p in problems) and any("social_wroker" in p for p in problems)


def test_mistake_in_included_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "f.yaml").write_text(
        "id: f\ntitle: F\nfields:\n  - {id: a, type: phone, label: A}\n  - {id: b, type: choice, label: B}\n",
        encoding="utf-8",
    )
    problems = problems_of(tmp_path, BASE + "forms:\n  - forms/*.yaml\n")
    assert len(problems) == 1
    assert "f.yaml:5:5: " in problems[0] and "needs “choices:”" in problems[0]


def test_messages_follow_the_terminal_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANSHE_LANG", "zh_CN")
    problems = problems_of(tmp_path, BASE.replace("kind: resident", "kind: residents"))
    assert "未知的群类型“residents”" in problems[0]
