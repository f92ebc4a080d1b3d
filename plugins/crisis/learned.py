"""The learned layer of the crisis detector: a logistic model over character and word n-grams.

It reads what the lexicon has no phrase for ("I've made my peace with everything").  A
message is read in the language its characters say (any Chinese character: ``zh``), after
the detector's normalising: Chinese as characters 1–3 at a time, English as words 1–2 at
a time and characters 3–5 at a time.  The weights (``learned.json``) are made by
``tests/crisis/train.py`` from ``tuning.jsonl``, ``dev.jsonl`` and ``ordinary-train.jsonl``
(everyday chat), which also chose each language's threshold by cross-validation.  A message
is a crisis, of the kind whose words it is most like, only with enough to go on: it is not a
command, it is at least as long as the shortest crisis message trained on (5 Chinese
characters, 4 English words: never a one-word form answer or a number), its n-grams add at
least the model's margin to the log-odds of a message the model knows nothing of, and it
scores above the threshold.  The plugin does not use it: it still takes 10 of the 300
messages of ``ordinary-check.jsonl`` (everyday chat it was not trained on) for crises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, cast

Language = Literal["zh", "en"]
WEIGHTS = Path(__file__).parent / "learned.json"

_CHINESE = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_TOKEN = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")
_WORD = re.compile(r"[a-z0-9']*[a-z][a-z0-9']*")


def language(text: str) -> Language:
    """The language a normalised text is read in: ``zh`` if it has a Chinese character."""
    return "zh" if _CHINESE.search(text) else "en"


def size(text: str, lang: Language) -> int:
    """How long a normalised text is to the model: Chinese characters (zh) or words with a
    letter in them (en)."""
    return len(_CHINESE.findall(text) if lang == "zh" else _WORD.findall(text))


def features(text: str, lang: Language) -> set[str]:
    """The n-grams of a normalised text the model weighs (each once, however often it occurs)."""
    found: set[str] = set()
    if lang == "zh":
        chars = "\x02" + text + "\x03"
        for n in (1, 2, 3):
            found.update("z" + chars[i : i + n] for i in range(len(chars) - n + 1))
        return found
    tokens = _TOKEN.findall(text)
    words = ["<s>", *tokens, "</s>"]
    found.update("w" + word for word in tokens)
    found.update(f"b{a} {b}" for a, b in zip(words, words[1:], strict=False))
    chars = " " + " ".join(tokens) + " "
    for n in (3, 4, 5):
        found.update("c" + chars[i : i + n] for i in range(len(chars) - n + 1))
    return found


@dataclass(frozen=True, slots=True)
class _Model:
    """One language's weights: per n-gram, its weight for crisis and, for some, for each kind."""

    bias: float
    """The log-odds of a message none of whose n-grams the model knows."""
    threshold: float
    margin: float
    """How much a message's n-grams must add to ``bias`` at the least."""
    shortest: int
    """The fewest characters (zh) or words (en) of a message the model reads."""
    kinds: tuple[str, ...]
    """The kinds of crisis, in the order of each n-gram's kind weights."""
    kind_bias: tuple[float, ...]
    weights: Mapping[str, float]
    kind_weights: Mapping[str, Sequence[float]]


@dataclass(frozen=True, slots=True)
class Reading:
    """How the model reads a message."""

    language: Language
    score: float
    """The log-odds of a crisis, as the model has them."""
    kind: str | None
    """The kind of crisis it is most like, if it is long enough, not a command, its n-grams add
    the margin and its score is above the language's threshold."""


class Learned:
    """The shipped model of each language, read from ``learned.json``."""

    def __init__(self, models: Mapping[Language, _Model]) -> None:
        self._models = models

    @classmethod
    def load(cls, path: Path) -> Learned:
        """The models written by ``tests/crisis/train.py`` at ``path``."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            {
                cast(Language, name): _Model(
                    model["bias"],
                    model["threshold"],
                    model["margin"],
                    model["shortest"],
                    tuple(model["kinds"]),
                    tuple(model["kind_bias"]),
                    model["weights"],
                    model["kind_weights"],
                )
                for name, model in data["models"].items()
            }
        )

    def read(self, text: str) -> Reading | None:
        """How a normalised ``text`` scores, or None if no model reads its language."""
        lang = language(text)
        model = self._models.get(lang)
        if model is None:
            return None
        found = features(text, lang)
        weights = model.weights
        evidence = sum(weights.get(feature, 0.0) for feature in found)
        score = model.bias + evidence
        if (
            score <= model.threshold
            or evidence < model.margin
            or size(text, lang) < model.shortest
            or text.lstrip().startswith("/")
        ):
            return Reading(lang, score, None)
        kinds = list(model.kind_bias)
        for feature in found & model.kind_weights.keys():
            for index, weight in enumerate(model.kind_weights[feature]):
                kinds[index] += weight
        return Reading(lang, score, model.kinds[kinds.index(max(kinds))])


@cache
def shipped() -> Learned:
    """The shipped model (read once)."""
    return Learned.load(WEIGHTS)
