"""The warnings plugin's texts in an English-speaking community: lengths in words, singular
and plural, and the limit said as a sentence."""

from __future__ import annotations

import re

from sanshe.core.actions import DirectMessage, Send
from sanshe.testing import Sandbox
from tests.conftest import example_text

BUILDING = "building-1"


def english(settings: str) -> Sandbox:
    """The example community in English, with ``settings`` for the warnings plugin."""
    text = example_text().replace("  locale: zh_CN ", "  locale: en ", 1)
    text = re.sub(r"\n  warnings:.*\n(    .*\n)+", f"\n  warnings: {settings}\n", text, count=1)
    return Sandbox.from_yaml(text)


async def test_a_warning_says_the_limit_in_days_and_hours() -> None:
    async with english("{limit: 3, within: 30d, then: 'mute:2h'}") as s:
        await s.send("maria", BUILDING, "hello")
        actions = await s.send("zhao", BUILDING, "/warn @maria no flooding")
        rule = "a member with 3 warnings within 30 days is muted for 2 hours."
        assert [a.text for a in actions if isinstance(a, Send) and a.chat == BUILDING] == [
            "maria has been warned by the group's admin (1/3). Please keep to the group's "
            f"service rules (/rules): {rule}"
        ]
        [note] = [a.text for a in actions if isinstance(a, DirectMessage)]
        assert f"\nA{rule[1:]} Write" in note


async def test_one_day_and_one_hour_are_singular() -> None:
    async with english("{limit: 2, within: 1d1h1m, then: 'mute:1h'}") as s:
        await s.send("maria", BUILDING, "hello")
        actions = await s.send("zhao", BUILDING, "/warn @maria no flooding")
        [notice] = [a.text for a in actions if isinstance(a, Send) and a.chat == BUILDING]
        assert notice.endswith(
            "a member with 2 warnings within 1 day 1 hour 1 minute is muted for 1 hour."
        )
