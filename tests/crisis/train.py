"""Train the crisis detector's learned layer on tuning.jsonl, dev.jsonl and ordinary-train.jsonl;
write its weights.

Run from the repository: ``.venv/bin/python tests/crisis/train.py``.  It writes
``plugins/crisis/learned.json`` (see ``plugins/crisis/learned.py``) and prints only figures.
It never reads the held-out half or ``ordinary-check.jsonl``.

The model is a logistic regression, one per language, over each message's n-grams (each counts
once), fitted by seeded stochastic gradient descent with an L2 penalty: a message's score is the
log-odds of crisis.  A naive Bayes over the crisis messages alone says the kind.  Each
language's threshold is chosen by FOLDS-fold cross-validation on the three sets (seeded): the
lowest threshold from which up the detector with the learned layer — the lexicon, or else the model
unless the lexicon reads a look-alike — keeps a cross-validated precision of at least PRECISION
in that language, counting the ordinary chat, and flags at most ORDINARY of that language's
ordinary chat.
"""

import json
import math
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sanshe.plugins.crisis.detector import Detector, normalise
from sanshe.plugins.crisis.learned import WEIGHTS, Language, features, language, size

HERE = Path(__file__).parent
SETS = ("tuning.jsonl", "dev.jsonl", "ordinary-train.jsonl")
ORDINARY_SET = "ordinary-train.jsonl"
KINDS = ("suicide", "self_harm", "plan_or_means", "farewell_or_burden", "violence", "medical")
ALPHA = 0.5
"""Additive smoothing of the kinds' n-gram counts."""
KIND_COUNT = 2
"""How many crisis messages an n-gram must be in to weigh in the kind (a smaller file)."""
EPOCHS = 30
RATE = 0.1
"""The first step of the gradient descent (it shrinks with each pass)."""
PENALTY = 0.1
"""The L2 penalty on the n-grams' weights (chosen by the same cross-validation)."""
MARGIN = 1.0
"""How much a message's n-grams must add to the log-odds of a message the model knows nothing of."""
FOLDS = 5
SEED = 20261203
PRECISION = 0.9
"""The cross-validated precision a threshold must keep (the target's floor is 0.8)."""
ORDINARY = 0.01
"""The share of a language's ordinary chat a threshold may flag in the cross-validation (the
test's ceiling on ordinary-check.jsonl)."""


class Message:
    """A labelled message as the model and the lexicon read it."""

    def __init__(self, row: dict[str, Any], lexicon: Detector, ordinary: bool) -> None:
        text = normalise(row["text"])
        self.crisis: bool = row["crisis"]
        self.kind: str = row["kind"]
        self.ordinary = ordinary
        self.language: Language = language(text)
        self.features = sorted(features(text, self.language))
        self.readable = not text.lstrip().startswith("/")
        self.size = size(text, self.language)
        hit, look_alike = lexicon.read_lexicon(text)
        self.lexicon = hit is not None
        self.look_alike = look_alike


def fit(messages: list[Message]) -> tuple[float, dict[str, float]]:
    """One language's bias and n-gram weights, by gradient descent on the log-loss."""
    weights: dict[str, float] = {}
    bias = 0.0
    order = list(range(len(messages)))
    shuffle = random.Random(SEED)
    for epoch in range(EPOCHS):
        shuffle.shuffle(order)
        rate = RATE / (1 + epoch * 0.2)
        for index in order:
            message = messages[index]
            z = bias + sum(weights.get(f, 0.0) for f in message.features)
            error = 1 / (1 + math.exp(-max(-30.0, min(30.0, z)))) - message.crisis
            bias -= rate * error
            for f in message.features:
                weight = weights.get(f, 0.0)
                weights[f] = weight - rate * (error + PENALTY * weight)
    return bias, weights


def fit_kinds(messages: list[Message]) -> dict[str, Any]:
    """The kinds' naive Bayes from the crisis messages: per n-gram in enough of them, its weight
    for each kind."""
    crises = [m for m in messages if m.crisis]
    by_kind = {kind: Counter[str]() for kind in KINDS}
    for message in crises:
        by_kind[message.kind].update(message.features)
    counts = Counter(f for m in crises for f in m.features)
    vocabulary = sorted(counts)

    def log_probabilities(counter: Counter[str]) -> dict[str, float]:
        total = sum(counter.values()) + ALPHA * len(vocabulary)
        return {f: math.log((counter[f] + ALPHA) / total) for f in vocabulary}

    kinds = [log_probabilities(by_kind[kind]) for kind in KINDS]
    kind_weights = {}
    for f in vocabulary:
        if counts[f] >= KIND_COUNT:
            mean = sum(k[f] for k in kinds) / len(kinds)
            kind_weights[f] = [round(k[f] - mean, 3) for k in kinds]
    return {
        "kinds": KINDS,
        "kind_bias": [
            math.log(max(1, sum(m.kind == kind for m in crises)) / len(crises)) for kind in KINDS
        ],
        "kind_weights": kind_weights,
    }


