"""Fuzzed console lines and form answers, on SQLite and PostgreSQL, in-process and through `sanshe run`.

Properties, for every input line: a line that is not blank or a comment gets
an answer (an action on stdout, or ``error: line N`` on stderr); nothing logs a
traceback; nothing sent into a group, or to anyone but the sender, contains a
phone or ID number typed by someone; and a form dialog stores each answer in
the field it answered, never gets stuck on a valid answer, and ends as one
record holding exactly those answers.

Each test collects every failing line (with its line number and the example's
lines, to replay) and asserts at the end, so one run gives the full figures.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sanshe.adapters.console import ConsoleAdapter
from sanshe.core.actions import Action, DirectMessage, Reply, Send
from sanshe.core.answers import check_id_number
from sanshe.core.events import Event, Message, parse_command
from sanshe.core.model import Form, FormField
from sanshe.core.storage.models import FormSession, Record
from tests.conftest import EXAMPLE
from tests.fuzz.conftest import (
    FUZZ,
    ID_NUMBER,
    ID_NUMBER_X,
    PHONE,
    ConsoleRun,
    leaked,
    load,
    run_sync,
    tally,
)

# -- what people type --------------------------------------------------------------------

KNOWN = ("li", "zhang", "zhao", "chen", "liu", "zhou", "wang", "sun", "xu", "he", "ma", "gao")
STRANGERS = ("maria", "张三", "u" * 300, "a.b-c_d", "١٢٣", "x\u202ey")
GROUPS = (
    "building-1",
    "building-2",
    "building-3",
    "focus-1",
    "key-1",
    "prevention",
    "volunteers",
    "dispatch",
    "supervision",
    "tenants-1",
    "building-9",
    "群",
)
DM = "dm"
PERSONAL = (
    PHONE,
    "138 1234 5678",
    "138-1234-5678",
    "+86 13812345678",
    ID_NUMBER,
    ID_NUMBER_X,
    ID_NUMBER_X.lower(),
    "1101 0119 9003 0745 73",
)
ODD = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\u202e\u05e9\u05dc\u05d5\u05dd",
    "\u200b\u200d\ufeff",
    "\x1b[31mred\x1b[0m",
    "\x07\x08\x0b\x0c\x7f",
    "\u0085\u2028\u2029",
    "😀" * 50,
    "x" * 10_000,
    "好" * 5_000,
    "²①١٢٣",
    "1e999",
    "nan",
    "\r",
)
COMMANDS = (
    "help",
    "帮助",
    "start",
    "whoami",
    "我是谁",
    "groupinfo",
    "rules",
    "群规",
    "bind",
    "绑定",
    "reload",
    "form",
    "填表",
    "FORM",
    "form@bot",
    "help@sanshe_bot",
    "back",
    "skip",
    "cancel",
    "agree",
    "同意",
    "volunteer",
    "志愿者报名",
    "报名",
    "volunteers",
    "志愿者名单",
    "vet",
    "审核",
    "training",
    "培训",
    "trained",
    "已培训",
    "agreement",
    "保密协议",
    "dispatch",
    "派驻",
    "audit",
    "审计",
    "grant",
    "授权",
    "revoke",
    "撤销授权",
    "roles",
    "角色",
    "shifts",
    "班次",
    "排班",
    "claim",
    "认领",
    "release",
    "退班",
    "swap",
    "换班",
    "accept",
    "接班",
    "onduty",
    "在班",
    "值班",
    "arrive",
    "到岗",
    "handover",
    "交接",
    "hours",
    "时长",
    "certificate",
    "证明",
    "nicknames",
    "昵称",
    "群昵称",
    "warn",
    "警告",
    "warnings",
    "警告记录",
    "unwarn",
    "撤销警告",
    "mute",
    "禁言",
    "unmute",
    "解除禁言",
    "解禁",
    "remove",
    "移出",
    "踢出",
    "ban",
    "封禁",
    "unban",
    "解封",
    "解除封禁",
    "bans",
    "封禁名单",
    "approve",
    "批准",
    "decline",
    "拒绝",
    "households",
    "住户",
    "checkin",
    "打卡",
    "健康打卡",
    "observe",
    "观察",
    "居家观察",
    "report",
    "举报",
    "request",
    "求助",
    "我要求助",
    "refer",
    "转介求助",
    "ack",
    "收到",
    "确认",
    "case",
    "个案",
    "cases",
    "个案列表",
    "note",
    "跟进记录",
    "跟进",
    "close",
    "结案",
    "stats",
    "统计",
    "assess",
    "评估",
    "需求评估",
    "route",
    "分流",
    "conflict",
    "回避",
    "熟人回避",
    "transfer",
    "转介",
    "faq",
    "问答",
    "问答库",
    "resource",
    "资源",
    "资源地图",
    "suggest",
    "建议",
    "意见",
    "suggestions",
    "意见汇总",
    "建议汇总",
    "records",
    "记录",
    "record",
    "查看记录",
    "export",
    "导出",
    "vulnerable",
    "困难群体",
    "困难户",
    "area",
    "服务区域",
    "need",
    "代购",
    "代办",
    "take",
    "接单",
    "done",
    "完成",
    "nosuch",
    "halp",
)
ARGUMENTS = (
    "",
    PHONE,
    ID_NUMBER,
    "volunteer_registration",
    "confidentiality_agreement",
    "1 approve medical checked 证书已核验",
    "1 心理 已电话回访 明天 9点",
    "1 已好转",
    "#1",
    "overdue",
    "1 reject 资质不符",
    "1 focus-1",
    "1",
    "1 @wang",
    "tomorrow",
    "post",
    "daily_summary",
    "daily_summary 2026-12-01 2026-12-03 csv",
    "building-2",
    "focus-1",
    "nosuch-group",
    "record:1",
    "person:wang",
    "@wang",
    "@wang 2h 刷屏",
    "confirm",
    "a\x00b",
    "\ud800",
    "x" * 500,
    "1 2 3",
    "add 发烧怎么办 | 多喝水",
    "renew 1",
    "删除 1",
    "37.5 咳嗽",
    "add 1-302 独居老人 耳背",
    "add @wang elderly",
    "买药 降压药两盒",
    "@wang medicine 13812345678",
    "1-302 groceries rice",
    "东区",
    "@maria 14 武汉返回",
    "end 1",
    "need supplies 大米",
    "需要 快递 北门",
)
SLASHES = ("/", "//x", "/ ", "/ help", "/@", "/form@", "/@bot", "///", "/\x00", "/\ud800")
KEYWORDS = ("偏方", "内部消息", "呼吸困难", "想不开", "suicide", "can't breathe", "转发给所有人")

no_newline = st.text(max_size=80).map(lambda s: s.replace("\n", " "))


def _join(parts: list[str]) -> str:
    return " ".join(parts)


texts = st.one_of(
    st.builds(
        lambda c, a: f"/{c} {a}".rstrip(" "), st.sampled_from(COMMANDS), st.sampled_from(ARGUMENTS)
    ),
    st.builds(lambda c, a: f"/{c} {a}", st.sampled_from(COMMANDS), no_newline),
    st.sampled_from(SLASHES),
    st.builds(lambda a, p, b: f"{a}{p}{b}", no_newline, st.sampled_from(PERSONAL), no_newline),
    st.builds(lambda k, t: f"{t}{k}", st.sampled_from(KEYWORDS), no_newline),
    st.lists(st.sampled_from(ODD + KEYWORDS + PERSONAL), min_size=1, max_size=3).map(_join),
    no_newline,
)
handles = st.one_of(
    st.sampled_from(KNOWN + STRANGERS),
    st.text(
        st.characters(exclude_characters="@:!\n", exclude_categories=("Zs", "Cc")),
        min_size=1,
        max_size=20,
    ),
)
chats = st.one_of(st.sampled_from((*GROUPS, DM, DM, DM)), st.text(min_size=1, max_size=12))
events = st.one_of(
    st.builds(lambda h, c, t: f"{h}@{c}: {t}", handles, chats, texts),
    st.builds(lambda h, c, t: f"{h}@{c}:{t}", handles, chats, texts),
    st.builds(
        lambda h, c, w, t: f"{h}@{c}! {w} {t}".rstrip(" "),
        handles,
        st.sampled_from(GROUPS),
        st.sampled_from(("join", "joined", "left", "rename", "button", "reply", "jump", "")),
        st.one_of(st.just(""), no_newline, st.sampled_from(ODD)),
    ),
)
malformed = st.one_of(
    no_newline,
    st.sampled_from(
        ("@", "@dm: x", "maria@: x", "maria dm: x", "maria@dm", ":as maria", ":in building-1")
    ),
    st.sampled_from(("", "   ", "# a comment", "  # indented comment", "\t")),
)
#: One console line: mostly well-formed events, some garbage; never a line break inside.
console_lines = st.one_of(events, events, events, malformed).map(lambda s: s.replace("\n", " "))


def skipped(line: str) -> bool:
    """Blank lines and comments, which the console ignores by design."""
    return not line.strip() or line.lstrip().startswith("#")


# -- checking a console run ------------------------------------------------------------


@dataclass
class Findings:
    """Failures of one generator, grouped by what went wrong; the first of each with its replay."""

    generator: str
    seen: Counter[tuple[str, str]] = field(default_factory=Counter)
    first: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        return [f"{count} x {kind}: {what}" for (kind, what), count in self.seen.items()]

    def add(
        self, kind: str, what: str, number: int, line: str, detail: str, lines: list[str]
    ) -> None:
        """One failing line: ``what`` names the failure (lines alike in it are counted together)."""
        tally(self.generator)[kind] += 1
        key = (kind, re.sub(r"\d+", "#", what)[:160])
        self.seen[key] += 1
        if key not in self.first:
            self.first[key] = (
                f"line {number} {line[:200]!r}: {detail[:300]}\n      replay: {lines!r}"[:2500]
            )

    def report(self) -> str:
        figures = ", ".join(f"{k} {v}" for k, v in sorted(tally(self.generator).items()))
        found = [
            f"{count} x {kind}: {what}\n    first: {self.first[(kind, what)]}"
            for (kind, what), count in self.seen.most_common()
        ]
        return f"{self.generator}: {figures}\n" + "\n".join(found)


GROUP_IDS = frozenset(GROUPS[:10])


def shape(event: Event | None, line: str) -> str:
    """What kind of line this is, in words (to count failing lines of one kind together)."""
    if event is None:
        return "a malformed line"
    where = (
        "a private chat"
        if event.direct
        else ("a known group" if event.chat in GROUP_IDS else "an unknown group")
    )
    who = "a known person" if event.sender in KNOWN else "an unknown person"
    if isinstance(event, Message):
        command = parse_command(event.text)
        text = (
            f"/{command.name}"
            if command and command.name in COMMANDS
            else "an unknown /command"
            if command
            else "a lone '/' or '/ ...'"
            if event.text.startswith("/")
            else "an empty message"
            if not event.text.strip()
            else "a plain message"
        )
        return f"{text} from {who} in {where}"
    return f"{type(event).__name__} from {who} in {where}"


def _texts_of(action: Action) -> str:
    text = getattr(action, "text", "") or ""
    for button in getattr(action, "buttons", ()):
        text += f" {button.label} {button.data}"
    return text


def _to_sender_only(action: Action, sender: str) -> bool:
    """Whether ``action`` is seen by the sender alone (their private chat with the bot)."""
    if isinstance(action, DirectMessage):
        return action.user == sender
    if isinstance(action, (Reply, Send)):
        return action.chat == f"dm:{sender}"
    return False


def _id(chat: str) -> str:
    """A chat id as storage can hold it: NUL and lone surrogates (only a console line can carry
    them) become U+FFFD; every other character must stay exact."""
    return re.sub("[\x00\ud800-\udfff]", "\ufffd", chat)


#: Longer than "a short excerpt": a stretch of the person's text this long must not come back.
ECHO = 30


def echoes(typed: str, said: str) -> bool:
    """Whether ``said`` repeats a stretch of ``typed`` longer than a short excerpt."""
    typed = typed.strip()
    return any(typed[i : i + ECHO] in said for i in range(0, len(typed) - ECHO + 1, 7))


def check_run(run: ConsoleRun, lines: list[str], findings: Findings) -> None:
    """Check every line of a run: answered, no traceback, no personal data to others."""
    counts = tally(findings.generator)
    by_line: dict[int, list[Action]] = {}
    for number, action in run.actions:
        by_line.setdefault(number, []).append(action)
    for number, line in enumerate(lines, start=1):
        counts["tried"] += 1
        out, err = run.output(number)
        event = run.events.get(number)
        for problem in run.tracebacks(number):
            findings.add("tracebacks", problem, number, line, problem, lines)
        if not skipped(line) and not out and not err:
            findings.add("unanswered", shape(event, line), number, line, "no output", lines)
        elif isinstance(event, Message) and event.direct and not by_line.get(number):
            # The console's own note ("nothing to say") is no answer to a private message.
            if not any(message.startswith("error:") for message in err):
                what = f"private {shape(event, line)}"
                findings.add("unanswered", what, number, line, "no bot reply", lines)
        for message in err:
            if not re.match(rf"\w+: line {number}\b", message) and not run.tracebacks(number):
                what = f"stderr says {message[:60]!r}"
                findings.add("wrong answers", what, number, line, message, lines)
        for action in by_line.get(number, []):
            private = event is not None and _to_sender_only(action, event.sender)
            said = _texts_of(action)
            where = getattr(action, "chat", None) or getattr(action, "user", "?")
            what = f"{type(action).__name__} after {shape(event, line)}: {said[:40]!r}"
            found = leaked(said)
            if found and not private:
                findings.add("leaks", what, number, line, f"{found} to {where}: {action!r}", lines)
            if isinstance(event, Message) and not private and echoes(event.text, said):
                findings.add("leaks", f"echo: {what}", number, line, f"to {where}", lines)
            if isinstance(action, Reply) and event is not None and action.chat != _id(event.chat):
                what = "a reply went to another chat than the message's"
                detail = f"{event.chat!r} -> {action.chat!r}: {action!r}"
                findings.add("wrong answers", what, number, line, detail, lines)
    for number in {n for n, _ in run.actions} - set(range(1, len(lines) + 1)):
        findings.add("wrong answers", "an action for no input line", number, "?", "", lines)


# -- the console in-process, on SQLite and on PostgreSQL ------------------------------


#: The lines issue 8 names, tried first in every run (then the generated ones).
ISSUE_LINES = [
    f"maria@building-1: /form {PHONE}",
    f"maria@building-1: /form {ID_NUMBER}",
    f"maria@building-1! join {PHONE}",
    f"maria@building-1: 我的电话 138 1234 5678，身份证 {ID_NUMBER_X}",
    f"maria@building-1: \u202e{PHONE}",
    "maria@dm: /form a\x00b",
    "maria@dm: hello",
    "maria@dm: /",
    "maria@building-1: /",
    "maria@building-1: //x",
    "maria@building-1: /form@bot",
    "maria@building-1: /bind",
    "maria@building-1: /reload",
    "maria@building-9: hi",
    "nobody@building-1: hi",
    "maria@building-1! button x",
    "u" * 255 + "@dm: hi",
    "maria@building-1: " + "x" * 10_000,
    "maria@dm: /form confidentiality_agreement",
    "maria@dm: 阳光\x00社工站",
    "maria@dm: \ud800",
    "maria@dm: nan",
    "maria@dm: 13812345678",
    "maria@dm: /cancel",
    "maria@dm: \xff\xfe",
]


def _fuzz_console(db_url: str, generator: str, examples: int) -> Findings:
    findings = Findings(generator)

    @settings(FUZZ, max_examples=examples)
    @given(st.lists(console_lines, min_size=40, max_size=80))
    @example(ISSUE_LINES)
    def one_run(lines: list[str]) -> None:
        check_run(run_sync(EXAMPLE, db_url, lines), lines, findings)

    one_run()
    return findings


def test_console_lines_on_sqlite() -> None:
    findings = _fuzz_console("sqlite://:memory:", "console lines, SQLite", 70)
    assert not findings.problems, findings.report()


def test_console_lines_on_postgres(postgres_url: str) -> None:
    findings = _fuzz_console(postgres_url, "console lines, PostgreSQL", 30)
    assert not findings.problems, findings.report()


# -- form answers --------------------------------------------------------------------

FUZZ_FORM = "fuzz_every_field"
_FORM_YAML = f"""
  - id: {FUZZ_FORM}
    title: {{zh_CN: 字段测试表, en: Every kind of field}}
    intro: {{zh_CN: 我同意以上条款。, en: I agree to these terms.}}
    fill: anyone
    view: [social_worker]
    fields:
      - {{id: name, type: text, label: {{zh_CN: 姓名, en: Name}}}}
      - {{id: notes, type: long_text, required: false, label: {{zh_CN: 备注, en: Notes}}}}
      - {{id: years, type: integer, min: 0, max: 70, label: {{zh_CN: 工作年限, en: Years}}}}
      - {{id: age, type: age, label: {{zh_CN: 年龄, en: Age}}}}
      - {{id: weight, type: number, required: false, label: {{zh_CN: 体重, en: Weight}}}}
      - {{id: temp, type: temperature, label: {{zh_CN: 体温, en: Temperature}}}}
      - {{id: phone, type: phone, sensitive: true, label: {{zh_CN: 电话, en: Phone}}}}
      - {{id: id_number, type: id_number, sensitive: true, label: {{zh_CN: 身份证号, en: ID}}}}
      - {{id: date, type: date, label: {{zh_CN: 日期, en: Date}}}}
      - {{id: agree, type: yes_no, label: {{zh_CN: 同意, en: Agree}}}}
      - {{id: pledge, type: agreement, label: {{zh_CN: 我同意, en: I agree}}}}
      - id: gender
        type: choice
        label: {{zh_CN: 性别, en: Gender}}
        choices: {{female: {{zh_CN: 女, en: female}}, male: {{zh_CN: 男, en: male}}}}
      - id: needs
        type: multi_choice
        required: false
        label: {{zh_CN: 需求, en: Needs}}
        choices: {{food: {{zh_CN: 食物, en: food}}, medicine: {{zh_CN: 药品, en: medicine}}, talk: {{zh_CN: 陪伴, en: company}}}}
