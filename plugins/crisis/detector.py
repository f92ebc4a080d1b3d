"""The crisis detector: does a message say that someone is in danger, and of what kind.

The words are data (``lexicon/zh.yaml``, ``lexicon/en.yaml``), extended by the
moderators in the community file (:class:`LexiconSettings`).  A message is
normalised first (NFKC, case, traditional characters, spaces and dots inside
Chinese words), then one Aho-Corasick pass finds every phrase (cues, idioms,
informational contexts) and one regular expression per language finds the
patterned cues.  A cue counts unless an idiom covers it (我想死你了, "dying to
see you"), a negation stands shortly before it in its clause (我没有想自杀),
or its sentence tells of something over and done (现在好多了, "is fine now"),
or, for a cue not marked ``firm``, its sentence is about news, a film, a book
or the hotline.  With the learned layer (:mod:`.learned`; ``Detector.shipped(learned=True)``,
measured but not used by the plugin yet) a message no cue counts in is then read by the
model, unless it only looks like a crisis: an idiom, a sentence over and done or about
news, or a cue that was denied.  The detector answers with the cue's id
(``<language>.<kind>.learned`` for the model), never with the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import ahocorasick
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from . import learned as learned_layer
from .learned import Learned

Kind = Literal["suicide", "self_harm", "plan_or_means", "farewell_or_burden", "violence", "medical"]
KINDS: tuple[Kind, ...] = (
    "plan_or_means",
    "suicide",
    "self_harm",
    "violence",
    "medical",
    "farewell_or_burden",
)
"""Every kind, the most urgent first: of several cues in one message, the first kind wins."""
Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
#: libyaml's safe loader when PyYAML was built with it.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LEXICON = Path(__file__).parent / "lexicon"


@dataclass(frozen=True, slots=True)
class Hit:
    """A message read as a crisis: its kind and the id of the lexicon entry that matched."""

    kind: Kind
    cue: str


def _regex(pattern: str) -> str:
    """Refuse a pattern Python cannot compile, saying why and where."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(
            f"{pattern!r} is not a regular expression: {exc.msg} at position {exc.pos}"
        ) from exc
    return pattern


def _phrase(text: str) -> str:
    """Refuse an empty phrase (it would match every message)."""
    if not normalise(text).strip():
        raise ValueError("a phrase must have at least one letter or character")
    return text


Regex = Annotated[str, AfterValidator(_regex)]
Phrase = Annotated[str, AfterValidator(_phrase)]


class Cues(BaseModel):
    """Phrases (matched as written, after normalising) and regular expressions of one kind."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    phrases: tuple[Phrase, ...] = ()
    regexes: tuple[Regex, ...] = ()


class Ignored(BaseModel):
    """What only looks like crisis in one language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    idioms: tuple[Phrase, ...] = ()
    """Phrases a cue inside of is not a crisis (我想死你了, 笑死, "dying to see")."""
    negations: tuple[Phrase, ...] = ()
    """Words that, shortly before a cue in its clause, deny it (没有, 不会, "not")."""
    contexts: tuple[Phrase, ...] = ()
    """Words saying a sentence is about news, a film, a book, the hotline."""


class LexiconSettings(BaseModel):
    """The moderators' additions to the shipped lexicon, per language::

    lexicon:
      add:
        zh:
          suicide: {phrases: [不想撑了], regexes: ['活着.{0,2}没意思']}
      ignore:
        zh: {idioms: [饿死鬼], negations: [从来不]}
        en: {idioms: ["killing it"]}
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    add: Mapping[Language, Mapping[Kind, Cues]] = Field(default_factory=dict)
    ignore: Mapping[Language, Ignored] = Field(default_factory=dict)


class CueEntry(Cues):
    """One entry of a shipped lexicon."""

    firm: bool = False
    """Said of oneself: counts in a sentence about news or a film as well."""


class ShippedLexicon(BaseModel):
    """A language's shipped lexicon file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    window: int = Field(gt=0, le=20)
    """How far before a cue a negation denies it: characters (zh) or words (en)."""
    breaks: tuple[str, ...] = ()
    """Words that start a new clause (但是, "but"): a negation before one denies nothing after."""
    ignore: Ignored
    resolved: tuple[Phrase, ...] = ()
    """Words saying a sentence tells of something over and done: no cue in it counts, firm or not."""
    cues: Mapping[Kind, Mapping[str, CueEntry]]


