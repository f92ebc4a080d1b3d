"""The config loader: the example loads, and each kind of mistake is refused with file:line:col."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from sanshe.core.commands import ChatCommand
from sanshe.core.config import ConfigError, config_translator, load_community
from sanshe.core.contributions import vocabulary
from sanshe.core.hookspecs import hookimpl
from sanshe.core.i18n import Translator
from sanshe.core.plugins import plugin_manager
from sanshe.testing import Sandbox
from tests.conftest import example_text, write_community

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
    assert len(community.forms) == 10  # the guide's eight, the help request, return to work
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
        BASE
        + "forms:\n  - id: f\n    title: F\n    fields: [{id: a, label: A, pattern: '^1-(\\d+$'}]\n",
        15,
        41,
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
        BASE.replace("  name: Test\n", "  name: Test\n  admins: [community_worker, boss]\n"),
        4,
        30,
        "Unknown role “boss”",
        id="unknown-admin-role",
    ),
    pytest.param(
        BASE.replace("  name: Test\n", "  name: Test\n  dead_letter_after: 0\n"),
        4,
        22,
        "“dead_letter_after” must be greater than 0",
        id="no-tries",
    ),
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


def test_the_admins_are_the_community_wide_holders_of_the_admin_roles(tmp_path: Path) -> None:
    people = """\
  - {id: li, roles: [community_worker]}
  - {id: zhao, roles: [{role: community_worker, groups: [b1]}]}
  - {id: party, roles: [party_secretary]}
roles:
  - {id: party_secretary}
