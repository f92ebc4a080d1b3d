"""Nickname patterns: ``{building}-{room}{自住|租住}``, ``社工 {name}``, read once and compiled.

A pattern is literal text with placeholders in braces: ``{building}`` (the group's
building), ``{room}`` (a room number: digits), ``{name}`` (any name, not empty) and
``{a|b}`` (one of the words given).  Spaces are optional wherever they may go: between
any two parts and where the pattern has one, so ``1-302 自住`` and ``1-302自住`` both
conform.  Names are compared in NFKC form (full-width ``１－３０２`` is ``1-302``), letters
in any case, invisible format characters left out.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

#: The placeholders a pattern may use by name.
PLACEHOLDERS = ("building", "room", "name")
#: What each named placeholder matches (``{building}``: in a group of a building, that one).
_MATCHES = {"building": r"\w+", "room": r"\d{1,6}", "name": r"\S.*"}
_SPACES = re.compile(r"\s+")
_OPTIONAL_SPACE = r"\s*"


class PatternError(ValueError):
    """A pattern that cannot be read: ``ValueError(key, values)`` with a catalogue key of the
    plugin, as the community file's checking reports it (at the setting's line and column)."""

    def __init__(self, key: str, pattern: str, position: int, **values: object) -> None:
        super().__init__(key, {"pattern": pattern, "position": position + 1, **values})


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a pattern: literal ``text``, a named placeholder, or alternative words."""

    text: str = ""
    placeholder: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pattern:
    """A pattern read into its parts, with the regular expression a conforming name matches."""

    written: str
    parts: tuple[Part, ...]
    regex: re.Pattern[str]
    """Matches a conforming name (normalised by :func:`normal`) in a group of no building."""
    _in_building: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False)

    def conforms(self, name: str, building: str | None) -> bool:
        """Whether the display ``name`` follows this pattern in a group of ``building``."""
        return self._regex(building).fullmatch(normal(name)) is not None

    def _regex(self, building: str | None) -> re.Pattern[str]:
        """The regular expression for a group of ``building``: its own, compiled once."""
        if not building or not any(p.placeholder == "building" for p in self.parts):
            return self.regex
        found = self._in_building.get(building)
        if found is None:
            found = self._in_building[building] = _compiled(self.parts, building)
        return found

    def form(
        self,
        filled: Mapping[str, str | None],
        word: Callable[[str], str],
        choose: Callable[[tuple[str, ...]], str],
    ) -> str:
        """The name this pattern asks for: each placeholder ``filled`` (None or missing: ``word``
        says it in words, given its name), each set of choices as ``choose`` picks."""
        shown = []
        for part in self.parts:
            if part.placeholder:
                shown.append(filled.get(part.placeholder) or word(part.placeholder))
            elif part.choices:
                shown.append(choose(part.choices))
            else:
                shown.append(part.text)
        return "".join(shown)


def normal(text: str) -> str:
    """``text`` as names are compared: NFKC, without format characters (zero-width, bidi
    marks) nor spaces at either end."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


@functools.lru_cache(maxsize=1024)
def read(written: str) -> Pattern:
    """The pattern ``written``; :class:`PatternError` says what is wrong and where.

    Read once: checking the file and making its settings share the same compiled pattern.
    """
    parts: list[Part] = []
    literal: list[str] = []
    i = 0
    while i < len(written):
        char = written[i]
        if char == "}":
            raise PatternError("nicknames.pattern.unopened", written, i)
        if char != "{":
            literal.append(char)
            i += 1
            continue
        end = written.find("}", i + 1)
        inner = written[i + 1 : end] if end >= 0 else ""
        if end < 0 or "{" in inner:
            raise PatternError("nicknames.pattern.unclosed", written, i)
        if literal:
            parts.append(Part(text="".join(literal)))
            literal = []
        parts.append(_placeholder(written, i, inner))
        i = end + 1
    if literal:
        parts.append(Part(text="".join(literal)))
    if not any(p.placeholder or p.choices or p.text.strip() for p in parts):
        raise PatternError("nicknames.pattern.empty", written, 0)
    return Pattern(written, tuple(parts), _compiled(parts, None))


def _placeholder(written: str, at: int, inner: str) -> Part:
    word = inner.strip()
    if "|" in word:
        choices = tuple(c.strip() for c in word.split("|"))
        if not all(choices):
            raise PatternError("nicknames.pattern.empty_choice", written, at)
        return Part(choices=choices)
    if word not in PLACEHOLDERS:
        raise PatternError("nicknames.pattern.unknown", written, at, placeholder=inner)
    return Part(placeholder=word)


def _compiled(parts: Iterable[Part], building: str | None) -> re.Pattern[str]:
    """The regular expression of ``parts``, ``{building}`` being ``building`` (None: any)."""
    pieces = []
    for part in parts:
        if part.placeholder == "building" and building:
            pieces.append(_literal(building))
        elif part.placeholder:
            pieces.append(f"(?:{_MATCHES[part.placeholder]})")
        elif part.choices:
            pieces.append("(?:" + "|".join(_literal(c) for c in part.choices) + ")")
        elif literal := _literal(part.text):
            pieces.append(literal)
    return re.compile(_OPTIONAL_SPACE.join(pieces), re.IGNORECASE)


def _literal(text: str) -> str:
    words = _SPACES.split(normal(text))
    return _OPTIONAL_SPACE.join(re.escape(w) for w in words if w)
