"""The floor: the least a chat bot does with a message, timed, for other benches to be
measured against in the same run.

A minimal asyncio loop: each line is handed through one ``asyncio.Queue``,
checked against the keywords with one Aho-Corasick automaton (pyahocorasick,
lower-cased text, as Sanshe's rules do) and kept as one SQLite row (network,
event id, when, how many keywords it hit), the rows written in transactions of
at most Sanshe's batch (:data:`sanshe.core.storage.BATCH`) on a file opened
with Sanshe's pragmas (:data:`sanshe.core.storage.SQLITE_PRAGMAS`) through
aiosqlite, the driver Sanshe uses.  A transaction is written once the queue is
empty or the batch full, and the next lines wait for it, as an adapter waits
for its events' checkpoints.  Prints its absolute rate and µs a message.

    python bench/floor.py [--messages 100000] [--keywords 10]

Another bench imports it (``bench/`` is the script's folder, so ``import floor``)
and prints its own rate as a ratio of ``(await floor.measure(texts, keywords,
folder)).rate``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ahocorasick
import aiosqlite

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sanshe.core.storage import BATCH, SQLITE_PRAGMAS  # noqa: E402

#: Characters the lines are made of (common Chinese ones, as a resident group writes).
CHARACTERS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"


@dataclass(frozen=True, slots=True)
class Floor:
    """One run of the floor: how many messages, in how long, with how much of this process's CPU."""

    messages: int
    seconds: float
    cpu_seconds: float

    @property
    def rate(self) -> float:
        """Messages a second."""
        return self.messages / self.seconds

    @property
    def micros(self) -> float:
        """Wall-clock µs a message."""
        return self.seconds / self.messages * 1e6

    @property
    def cpu_micros(self) -> float:
        """This process's CPU µs a message."""
        return self.cpu_seconds / self.messages * 1e6

    def shown(self) -> str:
        """The figures as one line."""
        return (
            f"{self.rate:10.0f} messages/s   {self.micros:6.1f} µs a message   "
            f"{self.cpu_micros:6.1f} µs CPU a message"
        )


def lines(count: int, seed: int = 7) -> list[str]:
    """``count`` synthetic resident messages, 8 to 40 characters each."""
    rng = random.Random(seed)
    return [
        "".join(rng.choice(CHARACTERS) for _ in range(rng.randint(8, 40))) for _ in range(count)
    ]


def automaton_of(keywords: Iterable[str]) -> Any:
    """One Aho-Corasick automaton over the keywords, lower-cased as Sanshe's rules keep them."""
    automaton = ahocorasick.Automaton()
    for word in keywords:
        automaton.add_word(word.strip().lower(), word)
    automaton.make_automaton()
    return automaton


async def measure(texts: Sequence[str], keywords: Iterable[str], folder: Path) -> Floor:
    """Run the floor over ``texts`` on a fresh SQLite file in ``folder`` and time it."""
    automaton = automaton_of(keywords)
    path = folder / f"floor-{time.monotonic_ns()}.sqlite3"
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        for pragma, value in SQLITE_PRAGMAS.items():
            await db.execute(f"PRAGMA {pragma}={value}")
        await db.execute(
            'CREATE TABLE "handled" ("network" TEXT NOT NULL, "event_id" TEXT NOT NULL, '
            '"handled_at" TEXT NOT NULL, "hits" INT NOT NULL, PRIMARY KEY ("network", "event_id"))'
        )
        queue: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue()

        async def read() -> None:
            for n, text in enumerate(texts):
                await queue.put((f"m{n}", text))
            await queue.put(None)

        async def handle() -> None:
            rows: list[tuple[str, str, str, int]] = []
            while True:
                line = await queue.get()
                if line is not None:
                    event_id, text = line
                    hits = sum(1 for _hit in automaton.iter(text.lower()))
                    rows.append(("console", event_id, datetime.now(UTC).isoformat(), hits))
                if rows and (line is None or len(rows) >= BATCH or queue.empty()):
                    await db.execute("BEGIN")
                    await db.executemany(
                        'INSERT INTO "handled" VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', rows
                    )
                    await db.execute("COMMIT")
                    rows = []
                if line is None:
                    return

        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(read(), handle())
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        await db.close()
    return Floor(len(texts), elapsed, cpu)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--keywords", type=int, default=10, help="keywords in the automaton")
    args = parser.parse_args()
    texts = lines(args.messages)
    keywords = [
        CHARACTERS[i] + CHARACTERS[(i * 7 + 3) % len(CHARACTERS)] for i in range(args.keywords)
    ]
    pragmas = ", ".join(f"{k}={v}" for k, v in SQLITE_PRAGMAS.items())
    print(
        f"floor: {args.messages} messages through one queue, {args.keywords} keywords in one "
        f"automaton, one SQLite row each, at most {BATCH} a transaction ({pragmas})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        await measure(texts[: min(2_000, len(texts))], keywords, Path(tmp))  # warm-up
        print(f"  {(await measure(texts, keywords, Path(tmp))).shown()}")


if __name__ == "__main__":
    asyncio.run(main())