"""


@pytest.fixture(scope="module")
def form_community(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example community with one more form that has a field of every type."""
    folder = tmp_path_factory.mktemp("community")
    shutil.copytree(EXAMPLE.parent / "forms", folder / "forms")
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "\nforms:\n  - forms/*.yaml\n" in text
    text = text.replace("\nforms:\n  - forms/*.yaml\n", "\nforms:\n  - forms/*.yaml" + _FORM_YAML)
    path = folder / "community.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _fuzz_form(path: Path) -> Form:
    form = load(path)[0].form(FUZZ_FORM)
    assert form is not None
    return form


def valid_answer(field_: FormField, rnd: random.Random) -> tuple[str, Any]:
    """An answer a person could well type for ``field_``, and the value it must be stored as."""
    kind = field_.type
    if kind in ("text", "long_text"):
        limit = 4000 if kind == "long_text" else 300
        text = rnd.choice(("张三", "  王五  ", "Li Ming", "1-302自住", "O'Brien", "发热 3 天😷"))
        text = rnd.choice((text, "字" * limit))
        return text, text.strip()
    if kind == "integer":
        low, high = int(field_.min or 0), int(field_.max if field_.max is not None else 1000)
        number = rnd.randint(low, high)
        return rnd.choice((str(number), f" {number} ")), number
    if kind == "age":
        number = rnd.randint(0, 130)
        return rnd.choice((str(number), f"{number}岁")), number
    if kind == "number":
        number = round(rnd.uniform(-1000, 1000), 2)
        return str(number), number
    if kind == "temperature":
        number = round(rnd.uniform(34, 43), 1)
        shown = rnd.choice(
            (str(number), f"{number}℃", f"{number}度", str(number).replace(".", "，"))
        )
        return shown, number
    if kind == "phone":
        return rnd.choice(
            (
                (PHONE, PHONE),
                ("138 1234 5678", PHONE),
                ("+86 138-1234-5678", PHONE),
                ("01012345678", "01012345678"),
            )
        )
    if kind == "id_number":
        return rnd.choice(((ID_NUMBER, ID_NUMBER), (ID_NUMBER_X.lower(), ID_NUMBER_X)))
    if kind == "date":
        day = dt.date(2020, 1, 1) + dt.timedelta(days=rnd.randint(0, 2000))
        shown = rnd.choice(
            (
                day.isoformat(),
                f"{day.year}年{day.month}月{day.day}日",
                f"{day.year}/{day.month}/{day.day}",
            )
        )
        return shown, day.isoformat()
    if kind == "yes_no":
        return rnd.choice(
            (("是", True), ("否", False), ("yes", True), ("No", False), ("没有", False))
        )
    if kind == "agreement":
        return rnd.choice((("/agree", True), ("/同意", True), (" /AGREE ", True)))
    keys = list(field_.choices)
    if kind == "choice":
        index = rnd.randrange(len(keys))
        label = field_.choices[keys[index]]
        label = label if isinstance(label, str) else rnd.choice(list(label.values()))
        return rnd.choice(
            ((str(index + 1), keys[index]), (keys[index], keys[index]), (label, keys[index]))
        )
    assert kind == "multi_choice", kind
    picked = rnd.sample(range(len(keys)), rnd.randint(1, len(keys)))
    separator = rnd.choice(("，", " ", "、", ","))
    return separator.join(str(i + 1) for i in picked), [keys[i] for i in picked]