def score(model: tuple[float, dict[str, float]], message: Message) -> tuple[float, float]:
    """A message's log-odds of crisis under ``model``, and what its n-grams add to the bias."""
    bias, weights = model
    evidence = sum(weights.get(f, 0.0) for f in message.features)
    return bias + evidence, evidence


def scores_of(mine: list[tuple[Message, tuple[float, float]]]) -> list[float]:
    """The scores of the messages read."""
    return [s for _, (s, _) in mine]


def figures(pairs: list[tuple[bool, bool]]) -> str:
    """Recall and precision of (flagged, crisis) pairs, with the counts."""
    found = sum(flag and crisis for flag, crisis in pairs)
    missed = sum(crisis and not flag for flag, crisis in pairs)
    alarms = sum(flag and not crisis for flag, crisis in pairs)
    recall = found / (found + missed) if found + missed else 1.0
    precision = found / (found + alarms) if found + alarms else 1.0
    return (
        f"recall {recall:.3f}, precision {precision:.3f} "
        f"({found} found, {missed} missed, {alarms} false alarms)"
    )


def main() -> None:
    lexicon = Detector.shipped()
    messages = [
        Message(json.loads(line), lexicon, name == ORDINARY_SET)
        for name in SETS
        for line in (HERE / name).read_text(encoding="utf-8").splitlines()
        if line
    ]
    shortest = {
        lang: min(m.size for m in messages if m.crisis and m.language == lang)
        for lang in ("zh", "en")
    }
    order = list(range(len(messages)))
    random.Random(SEED).shuffle(order)
    scores = [(0.0, 0.0)] * len(messages)
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS])
        for lang in ("zh", "en"):
            model = fit([m for i, m in enumerate(messages) if i not in held and m.language == lang])
            for i in held:
                if messages[i].language == lang:
                    scores[i] = score(model, messages[i])
    models: dict[str, dict[str, Any]] = {}
    for lang in ("zh", "en"):
        mine = [(m, s) for m, s in zip(messages, scores, strict=True) if m.language == lang]

        def model_says(
            threshold: float, mine: list[tuple[Message, tuple[float, float]]] = mine
        ) -> list[bool]:
            return [
                m.readable and m.size >= shortest[m.language] and e >= MARGIN and s > threshold
                for m, (s, e) in mine
            ]

        def both(
            threshold: float, mine: list[tuple[Message, tuple[float, float]]] = mine
        ) -> list[bool]:
            return [
                m.lexicon or (not m.look_alike and says)
                for (m, _), says in zip(mine, model_says(threshold), strict=True)
            ]

        def fits(flags: list[bool], mine: list[tuple[Message, tuple[float, float]]] = mine) -> bool:
            found = sum(flag and m.crisis for flag, (m, _) in zip(flags, mine, strict=True))
            ordinary = [flag for flag, (m, _) in zip(flags, mine, strict=True) if m.ordinary]
            return found / max(1, sum(flags)) >= PRECISION and sum(ordinary) <= ORDINARY * len(
                ordinary
            )

        gated = [s for s, says in zip(scores_of(mine), model_says(-math.inf), strict=True) if says]
        threshold = min(gated) - 0.001
        for candidate in sorted(set(gated), reverse=True):
            if not fits(both(candidate)):
                break
            threshold = candidate
        crisis = [m.crisis for m, _ in mine]
        ordinary = [m.ordinary for m, _ in mine]
        print(
            f"{lang}: threshold {threshold:.3f}, shortest {shortest[lang]} "
            f"({FOLDS}-fold cross-validation on {len(mine)}, {sum(ordinary)} of them ordinary chat)"
        )
        for name, flags in (
            ("model alone", model_says(threshold)),
            ("lexicon alone", [m.lexicon for m, _ in mine]),
            ("lexicon and model", both(threshold)),
        ):
            alarms = sum(flag and plain for flag, plain in zip(flags, ordinary, strict=True))
            print(
                f"  {name}: {figures(list(zip(flags, crisis, strict=True)))}, "
                f"{alarms} of {sum(ordinary)} ordinary messages flagged"
            )
        bias, weights = fit([m for m in messages if m.language == lang])
        kept = {f: round(w, 3) for f, w in sorted(weights.items()) if round(w, 3)}
        models[lang] = {
            "bias": round(bias, 3),
            "threshold": round(threshold, 3),
            "margin": MARGIN,
            "shortest": shortest[lang],
            "weights": kept,
            **fit_kinds([m for m in messages if m.language == lang]),
        }
        print(f"  weights: {len(kept)} n-grams")
    WEIGHTS.write_text(
        json.dumps({"models": models}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        + "\n",
        encoding="utf-8",
    )
    print(
        f"wrote {WEIGHTS.relative_to(Path.cwd()) if WEIGHTS.is_relative_to(Path.cwd()) else WEIGHTS}"
    )


if __name__ == "__main__":
    sys.exit(main())