"""
    default = load_community(write_community(tmp_path, BASE + people))
    assert [p.id for p in default.admins()] == ["li"]
    named = BASE.replace(
        "  name: Test\n", "  name: Test\n  admins: [party_secretary, social_worker]\n"
    )
    chosen = load_community(write_community(tmp_path, named + people))
    assert [p.id for p in chosen.admins()] == ["wang", "party"]
    assert chosen.community.dead_letter_after == 3


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


RULE = "rules:\n  - id: r\n    when: {%s}\n    do: [delete]\n"
FIELD = "forms:\n  - id: f\n    title: F\n    fields:\n      - {id: a, type: number, %s}\n"

# Files that once made check-config raise (issue 8, item 9): each is now a sentence at its place.
UNREADABLE = [
    pytest.param(
        BASE + RULE % "personal_data: [[phone]]", 14, 27, "takes a list of", id="list-for-a-name"
    ),
    pytest.param(BASE.replace("Building 1", "Building \xff1"), 7, 20, "not UTF-8", id="not-utf8"),
    pytest.param(BASE.replace("Building 1", "Building\x001"), 7, 19, "U+0000", id="nul"),
    pytest.param(BASE.replace("Building 1", "Building\x071"), 7, 19, "U+0007", id="control"),
    pytest.param(
        BASE + "kinds: &k\n  - id: k\n    name: *k\n",
        14,
        11,
        "cannot contain itself",
        id="self-alias",
    ),
    pytest.param(BASE + "storage:\n  <<: 5\n", 13, 7, "“<<” takes", id="merge-5"),
    pytest.param(
        BASE.replace("name: Test", "name: !!python/name:os.system"),
        3,
        9,
        "“!!python/name:os.system” is a Python tag and is refused",
        id="python-tag",
    ),
    pytest.param(
        BASE.replace("  name: Test", "  !!python/object:x name: Test"),
        3,
        3,
        "“!!python/object:x” is a Python tag",
        id="tag-on-a-key",
    ),
    pytest.param(BASE.replace("  name: Test", "  !!str name: Test"), 0, 0, "", id="str-tag-fine"),
    pytest.param(
        BASE.replace("capacity", "x")
        + "  - id: b2\n    kind: resident\n    name: B\n    capacity: "
        + "9" * 5000
        + "\n",
        15,
        15,
        "cannot be read",
        id="huge-number",
    ),
    pytest.param(
        BASE + "storage: {db_url: 2020-13-45}\n", 12, 19, "cannot be read", id="impossible-date"
    ),
    pytest.param(BASE + "---\nmore: 1\n", 12, 1, "holds one document", id="two-documents"),
    pytest.param(BASE + "kinds: " + "[" * 150 + "]" * 150 + "\n", 12, 107, "100 levels", id="deep"),
    pytest.param(BASE + "? [a, b]\n: c\n", 12, 3, "plain word", id="list-as-key"),
]


@pytest.mark.parametrize(("text", "line", "column", "message"), UNREADABLE)
def test_unreadable_yaml_is_a_sentence_at_its_place(
    tmp_path: Path, text: str, line: int, column: int, message: str
) -> None:
    path = tmp_path / "community.yaml"
    path.write_bytes(text.encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    if not message:
        assert load_community(path, vocabulary(plugin_manager())).community.name == "Test"
        return
    with pytest.raises(ConfigError) as info:
        load_community(path, vocabulary(plugin_manager()))
    problems = [str(p) for p in info.value.problems]
    matching = [p for p in problems if message in p]
    assert matching, f"no problem says {message!r}: {problems}"
    assert f"community.yaml:{line}:{column}: " in matching[0], matching[0]


def test_a_merge_key_gives_defaults_that_the_mapping_overrides(tmp_path: Path) -> None:
    text = BASE.replace(
        "groups:\n  - id: b1\n    kind: resident\n    name: Building 1\n",
        "groups:\n  - &building {id: b1, kind: resident, name: Building 1, capacity: 10}\n"
        "  - <<: *building\n    id: b2\n    capacity: 20\n",
    )
    community = load_community(write_community(tmp_path, text), vocabulary(plugin_manager()))
    assert [(g.id, g.name, g.capacity) for g in community.groups] == [
        ("b1", "Building 1", 10),
        ("b2", "Building 1", 20),
    ]


def test_yes_no_on_off_are_words_as_a_moderator_means_them(tmp_path: Path) -> None:
    """`on: join_request` (as the README writes it) is a key, `yes` a keyword; `join_approval: no` is false."""
    text = BASE.replace(
        "    name: Building 1\n", "    name: Building 1\n    join_approval: no\n"
    ) + (
        "rules:\n"
        "  - id: greet\n"
        "    on: member_joined\n"
        "    do: [{reply: hello}]\n"
        "  - id: off\n"
        "    when: {keywords: [yes, on]}\n"
        "    do: [delete]\n"
    )
    community = load_community(write_community(tmp_path, text), vocabulary(plugin_manager()))
    assert [(r.id, r.on) for r in community.rules] == [
        ("greet", "member_joined"),
        ("off", "message"),
    ]
    assert community.rules[1].when == {"keywords": ["yes", "on"]}
    assert community.groups[0].join_approval is False


def test_an_alias_bomb_is_refused_with_a_sentence(tmp_path: Path) -> None:
    """Nine levels of ten aliases each would expand to a billion values."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 10):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    text = BASE + "adapters:\n  console:\n" + "".join(f"    {line}\n" for line in lines)
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert "expand to more than" in problems[0] and "community.yaml:18:59: " in problems[0]


def test_a_rule_that_does_nothing_is_refused(tmp_path: Path) -> None:
    text = BASE + "rules:\n  - id: idle\n    when: {keywords: [x]}\n    do: []\n"
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert problems[0].endswith("community.yaml:15:9: “do” needs at least 1 item.")


def test_conditions_refuse_unknown_roles(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, BASE + RULE % "not_sender_role: [social_worker, typo]")
    assert len(problems) == 1
    assert "community.yaml:14:29: Unknown role “typo”" in problems[0]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("label: A, min: 10, max: 1", "“min” (10.0) is greater than “max” (1.0)"),
        ("label: {}", "“label” must be text"),
        ("label: ''", "“label” must not be empty"),
        ("label: A, max: .nan", "“max” must be a number"),
    ],
)
def test_a_field_no_answer_could_pass_is_refused(tmp_path: Path, field: str, message: str) -> None:
    problems = problems_of(tmp_path, BASE + FIELD % field)
    assert len(problems) == 1 and message in problems[0], problems
    assert "community.yaml:16:" in problems[0]


