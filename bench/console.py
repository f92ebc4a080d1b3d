"""Lines a second through ``sanshe run`` on the console, beside a loop that commits each line.

A file of ``--lines`` console lines (residents chatting in the example's groups,
every tenth line a ``/whoami``) is given to ``sanshe run`` (console adapter,
the example community, a SQLite file) as its standard input, as
``sanshe run < lines.txt`` does; every line is answered (a reply, or a note
that none was given), and the time from the first line's answer to the last
one's is the run's (start-up left out).

The baseline, in this process on the same SQLite file with Sanshe's pragmas
(:data:`sanshe.core.storage.SQLITE_PRAGMAS`): each line of the same file read
and kept as a row in a transaction of its own (``BEGIN``, ``INSERT``,
``COMMIT``), durably: what a program that may not lose a line pays at least.
It prints both rates and the ratio (target: at least 0.5); it does not assert.

    python bench/console.py [--lines 10000]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sanshe.core.storage import SQLITE_PRAGMAS  # noqa: E402

EXAMPLE = ROOT / "config" / "community.yaml"
#: Who writes where: residents and volunteers of the example, in its groups.
SPEAKERS = ("wang@building-1", "zhao@building-2", "liu@building-3", "zhou@tenants-1")
SAID = (
    "今天下午三点小区门口有蔬菜团购，需要的邻居请带好购物袋",
    "请问快递点明天还开吗？",
    "谢谢志愿者送来的药，已经收到了",
    "楼下的垃圾桶满了，麻烦物业看一下",
    "Is the pharmacy on Long Street open this weekend?",
    "好的，收到",
)


def script(lines: int) -> str:
    """``lines`` console lines: chat in the groups, every tenth line a command."""
    written = []
    for n in range(lines):
        speaker = SPEAKERS[n % len(SPEAKERS)]
        text = "/whoami" if n % 10 == 9 else f"{SAID[n % len(SAID)]} ({n})"
        written.append(f"{speaker}: {text}\n")
    return "".join(written)


def sanshe_run(lines: Path, db: Path, folder: Path, count: int) -> float:
    """Seconds ``sanshe run`` takes from answering the first of ``lines`` to the last."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPYCACHEPREFIX=str(folder / "pycache"), SANSHE_FILES=str(folder / "files"))
    command = [sys.executable, "-m", "sanshe.core.cli", "run", "--network", "console"]
    command += ["--config", str(EXAMPLE), "--db", f"sqlite://{db}"]
    with lines.open("rb") as given:
        run = subprocess.Popen(
            command, stdin=given, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
        )
        assert run.stdout is not None
        first = last = 0.0
        answers = 0
        for out in run.stdout:
            now = time.perf_counter()
            first = first or now
            last = now
            answers += out.startswith((b"note: line ", b"reply ", b"dm "))
        if run.wait() != 0:
            raise SystemExit("sanshe run failed")
    if answers < count:
        raise SystemExit(f"sanshe run answered {answers} of {count} lines")
    return last - first


def committed_each(lines: Path, db: Path) -> float:
    """Seconds to keep each of ``lines`` as a row in a transaction of its own, on ``db``."""
    connection = sqlite3.connect(db, isolation_level=None)
    for pragma, value in SQLITE_PRAGMAS.items():
        connection.execute(f"PRAGMA {pragma}={value}")
    connection.execute("CREATE TABLE IF NOT EXISTS bench_line (n INTEGER PRIMARY KEY, line TEXT)")
    started = time.perf_counter()
    with lines.open(encoding="utf-8") as given:
        for n, line in enumerate(given):
            connection.execute("BEGIN")
            connection.execute("INSERT INTO bench_line (n, line) VALUES (?, ?)", (n, line))
            connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        lines = folder / "lines.txt"
        lines.write_text(script(args.lines), encoding="utf-8")
        db = folder / "sanshe.sqlite3"
        sanshe = sanshe_run(lines, db, folder, args.lines)
        floor = committed_each(lines, db)
    # The first line's answer starts the clock: the run's rate is over the lines after it.
    rate = (args.lines - 1) / sanshe if sanshe else float("inf")
    floor_rate = args.lines / floor
    print(f"console: {args.lines} lines piped to sanshe run (the example, a SQLite file)")
    print(f"  a transaction a line (BEGIN, INSERT, COMMIT): {floor_rate:7.0f} lines/s")
    print(f"  sanshe run < lines:                           {rate:7.0f} lines/s")
    print(f"  ratio sanshe / a transaction a line: {rate / floor_rate:.2f}  (target >= 0.5)")


if __name__ == "__main__":
    main()