_VARIANTS = (
    "殺杀 盡尽 輕轻 樓楼 藥药 氣气 嚇吓 熱热 餓饿 沒没 們们 會会 這这 個个 說说 別别 見见 過过 經经 無无 暈晕 傷伤 結结 離离 讓让 覺觉 負负 擔担 為为 "
    "還还 點点 頭头 腦脑 車车 從从 燒烧 繩绳 決决 遺遗 書书 對对 謝谢 劃划 彈弹 槍枪 動动 斷断 搶抢 護护 醫医 聽听 話话 爛烂 廢废 數数 麼么 裡里 裏里 "
    "嗎吗 應应 該该 後后 惱恼 煩烦 難难 絕绝 遠远 臺台 陽阳 線线 導导 報报 聞闻 電电 視视 劇剧 悶闷 凍冻 睏困 夠够 讀读 錢钱 賣卖 買买 東东 終终 鬆松 "
    "淨净 脫脱 實实 義义 淚泪 愛爱 帥帅 醜丑 興兴 機机 環环 記记 黨党 戰战 鬥斗 跡迹 體体 痺痹 癇痫 發发 燙烫 綁绑 鋒锋 鋸锯 鐵铁 軌轨 農农 敵敌 攢攒 "
    "顆颗 裝装 準准 備备 計计 較较 墻墙 牆墙 嚨咙 嚥咽 險险 擊击 著着 媽妈 爺爷 頂顶 邊边 臉脸 撐撑 贅赘 "
    "顧顾 託托 貓猫 囑嘱 殘残 兒儿 來来 時时 開开 關关 門门 問问 請请 頸颈 聲声 噴喷 歲岁 轉转 腳脚 總总 "
    "樣样 壓压 緊紧 幫帮 誰谁 給给 將将 風风 嘔呕 厭厌 夢梦 寫写 錯错 種种 極极 兩两 喚唤 摺折"
)
_FOLD: dict[int, int | None] = {ord(pair[0]): ord(pair[1]) for pair in _VARIANTS.split()}
_FOLD |= dict.fromkeys(map(ord, "\u2019\u2018\u02bc`\u00b4"), ord("'"))
_FOLD |= dict.fromkeys(
    [0xAD, 0x34F, 0x61C, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F)]
    + [*range(0x2060, 0x2065), 0xFEFF]
)
_FOLDED = re.compile("[" + re.escape("".join(map(chr, _FOLD))) + "]")
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_SEPARATOR = re.compile(r"[ _.*·~/\\|-]")
_INSIDE_CHINESE = re.compile(rf"(?<=[{_CJK}])[ _.*·~/\\|-]+(?=[{_CJK}])")
_RUN = re.compile(r"[^\S\n]{2,}|[^\S\n ]")


