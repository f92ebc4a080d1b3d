"""Seconds from starting ``sanshe run`` to its first reply, with the example and with 10,000 groups.

For each community (the example, and the example with ``--groups`` more resident
groups at the head of its list) ``sanshe run`` is started as a subprocess on the
console adapter and a SQLite file, one command line is piped to it, and the time
from starting the process to the reply's line on its standard output is taken.
The first start makes the database (migrations); the ``--runs`` starts after it
open that database again, as a restart does; their median is the figure.

Beside them, measured in the same run: ``python -c pass`` (the interpreter's own
start) and ``python -c "import sanshe.core.cli"`` (the bare import of Sanshe's
command).  Compiled modules are kept in a temporary folder
(``PYTHONPYCACHEPREFIX``), as an installed package keeps them, even where
``PYTHONDONTWRITEBYTECODE`` is set.  It prints, and does not assert.

    python bench/startup.py [--groups 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "community.yaml"
#: The line piped to each run, and how its reply starts.
LINE = "wang@building-1: /whoami\n"
REPLY = "reply building-1: "


def many_groups(groups: int) -> str:
    """The example community with ``groups`` more resident groups at the head of its list."""
    lines = []
    for n in range(groups):
        lines.append(f"  - id: g{n:05d}")
        lines.append("    kind: resident")
        lines.append(f"    name: 居民群{n:05d}")
        lines.append("    administered_by: [grid_worker]")
    example = EXAMPLE.read_text(encoding="utf-8")
    return example.replace("\ngroups:\n", "\ngroups:\n" + "\n".join(lines) + "\n", 1)


def first_reply(config: Path, db: Path, env: dict[str, str]) -> float:
    """Seconds from starting ``sanshe run`` on ``config`` to its reply to :data:`LINE`."""
    command = [sys.executable, "-m", "sanshe.core.cli", "run", "--network", "console"]
    command += ["--config", str(config), "--db", f"sqlite://{db}"]
    started = time.perf_counter()
    run = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert run.stdin is not None and run.stdout is not None
    run.stdin.write(LINE)
    run.stdin.close()
    replied = None
    for line in run.stdout:
        if replied is None and line.startswith(REPLY):
            replied = time.perf_counter() - started
    if run.wait() != 0 or replied is None:
        raise SystemExit(f"sanshe run on {config.name} gave no reply to {LINE.strip()!r}")
    return replied


def interpreter(code: str, env: dict[str, str], runs: int) -> float:
    """Median seconds of ``python -c code``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=str(here / "pycache"), SANSHE_FILES=str(here / "files"))
        (here / "forms").mkdir()
        for form in (EXAMPLE.parent / "forms").glob("*.yaml"):
            (here / "forms" / form.name).write_bytes(form.read_bytes())
        communities = {
            "the example": EXAMPLE.read_text(encoding="utf-8"),
            f"{args.groups:,} groups more": many_groups(args.groups),
        }
        interpreter("import sanshe.core.cli", env, 1)  # compiles the modules once
        figures = []
        for n, (title, text) in enumerate(communities.items()):
            config = here / f"community-{n}.yaml"
            config.write_text(text, encoding="utf-8")
            db = here / f"sanshe-{n}.sqlite3"
            first = first_reply(config, db, env)
            again = statistics.median(first_reply(config, db, env) for _ in range(args.runs))
            figures.append((title, len(text.encode()), first, again))
        bare = interpreter("pass", env, args.runs)
        imported = interpreter("import sanshe.core.cli", env, args.runs)
    print(f"startup: sanshe run on the console and a SQLite file, {LINE.strip()!r} piped")
    print(f"  python -c pass:                      {bare:5.2f} s")
    print(f"  python -c 'import sanshe.core.cli':  {imported:5.2f} s")
    for (title, size, first, again), target in zip(figures, (1.0, 1.5), strict=True):
        print(f"  {title} ({size / 1e6:.2f} MB):")
        print(f"    first reply, new database:         {first:5.2f} s")
        print(
            f"    first reply, restart (median of {args.runs}): {again:5.2f} s  (target < {target} s)"
        )


if __name__ == "__main__":
    main()
