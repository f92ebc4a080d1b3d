"""Every refused value of the settings the config fuzz reached last (buildings' ids and names,
joining's auto-approvals and question kinds, nicknames' groups, a rule's mute and ban lengths
and its own dry_run), each tried once, is refused at its line: what the fuzz checks by chance,
checked for each."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz import test_config_fuzz as fuzz
from tests.fuzz.test_config_fuzz import drills  # noqa: F401  (the fuzz's plugin, installed)

REFUSED = {
    **fuzz.BUILDING_REFUSED,
    **{k: v for k, v in fuzz.JOINING_REFUSED.items() if k != "joining.id"},
    **{k: fuzz.QUESTION_KIND_REFUSED for k in fuzz.QUESTION_KINDS},
    "nicknames.groups": fuzz.NICKNAME_REFUSED["nicknames.groups"],
    **{k: fuzz.RULE_REFUSED[k] for k in ("rules.mute", "rules.ban", "rules.dry_run")},
}
CASES = [
    (file, n, key, value)
    for file, n, key in fuzz.setting_lines()
    if key in REFUSED
    for value in REFUSED[key]
]


def test_each_setting_has_lines_to_try() -> None:
    assert {key for _file, _n, key, _value in CASES} == set(REFUSED)


@pytest.mark.parametrize(("file", "n", "key", "value"), CASES)
def test_the_value_is_refused_at_its_line(
    file: Path, n: int, key: str, value: str, tmp_path: Path
) -> None:
    lines = fuzz.original(file).split(b"\n")
    if key in fuzz.QUESTION_KINDS:  # the key written anew
        match = fuzz._SETTING.match(lines[n])
        assert match is not None
        lines[n] = lines[n][: match.start("key")] + value.encode() + b":"
    else:
        lines[n] = fuzz.with_value(lines[n], key, value.encode())
    problems = fuzz.checked(fuzz.copy_with(tmp_path, fuzz.Mutant(file, b"\n".join(lines), [])))
    assert any(f"{file.name}:{n + 1}:" in p for p in problems), problems