def normalise(text: str) -> str:
    """The text as the lexicon reads it: NFKC, folded case, simplified, no breaks inside words."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    if _FOLDED.search(text):
        text = text.translate(_FOLD)
    if not text.isascii() and _SEPARATOR.search(text):
        text = _INSIDE_CHINESE.sub("", text)
    if _RUN.search(text):
        text = _RUN.sub(" ", text)
    return text


def _fold_pattern(pattern: str) -> str:
    """A regular expression as normalised text reads it (自殺 → 自杀); case is ignored anyway."""
    return pattern.translate(_FOLD) if _FOLDED.search(pattern) else pattern


_PLAIN = r"[^()\[\]{}.*+?|\\^$]"


def _leading_words(pattern: str) -> tuple[str, ...] | None:
    """The plain words every match of ``pattern`` starts with, or None if it does not say them."""
    depth = 0
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return None
    found = re.match(rf"(?:\\b)?\((?:\?:)?((?:{_PLAIN}+\|)*{_PLAIN}+)\)(?![?*{{])", pattern)
    if found is not None:
        return tuple(found.group(1).split("|"))
    found = re.match(rf"(?:\\b)?({_PLAIN}+)", pattern)
    if found is None:
        return None
    words = found.group(1)
    if pattern[found.end() : found.end() + 1] in ("?", "*", "{"):
        words = words[:-1]
    return (words,) if words else None


_CLAUSE = re.compile(r"[,，、;；:：。.!！?？\n…~]")
_SENTENCE = re.compile(r"[。.!！?？\n]")
_WORD = re.compile(r"[a-z0-9']")


@dataclass(frozen=True, slots=True)
class _Cue:
    kind: Kind
    id: str
    language: Language
    firm: bool


@dataclass(frozen=True, slots=True)
class _Phrase:
    """What a phrase found by the automaton is: a cue, an idiom, a context or a regex's start."""

    role: Literal["cue", "idiom", "context", "resolved", "start"]
    language: Language
    length: int
    cue: _Cue | None = None
    pattern: re.Pattern[str] | None = None


class _Language:
    """One language's negations and clause breaks, compiled."""

    def __init__(self, language: Language, window: int, breaks: tuple[str, ...]) -> None:
        self.language = language
        self.window = window
        self.breaks = tuple(normalise(b) for b in breaks)
        self.negations: list[str] = []
        self.negation: re.Pattern[str] | None = None

    def compile(self) -> None:
        """Build the negations' expression (after every entry is in)."""
        if self.negations:
            words = sorted(set(self.negations), key=len, reverse=True)
            body = "|".join(re.escape(w) for w in words)
            self.negation = re.compile(
                rf"(?<![a-z'])(?:{body})(?![a-z'])" if self.language == "en" else body
            )

    def denied(self, text: str, start: int) -> bool:
        """Whether a negation stands shortly before ``start`` in the same clause."""
        if self.negation is None:
            return False
        before = _CLAUSE.split(text[max(0, start - 80) : start])[-1]
        for word in self.breaks:
            before = before.rpartition(word)[2]
        if self.language == "en":
            before = " ".join(before.split()[-self.window :])
        else:
            before = before[-self.window :]
        return self.negation.search(before) is not None


