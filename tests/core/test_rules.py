"""The rules engine: scope, text conditions, plugin conditions and actions, compiled once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sanshe.core.actions import Delete, DirectMessage, Reply, Restrict, Send
from sanshe.core.events import Message
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Community
from sanshe.core.rules import Condition, RuleAction, RuleBook
from sanshe.testing import Sandbox
from tests.conftest import write_community

COMMUNITY = """\
community: {id: c, name: Test, locale: en}
groups:
  - {id: b1, kind: resident, name: Building 1, administered_by: [building_leader]}
  - {id: f1, kind: focus_service, name: Focus}
people:
  - {id: lead, name: Lead, handles: {console: lead}, roles: [{role: building_leader, groups: [b1]}]}
  - {id: wang, name: Wang, handles: {console: wang}, roles: [social_worker]}
rules:
  - id: rumours
    where: {kinds: [resident]}
    when: {keywords: [Folk Remedy, 偏方], not_sender_role: [social_worker]}
    do: [delete, {warn: "official news only"}, tell_admins]
  - id: ids
    when: {regex: '\\bcase-\\d+\\b'}
    do: [{reply: "case noted"}]
  - id: shouting
    when: {keywords: [SHOUT]}
    do: [{mute: 30}]
  - id: focus-only
    where: {groups: [f1]}
    when: {keywords: [hello]}
    do: [{reply: "welcome to focus"}]
