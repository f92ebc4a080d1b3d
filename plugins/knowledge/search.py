"""Finding entries by what someone asks, in Chinese and English, whatever the word order.

A text is read as terms: each pair of neighbouring Chinese characters (``发烧了`` gives
``发烧``, ``烧了``; a question's particles 的了吗呢… are left out first), each Chinese
character alone (weighing less), each English word's stem (``isolating`` and ``isolate``
alike), and each meaning of the synonym table (``lexicon/synonyms.yaml``, with the groups a
community adds in its settings) whose word the text holds (``发热`` and ``fever`` are both the meaning ``fever``).  Entries are ranked by
BM25 over those terms, the question counted twice and its answer once.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Generic, TypeVar

import yaml

T = TypeVar("T")

SYNONYMS = Path(__file__).parent / "lexicon" / "synonyms.yaml"
#: How much each kind of term weighs in a query.
MEANING, PAIR, CHARACTER, WORD = 1.5, 1.0, 0.25, 1.0
#: BM25's saturation and length normalisation.
K1, B = 1.2, 0.75

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9]+")
#: Particles dropped from a Chinese run before its pairs are made.
_PARTICLES = re.compile("[的了吗呢吧啊呀哦嘛哈]")
#: Characters too common to say anything alone.
_COMMON = frozenset(
    "我你他她它们是在有和与或也都就还要会能可以这那个些怎么什如何请问吗呢吧啊呀哦嘛哈把被给让"
)
#: Pairs that only make a question a question.
_QUESTION_PAIRS = frozenset(
    "怎么 什么 如何 可以 应该 需要 请问 是否 有没 没有 能不 不能 哪里 哪儿 在哪 哪些 怎样 "
    "为什 知道 一下 我们 你们 他们 这个 那个 现在 最近 要去 能找 找谁".split()
)
_STOPWORDS = frozenset(
    """a an the i me my mine we us our you your he she him her his it its they them their
    is are am was were be been being do does did done can could should would will shall may
    might must what how who whom when where which why if of to for in on at by and or but
    not no so as it this that these those there here any some with from have has had having
    now get got please about while during under up just very also into than then too out
    t s don doesn didn isn aren won""".split()
)
_IRREGULAR = {"ran": "run", "got": "get", "bought": "buy", "children": "child", "people": "person"}


def _stem(word: str) -> str:
    """A light English stem: plurals, -ing, -ed, -ly and a final -e or -y folded."""
    word = _IRREGULAR.get(word, word)
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("ly", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                break
            if suffix == "es" and not re.search(r"(s|x|z|ch|sh)es$", word):
                continue
            word = word[: -len(suffix)] + keep
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # stopped -> stop
    if len(word) > 3 and word[-1] in "ey":
        word = word[:-1] + ("i" if word[-1] == "y" else "")
    return word


def normal(text: str) -> str:
    """``text`` as it is read: NFKC, any letter case."""
    return unicodedata.normalize("NFKC", text).casefold()


def chinese(text: str) -> bool:
    """Whether ``text`` holds Chinese characters."""
    return _CJK.search(text) is not None


def _stems(text: str) -> list[str]:
    return [_stem(w) for w in _LATIN.findall(text)]


@dataclass(frozen=True, slots=True, eq=False)
class Synonyms:
    """The synonym table, read for matching: Chinese words and English stem sequences (one
    table is equal only to itself, so that texts' terms are cached per table)."""

    chinese: tuple[tuple[str, str], ...]
    """(word, meaning), longest words first."""
    english: dict[tuple[str, ...], frozenset[str]]
    """A word's stems -> the meanings it has."""
    longest: int

    @classmethod
    def read(cls, groups: Mapping[str, Sequence[str]]) -> Synonyms:
        chinese: list[tuple[str, str]] = []
        english: dict[tuple[str, ...], set[str]] = {}
        for meaning, words in groups.items():
            for word in words:
                word = normal(str(word))
                if _CJK.search(word):
                    chinese.append((word, meaning))
                elif stems := tuple(_stems(word)):
                    english.setdefault(stems, set()).add(meaning)
        chinese.sort(key=lambda pair: -len(pair[0]))
        longest = max((len(s) for s in english), default=1)
        frozen = {stems: frozenset(m) for stems, m in english.items()}
        return cls(tuple(chinese), frozen, longest)

    def meanings(self, text: str, stems: Sequence[str]) -> set[str]:
        """The meanings of the words ``text`` (normal) holds; ``stems`` are its English stems."""
        found = {meaning for word, meaning in self.chinese if word in text}
        for start in range(len(stems)):
            for size in range(1, min(self.longest, len(stems) - start) + 1):
                found.update(self.english.get(tuple(stems[start : start + size]), ()))
        return found


@cache
def _shipped() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(SYNONYMS.read_text(encoding="utf-8"))
    return {str(meaning): tuple(words) for meaning, words in data["groups"].items()}


@cache
def synonyms(own: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> Synonyms:
    """The shipped synonym table with a community's ``own`` groups (meaning, words) added: the
    words of a meaning the table has join it, a new meaning is a group of its own."""
    groups = {meaning: list(words) for meaning, words in _shipped().items()}
    for meaning, words in own:
        groups.setdefault(meaning, []).extend(words)
    return Synonyms.read(groups)


def terms(text: str, table: Synonyms) -> Counter[str]:
    """The terms of ``text``, counted: ``m:<meaning>``, ``p:<pair>``, ``c:<char>``, ``w:<stem>``
    (the meanings by synonym ``table``)."""
    text = normal(text)
    stems = _stems(text)
    found: Counter[str] = Counter()
    for run in _CJK.findall(text):
        run = _PARTICLES.sub("", run) or run
        found.update(f"c:{c}" for c in run if c not in _COMMON)
        pairs = (run[i : i + 2] for i in range(len(run) - 1))
        found.update(f"p:{p}" for p in pairs if p not in _QUESTION_PAIRS)
    found.update(f"w:{s}" for s in stems if s not in _STOPWORDS)
    found.update(f"m:{m}" for m in table.meanings(text, stems))
    return found


@lru_cache(maxsize=4096)
def _document(title: str, body: str, table: Synonyms) -> Counter[str]:
    """An item's terms, its title's counted twice (kept: the same entries are read each time;
    never changed by the caller)."""
    heading = terms(title, table)
    return heading + heading + terms(body, table)


def _weight(term: str) -> float:
    return {"m": MEANING, "p": PAIR, "c": CHARACTER, "w": WORD}[term[0]]


@dataclass(frozen=True, slots=True)
class Found(Generic[T]):
    """An item found, with its score."""

    item: T
    score: float


def rank(
    query: str, items: Iterable[tuple[T, str, str]], top: int, table: Synonyms
) -> list[Found[T]]:
    """The ``top`` items best matching ``query``, best first: each item given with its title
    (a question, a resource's name and needs; counted twice) and its body (an answer), words
    alike by synonym ``table``.

    An item counts as found only if it shares a term that weighs more than a single
    character, or several single characters, with the query.
    """
    asked = terms(query, table)
    if not asked:
        return []
    documents = [(item, _document(title, body, table)) for item, title, body in items]
    if not documents:
        return []
    average = sum(d.total() for _i, d in documents) / len(documents) or 1.0
    holding = Counter(t for _i, d in documents for t in d)
    total = len(documents)
    found: list[Found[T]] = []
    for item, document in documents:
        shared = [t for t in asked if t in document]
        strong = any(t[0] != "c" for t in shared) or len(shared) >= 2
        if not strong:
            continue
        norm = K1 * (1 - B + B * document.total() / average)
        score = 0.0
        for term in shared:
            idf = math.log(1 + (total - holding[term] + 0.5) / (holding[term] + 0.5))
            count = document[term]
            score += _weight(term) * idf * count * (K1 + 1) / (count + norm)
        found.append(Found(item, score))
    found.sort(key=lambda f: -f.score)
    return found[:top]