class Detector:
    """The shipped lexicon and the moderators' additions, compiled for fast reading.

    Every phrase, and the plain words each regex starts with, go into one
    Aho-Corasick automaton: a message is scanned once, and a regex is tried only
    where its first words are (one without plain first words is searched for).
    """

    def __init__(
        self,
        lexicons: Mapping[Language, ShippedLexicon],
        extra: LexiconSettings,
        learned: Learned | None = None,
    ) -> None:
        self._learned = learned
        self._languages: dict[Language, _Language] = {}
        self._searched: list[tuple[re.Pattern[str], _Cue]] = []
        phrases: dict[str, list[_Phrase]] = {}

        def add(
            text: str,
            role: Literal["cue", "idiom", "context", "resolved", "start"],
            language: Language,
            cue: _Cue | None = None,
            pattern: re.Pattern[str] | None = None,
        ) -> None:
            key = normalise(text).strip()
            phrases.setdefault(key, []).append(_Phrase(role, language, len(key), cue, pattern))

        for language in LANGUAGES:
            shipped = lexicons.get(language)
            compiled = _Language(
                language, shipped.window if shipped else 4, shipped.breaks if shipped else ()
            )
            self._languages[language] = compiled
            entries: list[tuple[_Cue, Cues]] = []
            ignored = [extra.ignore[language]] if language in extra.ignore else []
            if shipped is not None:
                ignored.insert(0, shipped.ignore)
                for text in shipped.resolved:
                    add(text, "resolved", language)
                for kind, named in shipped.cues.items():
                    for name, entry in named.items():
                        cue = _Cue(kind, f"{language}.{kind}.{name}", language, entry.firm)
                        entries.append((cue, entry))
            for kind, cues in extra.add.get(language, {}).items():
                entries.append((_Cue(kind, f"{language}.{kind}.moderators", language, False), cues))
            for cue, cues in entries:
                for text in cues.phrases:
                    add(text, "cue", language, cue)
                for source in cues.regexes:
                    pattern = re.compile(_fold_pattern(source), re.IGNORECASE)
                    starts = _leading_words(source)
                    if starts is None:
                        self._searched.append((pattern, cue))
                    for word in starts or ():
                        add(_fold_pattern(word), "start", language, cue, pattern)
            for ignore in ignored:
                for text in ignore.idioms:
                    add(text, "idiom", language)
                for text in ignore.contexts:
                    add(text, "context", language)
                compiled.negations.extend(normalise(n).strip() for n in ignore.negations)
            compiled.compile()
        self._automaton: Any = ahocorasick.Automaton()
        for key, found in phrases.items():
            self._automaton.add_word(key, tuple(found))
        self._automaton.make_automaton()

    @classmethod
    def shipped(cls, extra: LexiconSettings | None = None, *, learned: bool = False) -> Detector:
        """The detector of the shipped lexicon files, with the moderators' ``extra`` (and the
        shipped learned layer beside them if ``learned``)."""
        lexicons = {
            language: ShippedLexicon.model_validate(
                # libyaml's loader: the pure-Python one took a second for the two files.
                yaml.load(
                    (LEXICON / f"{language}.yaml").read_text(encoding="utf-8"), Loader=_Loader
                )
            )
            for language in LANGUAGES
        }
        model = learned_layer.shipped() if learned else None
        return cls(lexicons, extra or LexiconSettings(), model)

    def detect(self, text: str) -> Hit | None:
        """The most urgent crisis ``text`` says, or None."""
        text = normalise(text)
        hit, look_alike = self.read_lexicon(text)
        if hit is not None or look_alike or self._learned is None:
            return hit
        reading = self._learned.read(text)
        if reading is None or reading.kind is None:
            return None
        kind = next(k for k in KINDS if k == reading.kind)
        return Hit(kind, f"{reading.language}.{kind}.learned")

    def read_lexicon(self, text: str) -> tuple[Hit | None, bool]:
        """The most urgent cue that counts in a normalised ``text``, and whether it only
        looks like a crisis (an idiom, a sentence over and done or about news, a denied cue)."""
        cues: list[tuple[int, int, _Cue]] = []
        idioms: list[tuple[int, int]] = []
        contexts: list[int] = []
        resolved: list[int] = []
        for last, found in self._automaton.iter(text):
            for phrase in found:
                start = last + 1 - phrase.length
                if phrase.language == "en" and (
                    (start > 0 and _WORD.match(text, start - 1))
                    or (phrase.role != "start" and _WORD.match(text, last + 1))
                ):
                    continue
                if phrase.role == "start":
                    assert phrase.pattern is not None and phrase.cue is not None
                    match = phrase.pattern.match(text, start)
                    if match is not None:
                        cues.append((start, match.end(), phrase.cue))
                elif phrase.cue is not None:
                    cues.append((start, last + 1, phrase.cue))
                elif phrase.role == "idiom":
                    idioms.append((start, last + 1))
                elif phrase.role == "resolved":
                    resolved.append(start)
                else:
                    contexts.append(start)
        for pattern, cue in self._searched:
            position = 0
            while (match := pattern.search(text, position)) is not None:
                cues.append((match.start(), match.end(), cue))
                position = match.start() + 1
        look_alike = bool(idioms or contexts or resolved or cues)
        best: Hit | None = None
        for start, end, cue in cues:
            if best is not None and KINDS.index(best.kind) <= KINDS.index(cue.kind):
                continue
            if any(s < end and start < e for s, e in idioms):
                continue
            if self._languages[cue.language].denied(text, start):
                continue
            if any(_SENTENCE.search(text, *sorted((r, start))) is None for r in resolved):
                continue
            if not cue.firm and any(
                _SENTENCE.search(text, *sorted((c, start))) is None for c in contexts
            ):
                continue
            best = Hit(cue.kind, cue.id)
        return best, look_alike
