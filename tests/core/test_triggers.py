"""Rules on more than messages: a member leaving or renaming, a button pressed, a form submitted."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from sanshe.core.buttons import ButtonHandler
from sanshe.core.context import Context
from sanshe.core.events import MemberRenamed
from sanshe.core.hookspecs import hookimpl
from sanshe.testing import Sandbox
from tests.conftest import write_community

TRIGGERS = """\
community: {id: c, name: Test, locale: en}
groups: [{id: b1, kind: resident, name: B1}]
people:
  - {id: ann, name: Ann, handles: {console: ann}}
rules:
  - id: left
    on: member_left
    do: [{reply: "Someone left B1."}]
  - id: renamed
    on: member_renamed
    when: {regex: "^(?!B1-)"}
    do: [{reply: "Please name yourself B1-room-surname."}]
  - id: pressed
    on: button_pressed
    do: [{reply: "A button was pressed in B1."}]
  - id: submitted
    on: form_submitted
    do: [{reply: "A check-in was filed for B1."}]
forms:
  - id: checkin
    title: Daily check-in
    fields: [{id: note, type: text, label: Note}]
"""


def on_vote(ctx: Context) -> object:
    assert ctx.press is not None
    return ctx.reply(f"vote {ctx.press.payload}")


VOTE = ButtonHandler("votes.cast", on_vote)


class Votes:
    @hookimpl
    def sanshe_buttons(self) -> list[ButtonHandler]:
        return [VOTE]


async def test_a_member_leaving_or_renaming_fires_its_rules(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, TRIGGERS)) as s:
        assert s.texts(await s.leave("bob", "b1")) == ["Someone left B1."]
        renamed = MemberRenamed(
            network="console",
            chat="b1",
            event_id="renamed-1",
            sender="bob",
            sender_name="Bob the builder",
            old_name="Bob",
            time=time.time(),
        )
        assert s.texts(await s.deliver(renamed)) == ["Please name yourself B1-room-surname."]
        proper = replace(renamed, event_id="renamed-2", sender_name="B1-302-Bob")
        assert s.texts(await s.deliver(proper)) == []


async def test_a_button_press_fires_the_rules_then_its_handler(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, TRIGGERS), plugins=[Votes()]) as s:
        texts = s.texts(await s.press("ann", "b1", VOTE.button("Yes", "yes").data))
        assert texts == ["A button was pressed in B1.", "vote yes"]


async def test_a_submitted_form_fires_the_rules_of_its_group(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, TRIGGERS)) as s:
        await s.send("ann", "b1", "/form checkin")
        texts = s.texts(await s.send("ann", "dm", "all well"))
        assert texts[-1] == "A check-in was filed for B1."