def _storable(value: Any) -> bool:
    """JSON that every backend stores: finite numbers, no NUL, no lone surrogate."""
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
        text.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return False
    return "\x00" not in text and "\\u0000" not in text


def _printable(text: str) -> str:
    """``text`` without control characters, lone surrogates or replacement marks, stripped."""
    return "".join(
        c
        for c in text
        if c == "\t" or unicodedata.category(c) not in ("Cc", "Cs") and c != "\ufffd"
    ).strip()


def sane_value(field_: FormField, text: str, value: Any) -> bool:
    """Whether an accepted answer ``text`` is stored as a value that fits ``field_``."""
    if not _storable(value):
        return False
    kind = field_.type
    if value is None:
        return False
    if kind in ("text", "long_text"):
        limit = 4000 if kind == "long_text" else 300
        fits = isinstance(value, str) and 0 < len(value) <= limit
        return fits and _printable(value) == _printable(text)
    if kind in ("integer", "age", "number", "temperature"):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            return False
        low, high = {"age": (0, 130), "temperature": (34, 43)}.get(kind, (None, None))
        low = field_.min if field_.min is not None else low
        high = field_.max if field_.max is not None else high
        in_range = (low is None or value >= low) and (high is None or value <= high)
        return in_range and (kind not in ("integer", "age") or isinstance(value, int))
    if kind == "phone":
        return isinstance(value, str) and bool(
            re.fullmatch(r"1[3-9]\d{9}|0\d{9,11}|\+[1-9]\d{7,14}", value)
        )
    if kind == "id_number":
        try:
            return check_id_number(value) == value
        except (ValueError, TypeError):
            return False
    if kind == "date":
        try:
            return dt.date.fromisoformat(value).isoformat() == value
        except (ValueError, TypeError):
            return False
    if kind == "yes_no":
        return isinstance(value, bool)
    if kind == "choice":
        return value in field_.choices
    return (
        isinstance(value, list)
        and bool(value)
        and all(v in field_.choices for v in value)
        and len(set(value)) == len(value)
    )


