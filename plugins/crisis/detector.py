"""The crisis detector: does a message say that someone is in danger, and of what kind.

The words are data (``lexicon/zh.yaml``, ``lexicon/en.yaml``), extended by the
moderators in the community file (:class:`LexiconSettings`).  A message is
normalised first (NFKC, case, traditional characters, spaces and dots inside
Chinese words), then one Aho-Corasick pass finds every phrase (cues, idioms,
informational contexts) and one regular expression per language finds the
patterned cues.  A cue counts unless an idiom covers it (我想死你了, "dying to
see you"), a negation stands shortly before it in its clause (我没有想自杀),
or, for a cue not marked ``firm``, its sentence is about news, a film, a book
or the hotline.  The detector answers with the cue's id, never with the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import ahocorasick
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

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
    cues: Mapping[Kind, Mapping[str, CueEntry]]


_TRADITIONAL = str.maketrans(
    "殺盡輕樓藥氣嚇熱餓沒們會這個說別見過經無暈傷結離讓覺負擔為還點頭腦車從燒繩"
    "決遺書對謝活劃彈槍砍刺痛動斷搶救護醫聽話爛廢數麼裡裏嗎應該後悔煩惱難過絕望遠",
    "杀尽轻楼药气吓热饿没们会这个说别见过经无晕伤结离让觉负担为还点头脑车从烧绳"
    "决遗书对谢活划弹枪砍刺痛动断抢救护医听话烂废数么里里吗应该后悔烦恼难过绝望远",
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_INSIDE_CHINESE = re.compile(rf"(?<=[{_CJK}])[\s\-_.*·~/\\|]+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The text as the lexicon reads it: NFKC, folded case, simplified, no breaks inside words."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _INVISIBLE.sub("", text).translate(_TRADITIONAL).translate(_APOSTROPHES)
    return _SPACES.sub(" ", _INSIDE_CHINESE.sub("", text))


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
    """What a phrase found by the automaton is: a cue, an idiom or a context."""

    role: Literal["cue", "idiom", "context"]
    language: Language
    length: int
    cue: _Cue | None = None


class _Language:
    """One language's negations, clause breaks and patterned cues, compiled."""

    def __init__(self, language: Language, window: int, breaks: tuple[str, ...]) -> None:
        self.language = language
        self.window = window
        self.breaks = tuple(normalise(b) for b in breaks)
        self.negations: list[str] = []
        self.regexes: list[tuple[str, _Cue]] = []
        self.negation: re.Pattern[str] | None = None
        self.patterned: re.Pattern[str] | None = None
        self.groups: dict[str, _Cue] = {}

    def compile(self) -> None:
        """Build the negation and cue expressions (after every entry is in)."""
        if self.negations:
            words = sorted(set(self.negations), key=len, reverse=True)
            body = "|".join(re.escape(w) for w in words)
            self.negation = re.compile(
                rf"(?<![a-z'])(?:{body})(?![a-z'])" if self.language == "en" else body
            )
        parts = []
        for index, (pattern, cue) in enumerate(self.regexes):
            name = f"c{index}"
            self.groups[name] = cue
            parts.append(f"(?P<{name}>{pattern})")
        if parts:
            self.patterned = re.compile("|".join(parts))

    def denied(self, text: str, start: int) -> bool:
        """Whether a negation stands shortly before ``start`` in the same clause."""
        if self.negation is None:
            return False
        before = _CLAUSE.split(text[max(0, start - 80) : start])[-1]
        for word in self.breaks:
            before = before.rpartition(word)[2] if word in before else before
        if self.language == "en":
            before = " ".join(before.split()[-self.window :])
        else:
            before = before[-self.window :]
        return self.negation.search(before) is not None