"""


@pytest.fixture
async def rules_community(tmp_path: Path):
    async with Sandbox(write_community(tmp_path, COMMUNITY)) as sandbox:
        yield sandbox


async def test_keyword_rule_deletes_warns_and_tells_admins(rules_community: Sandbox) -> None:
    actions = await rules_community.send("maria", "b1", "try this FOLK remedy now")
    assert [type(a) for a in actions] == [Delete, Send, DirectMessage, DirectMessage]
    assert actions[0] == Delete(chat="b1", message_id=actions[0].message_id)
    assert "official news only" in actions[1].text
    # The warned member's private note (the warnings plugin), then the admin's alert.
    assert [a.user for a in actions[2:]] == ["maria", "lead"]
    assert "Building 1" in actions[3].text


async def test_chinese_keyword_matches_inside_a_sentence(rules_community: Sandbox) -> None:
    actions = await rules_community.send("maria", "b1", "我听说有个偏方很管用")
    assert isinstance(actions[0], Delete)


async def test_condition_on_sender_role_exempts_staff(rules_community: Sandbox) -> None:
    assert await rules_community.send("wang", "b1", "no folk remedy works") == []


async def test_scope_by_kind_and_group(rules_community: Sandbox) -> None:
    assert await rules_community.send("maria", "f1", "folk remedy") == []
    assert rules_community.texts(await rules_community.send("maria", "f1", "hello all")) == [
        "welcome to focus"
    ]
    assert await rules_community.send("maria", "b1", "hello all") == []


async def test_mute_rule_restricts_the_sender(rules_community: Sandbox) -> None:
    acted = await rules_community.send("maria", "b1", "i SHOUT here")
    [muted] = [a for a in acted if isinstance(a, Restrict)]
    assert muted == Restrict(
        chat="b1",
        user="maria",
        minutes=30,
        reason="breaking the community's service rules",  # never the rule's own words
        network=muted.network,
    )
    [text] = rules_community.texts(await rules_community.send("maria", "b1", "/rules"))
    assert "mute the sender for 30 minutes (it lifts itself on time)" in text


async def test_regex_rule(rules_community: Sandbox) -> None:
    actions = await rules_community.send("maria", "b1", "about case-12 please")
    assert isinstance(actions[0], Reply) and actions[0].text == "case noted"
    assert await rules_community.send("maria", "b1", "about showcase-12") == []


async def test_rules_in_plain_words(rules_community: Sandbox) -> None:
    texts = rules_community.texts(await rules_community.send("maria", "b1", "/rules"))
    assert "contains folk remedy, 偏方" in texts[0]  # an English list: no "、"
    assert "delete it, then warn the sender, then tell the group's admins" in texts[0]
    assert "welcome to focus" not in texts[0]


class CountingCheck:
    """A plugin whose condition counts how often it is asked."""

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def sanshe_rule_conditions(self) -> list[Condition]:
        def check(ctx: Any, value: Any) -> bool:
            self.calls += 1
            return True

        return [Condition("counted", check=check, describe=lambda _, v: "counted")]


def many_rules(count: int) -> str:
    lines = [COMMUNITY.split("rules:")[0], "rules:"]
    for i in range(count):
        lines.append(f"  - {{id: r{i}, when: {{keywords: [word{i}x], counted: 1}}, do: [delete]}}")
    return "\n".join(lines) + "\n"


async def test_only_rules_whose_keywords_occur_are_evaluated(tmp_path: Path) -> None:
    counter = CountingCheck()
    path = write_community(tmp_path, many_rules(1000))
    async with Sandbox(path, plugins=[counter]) as sandbox:
        actions = await sandbox.send("maria", "b1", "a word17x and a word999x here")
        assert [type(a) for a in actions] == [Delete]
        assert counter.calls == 2


def test_candidates_use_one_automaton(tmp_path: Path) -> None:
    from sanshe.core.config import load_community

    community: Community = load_community(write_community(tmp_path, many_rules(50)))
    book = RuleBook(
        community,
        {"counted": Condition("counted", lambda c, v: True, lambda _, v: "")},
        {
            "delete": __import__("sanshe.plugins.moderation", fromlist=["x"]).sanshe_rule_actions()[
                0
            ]
        },
    )
    group = community.group("b1")
    assert group is not None
    assert book.candidates(group, "message", "WORD3X word40x") == [3, 40]
    assert book.candidates(group, "message", "nothing") == []


class Faulty:
    """A plugin whose rule condition and rule action raise, and which also answers messages."""

    @hookimpl
    def sanshe_rule_conditions(self) -> list[Condition]:
        def check(ctx: Any, value: Any) -> bool:
            raise LookupError("condition broke")

        return [Condition("flaky", check=check, describe=lambda _, v: "flaky")]

    @hookimpl
    def sanshe_rule_actions(self) -> list[RuleAction]:
        def run(ctx: Any, value: Any) -> Any:
            raise RuntimeError("action broke")

        return [RuleAction("explode", run=run, describe=lambda _, v: "explode")]

    @hookimpl
    def sanshe_message(self, context: Any) -> Any:
        return context.reply("plugin heard")


FAULTY_RULES = """\
rules:
  - id: blows-up
    when: {keywords: [alarm]}
    do: [explode, {reply: "after the explosion"}]
  - id: cannot-tell
    when: {keywords: [alarm], flaky: 1}
    do: [{reply: "flaky held"}]
  - id: calm
    when: {keywords: [alarm]}
    do: [{reply: "calm rule ran"}]
"""


async def test_a_raising_rule_leaves_the_others_running_and_the_event_checkpointed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from sanshe.core.storage.models import HandledEvent

    path = write_community(tmp_path, COMMUNITY.split("rules:")[0] + FAULTY_RULES)
    async with Sandbox(path, plugins=[Faulty()]) as sandbox:
        event = Message(
            network="console",
            chat="b1",
            event_id="alarm-1",
            sender="maria",
            text="the alarm rang",
            message_id="1",
        )
        with caplog.at_level("ERROR", logger="sanshe"):
            actions = await sandbox.deliver(event)
        assert sandbox.texts(actions) == ["after the explosion", "calm rule ran", "plugin heard"]
        failures = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
        assert any("blows-up" in f and "explode" in f and "Faulty" in f for f in failures)
        assert any("cannot-tell" in f and "flaky" in f and "Faulty" in f for f in failures)
        assert await HandledEvent.filter(network="console", event_id=event.event_id).exists()
        assert await sandbox.deliver(event) == []
