"""The role x command matrix: every command x every role x every scope x every kind of chat.

Expected answers come from the hand-written ``role_matrix.yaml`` and from the
people's grants as written in the community file, never from the commands' own
declarations: a command the bot has but the table lacks fails the test.  Each
probe goes through a Sandbox; a refusal is recognised by its catalogue text.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sanshe.core.actions import DirectMessage, Reply, Send
from sanshe.core.events import Message
from sanshe.core.i18n import Translator
from sanshe.core.model import ROLES
from sanshe.testing import NETWORK, Sandbox
from tests.conftest import example_text, write_community
from tests.fuzz.conftest import ID_NUMBER, PHONE, leaked, tally

TABLE = yaml.safe_load((Path(__file__).parent / "role_matrix.yaml").read_text(encoding="utf-8"))

#: Groups of the kinds the example has no group of, so that every kind is probed.
MORE_GROUPS = """  - {id: landlords, kind: landlord, name: 房东群, administered_by: [community_worker]}
  - {id: shops, kind: business, name: 商户群, administered_by: [property_staff]}
  - {id: home-support, kind: home_living_support, name: 居家生活保障群, administered_by: [grid_worker]}
  - {id: observed, kind: home_observation, name: 居家观察群, administered_by: [medical_volunteer]}
"""
PRIVATE = "dm"
UNBOUND = "unbound"
BATCH = 200
"""Probes sent at once: a chat's queued events are handled together, as on a busy network."""
_NUMBERS = itertools.count(1)
REFUSALS = (
    "command.refused",
    "command.refused_in",
    "command.refused_community",
    "command.denied",
    "command.no_role_in",
    "audit.refused",
)


@dataclass(frozen=True)
class Persona:
    """A person holding one role: community-wide (scope None) or in one group only."""

    handle: str
    role: str | None
    scope: str | None


def _community(tmp_path: Path) -> tuple[Path, dict[str, dict[str, Any]], list[str]]:
    """The example with a group of every kind and a person per role and scope."""
    text = example_text()
    text = text.replace("\npeople:\n", f"\n{MORE_GROUPS}\npeople:\n", 1)
    groups = {g["id"]: g for g in yaml.safe_load(text)["groups"]}
    roles = [*ROLES, *(r["id"] for r in yaml.safe_load(text)["roles"])]
    people = []
    for role in roles:
        people.append(f"  - {{id: p-{role}, handles: {{console: '{role}@*'}}, roles: [{role}]}}")
        for group in groups:
            people.append(
                f"  - {{id: p-{role}-{group}, handles: {{console: '{role}@{group}'}},"
                f" roles: [{{role: {role}, groups: [{group}]}}]}}"
            )
    text = text.replace("\nrules:\n", "\n" + "\n".join(people) + "\n\nrules:\n", 1)
    return write_community(tmp_path, text), groups, roles


def _personas(roles: list[str], here: str, elsewhere: str) -> list[Persona]:
    """Someone unknown, then per role: community-wide, scoped to ``here``, scoped elsewhere."""
    personas = [Persona("stranger", None, None)]
    for role in roles:
        personas += [
            Persona(f"{role}@*", role, None),
            Persona(f"{role}@{here}", role, here),
            Persona(f"{role}@{elsewhere}", role, elsewhere),
        ]
    return personas


def _roles(
    persona: Persona, group: dict[str, Any] | None, kinds: dict[str, Any], member: bool
) -> set[str]:
    """The persona's roles in ``group`` (None: outside groups), worked out from the file's words."""
    held = set()
    if persona.role is not None and (
        persona.scope is None or (group is not None and persona.scope == group["id"])
    ):
        held.add(persona.role)
    if group is not None:
        if not held and member and kinds.get(group["kind"]):
            held.add(kinds[group["kind"]])
        if held & set(group.get("administered_by", ())):
            held.add("group_admin")
    return held


