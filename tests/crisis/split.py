"""Split a labelled crisis message list into tuning.jsonl and heldout.jsonl, seeded and balanced.

Used once, to make the committed halves: ``python tests/crisis/split.py all.jsonl``, and once for
the ordinary chat: ``python tests/crisis/split.py ordinary.jsonl ordinary-train.jsonl
ordinary-check.jsonl``. Each input
line is one message as in the halves, optionally with a ``stratum`` naming a finer group (for
messages that are not crisis: idiom, negation, news, ...) that is balanced but not written out.
Within each (stratum or kind, lang, indirect) group the messages are sorted, shuffled with SEED and
dealt half to each file; a group's odd one goes to the half that has fewer so far.
Never re-run it to add messages: that would move held-out messages into tuning (see README.md).
"""

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

SEED = 20261202
HERE = Path(__file__).parent
FIELDS = ("text", "crisis", "kind", "lang", "indirect")
Message = dict[str, object]


def split(messages: list[Message]) -> tuple[list[Message], list[Message]]:
    """The tuning and held-out halves of messages, each group dealt evenly between them."""
    groups: dict[tuple[str, str, bool], list[Message]] = defaultdict(list)
    for message in messages:
        stratum = str(message.get("stratum") or message["kind"])
        groups[(stratum, str(message["lang"]), bool(message["indirect"]))].append(message)
    rng = random.Random(SEED)
    tuning: list[Message] = []
    heldout: list[Message] = []
    for key in sorted(groups):
        group = sorted(groups[key], key=lambda m: str(m["text"]))
        rng.shuffle(group)
        half = len(group) // 2
        tuning += group[:half]
        heldout += group[half : 2 * half]
        if len(group) % 2:
            (tuning if len(tuning) <= len(heldout) else heldout).append(group[-1])
    rng.shuffle(tuning)
    rng.shuffle(heldout)
    return tuning, heldout


def write(path: Path, messages: list[Message]) -> None:
    """Write messages to path, one JSON object a line, with the evaluation set's fields only."""
    lines = [json.dumps({f: m[f] for f in FIELDS}, ensure_ascii=False) for m in messages]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(source: str, first: str = "tuning.jsonl", second: str = "heldout.jsonl") -> None:
    """Read all messages from source and write the two halves next to this script."""
    with open(source, encoding="utf-8") as lines:
        messages = [json.loads(line) for line in lines if line.strip()]
    one, other = split(messages)
    write(HERE / first, one)
    write(HERE / second, other)
    print(f"{first} {len(one)}, {second} {len(other)}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
