"""Mutated copies of the example community: every one is accepted or refused in sentences.

Each example takes the example community (``config/community.yaml`` and its
forms), mutates one of its files a few times — bytes flipped, spans deleted,
lines duplicated or swapped, values replaced by lists, mappings, tags, anchors,
aliases, merge keys, huge numbers, NUL, control and non-UTF-8 bytes, an alias
bomb — and checks it as ``sanshe check-config`` does.  Whatever the mutation,
the answer is "OK" or a list of problems, each ``file:line:col: sentence`` with
a line inside that file; nothing raises, and nothing hangs (a generous guard,
not a speed check).  The mutations are drawn from a seed, so a failure names a
seed that replays it: ``mutated(random.Random(seed))``.

A sample goes through the real ``sanshe check-config`` command (exit 0 or 1,
no traceback, the same verdict as in-process).

An installed plugin, ``drills``, declares a settings model, and the example is
fuzzed with its section under ``plugins:`` (see :func:`original`).
"""

from __future__ import annotations

import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanshe.core.config import CommunityFile, ConfigError, Vocabulary
from sanshe.core.contributions import vocabulary
from sanshe.core.plugins import plugin_manager
from tests.conftest import EXAMPLE, install_plugin
from tests.fuzz.conftest import FUZZ, tally

FILES = [EXAMPLE, *sorted((EXAMPLE.parent / "forms").glob("*.yaml"))]
PROBLEM = re.compile(r"(?P<file>.+\.yaml):(?P<line>\d+):(?P<column>\d+): \S.*", re.S)
HANG_GUARD = 60.0

#: A plugin with settings of several shapes; the fuzzed example gives them under ``plugins:``.
DRILLS = """
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sanshe.core.hookspecs import hookimpl


class Window(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    start: int = Field(ge=0, le=23)
    end: int = Field(ge=0, le=23)


class DrillSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    every_days: int = Field(default=7, gt=0)
    group_kinds: tuple[str, ...] = ()
    quiet: bool = False
    tone: Literal["calm", "urgent"] = "calm"
    window: Window = Window(start=9, end=18)


@hookimpl
def sanshe_settings():
    return DrillSettings
"""
DRILLS_SECTION = (
    b"  drills:\n"
    b"    every_days: 14\n"
    b"    group_kinds: [resident, focus_service]\n"
    b"    quiet: true\n"
    b"    tone: urgent\n"
    b"    window: {start: 8, end: 20}\n"
)


