"""How well the crisis detector reads a labelled set of messages (tests and the bench use it).

A set is a jsonl file, one message a line: ``{"text": …, "crisis": true|false,
"kind": …, "lang": "zh"|"en"}``.  Only counts and figures come out, never a message.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from sanshe.plugins.crisis.detector import Detector


@dataclass(frozen=True, slots=True)
class Figures:
    """The detector's counts on a set of messages, and what they make."""

    messages: int
    true_positives: int
    false_positives: int
    false_negatives: int
    microseconds: float
    """The mean time to read one message."""

    @property
    def recall(self) -> float:
        """The share of the crisis messages read as a crisis."""
        found = self.true_positives + self.false_negatives
        return self.true_positives / found if found else 1.0

    @property
    def precision(self) -> float:
        """The share of the messages read as a crisis that are one."""
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    def line(self, name: str) -> str:
        """One printed line: recall, precision, counts and µs per message."""
        return (
            f"{name}: recall {self.recall:.3f}, precision {self.precision:.3f} "
            f"({self.messages} messages: {self.true_positives} found, "
            f"{self.false_negatives} missed, {self.false_positives} false alarms), "
            f"{self.microseconds:.1f} µs/message"
        )


def evaluate(path: Path, detector: Detector, language: str | None = None) -> Figures:
    """The detector's figures on the set at ``path`` (only its ``language`` messages if given)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    rows = [row for row in rows if language is None or row["lang"] == language]
    true_positives = false_positives = false_negatives = 0
    started = time.perf_counter()
    found = [detector.detect(row["text"]) is not None for row in rows]
    elapsed = time.perf_counter() - started
    for row, hit in zip(rows, found, strict=True):
        true_positives += hit and row["crisis"]
        false_positives += hit and not row["crisis"]
        false_negatives += not hit and row["crisis"]
    return Figures(
        len(rows),
        true_positives,
        false_positives,
        false_negatives,
        elapsed / len(rows) * 1e6 if rows else 0.0,
    )