HOSTILE = (
    "²",
    "①",
    "٣",
    "１２",
    "３６.５",
    "5" * 5000,
    "1e999",
    "-1e999",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1_000",
    "0x10",
    "36.5\x00",
    "a\x00b",
    "\x00",
    "\ud800",
    "\udfffx",
    "\u202e36.5",
    "36.5\u200b",
    "",
    "   ",
    "\t",
    "-0",
    "-1",
    "99999999999999999999",
    "1.5",
    "71",
    "131",
    "33.9",
    "43.1",
    PHONE,
    ID_NUMBER,
    "2024-02-30",
    "0000-01-01",
    "9999-12-31",
    "是的吧",
    "1,2,99",
    "0",
    "3",
    "x" * 301,
    "x" * 4001,
    "\x1b[31mred",
    "\u0085",
    "\ufeff1",
    "１",
    "1 1",
    "1,,1",
)
#: The hostile answers that test what a database can hold (NUL, lone surrogates, NaN, size).
STORAGE_HOSTILE = tuple(
    h
    for h in HOSTILE
    if len(h) > 300
    or h.strip("-").lower() in ("nan", "inf", "infinity", "1e999")
    or any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in h)
)
CONTROLS = (
    "/back",
    "/skip",
    "/cancel",
    "/返回",
    "/跳过",
    "/取消",
    "/上一步",
    " /back ",
    "/BACK",
    "/Skip",
)
SLASHED = ("/", "//x", "/help", "/whoami", "/nosuch", "/ back", "/form@bot", "/skip now", "/\x00")
BACK = {"back", "返回", "上一步"}
SKIP = {"skip", "跳过"}
CANCEL = {"cancel", "取消"}

