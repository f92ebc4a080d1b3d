"""Seconds to check a big community file: ``sanshe check-config``'s work vs a bare YAML load.

A 2 MB community file with 20,000 people (each with a handle and a role, a few
scoped to a group) is generated in a temporary folder, then

(a) loaded with ``yaml.load`` and libyaml's ``CSafeLoader`` (no marks, no checks): the
    floor any YAML reader pays;
(b) read and checked as ``sanshe check-config`` does (plugins' vocabulary, marks, every
    cross-file check), ``--runs`` times.

Same process, same file.  It prints the size, both times and the ratio b/a (target: b
under 3 s); it does not assert.

    python bench/config_load.py [--people 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sanshe.core.config import CommunityFile  # noqa: E402
from sanshe.core.contributions import vocabulary  # noqa: E402
from sanshe.core.plugins import plugin_manager  # noqa: E402

EXAMPLE = ROOT / "config" / "community.yaml"


def big_community(people: int) -> str:
    """The example community with ``people`` more people at the head of its list."""
    lines = []
    roles = ("general_volunteer", "medical_volunteer", "psych_volunteer", "resident_group_leader")
    for n in range(people):
        lines.append(f"  - id: p{n:05d}")
        lines.append(f"    name: 志愿者{n:05d}")
        lines.append(f"    handles: {{console: v{n}, telegram: {n}}}")
        if n % 10 == 0:
            lines.append(f"    roles: [{{role: {roles[n % 4]}, groups: [building-{n % 3 + 1}]}}]")
        else:
            lines.append(f"    roles: [{roles[n % 4]}]")
    example = EXAMPLE.read_text(encoding="utf-8")
    return example.replace("\npeople:\n", "\npeople:\n" + "\n".join(lines) + "\n", 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    text = big_community(args.people)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "community.yaml"
        path.write_text(text, encoding="utf-8")
        forms = Path(folder) / "forms"
        forms.mkdir()
        for form in (ROOT / "config" / "forms").glob("*.yaml"):
            (forms / form.name).write_bytes(form.read_bytes())
        started = time.perf_counter()
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # noqa: S506
        bare = time.perf_counter() - started
        vocab = vocabulary(plugin_manager())
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            community = CommunityFile.read(path).check(vocab)
            times.append(time.perf_counter() - started)
        checked = min(times)
    print(
        f"config load: {len(text.encode()) / 1e6:.1f} MB, {len(community.people)} people, "
        f"{len(community.forms)} forms"
    )
    print(f"  yaml.load with CSafeLoader:   {bare:6.2f} s")
    print(f"  read and check (best of {args.runs}): {checked:6.2f} s  (target < 3 s)")
    print(f"  ratio check / bare load: {checked / bare:.2f}")


if __name__ == "__main__":
    main()
