"""A form's agreement question: its text is the form's intro, shown in full; only /agree answers it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanshe.core.config import ConfigError, load_community
from sanshe.testing import Sandbox
from tests.conftest import write_community

COMMUNITY = """\
community: {id: c, name: Test, locale: en}
groups: [{id: b1, kind: resident, name: B1}]
forms:
  - id: pledge
    title: Pledge
    intro: I keep what I learn about clients to myself, during and after my service.
    fields:
      - {id: name, type: text, label: Your name}
      - {id: agree, type: agreement, label: I agree to the text above}
      - {id: note, type: text, label: Anything else, required: false}
"""


async def test_the_text_is_shown_and_only_agree_answers_its_question(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, COMMUNITY)) as s:
        [first] = s.texts(await s.send("ann", "dm", "/form pledge"))
        assert "I keep what I learn about clients to myself, during and after my service." in first
        [asked] = s.texts(await s.send("ann", "dm", "Ann Lee"))
        assert "(2/3) I agree to the text above\nTo agree, type /agree." in asked
        for typed in ("yes", "I agree", "是"):
            [refused] = s.texts(await s.send("ann", "dm", typed))
            assert refused.startswith(
                "That answer was not accepted: to agree, type /agree (or /同意); "
                "nothing else answers this question."
            )
        [not_skipped] = s.texts(await s.send("ann", "dm", "/skip"))
        assert "cannot be skipped" in not_skipped
        [next_one] = s.texts(await s.send("ann", "dm", "/agree"))
        assert "(3/3) Anything else" in next_one
        [not_here] = s.texts(await s.send("ann", "dm", "/agree"))
        assert not_here.startswith("/agree answers only a question that asks you to agree")
        [done] = s.texts(await s.send("ann", "dm", "/skip"))
        assert "I agree to the text above: agreed" in done
        [record] = await s.records("pledge")
        assert record.data == {"name": "Ann Lee", "agree": True, "note": None}


async def test_agree_in_chinese_and_outside_a_form(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, COMMUNITY)) as s:
        [outside] = s.texts(await s.send("ann", "dm", "/agree"))
        assert outside == "You are not filling a form now. Start one with /form."
        await s.send("ann", "dm", "/form pledge")
        await s.send("ann", "dm", "Ann Lee")
        [next_one] = s.texts(await s.send("ann", "dm", "/同意"))
        assert "(3/3) Anything else" in next_one


def test_an_agreement_on_a_form_without_intro_is_refused_at_its_line(tmp_path: Path) -> None:
    path = write_community(tmp_path, COMMUNITY.replace("    intro: I keep", "    # I keep"))
    with pytest.raises(ConfigError) as refused:
        load_community(path)
    [problem] = [str(p) for p in refused.value.problems]
    assert problem.endswith(
        "community.yaml:9:27: An “agreement” field agrees to the text of its form's “intro:”: "
        "give the form an intro."
    )