def test_an_unknown_key_does_not_hide_the_other_mistakes(tmp_path: Path) -> None:
    text = (
        BASE.replace("    name: Building 1\n", "    name: Building 1\n    adminz: [x]\n")
        .replace("roles: [social_worker]", "roles: [social_wroker]")
        .replace("  name: Test\n", "  name: Test\n  timezone: Mars/Olympus\n")
        + "  - id: li\n    handles: {console: [li]}\n"
        + "  - id: wu\n    roles: [{role: expert, groups: [b9]}]\n"
        + RULE % "keywords: [x]"
    ).replace("do: [delete]", "do: [explode]")
    problems = problems_of(tmp_path, text)
    expected = [
        ("community.yaml:4:13:", "Unknown time zone “Mars/Olympus”"),
        ("community.yaml:9:5:", "Unknown setting “adminz”"),
        ("community.yaml:13:13:", "Unknown role “social_wroker”"),
        ("community.yaml:15:24:", "“console” must be text"),
        ("community.yaml:17:37:", "There is no group “b9”"),
        ("community.yaml:21:10:", "Unknown rule action “explode”"),
    ]
    assert len(problems) == len(expected), problems
    for (place, message), problem in zip(expected, problems, strict=True):
        assert f"/{place}" in problem and message in problem, (place, message, problem)


def test_an_invalid_item_causes_no_knock_on_mistakes(tmp_path: Path) -> None:
    """A group refused for its capacity is not reported again as missing where it is named."""
    text = BASE.replace("    name: Building 1\n", "    name: Building 1\n    capacity: lots\n")
    text = text.replace("roles: [social_worker]", "roles: [{role: building_leader, groups: [b1]}]")
    problems = problems_of(tmp_path, text + "roles: 5\n")
    assert len(problems) == 2, problems
    assert "“capacity” must be a whole number" in problems[0]
    assert "“roles” must be a list" in problems[1]


def test_check_config_reads_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sanshe.core import cli, yamlmarks

    (tmp_path / "forms").mkdir()
    for name in ("a", "b"):
        (tmp_path / "forms" / f"{name}.yaml").write_text(
            f"id: {name}\ntitle: F\nfields:\n  - {{id: q, label: Q}}\n", encoding="utf-8"
        )
    path = write_community(tmp_path, BASE + "forms: [forms/*.yaml]\nplugins: {disable: [forms]}\n")
    read: list[str] = []
    load = yamlmarks.load

    def counting(file: Path, shown_as: str | None = None) -> yamlmarks.MarkedDocument:
        read.append(Path(file).name)
        return load(file, shown_as)

    monkeypatch.setattr(yamlmarks, "load", counting)
    assert cli.main(["check-config", str(path)]) == 0
    assert "OK" in capsys.readouterr().out
    assert sorted(read) == ["a.yaml", "b.yaml", "community.yaml"]


# -- reloading -------------------------------------------------------------------------------

EXAMPLE_TEXT = example_text()

BROKEN_RELOADS = {
    "python-tag": EXAMPLE_TEXT.replace("name: 阳光社区", "name: !!python/name:os.system"),
    "nul": EXAMPLE_TEXT.replace("name: 阳光社区", "name: 阳光\x00社区"),
    "list-for-a-name": EXAMPLE_TEXT.replace("personal_data: [", "personal_data: [[", 1).replace(
        "id_number]", "id_number]]", 1
    ),
    "self-alias": EXAMPLE_TEXT.replace("kinds:\n", "kinds: &k\n", 1).replace(
        "member_role: resident", "member_role: *k", 1
    ),
    "merge-5": EXAMPLE_TEXT.replace("storage:\n", "storage:\n  <<: 5\n", 1),
    "tag-on-a-key": EXAMPLE_TEXT.replace("  name: 阳光社区", "  !!python/object:x name: x", 1),
    "unknown-role": EXAMPLE_TEXT.replace("roles: [community_worker]", "roles: [typo]", 1),
    "alias-bomb": EXAMPLE_TEXT
    + "adapters:\n  console:\n    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"    a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]\n" for n in range(1, 10)),
}


def _line(stream: Any, what: str) -> str:
    """The next line of ``stream``; a generous guard against a process that says nothing.

    Read in a thread: ``select`` on a buffered pipe misses lines already in its buffer.
    """
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(60)
    assert got, f"nothing came while waiting for {what}"
    return got[0]