def _refusals(_: Translator, refusals: tuple[str, ...] = REFUSALS) -> dict[str, re.Pattern[str]]:
    """The catalogue texts that say no, as patterns (placeholders match anything)."""

    def pattern(*keys: str) -> re.Pattern[str]:
        texts = [re.split(r"\{\w+\}", _(key)) for key in keys]
        return re.compile("|".join(".*".join(map(re.escape, parts)) for parts in texts), re.DOTALL)

    return {
        "refused": pattern(*refusals),
        "where": pattern("command.only_in_group", "command.only_in_private"),
    }


def _outcome(texts: list[str], patterns: dict[str, re.Pattern[str]]) -> str:
    for name, found in patterns.items():
        if any(found.fullmatch(t) for t in texts):
            return name
    return "allowed" if texts else "silent"


def _expected(
    row: dict[str, Any],
    persona: Persona,
    place: str,
    named: dict[str, Any] | None,
    groups: dict[str, dict[str, Any]],
    kinds: dict[str, Any],
) -> str:
    if row["where"] == "group" and place == PRIVATE:
        return "where"
    if row["where"] == "direct" and place != PRIVATE:
        return "where"
    if row.get("answers") == "privately" and place != PRIVATE:
        return "private"  # its message deleted, every answer private: nothing said there
    on = row.get("acts_on", "chat")
    if row["who"] == "anyone":
        if on == "group" and place in (PRIVATE, UNBOUND) and named is not None:
            # Open to anyone, but filed under a group only by who holds a role there.
            return "allowed" if _roles(persona, named, kinds, member=False) else "refused"
        return "allowed"
    if on == "community":
        roles = _roles(persona, None, kinds, member=False)
    elif on == "group" and place in (PRIVATE, UNBOUND) and named is not None:
        roles = _roles(persona, named, kinds, member=False)
    else:
        roles = _roles(persona, groups.get(place), kinds, member=True)
    return "allowed" if roles & set(row["who"]) else "refused"


def _probed_last(name: str) -> tuple[bool, str]:
    """Commands in name order, /request last (it opens a dialog that takes dialog words)."""
    return name == "request", name