@pytest.fixture(scope="module", autouse=True)
def drills(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The plugin ``drills`` installed, for this process and for ``sanshe check-config``."""
    site = str(install_plugin(tmp_path_factory.mktemp("drills"), "drills", "drills_plugin", DRILLS))
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(site)
        patch.setenv(
            "PYTHONPATH", os.pathsep.join(filter(None, [site, os.environ.get("PYTHONPATH")]))
        )
        yield
    sys.modules.pop("drills_plugin", None)
    _VOCABULARIES.clear()


def original(file: Path) -> bytes:
    """The bytes the fuzz starts from: the example's file, with the drills section and a
    storage.key_file in the example."""
    data = file.read_bytes()
    if file == EXAMPLE:
        assert b"  disable: []\n" in data
        data = data.replace(b"  disable: []\n", b"  disable: []\n" + DRILLS_SECTION, 1)
        db_url = re.search(rb"\n  db_url: [^\n]*\n", data)
        assert db_url is not None
        data = data.replace(db_url[0], db_url[0] + KEY_FILE_LINE, 1)
    return data


VALUES = [
    "[[phone]]",
    "[a, [b, [c]]]",
    "{x: {y: z}}",
    "{}",
    "[]",
    "''",
    "~",
    "9" * 5000,
    "1e999",
    ".nan",
    "-.inf",
    "0x_ff",
    "2020-13-45",
    "2020-02-30 25:61:00",
    "!!python/name:os.system",
    "!!python/object/apply:os.system [ls]",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!custom x",
    "!!int abc",
    "!!float x",
    "!!bool maybe",
    "!!str 5",
    "*nowhere",
    "&self [*self]",
    "<<",
    "=",
    "yes",
    "'unterminated",
    "[unclosed",
    "{a: 1, a: 2}",
    "|\n  block",
    "@",
    "`",
    "? [a]\n  : b",
    "- x",
    "true",
    "12345678901234567890",
    "-0",
]
BYTES = [b"\x00", b"\x07", b"\x1b", b"\x7f", b"\xff", b"\xc3", b"\xfe", b"\xc2\x85"]
BYTES += ["\ufeff".encode(), "\u2028".encode(), "\ud7ff".encode()]
BOMB = "".join(
    f"    b{n}: &b{n} [" + ", ".join([f"*b{n - 1}" if n else "x"] * 10) + "]\n" for n in range(10)
)


@dataclass
class Mutant:
    """One mutated copy of the example: which file, and what was done to it."""

    file: Path
    text: bytes
    steps: list[str]


def mutated(r: random.Random) -> Mutant:
    """A mutated copy of one of the example's files, drawn from ``r``."""
    file = r.choice([EXAMPLE, EXAMPLE, EXAMPLE, *FILES[1:]])
    data = original(file)
    steps = []
    for _ in range(r.randint(1, 4)):
        kind = r.choice(
            [
                "flip",
                "delete",
                "duplicate",
                "swap",
                "value",
                "value",
                "value",
                "anchor",
                "merge",
                "key tag",
                "byte",
                "indent",
                "truncate",
                "bomb",
            ]
        )
        lines = data.split(b"\n")
        i, j = r.randrange(len(lines)), r.randrange(len(lines))
        valued = [n for n, line in enumerate(lines) if b": " in line]
        v = r.choice(valued) if valued else i
        if kind == "flip" and data:
            at = r.randrange(len(data))
            data = data[:at] + bytes([r.randrange(256)]) + data[at + 1 :]
        elif kind == "delete" and data:
            at = r.randrange(len(data))
            data = data[:at] + data[at + r.randint(1, 40) :]
        elif kind == "duplicate":
            lines.insert(j, lines[i])
            data = b"\n".join(lines)
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif kind == "value":
            head = lines[v].split(b": ", 1)[0]
            lines[v] = head + b": " + r.choice(VALUES).encode()
            data = b"\n".join(lines)
        elif kind == "anchor":
            head, _, tail = lines[v].partition(b": ")
            lines[v] = head + b": &x " + tail
            w = r.choice(valued) if valued else j
            lines[w] = lines[w].split(b": ", 1)[0] + b": *x"
            data = b"\n".join(lines)
        elif kind == "merge":
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            lines.insert(i, indent + r.choice([b"<<: *x", b"<<: 5", b"<<: [*x, 1]", b"<<: {a: 1}"]))
            data = b"\n".join(lines)
        elif kind == "key tag":
            stripped = lines[v].lstrip()
            indent = lines[v][: len(lines[v]) - len(stripped)]
            lines[v] = (
                indent + r.choice([b"!!python/name:os.system ", b"!k ", b"!!int "]) + stripped
            )
            data = b"\n".join(lines)
        elif kind == "byte":
            at = r.randrange(len(data) + 1)
            data = data[:at] + r.choice(BYTES) + data[at:]
        elif kind == "indent":
            lines[i] = lines[i][2:] if r.random() < 0.5 else b"  " + lines[i]
            data = b"\n".join(lines)
        elif kind == "truncate":
            data = data[: r.randrange(len(data) + 1)]
        elif kind == "bomb" and file == EXAMPLE:
            data = data.rstrip(b"\n") + b"\nadapters:\n  console:\n" + BOMB.encode()
        steps.append(kind)
    return Mutant(file, data, steps)


#: Settings every run reaches for sure (a random mutation seldom lands on one line):
#: each is given every value of VALUES and ROLE_VALUES where the example sets it.
ROLE_SETTINGS = ("view", "export", "admins", "social_worker")  # social_worker: under grants:
#: The drills plugin's settings (``window`` is a mapping, given VALUES only).
DRILL_SETTINGS = ("every_days", "group_kinds", "quiet", "tone", "window")
#: A rule's schedule: its keys are ``rules.<key>``, as the rules are read as a block (BLOCKS).
SCHEDULE_SETTINGS = ("rules.every", "rules.at")
#: The handover plugin's settings in the example.
HANDOVER_SETTINGS = ("follow_up", "confirm_within")
#: The shifts plugin's settings in the example: ``templates`` is a list of mappings (BLOCKS),
#: each shift of a template a mapping on one line (``- {start: …, end: …, needs: {…}}``) whose
#: keys are given values there; the example's template names kinds, its line is given groups too.
TEMPLATE_SETTINGS = (
    "templates.kinds",
    "templates.groups",
    "templates.start",
    "templates.end",
    "templates.needs",
)
SHIFT_SETTINGS = (
    "plan_days",
    "remind_before",
    "announce_before",
    "no_show_after",
    *TEMPLATE_SETTINGS,
)
#: Settings the example does not give, given on the line of another (the key written anew):
#: a rule's ban step on the flood rule's mute step.
GIVEN_ON = {"templates.groups": "templates.kinds", "rules.ban": "rules.mute"}
#: The volunteers plugin's settings in the example: ``class_roles`` is a mapping and
#: ``training`` a list of mappings (BLOCKS), whose keys are given values.
VOLUNTEER_CLASSES = tuple(
    f"class_roles.{c}" for c in ("medical", "psychological", "general", "other")
)
VOLUNTEER_SETTINGS = (
    "registration_form",
    "agreement_form",
    *VOLUNTEER_CLASSES,
    "training.id",
    "training.title",
    "training.text",
)
#: The volunteers plugin's settings that name a role or form of the community: given
#: ROLE_VALUES too, "nobody" is refused at its line, naming it.
VOLUNTEER_NAMES = ("registration_form", "agreement_form", *VOLUNTEER_CLASSES)
#: The warnings plugin's settings in the example: its section is read as a block (BLOCKS), so
#: its keys are ``warnings.<key>`` (``limit``, ``within``, ``then`` are words others may use too).
WARNING_SETTINGS = ("warnings.limit", "warnings.within", "warnings.then")
#: Values the warnings plugin's settings do not take: each is refused at its line, naming it.
WARNING_REFUSED = {
    "warnings.limit": ["0", "-1", "2.5", "three", "[3]", "101", "''", "{}"],
    "warnings.within": ["three", "0", "0d", "1", "2.5", "[3]", "''", "{}", "30 days"],
    "warnings.then": ["kick", "mute", "'mute:'", "mute:0m", "mute:forever", "[remove]", "''", "0"],
}
#: The sanctions plugin's settings in the example (0 is a length there too: nothing deleted).
SANCTION_SETTINGS = ("redact_recent",)
#: Values the sanctions plugin's settings do not take: each is refused at its line, naming it.
SANCTION_REFUSED = {"redact_recent": ["three", "1", "2.5", "-1h", "[3]", "''", "{}", "24 hours"]}
#: The intake plugin's setting in the example: the form /request opens.
INTAKE_SETTINGS = ("request_form",)
#: Values it does not take: each is refused at its line, naming it (a form the community lacks
#: by its name).
INTAKE_REFUSED = {"request_form": ["[3]", "[]", "{}", "~", "nobody"]}
#: The crisis plugin's settings in the example: its section is read as a block (BLOCKS); the
#: lexicon's additions (``add``, ``ignore``) are mappings on their own lines under ``lexicon:``.
CRISIS_SETTINGS = (
    "crisis.emergency",
    "crisis.delete",
    "crisis.ack_within",
    "crisis.on_shift",
    "crisis.chain",
    "crisis.fallback",
    "crisis.add",
    "crisis.ignore",
)
#: Values the crisis plugin's settings do not take: each is refused at its line (an unknown role
#: by its name, the others naming the setting; the lexicon's by a sentence at its line).
CRISIS_REFUSED = {
    "crisis.emergency": ["''", "[3]", "[]", "{}", "~"],
    "crisis.delete": ["three", "[3]", "{}", "''", "2"],
    "crisis.ack_within": ["three", "0", "0m", "1", "2.5", "[3]", "''", "{}", "5 minutes"],
    "crisis.on_shift": ["[]", "[nobody]", "nobody", "[3]", "{}", "~", "[[social_worker]]"],
    "crisis.chain": ["[nobody]", "nobody", "[3]", "{}", "~", "[[social_worker]]"],
    "crisis.fallback": ["[li]", "li", "[3]", "{}", "~", "['console: li']"],
    "crisis.add": [
        "{fr: {suicide: {phrases: [a]}}}",
        "{zh: {sadness: {phrases: [a]}}}",
        "{zh: {suicide: {phrases: ['']}}}",
        "{zh: {suicide: {regexes: ['(']}}}",
        "{zh: {suicide: {words: [a]}}}",
        "[3]",
    ],
    "crisis.ignore": ["{fr: {idioms: [a]}}", "{zh: {idioms: ['  ']}}", "{zh: {words: [a]}}", "[3]"],
}
#: The joining plugin's settings in the example: its section is read as a block (BLOCKS); how
#: long a question waits for its answer, its questions are mappings on one line (id, label)
#: under their kind's key, its auto-approval rules name roles, handles, kinds and groups.
JOINING_SETTINGS = (
    "joining.answer_within",
    "joining.id",
    "joining.label",
    "joining.roles",
    "joining.handles",
    "joining.kinds",
    "joining.groups",
)
#: The joining plugin's question kinds: the key of the line opening a kind's questions, written
#: anew (its questions still below it); each of these is refused at its line.
QUESTION_KINDS = ("joining.focus_service",)
QUESTION_KIND_REFUSED = ["nobody", "'3'", "prevention_works"]
#: Values the joining plugin's settings do not take: each is refused at its line, naming it
#: (an unknown role by its name).
JOINING_REFUSED = {
    "joining.answer_within": ["three", "0", "0m", "1", "2.5", "[3]", "''", "{}", "30 minutes"],
    "joining.id": ["''", "[3]", "{}", "~", "0", "2.5", "1a", "'a b'"],
    "joining.label": ["''", "[3]", "[]", "{}", "~"],
    "joining.roles": ["[nobody]", "nobody", "[3]", "{}", "~", "[[social_worker]]"],
    "joining.handles": ["[nobody]", "[3]", "{}", "['console: zhang']", "[[console:zhang]]"],
    "joining.kinds": ["[nobody]", "nobody", "[3]", "{}", "~", "[[resident]]"],
    "joining.groups": ["[nobody]", "nobody", "[3]", "{}", "~", "[[prevention]]"],
}
#: The nicknames plugin's settings in the example: its section is read as a block (BLOCKS); its
#: patterns are mappings on one line (kinds, roles, pattern).
NICKNAME_SETTINGS = (
    "nicknames.remind_every",
    "nicknames.kinds",
    "nicknames.groups",
    "nicknames.roles",
    "nicknames.pattern",
)
#: Values the nicknames plugin's settings do not take: each is refused at its line, naming it
#: (an unknown kind or role by its name).
NICKNAME_REFUSED = {
    "nicknames.remind_every": ["three", "0", "1", "2.5", "[3]", "''", "{}", "24 hours"],
    "nicknames.kinds": ["[nobody]", "nobody", "[3]", "{}", "~", "[[resident]]"],
    "nicknames.groups": ["[nobody]", "nobody", "[3]", "{}", "~", "[[focus-1]]"],
    "nicknames.roles": ["[nobody]", "nobody", "[3]", "{}", "~", "[[resident]]"],
    "nicknames.pattern": ["'{room'", "'}'", "'{floor}'", "'{自住|}'", "''", "'  '", "[3]", "{}"],
}
#: The check-ins plugin's settings in the example: its section is read as a block (BLOCKS); the
#: temperature's range is a mapping on its line, each symptom a mapping on one line (id, name,
#: words) under ``symptoms:``.
CHECKIN_SETTINGS = (
    "checkins.temperature",
    "checkins.fever",
    "checkins.id",
    "checkins.name",
    "checkins.words",
    "checkins.window",
    "checkins.list_at",
    "checkins.leaders",
    "checkins.alert",
)
#: The errands plugin's settings in the example: its section is read as a block (BLOCKS).
ERRAND_SETTINGS = ("errands.registry", "errands.volunteers", "errands.take_within")
#: The observation plugin's settings in the example: its section is read as a block (BLOCKS).
OBSERVATION_SETTINGS = (
    "observation.days",
    "observation.workers",
    "observation.remind_at",
    "observation.check_at",
)
#: The knowledge plugin's settings in the example: its section is read as a block (BLOCKS); its
#: resources are mappings on one line (id, kind, name, needs, area, hours, contact); its own
#: synonyms are a block of meanings, the example's one meaning ``parking`` a list of words.
KNOWLEDGE_SETTINGS = (
    "knowledge.staff",
    "knowledge.stale_days",
    "knowledge.check_at",
    "knowledge.parking",
    "knowledge.id",
    "knowledge.kind",
    "knowledge.name",
    "knowledge.needs",
    "knowledge.area",
    "knowledge.hours",
    "knowledge.contact",
)
#: The feedback plugin's settings in the example: its section is read as a block (BLOCKS).
FEEDBACK_SETTINGS = ("feedback.weekday", "feedback.at", "feedback.staff")
#: The summary plugin's settings in the example: its section is read as a block (BLOCKS).
SUMMARY_SETTINGS = ("summary.at", "summary.form", "summary.tell")
#: A form's fields (issue 14, exports): the header of a field's column, and the header over a run
#: of columns, as the paper form prints them; the fields are a block (BLOCKS), most of them a
#: mapping on one line.
FIELD_SETTINGS = ("fields.column", "fields.column_group")
#: Values those do not take (a text, or a text per language): each is refused at its line.
FIELD_REFUSED = {key: ["''", "[3]", "{}", "[]"] for key in FIELD_SETTINGS}
#: Settings given as a block under their line (a mapping, a list of mappings): each key nested
#: in one is a setting of its own, ``block.key`` in SETTINGS; the line opening the block is
#: not given a value (with the block still below it, that is only a YAML syntax error).
BLOCKS = (
    "class_roles",
    "training",
    "templates",
    "buildings",
    "warnings",
    "joining",
    "nicknames",
    "crisis",
    "fields",
    "knowledge",
    "checkins",
    "errands",
    "observation",
    "feedback",
    "summary",
    "rules",
)
#: The moderation plugin's rule conditions and steps in the example (issue 12), each on a line
#: of its own in a rule, and a rule's own ``dry_run`` (the rules are a block: ``rules.<key>``).
RULE_SETTINGS = tuple(
    f"rules.{key}"
    for key in (
        "links_outside",
        "not_from",
        "flood",
        "command",
        "clarify",
        "remind",
        "mute",
        "ban",
        "dry_run",
    )
)
#: Values those do not take: each is refused at its line.
#: (a bare number is minutes; "10 minutes" reads as /mute reads it)
LENGTHS_REFUSED = ["0m", "soon", "-1h", "[3]", "{}", "''", "0", "-5", "true", "999999999"]
RULE_REFUSED = {
    "rules.links_outside": ["[]", "''", "[3]", "{}", "[[gov.cn]]", "[not a domain]"],
    "rules.not_from": ["[]", "''", "[3]", "{}", "[[gov.cn]]"],
    "rules.flood": [
        "[3]",
        "{}",
        "three",
        "{messages: 1, within: 10s}",
        "{messages: 5, within: 2h}",
    ],
    "rules.command": ["three", "[3]", "{}", "''", "~", "0"],
    "rules.clarify": ["''", "[3]", "{}", "~"],
    "rules.remind": ["''", "[3]", "{}", "~", "{text: x, every: soon}"],
    "rules.mute": LENGTHS_REFUSED,
    "rules.ban": LENGTHS_REFUSED,
    "rules.dry_run": ["three", "[3]", "{}", "2", "''"],
}
SETTINGS = (
    *ROLE_SETTINGS,
    "dead_letter_after",
    "moderation_log",
    "dry_run",
    "buildings.id",
    "buildings.name",
    "buildings.rooms",
    "buildings.area",
    "retention_days",
    "escalates_to",
    *SCHEDULE_SETTINGS,
    *DRILL_SETTINGS,
    *HANDOVER_SETTINGS,
    *SHIFT_SETTINGS,
    *VOLUNTEER_SETTINGS,
    *WARNING_SETTINGS,
    *SANCTION_SETTINGS,
    *INTAKE_SETTINGS,
    *CRISIS_SETTINGS,
    *JOINING_SETTINGS,
    *QUESTION_KINDS,
    *NICKNAME_SETTINGS,
    *FIELD_SETTINGS,
    *KNOWLEDGE_SETTINGS,
    *CHECKIN_SETTINGS,
    *ERRAND_SETTINGS,
    *OBSERVATION_SETTINGS,
    *FEEDBACK_SETTINGS,
    *SUMMARY_SETTINGS,
    *RULE_SETTINGS,
    "key_file",
)
#: Values a group's ``escalates_to`` does not take (a group that is not a consultation group,
#: one the community lacks…): each is refused at its line.
ESCALATION_REFUSED = {"escalates_to": ["nobody", "prevention", "building-2", "[3]", "{}"]}
#: Values the buildings' ids and names do not take: each is refused at its line.
BUILDING_REFUSED = {
    "buildings.id": ["''", "[3]", "{}", "~"],
    "buildings.name": ["[3]", "[]", "~"],
    "buildings.area": ["''", "'  '", "[3]", "{}", "[]"],
}
#: Values a rule's schedule does not take: each is refused at its line.
SCHEDULE_REFUSED = ["soon", "0m", "-1h", "[day]", "25:00", "8:00", "{}", "3 days"]
#: The key file's setting (the example leaves it out: the demo's key goes beside its database).
KEY_FILE_LINE = b"  key_file: keys/sanshe.key\n"
#: Values storage.key_file does not take: each is refused at its line, naming it.
KEY_FILE_REFUSED = ["''", "[[phone]]", "{}", "[]", "0", "2.5", "[3]", "-.inf"]
#: Values for a number (of tries, of days), beside VALUES.
TRY_VALUES = ["0", "-1", "1", "2.5", "100000", "three", "[3]"]
#: Values no setting of the drills plugin takes: each is refused at its line.
DRILL_REFUSED = {"every_days": ["0", "-1", "2.5", "three", "[3]"], "quiet": ["three"]}
#: Values the handover plugin's settings do not take: each is refused at its line, naming it.
HANDOVER_REFUSED = {
    "follow_up": ["three", "[3]", "[[phone]]", "''", "{}"],
    "confirm_within": ["three", "0", "1", "2.5", "[3]", "''", "{}"],
}
#: Values the shifts plugin's settings do not take: each is refused at its line, naming it.
LENGTH_REFUSED = ["three", "0", "1", "2.5", "[3]", "''", "{}"]
CLOCK_REFUSED = ["three", "0", "2.5", "[3]", "''", "{}", "[]", "~", "25:00", "8:00", "24:01"]
NAMES_REFUSED = ["[3]", "{}", "nobody", "''", "[[a]]", "~"]
#: Values the knowledge plugin's settings do not take: each is refused at its line (an unknown
#: role by its name; a mobile number, as the resource map is shown in groups).
MOBILE = "'139 8765 4321'"
KNOWLEDGE_REFUSED = {
    "knowledge.staff": ["[nobody]", "[]", "[3]", "{}", "~", "[[social_worker]]"],
    "knowledge.stale_days": ["0", "-1", "2.5", "three", "[3]", "{}", "''", "~", "100000"],
    "knowledge.check_at": CLOCK_REFUSED,
    "knowledge.parking": ["[]", "['']", "[3]", "{}", "~", "[[a]]", "''", "car"],
    "knowledge.id": ["''", "[3]", "{}", "~", "0", "'a b'", "Pharmacy"],
    "knowledge.kind": ["shop", "''", "[3]", "{}", "~", "0"],
    "knowledge.name": ["''", "[3]", "[]", "{}", "~", MOBILE],
    "knowledge.needs": ["[]", "['']", "[3]", "{}", "~", "[[a]]", f"[{MOBILE}]"],
    "knowledge.area": ["[3]", "[]", "{}", "~", MOBILE],
    "knowledge.hours": ["[3]", "[]", "{}", "~"],
    "knowledge.contact": ["[3]", "[]", "{}", "~", MOBILE, "13987654321"],
}
#: Values the check-ins plugin's settings do not take: each is refused at its line (an unknown
#: role by its name).
CHECKIN_REFUSED = {
    "checkins.temperature": ["{min: 40, max: 36}", "{min: 20}", "three", "[3]", "''", "~"],
    "checkins.fever": ["50", "20", "three", "[3]", "{}", "''", "~", ".nan"],
    "checkins.id": ["''", "[3]", "{}", "~", "0", "Cough", "'a b'"],
    "checkins.name": ["''", "[3]", "[]", "{}", "~"],
    "checkins.words": ["[3]", "['']", "[[a]]", "{}", "three"],
    "checkins.window": ["06:00", "6:00-10:00", "06:00-25:00", "three", "[3]", "{}", "''", "~"],
    "checkins.list_at": CLOCK_REFUSED,
    "checkins.leaders": ["[nobody]", *NAMES_REFUSED],
    "checkins.alert": ["[nobody]", *NAMES_REFUSED],
}
#: Values the errands plugin's settings do not take: each is refused at its line (an unknown role
#: by its name).
ERRAND_REFUSED = {
    "errands.registry": ["[nobody]", "[]", *NAMES_REFUSED],
    "errands.volunteers": ["[nobody]", "[]", *NAMES_REFUSED],
    "errands.take_within": ["three", "0m", "0", "2.5", "[3]", "''", "{}", "~", "30 minutes"],
}
#: Values the feedback plugin's settings do not take: each is refused at its line (an unknown
#: role by its name).
FEEDBACK_REFUSED = {
    "feedback.weekday": ["mon", "Monday", "周一", "1", "[monday]", "{}", "''", "~"],
    "feedback.at": CLOCK_REFUSED,
    "feedback.staff": ["[nobody]", "[]", *NAMES_REFUSED],
}
#: Values the summary plugin's settings do not take: each is refused at its line (an unknown
#: form or role by its name).
SUMMARY_REFUSED = {
    "summary.at": CLOCK_REFUSED,
    "summary.form": ["nobody", "[3]", "{}", "~", "[daily_summary]"],
    "summary.tell": ["[nobody]", "[]", *NAMES_REFUSED],
}
#: Values the observation plugin's settings do not take: each is refused at its line (an unknown
#: role by its name).
OBSERVATION_REFUSED = {
    "observation.days": ["0", "-1", "2.5", "three", "[3]", "{}", "''", "~", "61", "true"],
    "observation.workers": ["[nobody]", "[]", *NAMES_REFUSED],
    "observation.remind_at": CLOCK_REFUSED,
    "observation.check_at": CLOCK_REFUSED,
}
SHIFT_REFUSED = {
    "plan_days": ["0", "-1", "2.5", "three", "[3]", "100000"],
    "remind_before": LENGTH_REFUSED,
    "announce_before": LENGTH_REFUSED,
    "no_show_after": LENGTH_REFUSED,
    "templates.kinds": NAMES_REFUSED,
    "templates.groups": NAMES_REFUSED,
    "templates.start": CLOCK_REFUSED,
    "templates.end": CLOCK_REFUSED,
    "templates.needs": ["{}", "[3]", "three", "''", "~"],
}
#: A name the community lacks, for each template setting naming kinds, groups or roles: it is
#: refused at its line, naming it.
SHIFT_UNKNOWN = {
    "templates.kinds": "[nobody]",
    "templates.groups": "[nobody]",
    "templates.needs": "{nobody: 1}",
}
#: Values the volunteers plugin's settings do not take: each is refused at its line, naming it.
VOLUNTEER_REFUSED = {
    "registration_form": ["[3]", "[]", "{}", "~"],
    "agreement_form": ["[3]", "[]", "{}", "~"],
    **{c: ["[3]", "[]", "{}", "~", "0", "[nobody]"] for c in VOLUNTEER_CLASSES},
    "training.id": ["''", "[3]", "{}", "~", "0", "2.5"],
    "training.title": ["''", "[3]", "[]", "{}", "~"],
    "training.text": ["[3]", "[]"],
}
ROLE_VALUES = [
    "[nobody]",
    "[social_worker, nobody]",
    "[social_worker, social_worker]",
    "[community_worker, party_secretary]",
    "[[social_worker]]",
    "[{role: social_worker}]",
    "social_worker",
    "anyone",
    "nobody",
]
_SETTING = re.compile(rb"^(?P<head>\s*(?:-\s+)?(?P<key>[a-z_]+)):(?:\s|$)")
#: A mapping on one line, an item of a list: ``- {start: "08:00", needs: {a: 1}}``.
_FLOW = re.compile(rb"^(?P<head>\s*-\s+)\{(?P<body>.*)\}\s*$")


def _flow_items(body: bytes) -> list[bytes]:
    """The ``key: value`` items of a one-line mapping's body (values may be mappings or lists)."""
    items, depth, start = [], 0, 0
    for i, c in enumerate(body):
        depth += (c in b"{[") - (c in b"}]")
        if c == ord(",") and depth == 0:
            items.append(body[start:i].strip())
            start = i + 1
    return [*items, body[start:].strip()]


def _item_key(item: bytes) -> str:
    return item.split(b":", 1)[0].decode()


def with_value(line: bytes, name: str, value: bytes) -> bytes:
    """``line`` with setting ``name`` (its last part: the line's key, or a key of the mapping on
    the line) given ``value``."""
    key = name.rsplit(".", 1)[-1]
    flow = _FLOW.match(line)
    if flow is not None:
        items = [
            key.encode() + b": " + value if _item_key(item) == key else item
            for item in _flow_items(flow["body"])
        ]
        return flow["head"] + b"{" + b", ".join(items) + b"}"
    match = _SETTING.match(line)
    assert match is not None
    return line[: match.start("key")] + key.encode() + b": " + value


def setting_lines() -> list[tuple[Path, int, str]]:
    """(file, line index, key) of every line of the example that gives one of SETTINGS (a key
    nested in one of BLOCKS named ``block.key``)."""
    found = []
    for file in FILES:
        block: tuple[str, int] | None = None  # the block the lines are in: its key, its indent
        for n, line in enumerate(original(file).split(b"\n")):
            match = _SETTING.match(line)
            if match is None:
                flow = _FLOW.match(line)
                if flow is not None and block is not None:  # a mapping on one line in a block
                    names = [f"{block[0]}.{_item_key(i)}" for i in _flow_items(flow["body"])]
                    found.extend((file, n, name) for name in names if name in SETTINGS)
                continue
            key, indent = match["key"].decode(), match.start("key")
            if block is not None and indent <= block[1]:
                block = None
            if block is None and key in BLOCKS:
                block = (key, indent)
                continue
            name = key if block is None else f"{block[0]}.{key}"
            if name in SETTINGS:
                found.append((file, n, name))
            found.extend((file, n, other) for other, on in GIVEN_ON.items() if on == name)
    return found


def setting_mutated(r: random.Random) -> tuple[Mutant, int, str]:
    """A copy of one of the example's files with one of SETTINGS given another value.

    Returns the mutant, the (1-based) line changed and the value written there.
    """
    file, n, key = r.choice(setting_lines())
    lines = original(file).split(b"\n")
    others = SCHEDULE_REFUSED if key in SCHEDULE_SETTINGS else TRY_VALUES
    if key in TEMPLATE_SETTINGS:
        others = SHIFT_REFUSED[key] + ([SHIFT_UNKNOWN[key]] if key in SHIFT_UNKNOWN else [])
    if key in WARNING_SETTINGS:
        others = WARNING_REFUSED[key]
    if key in SANCTION_SETTINGS:
        others = SANCTION_REFUSED[key]
    if key in INTAKE_SETTINGS:
        others = INTAKE_REFUSED[key]
    if key in CRISIS_SETTINGS:
        others = CRISIS_REFUSED[key]
    if key in JOINING_SETTINGS:
        others = JOINING_REFUSED[key]
    if key in NICKNAME_SETTINGS:
        others = NICKNAME_REFUSED[key]
    if key in KNOWLEDGE_SETTINGS:
        others = KNOWLEDGE_REFUSED[key]
    if key in CHECKIN_SETTINGS:
        others = CHECKIN_REFUSED[key]
    if key in ERRAND_SETTINGS:
        others = ERRAND_REFUSED[key]
    if key in OBSERVATION_SETTINGS:
        others = OBSERVATION_REFUSED[key]
    if key in FEEDBACK_SETTINGS:
        others = FEEDBACK_REFUSED[key]
    if key in SUMMARY_SETTINGS:
        others = SUMMARY_REFUSED[key]
    if key in RULE_SETTINGS:
        others = RULE_REFUSED[key]
    if key in FIELD_REFUSED:
        others = FIELD_REFUSED[key]
    if key in BUILDING_REFUSED:
        others = BUILDING_REFUSED[key]
    if key in ESCALATION_REFUSED:
        others = ESCALATION_REFUSED[key]
    names = key in ROLE_SETTINGS or key in VOLUNTEER_NAMES
    value = r.choice(VALUES + (ROLE_VALUES if names else others))
    if key in QUESTION_KINDS:  # the key written anew, its questions still below it
        value = r.choice(QUESTION_KIND_REFUSED)
        match = _SETTING.match(lines[n])
        assert match is not None
        lines[n] = lines[n][: match.start("key")] + value.encode() + b":"
    else:
        lines[n] = with_value(lines[n], key, value.encode())
    steps = [f"{key}: {value}"]
    if r.random() < 0.2:
        lines.insert(n, lines[n])
        steps.append("duplicate")
    return Mutant(file, b"\n".join(lines), steps), n + 1, value


def copy_with(folder: Path, mutant: Mutant) -> Path:
    """The example community in ``folder``, with the mutant in place of its file."""
    (folder / "community.yaml").write_bytes(original(EXAMPLE))
    shutil.copytree(EXAMPLE.parent / "forms", folder / "forms", dirs_exist_ok=True)
    (folder / mutant.file.relative_to(EXAMPLE.parent)).write_bytes(mutant.text)
    return folder / "community.yaml"


_VOCABULARIES: dict[frozenset[str], Vocabulary] = {}


def checked(path: Path) -> list[str]:
    """The problems ``sanshe check-config`` would print (none: the file is accepted)."""
    file = CommunityFile.read(path)
    disabled = frozenset(file.disabled_plugins)
    if disabled not in _VOCABULARIES:
        _VOCABULARIES[disabled] = vocabulary(plugin_manager(disabled))
    try:
        file.check(_VOCABULARIES[disabled])
    except ConfigError as exc:
        return [str(p) for p in exc.problems]
    return []


#: What YAML reads as a line break (YAML 1.1, PyYAML's reader).
YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def misplaced(problems: list[str], folder: Path) -> list[str]:
    """The problems without ``file:line:col: sentence``, or with a line outside that file."""
    wrong = []
    for problem in problems:
        match = PROBLEM.fullmatch(problem)
        if match is None:
            wrong.append(problem)
            continue
        file = Path(match["file"])
        file = file if file.is_absolute() else folder / file
        # lines as YAML counts them (a mutated byte may make a U+2028 or NEL: a line break
        # there too); the end counts
        text = file.read_bytes().decode("utf-8", "replace") if file.exists() else ""
        lines = len(YAML_BREAK.findall(text)) + 2 if file.exists() else 1
        if not 1 <= int(match["line"]) <= lines or int(match["column"]) < 1:
            wrong.append(problem)
    return wrong


@settings(FUZZ, max_examples=700)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_any_mutation_of_the_example_is_accepted_or_refused_in_sentences(seed: int) -> None:
    figures = tally("yaml mutations (in-process)")
    mutant = mutated(random.Random(seed))
    figures.update(tried=1, tracebacks=0, hangs=0)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = copy_with(folder, mutant)
        pool = concurrent.futures.ThreadPoolExecutor(1)
        try:
            problems = pool.submit(checked, path).result(timeout=HANG_GUARD)
        except concurrent.futures.TimeoutError:
            figures["hangs"] += 1
            raise AssertionError(f"seed {seed} ({mutant.steps}): no answer") from None
        except Exception:
            figures["tracebacks"] += 1
            raise
        finally:
            pool.shutdown(wait=False)  # a hung check must not hang the test run too
        figures["refused" if problems else "accepted"] += 1
        wrong = misplaced(problems, folder)
        figures["problems without file:line:col"] += len(wrong)
        assert not wrong, f"seed {seed} ({mutant.steps}): {wrong}"


def test_check_config_answers_mutated_files_with_exit_0_or_1_and_no_traceback(
    tmp_path: Path,
) -> None:
    figures = tally("yaml mutations (sanshe check-config)")
    seeds = range(30)
    paths = []
    expected = {}
    for seed in seeds:
        folder = tmp_path / f"m{seed}"
        folder.mkdir()
        path = copy_with(folder, mutated(random.Random(seed)))
        paths.append(str(path.relative_to(tmp_path)))
        expected[paths[-1]] = len(checked(path))
    result = subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", "check-config", *paths],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "SANSHE_LANG": "en"},
        timeout=HANG_GUARD * 2,
    )
    figures["tried"] += len(paths)
    figures["tracebacks"] += ("Traceback" in result.stdout + result.stderr) * 1
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-2000:]
    assert result.returncode == (1 if any(expected.values()) else 0), result.stderr[-2000:]
    counts = {}
    for line in result.stdout.splitlines():
        if line.startswith("OK: "):
            counts[line[4:]] = 0
        elif m := re.fullmatch(r"(.+\.yaml): (\d+) problems? found; nothing was loaded\.", line):
            counts[m[1]] = int(m[2])
        else:
            assert PROBLEM.fullmatch(line), line
    figures["problems without file:line:col"] += len(
        misplaced(
            [line for line in result.stdout.splitlines() if PROBLEM.fullmatch(line)], tmp_path
        )
    )
    assert counts == expected


