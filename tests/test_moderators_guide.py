"""The README's moderator's guide says the same in English and Chinese: a row for each rule the
example ships in each language's table, and the moderation plugins' settings with the
example's values in both."""

from __future__ import annotations

import re

import yaml

from tests.conftest import EXAMPLE, ROOT

SECTION = "## A moderator's guide to the service rules / 服务规则指南（管理员）"
#: Where the guide's Chinese part begins.
CHINESE = "服务规则写在社区配置文件的 `rules:` 中"
#: What each language says of the settings, as the example gives them.
SETTINGS = [
    "`warnings: {limit: 3, within: 30d, then:",
    "`sanctions: {redact_recent: 24h}`",
    "`questions`",
    "`auto_approve`",
    "`handles`",
    "`kinds`",
    "`groups`",
    "`focus_service`",
]


def halves() -> tuple[str, str]:
    guide = (ROOT / "README.md").read_text(encoding="utf-8").split(SECTION, 1)[1]
    guide = guide.split("\n## ", 1)[0]
    english, chinese = guide.split(CHINESE, 1)
    return english, chinese


def table_rules(text: str) -> set[str]:
    return {
        m
        for row in re.findall(r"^\| (`.+?) \|", text, re.M)
        for m in re.findall(r"`([\w-]+)`", row)
    }


def test_each_language_has_a_row_for_every_shipped_rule_and_the_worked_rule() -> None:
    shipped = {r["id"] for r in yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["rules"]}
    for half in halves():
        assert table_rules(half) == shipped
        assert "  - id: unverified-epidemic-news\n" in half


def test_each_language_explains_the_moderation_settings_with_the_examples_values() -> None:
    plugins = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["plugins"]
    assert plugins["warnings"] == {"limit": 3, "within": "30d", "then": "remove"}
    assert plugins["sanctions"] == {"redact_recent": "24h"}
    for half in halves():
        assert [s for s in SETTINGS if s not in half] == []
