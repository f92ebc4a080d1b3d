"""The /help lines read alike in English: each begins in lower case, as a line of a list."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
ENTRY = re.compile(r'msgid "(?P<key>[a-z_]+\.help\.[a-z_]+)"\nmsgstr "(?P<text>[^"]*)"')


def test_every_english_help_line_begins_in_lower_case() -> None:
    found = {
        m["key"]: m["text"]
        for po in [ROOT / "core/locales/en.po", *sorted(ROOT.glob("plugins/*/locales/en.po"))]
        for m in ENTRY.finditer(po.read_text(encoding="utf-8"))
        if not m["key"].endswith(".title")
    }
    assert "joining.help.approve" in found
    assert {k: t for k, t in found.items() if not t[:1].islower()} == {}