async def test_every_command_for_every_role_everywhere(tmp_path: Path, caplog: Any) -> None:
    config, groups, roles = _community(tmp_path)
    kinds: dict[str, str | None] = {  # kind -> the role of a member with no other role there
        "resident": "resident",
        "focus_service": "client",
        "key_accompaniment": "client",
        "prevention_work": None,
        "volunteer_pool": None,
        "volunteer_dispatch": None,
        "expert_supervision": None,
        "landlord": "resident",
        "business": "resident",
        "home_living_support": "resident",
        "home_observation": "client",
        "tenants": "resident",
    }
    figures = tally("role matrix")
    wrong: list[str] = []
    caplog.set_level(logging.ERROR)
    async with Sandbox(config) as sandbox:
        # /request opens a dialog, which then answers /skip privately: probed last
        commands = sorted({c.name for c in sandbox.bot.commands.commands}, key=_probed_last)
        missing = [name for name in commands if name not in TABLE["commands"]]
        assert not missing, f"commands without a row in role_matrix.yaml: {missing}"
        assert {g["kind"] for g in groups.values()} == set(kinds)
        translator = Translator(sandbox.bot.catalogue, sandbox.community.locale)
        patterns = _refusals(translator)
        places = [*groups, PRIVATE, UNBOUND]
        target = "building-1"  # the group a command names from a chat of no group
        probes: list[tuple[str, str, str, str]] = []  # handle, chat, text, expected
        for name in commands:
            row = TABLE["commands"][name]
            for place in places:
                here = place if place in groups else target
                elsewhere = next(g for g in groups if g != here)
                personas = _personas(roles, here, elsewhere)
                named = groups[here] if row.get("acts_on") == "group" else None
                text = f"/{name} {here}" if named else f"/{name}"
                for persona in personas:
                    want = _expected(row, persona, place, named, groups, kinds)
                    probes.append((persona.handle, place, text, want))
        for start in range(0, len(probes), BATCH):
            batch = probes[start : start + BATCH]
            answers, _public = await _send_all(sandbox, [(h, c, t) for h, c, t, _w in batch])
            for (handle, place, text, want), texts in zip(batch, answers, strict=True):
                figures["tried"] += 1
                got = _outcome(texts, patterns)
                # answered privately only: silent, or read when the batch shows the DMs
                if got != want and not (want == "private" and got in ("allowed", "silent")):
                    figures["wrong answers"] += 1
                    wrong.append(f"{text} by {handle} in {place}: {got}, want {want}")
        # Every form, by every persona, everywhere; from a chat of no group also naming one.
        forms = sorted(f.id for f in sandbox.community.forms)
        assert forms == sorted(TABLE["forms"]), "every form needs a row in role_matrix.yaml"
        form_patterns = _refusals(
            translator, ("forms.not_allowed", "forms.not_allowed_here", "command.no_role_in")
        )
        for form in forms:
            who = TABLE["forms"][form]
            row = {"where": "any", "who": who, "acts_on": "group"}
            for place in places:
                here = place if place in groups else target
                asks = [(f"/form {form}", None)]
                if place not in groups:
                    asks.append((f"/form {form} {here}", groups[here]))
                for text, named in asks:
                    personas = _personas(roles, here, next(g for g in groups if g != here))
                    probes = [(p.handle, place, text) for p in personas]
                    answers, _public = await _send_all(sandbox, probes)
                    for persona, texts in zip(personas, answers, strict=True):
                        figures["tried"] += 1
                        got = _outcome(texts, {"refused": form_patterns["refused"]})
                        want = _expected(row, persona, place, named, groups, kinds)
                        if got != want:
                            figures["wrong answers"] += 1
                            wrong.append(
                                f"{text} by {persona.handle} in {place}: {got}, want {want}"
                            )
        # The same commands with personal data for arguments, in every chat, by anyone.
        data = [
            (handle, place, f"/{name} {PHONE} {ID_NUMBER}")
            for name in commands
            for place in places
            for handle in ("stranger", "social_worker@*", f"grid_worker@{target}")
        ]
        for start in range(0, len(data), BATCH):
            _answers, public = await _send_all(sandbox, data[start : start + BATCH])
            figures["tried"] += len(data[start : start + BATCH])
            for text in public:
                if leaked(text):
                    figures["leaks"] += 1
                    wrong.append(f"personal data leaked into a group: {text}")
    tracebacks = [r for r in caplog.records if r.levelno >= logging.ERROR]
    figures["tracebacks"] += len(tracebacks)
    assert not tracebacks, [r.getMessage() for r in tracebacks[:5]]
    assert not wrong, f"{len(wrong)} wrong answers, e.g.:\n" + "\n".join(wrong[:30])


async def _send_all(
    sandbox: Sandbox, probes: list[tuple[str, str, str]]
) -> tuple[list[list[str]], list[str]]:
    """Send the probes at once (a chat of no group: a new one each); return each one's answers.

    An answer is the replies to the probe's message, and what the bot wrote privately to
    its sender when no other probe of the batch has the same sender.  Also returns every
    text the bot wrote anywhere but a private chat.
    """
    events = []
    for handle, place, text in probes:
        number = next(_NUMBERS)
        direct = place == PRIVATE
        chat = f"dm:{handle}" if direct else f"new-chat-{number}" if place == UNBOUND else place
        events.append(
            Message(
                network=NETWORK,
                chat=chat,
                event_id=f"matrix:{number}",
                sender=handle,
                direct=direct,
                text=text,
                message_id=str(number),
            )
        )
    before = len(sandbox.adapter.performed)
    await asyncio.wait_for(asyncio.gather(*(sandbox.bot.submit(e) for e in events)), 60)
    performed = sandbox.adapter.performed[before:]
    replies: dict[str, list[str]] = {}
    private: dict[str, list[str]] = {}
    public = []
    for action in performed:
        if isinstance(action, Reply):
            replies.setdefault(action.to, []).append(action.text)
        if isinstance(action, DirectMessage):
            private.setdefault(action.user, []).append(action.text)
        if isinstance(action, Reply | Send) and not action.chat.startswith("dm:"):
            public.append(action.text)
    senders = Counter(e.sender for e in events)
    return [
        replies.get(e.message_id, [])
        + (private.get(e.sender, []) if senders[e.sender] == 1 else [])
        for e in events
    ], public