def test_the_example_gives_every_setting_the_fuzz_must_reach() -> None:
    assert {key for _file, _n, key in setting_lines()} == set(SETTINGS)


@settings(FUZZ, max_examples=150)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_any_value_of_a_setting_is_accepted_or_refused_in_sentences(seed: int) -> None:
    figures = tally("yaml settings (" + ", ".join(SETTINGS) + ")")
    mutant, line, value = setting_mutated(random.Random(seed))
    figures.update(tried=1, tracebacks=0)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        try:
            problems = checked(copy_with(folder, mutant))
        except Exception:
            figures["tracebacks"] += 1
            raise
        figures["refused" if problems else "accepted"] += 1
        wrong = misplaced(problems, folder)
        key = mutant.steps[0].split(":", 1)[0]
        named = value.startswith("[") and "nobody" in value and key in ROLE_SETTINGS
        here = f"{mutant.file.name}:{line}:"
        if named and "duplicate" not in mutant.steps:
            if not any(here in p and "nobody" in p for p in problems):
                wrong.append(f"no problem at {here} names the unknown role: {problems}")
        if value in DRILL_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            if not any(here in p and key in p for p in problems):
                wrong.append(f"no problem at {here} names the drills setting {key}: {problems}")
        if value in HANDOVER_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            if not any(here in p and key in p for p in problems):
                wrong.append(f"no problem at {here} names the handover setting {key}: {problems}")
        if value in SHIFT_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            if not any(here in p and key.split(".")[-1] in p for p in problems):
                wrong.append(f"no problem at {here} names the shifts setting {key}: {problems}")
        if value == SHIFT_UNKNOWN.get(key) and "duplicate" not in mutant.steps:
            if not any(here in p and "“nobody”" in p for p in problems):
                wrong.append(f"no problem at {here} names the unknown {key} nobody: {problems}")
        if value in VOLUNTEER_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            if not any(here in p and key.split(".")[-1] in p for p in problems):
                wrong.append(f"no problem at {here} names the volunteers setting {key}: {problems}")
        if value in WARNING_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            if not any(here in p and key.split(".")[-1] in p for p in problems):
                wrong.append(f"no problem at {here} names the warnings setting {key}: {problems}")
        if value in INTAKE_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            named = "“nobody”" if value == "nobody" else key
            if not any(here in p and named in p for p in problems):
                wrong.append(f"no problem at {here} names the intake setting {key}: {problems}")
        if value in SANCTION_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            if not any(here in p and key in p for p in problems):
                wrong.append(f"no problem at {here} names the sanctions setting {key}: {problems}")
        if value in CRISIS_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            lexicon = key in ("crisis.add", "crisis.ignore")
            named = "“nobody”" if value == "[nobody]" else key.split(".")[-1]
            if not any(here in p and (lexicon or named in p) for p in problems):
                wrong.append(f"no problem at {here} names the crisis setting {key}: {problems}")
        if value in JOINING_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            named = "“nobody”" if value == "[nobody]" else key.split(".")[-1]
            if not any(here in p and named in p for p in problems):
                wrong.append(f"no problem at {here} names the joining setting {key}: {problems}")
        if value in NICKNAME_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            named = "“nobody”" if value == "[nobody]" else key.split(".")[-1]
            if not any(here in p and named in p for p in problems):
                wrong.append(f"no problem at {here} names the nicknames setting {key}: {problems}")
        if value in KNOWLEDGE_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            named = "“nobody”" if value == "[nobody]" else ""
            if not any(here in p and named in p for p in problems):
                wrong.append(
                    f"no problem at {here} refuses the knowledge {key} {value}: {problems}"
                )
        if value in CHECKIN_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            named = "“nobody”" if value == "[nobody]" else ""
            if not any(here in p and named in p for p in problems):
                wrong.append(
                    f"no problem at {here} refuses the check-ins' {key} {value}: {problems}"
                )
        if value in ERRAND_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            named = "“nobody”" if value == "[nobody]" else ""
            if not any(here in p and named in p for p in problems):
                wrong.append(f"no problem at {here} refuses the errands' {key} {value}: {problems}")
        if value in OBSERVATION_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            named = "“nobody”" if value == "[nobody]" else ""
            if not any(here in p and named in p for p in problems):
                wrong.append(
                    f"no problem at {here} refuses the observation's {key} {value}: {problems}"
                )
        if value in FEEDBACK_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            named = "“nobody”" if value == "[nobody]" else ""
            if not any(here in p and named in p for p in problems):
                wrong.append(f"no problem at {here} refuses the feedback {key} {value}: {problems}")
        if value in SUMMARY_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            named = "“nobody”" if value in ("nobody", "[nobody]") else ""
            if not any(here in p and named in p for p in problems):
                wrong.append(f"no problem at {here} refuses the summary {key} {value}: {problems}")
        if value in BUILDING_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            if not any(here in p for p in problems):
                wrong.append(f"no problem at {here} refuses the building's {key}: {problems}")
        if value in ESCALATION_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            if not any(here in p for p in problems):
                wrong.append(f"no problem at {here} refuses escalates_to {value}: {problems}")
        if key in QUESTION_KINDS and "duplicate" not in mutant.steps:
            if not any(here in p for p in problems):
                wrong.append(
                    f"no problem at {here} refuses the questions' kind {value}: {problems}"
                )
        if value in FIELD_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            if not any(here in p for p in problems):
                wrong.append(f"no problem at {here} refuses the field's {key} {value}: {problems}")
        if value in RULE_REFUSED.get(key, ()) and "duplicate" not in mutant.steps:
            if not any(here in p for p in problems):
                wrong.append(f"no problem at {here} refuses the rule's {key} {value}: {problems}")
        if key in VOLUNTEER_NAMES and value == "nobody" and "duplicate" not in mutant.steps:
            if not any(here in p and "“nobody”" in p for p in problems):
                wrong.append(f"no problem at {here} names the unknown {key} nobody: {problems}")
        if (
            key in SCHEDULE_SETTINGS
            and value in SCHEDULE_REFUSED
            and "duplicate" not in mutant.steps
        ):
            if not any(here in p for p in problems):
                wrong.append(f"no problem at {here} refuses {key} {value}: {problems}")
        if key == "retention_days" and value in ("0", "-1", "2.5", "three", "[3]"):
            if "duplicate" not in mutant.steps and not any(here in p for p in problems):
                wrong.append(f"no problem at {here} refuses retention_days {value}: {problems}")
        if key == "key_file" and value in KEY_FILE_REFUSED and "duplicate" not in mutant.steps:
            if not any(here in p and key in p for p in problems):
                wrong.append(f"no problem at {here} names {key}: {problems}")
        figures["problems without file:line:col"] += len(wrong)
        assert not wrong, f"seed {seed} ({mutant.steps}): {wrong}"