class Detector:
    """The shipped lexicon and the moderators' additions, compiled for fast reading."""

    def __init__(self, lexicons: Mapping[Language, ShippedLexicon], extra: LexiconSettings) -> None:
        self._languages: dict[Language, _Language] = {}
        self._automaton: Any = ahocorasick.Automaton()
        phrases: dict[str, list[_Phrase]] = {}

        def add_phrase(text: str, found: _Phrase) -> None:
            key = normalise(text).strip()
            phrases.setdefault(key, []).append(
                _Phrase(found.role, found.language, len(key), found.cue)
            )

        for language in LANGUAGES:
            shipped = lexicons.get(language)
            ignored = [extra.ignore[language]] if language in extra.ignore else []
            compiled = _Language(
                language, shipped.window if shipped else 4, shipped.breaks if shipped else ()
            )
            self._languages[language] = compiled
            entries: list[tuple[_Cue, Cues]] = []
            if shipped is not None:
                ignored.insert(0, shipped.ignore)
                for kind, named in shipped.cues.items():
                    for name, entry in named.items():
                        entries.append(
                            (_Cue(kind, f"{language}.{kind}.{name}", language, entry.firm), entry)
                        )
            for kind, cues in extra.add.get(language, {}).items():
                entries.append((_Cue(kind, f"{language}.{kind}.moderators", language, False), cues))
            for cue, cues in entries:
                for text in cues.phrases:
                    add_phrase(text, _Phrase("cue", language, 0, cue))
                compiled.regexes.extend((pattern, cue) for pattern in cues.regexes)
            for ignore in ignored:
                for text in ignore.idioms:
                    add_phrase(text, _Phrase("idiom", language, 0))
                for text in ignore.contexts:
                    add_phrase(text, _Phrase("context", language, 0))
                compiled.negations.extend(normalise(n).strip() for n in ignore.negations)
            compiled.compile()
        for key, found in phrases.items():
            self._automaton.add_word(key, tuple(found))
        self._automaton.make_automaton()

    @classmethod
    def shipped(cls, extra: LexiconSettings | None = None) -> Detector:
        """The detector of the shipped lexicon files, with the moderators' ``extra``."""
        lexicons = {
            language: ShippedLexicon.model_validate(
                yaml.safe_load((LEXICON / f"{language}.yaml").read_text(encoding="utf-8"))
            )
            for language in LANGUAGES
        }
        return cls(lexicons, extra or LexiconSettings())

    def _phrases(self, text: str) -> Iterator[tuple[int, int, _Phrase]]:
        """Every phrase of the automaton in ``text``: start, end and what it is."""
        for end, found in self._automaton.iter(text):
            for phrase in found:
                start = end + 1 - phrase.length
                if phrase.language == "en" and (
                    (start > 0 and _WORD.match(text, start - 1))
                    or (end + 1 < len(text) and _WORD.match(text, end + 1))
                ):
                    continue
                yield start, end + 1, phrase

    def detect(self, text: str) -> Hit | None:
        """The most urgent crisis ``text`` says, or None."""
        text = normalise(text)
        cues: list[tuple[int, int, _Cue]] = []
        idioms: list[tuple[int, int]] = []
        contexts: list[int] = []
        for start, end, phrase in self._phrases(text):
            if phrase.cue is not None:
                cues.append((start, end, phrase.cue))
            elif phrase.role == "idiom":
                idioms.append((start, end))
            else:
                contexts.append(start)
        for language in self._languages.values():
            if language.patterned is None:
                continue
            position = 0
            while (match := language.patterned.search(text, position)) is not None:
                assert match.lastgroup is not None
                cues.append((match.start(), match.end(), language.groups[match.lastgroup]))
                position = match.start() + 1
        best: Hit | None = None
        for start, end, cue in cues:
            if best is not None and KINDS.index(best.kind) <= KINDS.index(cue.kind):
                continue
            if any(s < end and start < e for s, e in idioms):
                continue
            if self._languages[cue.language].denied(text, start):
                continue
            if not cue.firm and any(self._same_sentence(text, c, start) for c in contexts):
                continue
            best = Hit(cue.kind, cue.id)
        return best

    @staticmethod
    def _same_sentence(text: str, one: int, other: int) -> bool:
        """Whether positions ``one`` and ``other`` are in one sentence."""
        low, high = sorted((one, other))
        return _SENTENCE.search(text, low, high) is None