_valid = st.tuples(st.just("valid"), st.integers(0, 2**32))
#: What a person does at each question: mostly answer well, so that forms get finished.
intents = st.one_of(
    *[_valid] * 7,
    st.tuples(st.just("hostile"), st.one_of(st.sampled_from(HOSTILE), no_newline)),
    st.tuples(st.just("control"), st.sampled_from(CONTROLS)),
    st.tuples(st.just("slashed"), st.sampled_from(SLASHED)),
)
form_people = st.sampled_from(("maria", "gao", "zhao", "居民小李", "u" * 300))


@dataclass
class _Seen:
    """A person's dialog and records as stored."""

    step: int | None
    answers: dict[str, Any]
    records: int
    last: dict[str, Any] | None


class FormScript:
    """A person filling the fuzz form: each next line chosen from the stored dialog, each effect checked."""

    def __init__(
        self,
        form: Form,
        handle: str,
        start_in: str,
        plan: list[tuple[str, Any]],
        run: ConsoleRun,
        findings: Findings,
    ) -> None:
        self.form, self.handle, self.start_in = form, handle, start_in
        self.plan = list(plan)
        self.run, self.findings = run, findings
        self.lines: list[str] = []
        self.expected: dict[str, Any] = {}
        self.sent: tuple[str, Any, str] | None = None
        self.before: _Seen | None = None
        self.asked_at: int | None = None

    async def _look(self) -> _Seen:
        if not self.lines:  # this person is the only one filling the fuzz form in this run
            await FormSession.filter(form_id=FUZZ_FORM).delete()
            await Record.filter(form_id=FUZZ_FORM).delete()
        session = await FormSession.filter(form_id=FUZZ_FORM).first()
        records = await Record.filter(form_id=FUZZ_FORM).order_by("-id")
        last = records[0].data if records else None
        if session is None or session.step >= len(self.form.fields):  # none, or finished
            return _Seen(None, {}, len(records), last)
        return _Seen(session.step, dict(session.answers), len(records), last)

    def look(self) -> _Seen:
        return self.run.between(self._look())

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        now = self.look()
        if self.sent is not None and self.before is not None:
            self.check(self.before, now)
        self.before = now
        if not self.plan:  # each line takes at least one step of the plan
            raise StopIteration
        if now.step is None:
            self.plan.pop(0)  # so that a form that cannot start does not loop
            self.expected = {}
            place = self.start_in
            self.sent = ("start", None, f"{self.handle}@{place}: /form {FUZZ_FORM}")
        else:
            kind, what = self.plan.pop(0)
            while kind == "return" and self.plan:  # back to the question a hostile answer left
                if self.asked_at is not None and now.step > self.asked_at:
                    kind, what = "control", "/back"
                else:
                    kind, what = self.plan.pop(0)
            if kind == "return":
                raise StopIteration
            self.asked_at = now.step if kind == "hostile" else None
            field_ = self.form.fields[now.step]
            if kind == "valid":
                text, value = valid_answer(field_, random.Random(what))
                self.sent = ("valid", value, text)
            else:
                self.sent = (kind, None, what)
            self.sent = (self.sent[0], self.sent[1], f"{self.handle}@dm: {self.sent[2]}")
        line = self.sent[2].replace("\n", " ")
        self.lines.append(line)
        return line

    def wrong(self, what: str, detail: str, now: _Seen) -> None:
        """A wrong effect; the model follows what was stored, so one mistake is counted once."""
        number = len(self.lines)
        self.findings.add("wrong answers", what, number, self.lines[-1], detail, self.lines)
        self.expected = dict(now.answers)

    def check(self, before: _Seen, now: _Seen) -> None:
        """The effect of the line just handled, against what its kind promises."""
        kind, value, line = self.sent  # type: ignore[misc]
        number = len(self.lines)
        tally(self.findings.generator)["tried"] += 1
        text = line.split(": ", 1)[1] if ": " in line else ""
        field_ = self.form.fields[before.step] if before.step is not None else None
        asked = f"a {field_.type} question" if field_ else "no question"
        said = f"{text[:30]!r}" if kind in ("control", "slashed", "start") else f"a {kind} answer"
        for problem in self.run.tracebacks(number):
            self.findings.add("tracebacks", problem, number, line, problem, self.lines)
        mine = [a for n, a in self.run.actions if n == number]
        for action in mine:
            if leaked(_texts_of(action)) and not _to_sender_only(action, self.handle):
                what = f"{type(action).__name__} after {said} to {asked}"
                self.findings.add("leaks", what, number, line, repr(action), self.lines)
        if not any(_to_sender_only(a, self.handle) and _texts_of(a).strip() for a in mine):
            what = f"no private reply to {said} to {asked}"
            self.findings.add("unanswered", what, number, line, "", self.lines)
        if kind == "start":
            if (now.step, now.answers) != (0, {}):
                detail = f"step {now.step}, answers {now.answers}"
                self.wrong("/form did not open the form at its first question", detail, now)
            return
        assert field_ is not None and before.step is not None
        word = text.strip().lower().lstrip("/")
        completed = now.step is None and now.records == before.records + 1
        if kind == "control" and word in CANCEL:
            if now.step is not None or now.records != before.records:
                detail = f"step {now.step}, records {before.records}->{now.records}"
                self.wrong("/cancel did not discard the dialog", detail, now)
            return
        if kind == "control" and word in BACK:
            self.expect(now, max(before.step - 1, 0), self.expected, said, asked)
            return
        if kind == "control" and word in SKIP and field_.required:
            self.expect(now, before.step, self.expected, said, asked)
            return
        if kind == "control" and word in SKIP:
            self.advance(now, field_, None, completed, said)
            return
        if kind == "slashed":
            if now.step is not None and (now.step, now.answers) != (before.step, before.answers):
                what = f"{said} inside a form changed the dialog"
                self.wrong(what, f"step {before.step} -> {now.step}", now)
            return
        if kind == "valid":
            self.advance(now, field_, value, completed, said)
            return
        # hostile: refused (the question again), or stored as a value that fits the field
        if now.step == before.step and now.answers == before.answers:
            return
        stored = now.last.get(field_.id) if completed and now.last else now.answers.get(field_.id)
        if not sane_value(field_, text, stored):
            what = f"a {field_.type} question took {text[:20]!r} as {stored!r:.30}"
            self.wrong(what, f"stored {stored!r:.80}", now)
            return
        self.advance(now, field_, stored, completed, said)

    def expect(
        self, now: _Seen, step: int | None, answers: dict[str, Any], said: str, asked: str
    ) -> None:
        if now.step != step or now.answers != answers:
            was = self.before.step if self.before else None
            moved = "stayed" if now.step == was else f"went from step {was} to {now.step}"
            what = f"{said} to {asked}: the dialog {moved} or its answers changed"
            detail = f"expected step {step} {answers}, stored step {now.step} {now.answers}"
            self.wrong(what, detail, now)

    def advance(
        self, now: _Seen, field_: FormField, value: Any, completed: bool, said: str
    ) -> None:
        self.expected = {**self.expected, field_.id: value}
        index = self.form.fields.index(field_)
        if index + 1 < len(self.form.fields):
            self.expect(now, index + 1, self.expected, said, f"a {field_.type} question")
            return
        wanted = {f.id: self.expected.get(f.id) for f in self.form.fields}
        if not completed:
            self.wrong("the last answer did not complete the form", f"step {now.step}", now)
        elif now.last != wanted:
            fields = [k for k in wanted if (now.last or {}).get(k) != wanted[k]]
            self.wrong(f"the record differs in {fields}", f"{now.last} != {wanted}", now)
        self.expected = {}