def test_a_broken_file_on_sighup_is_refused_in_a_sentence_and_the_bot_runs_on(
    tmp_path: Path,
) -> None:
    config = write_community(tmp_path, EXAMPLE_TEXT)
    process = subprocess.Popen(
        [sys.executable, "-m", "sanshe.core.cli", "run", "--config", str(config)]
        + ["--db", f"sqlite://{tmp_path}/r.sqlite3"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SANSHE_LANG": "en"},
    )
    assert process.stdin and process.stdout and process.stderr
    try:
        process.stdin.write("wang@focus-1: /groupinfo\n")
        process.stdin.flush()
        assert _line(process.stdout, "the bot to start").startswith("reply focus-1: 聚焦服务群")
        for n, (name, text) in enumerate(BROKEN_RELOADS.items()):
            config.write_bytes(text.encode())
            process.send_signal(signal.SIGHUP)
            logged = _line(process.stderr, f"the reload of {name}")
            while "reload" not in logged and "Traceback" not in logged:
                logged = _line(process.stderr, f"the reload of {name}")
            assert "ERROR" in logged and "reload refused, keeping the running config: " in logged, (
                name,
                logged,
            )
            assert re.search(r"community\.yaml:\d+:\d+: ", logged), (name, logged)
            process.stdin.write(f"wang@focus-1: /groupinfo {n}\n")
            process.stdin.flush()
            answer = _line(process.stdout, f"the answer after {name}")
            assert answer.startswith("reply focus-1: 聚焦服务群"), (name, answer)
        process.stdin.close()
        assert process.wait(timeout=60) == 0
        assert "Traceback" not in process.stderr.read()
    finally:
        process.kill()
        process.wait()


async def test_the_bot_answers_while_a_reload_reads_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sanshe.core import yamlmarks

    config = write_community(tmp_path, EXAMPLE_TEXT)
    async with Sandbox(config) as sandbox:
        reading = threading.Event()
        may_finish = threading.Event()
        load = yamlmarks.load

        readers: list[threading.Thread] = []

        def slow(file: Path, shown_as: str | None = None) -> yamlmarks.MarkedDocument:
            readers.append(threading.current_thread())
            reading.set()
            may_finish.wait(10)
            return load(file, shown_as)

        monkeypatch.setattr(yamlmarks, "load", slow)
        reloading = asyncio.ensure_future(sandbox.bot.reload())
        while not reading.is_set():
            await asyncio.sleep(0.01)
        answer = sandbox.texts(await sandbox.send("maria", "focus-1", "/groupinfo"))
        assert answer[0].startswith("聚焦服务群") and not reloading.done()
        may_finish.set()
        assert await reloading == []
        assert readers and threading.main_thread() not in readers  # read off the event loop


async def test_a_reload_applies_plugins_disable_and_keeps_extra_plugins(tmp_path: Path) -> None:
    config = write_community(tmp_path, EXAMPLE_TEXT)

    class Ping:
        """A plugin registered from outside, as a test kit's or an adapter's."""

        @hookimpl
        def sanshe_commands(self) -> list[ChatCommand]:
            return [ChatCommand("ping", lambda ctx: ctx.reply("pong"), help="ping.help")]

    def commands(texts: list[str]) -> set[str]:
        return set(re.findall(r"/(\w+)", texts[0]))

    async with Sandbox(config, plugins=[Ping()]) as sandbox:
        before = commands(sandbox.texts(await sandbox.send("wang", "dm", "/help")))
        assert {"form", "ping"} <= before
        config.write_text(
            EXAMPLE_TEXT.replace("  disable: []", "  disable: [forms]", 1),
            encoding="utf-8",
        )
        assert "disable: [forms]" in config.read_text(encoding="utf-8")
        assert await sandbox.bot.reload() == []
        after = commands(sandbox.texts(await sandbox.send("wang", "dm", "/help")))
        assert after < before and before - after == {"form", "填表"}
        [unknown] = sandbox.texts(await sandbox.send("wang", "dm", "/form volunteer_registration"))
        assert "/form" in unknown and "/help" in unknown
        assert sandbox.texts(await sandbox.send("wang", "dm", "/ping")) == ["pong"]
        config.write_text(EXAMPLE_TEXT, encoding="utf-8")
        assert await sandbox.bot.reload() == []
        again = commands(sandbox.texts(await sandbox.send("wang", "dm", "/help")))
        assert again == before


async def test_an_unexpected_reload_failure_logs_no_text_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The exception's message may quote the file (a phone number in a name): only its type is logged."""

    def broken(*_args: object) -> None:
        raise RuntimeError("13812345678")

    async with Sandbox(write_community(tmp_path, BASE)) as s:
        monkeypatch.setattr("sanshe.core.bot._read_again", broken)
        [problem] = await s.bot.reload()
    assert "RuntimeError" in problem and "13812345678" not in problem
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("sanshe")]
    assert any("reload refused" in m for m in logged)
    assert not any("13812345678" in m for m in logged)


