"""Catalogues: every text exists in zh_CN and en, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sanshe.core.contributions import vocabulary
from sanshe.core.i18n import CORE_LOCALES, Catalogue
from sanshe.core.plugins import plugin_manager

FOLDERS = [CORE_LOCALES, *vocabulary(plugin_manager()).catalogues]
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.parent.name)
def test_both_languages_have_the_same_keys_and_placeholders(folder: Path) -> None:
    catalogue = Catalogue([folder])
    en, zh = catalogue.keys("en"), catalogue.keys("zh_CN")
    assert en == zh, en ^ zh
    for key in en:
        fields = {
            re.findall(r"\{(\w+)\}", catalogue.gettext(loc, key)).__len__()
            and frozenset(re.findall(r"\{(\w+)\}", catalogue.gettext(loc, key)))
            or frozenset()
            for loc in ("en", "zh_CN")
        }
        assert len(fields) == 1, key


def test_every_key_used_in_code_exists() -> None:
    catalogue = Catalogue(FOLDERS)
    known = catalogue.keys("en")
    used: set[str] = set()
    pattern = re.compile(
        r"""["']((?:basics|forms|form|moderation|command|config|cli|rules|action|role|kind|list|roles|arguments|dead_letter)\.[a-z_.]+)["']"""
    )
    for folder in ("core", "plugins"):
        for path in (ROOT / folder).rglob("*.py"):
            used.update(pattern.findall(path.read_text(encoding="utf-8")))
    missing = {key for key in used if key not in known and not key.endswith(".")}
    assert not missing, missing