def _fuzz_forms(config: Path, db_url: str, generator: str, examples: int) -> Findings:
    findings = Findings(generator)
    form = _fuzz_form(config)

    @settings(FUZZ, max_examples=examples)
    @given(
        handle=form_people,
        start_in=st.sampled_from((DM, "building-1", "focus-1", "volunteers")),
        plan=st.lists(intents, min_size=20, max_size=60),
    )
    def one_run(handle: str, start_in: str, plan: list[tuple[str, Any]]) -> None:
        run = ConsoleRun()
        script = FormScript(form, handle, start_in, plan, run, findings)
        run_sync(config, db_url, script, run)

    one_run()
    return findings


def test_form_answers_on_sqlite(form_community: Path) -> None:
    findings = _fuzz_forms(form_community, "sqlite://:memory:", "form answers, SQLite", 40)
    assert not findings.problems, findings.report()


def test_form_answers_on_postgres(form_community: Path, postgres_url: str) -> None:
    findings = _fuzz_forms(form_community, postgres_url, "form answers, PostgreSQL", 15)
    assert not findings.problems, findings.report()


# -- bytes through a real `sanshe run` ----------------------------------------------------

#: A line answered with one line, the same each time: it separates the answers of fuzzed lines.
MARKER = b"gao@volunteers: /whoami"
_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) ")