# -- warnings: a file that loads, but does something nobody would want -------------------------


@pytest.mark.parametrize(
    ("yaml", "english", "chinese"),
    [
        pytest.param(
            BASE.replace("  name: Test\n", "  name: Test\n  admins: []\n"),
            "community.admins is empty, so notes for the admins (such as an event set aside"
            " as a dead letter) reach nobody.",
            "community.admins 为空，发给管理员的通知（例如被搁置的无法处理的事件）将无人收到。",
            id="no-admin-roles",
        ),
        pytest.param(
            BASE,  # wang is a social worker; the admins are the community workers: nobody
            "Nobody holds a role of community.admins (community_worker) community-wide, so"
            " notes for the admins (such as an event set aside as a dead letter) reach nobody.",
            "没有人在全社区范围担任 community.admins 中的角色（community_worker），"
            "发给管理员的通知（例如被搁置的无法处理的事件）将无人收到。",
            id="no-holder",
        ),
        pytest.param(
            BASE.replace(
                "  name: Test\n", "  name: Test\n  admins: [community_worker, party_secretary]\n"
            ),
            "Nobody holds a role of community.admins (community_worker, party_secretary)",
            "没有人在全社区范围担任 community.admins 中的角色（community_worker、party_secretary）",
            id="no-holder-of-two",
        ),
    ],
)
def test_check_config_warns_when_admin_notes_would_reach_nobody(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    yaml: str,
    english: str,
    chinese: str,
) -> None:
    """Not a failure (a new community may name its admins later), but said on stderr."""
    from sanshe.core import cli

    path = write_community(tmp_path, yaml + "roles:\n  - {id: party_secretary, name: 书记}\n")
    monkeypatch.setenv("SANSHE_LANG", "en")
    assert cli.main(["check-config", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "OK" in out and english not in out
    assert f"{path.name}:" in err and english in err, err
    monkeypatch.setenv("SANSHE_LANG", "zh_CN")
    assert cli.main(["check-config", str(path)]) == 0
    assert chinese in capsys.readouterr().err


def test_check_config_says_nothing_more_when_an_admin_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sanshe.core import cli

    path = write_community(tmp_path, BASE.replace("[social_worker]", "[community_worker]"))
    monkeypatch.setenv("SANSHE_LANG", "en")
    assert cli.main(["check-config", str(path)]) == 0
    assert "admins" not in capsys.readouterr().err


def test_lists_in_problems_are_joined_in_the_readers_language(tmp_path: Path) -> None:
    """An unknown role, kind, field type or plugin lists the known ones: 、 in Chinese."""
    text = BASE.replace("roles: [social_worker]", "roles: [social_wroker]")
    text = text.replace("kind: resident", "kind: residents")
    path = write_community(tmp_path, text)
    catalogue = config_translator().catalogue
    with pytest.raises(ConfigError) as english:
        load_community(path, _=Translator(catalogue, "en"))
    with pytest.raises(ConfigError) as chinese:
        load_community(path, _=Translator(catalogue, "zh_CN"))
    assert "community_worker, " in str(english.value) and "、" not in str(english.value)
    assert "community_worker、" in str(chinese.value), chinese.value
    assert "resident、" in str(chinese.value), chinese.value
    assert not re.search(r"[a-z_], [a-z_]", str(chinese.value)), chinese.value
