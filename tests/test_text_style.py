"""The catalogues' texts read alike: /help lines in English begin in lower case, as lines of a
list; a dry run is marked one way everywhere (core's "试运行：…", "Dry run: …")."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
CATALOGUES = [ROOT / "core/locales", *sorted(ROOT.glob("plugins/*/locales"))]
ENTRY = re.compile(r'msgid "(?P<key>[a-z_]+\.help\.[a-z_]+)"\nmsgstr "(?P<text>[^"]*)"')


def test_every_english_help_line_begins_in_lower_case() -> None:
    found = {
        m["key"]: m["text"]
        for folder in CATALOGUES
        for m in ENTRY.finditer((folder / "en.po").read_text(encoding="utf-8"))
        if not m["key"].endswith(".title")
    }
    assert "joining.help.approve" in found
    assert {k: t for k, t in found.items() if not t[:1].islower()} == {}


def test_a_dry_run_is_marked_as_core_marks_it() -> None:
    marked = [
        line
        for folder in CATALOGUES
        for po in ("zh_CN.po", "en.po")
        for line in (folder / po).read_text(encoding="utf-8").splitlines()
        if re.search(r"[（(【\[]试运行|[（(【\[]dry run", line, re.I)
    ]
    assert marked == []