byte_lines = st.one_of(
    console_lines.filter(lambda s: not s.startswith("gao@")).map(
        lambda s: s.replace("\r", " ").encode("utf-8", "surrogatepass")
    ),
    st.binary(min_size=1, max_size=60).map(lambda b: b.replace(b"\n", b" ").replace(b"\r", b" ")),
    st.builds(
        lambda h, raw: f"{h}@building-1: ".encode() + raw.replace(b"\n", b"").replace(b"\r", b""),
        st.sampled_from(("maria", "wang", "zhao")),
        st.sampled_from(
            (b"\xff\xfe", b"\xe4\xbd", b"caf\xe9", b"\xc0\x80", b"\xed\xa0\x80", b"\x00")
        ),
    ),
)


#: Lines a terminal or a file may give that are not UTF-8.
NOT_UTF8 = [b"maria@building-1: caf\xe9", b"\xff\xfe", b"wang@building-1: \xe4\xbd", b"\xc0\x80"]


def _blank(raw: bytes) -> bool:
    return skipped(raw.decode("utf-8", "replace"))


def _shape_of_bytes(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "a line that is not UTF-8"
    parsed = ConsoleAdapter(io.StringIO(), io.StringIO(), interactive=False).parse(1, text)
    return shape(parsed if isinstance(parsed, Event) else None, text)


#: The number the console gives each message the bot sends, at the end of its line.
_NUMBER = re.compile(r" \(b\d+\)$")


def check_process(script: list[bytes], merged: str, returncode: int, findings: Findings) -> None:
    """Check a `sanshe run` fed the marker line, then fuzzed lines each followed by the marker."""
    counts = tally(findings.generator)
    replay = [repr(raw) for raw in script]
    said_lines = [_NUMBER.sub("", s) for s in merged.splitlines()]  # the same answer each time
    marker = next((s for s in said_lines if not _LOG_LINE.match(s)), None)
    answers: list[list[str]] = []
    for said in said_lines:
        if said == marker:
            answers.append([])
        elif answers:
            answers[-1].append(said)
    if returncode != 0:
        findings.add("wrong answers", f"exit status {returncode}", 0, "", merged[-300:], replay)
    if "Traceback (most recent call last)" in merged:
        trace = merged[merged.index("Traceback (most recent call last)") :].splitlines()
        last = next((s for s in trace[1:] if s and not s.startswith(" ")), "?")
        findings.add("tracebacks", last, 0, "", last, replay)
    for index, raw in enumerate(script):
        number = 2 * index + 2
        line = raw.decode("utf-8", "backslashreplace")
        counts["tried"] += 1
        what = _shape_of_bytes(raw)
        sender = raw.split(b"@", 1)[0].decode("utf-8", "replace")
        if index >= len(answers) - 1:
            findings.add("unanswered", f"the run stopped at {what}", number, line, "", replay)
            break
        said = [s for s in answers[index] if s.strip()]
        spoken = [s for s in said if not _LOG_LINE.match(s)]
        for log_line in said:
            found = _LOG_LINE.match(log_line)
            if found and found["level"] in ("ERROR", "CRITICAL"):
                findings.add("tracebacks", log_line[24:90], number, line, log_line, replay)
        if not _blank(raw) and not spoken:
            findings.add("unanswered", what, number, line, "no output", replay)
        for message in spoken:
            if message.startswith("error:") and not message.startswith(f"error: line {number}"):
                findings.add("wrong answers", message[:40], number, line, message, replay)
            verb, _, rest = message.partition(" ")
            target = rest.split(":", 1)[0]
            private = (
                target in (f"dm:{sender}", sender) if verb in ("reply", "send", "dm") else True
            )
            if not private and leaked(message):
                findings.add("leaks", f"{verb} after {what}", number, line, message, replay)


def test_bytes_through_sanshe_run(tmp_path: Path) -> None:
    findings = Findings("bytes through `sanshe run`")

    @settings(FUZZ, max_examples=2)
    @given(st.lists(byte_lines, min_size=60, max_size=60))
    @example([line.encode("utf-8", "surrogatepass") for line in ISSUE_LINES] + NOT_UTF8)
    def one_run(script: list[bytes]) -> None:
        stdin = MARKER + b"\n" + b"".join(raw + b"\n" + MARKER + b"\n" for raw in script)
        db = tmp_path / f"run-{len(list(tmp_path.iterdir()))}.sqlite3"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "sanshe.core.cli",
                "run",
                "--config",
                str(EXAMPLE),
                "--db",
                f"sqlite://{db}",
            ],
            input=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=120,
            # standard streams as in a UTF-8 locale (strict), not the C locale's surrogateescape
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8:strict"},
        )
        check_process(
            script, done.stdout.decode("utf-8", "backslashreplace"), done.returncode, findings
        )

    one_run()
    assert not findings.problems, findings.report()


def _sweep(
    config: Path, db_url: str, generator: str, handle: str, answers: tuple[str, ...]
) -> Findings:
    """Each of ``answers`` at every question of the fuzz form, then a valid one to go on."""
    findings = Findings(generator)
    form = _fuzz_form(config)
    plan: list[tuple[str, Any]] = [("valid", 0)]  # taken by the line that opens the form
    for index, _field in enumerate(form.fields):
        for text in answers:
            plan += [("hostile", text), ("return", None)]
        plan.append(("valid", index))
    run = ConsoleRun()
    run_sync(config, db_url, FormScript(form, handle, DM, plan, run, findings), run)
    return findings


def test_every_hostile_answer_at_every_question_on_sqlite(form_community: Path) -> None:
    findings = _sweep(
        form_community, "sqlite://:memory:", "hostile answers swept, SQLite", "gao", HOSTILE
    )
    assert not findings.problems, findings.report()


def test_every_hostile_answer_at_every_question_on_postgres(
    form_community: Path, postgres_url: str
) -> None:
    findings = _sweep(
        form_community, postgres_url, "hostile answers swept, PostgreSQL", "maria", STORAGE_HOSTILE
    )
    assert not findings.problems, findings.report()
