"""Train the crisis detector's learned layer on tuning.jsonl and dev.jsonl; write its weights.

Run from the repository: ``.venv/bin/python tests/crisis/train.py``.  It writes
``plugins/crisis/learned.json`` (see ``plugins/crisis/learned.py``) and prints only figures.
It never reads the held-out half.

The model is a binarised multinomial naive Bayes, one per language: each n-gram of a message
counts once; a message's score is the log-odds of crisis.  A second naive Bayes over the crisis
messages alone says the kind.  Each language's threshold is chosen by FOLDS-fold
cross-validation on the two sets (seeded): the lowest threshold at which the detector with the
learned layer — the lexicon, or else the model unless the lexicon reads a look-alike — keeps a
cross-validated precision of at least PRECISION in that language.
"""

import json
import math
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sanshe.plugins.crisis.detector import Detector, normalise
from sanshe.plugins.crisis.learned import WEIGHTS, Language, features, language

HERE = Path(__file__).parent
SETS = ("tuning.jsonl", "dev.jsonl")
KINDS = ("suicide", "self_harm", "plan_or_means", "farewell_or_burden", "violence", "medical")
ALPHA = 0.5
"""Additive smoothing of the n-gram counts."""
KIND_COUNT = 2
"""How many crisis messages an n-gram must be in to weigh in the kind (a smaller file)."""
FOLDS = 5
SEED = 20261203
PRECISION = 0.9
"""The cross-validated precision a threshold must keep (the target's floor is 0.8)."""


class Message:
    """A labelled message as the model and the lexicon read it."""

    def __init__(self, row: dict[str, Any], lexicon: Detector) -> None:
        text = normalise(row["text"])
        self.crisis: bool = row["crisis"]
        self.kind: str = row["kind"]
        self.language: Language = language(text)
        self.features = features(text, self.language)
        hit, look_alike = lexicon.read_lexicon(text)
        self.lexicon = hit is not None
        self.look_alike = look_alike


def fit(messages: list[Message]) -> dict[str, Any]:
    """One language's weights (threshold 0) from its messages: per n-gram, its weight for
    crisis and, if it is in enough crisis messages, its weight for each kind."""
    counts = {True: Counter[str](), False: Counter[str]()}
    by_kind = {kind: Counter[str]() for kind in KINDS}
    for message in messages:
        counts[message.crisis].update(message.features)
        if message.crisis:
            by_kind[message.kind].update(message.features)
    vocabulary = sorted(counts[True].keys() | counts[False].keys())
    size = len(vocabulary)

    def log_probabilities(counter: Counter[str]) -> dict[str, float]:
        total = sum(counter.values()) + ALPHA * size
        return {f: math.log((counter[f] + ALPHA) / total) for f in vocabulary}

    crisis, calm = log_probabilities(counts[True]), log_probabilities(counts[False])
    kinds = [log_probabilities(by_kind[kind]) for kind in KINDS]
    weights = {f: round(crisis[f] - calm[f], 3) for f in vocabulary}
    kind_weights = {}
    for f in vocabulary:
        if counts[True][f] >= KIND_COUNT:
            mean = sum(k[f] for k in kinds) / len(kinds)
            kind_weights[f] = [round(k[f] - mean, 3) for k in kinds]
    crises = sum(m.crisis for m in messages)
    return {
        "bias": math.log(crises / (len(messages) - crises)),
        "threshold": 0.0,
        "kinds": KINDS,
        "kind_bias": [
            math.log(max(1, sum(m.kind == kind for m in messages)) / crises) for kind in KINDS
        ],
        "weights": weights,
        "kind_weights": kind_weights,
    }


def score(model: dict[str, Any], message: Message) -> float:
    """A message's log-odds of crisis under ``model``."""
    weights = model["weights"]
    return float(model["bias"]) + sum(weights.get(f, 0.0) for f in sorted(message.features))


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
        Message(json.loads(line), lexicon)
        for name in SETS
        for line in (HERE / name).read_text(encoding="utf-8").splitlines()
        if line
    ]
    order = list(range(len(messages)))
    random.Random(SEED).shuffle(order)
    scores = [0.0] * len(messages)
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

        def both(threshold: float, mine: list[tuple[Message, float]] = mine) -> list[bool]:
            return [m.lexicon or (not m.look_alike and s > threshold) for m, s in mine]

        def precision(flags: list[bool], mine: list[tuple[Message, float]] = mine) -> float:
            found = sum(flag and m.crisis for flag, (m, _) in zip(flags, mine, strict=True))
            return found / max(1, sum(flags))

        candidates = sorted({s for _, s in mine})
        threshold = next(
            t for t in candidates if precision(both(t)) >= PRECISION or t == candidates[-1]
        )
        crisis = [m.crisis for m, _ in mine]
        model_alone = [s > threshold for _, s in mine]
        print(f"{lang}: threshold {threshold:.3f} ({FOLDS}-fold cross-validation on {len(mine)})")
        print(f"  model alone: {figures(list(zip(model_alone, crisis, strict=True)))}")
        print(f"  lexicon alone: {figures([(m.lexicon, m.crisis) for m, _ in mine])}")
        print(f"  lexicon and model: {figures(list(zip(both(threshold), crisis, strict=True)))}")
        models[lang] = fit([m for m in messages if m.language == lang])
        models[lang]["threshold"] = round(threshold, 3)
        print(f"  weights: {len(models[lang]['weights'])} n-grams")
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
