"""Catalogues: every text exists in zh_CN and en, with the same placeholders; a plural entry has
the locale's number of forms and is asked for with a count."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sanshe.core.contributions import vocabulary
from sanshe.core.i18n import CORE_LOCALES, LOCALES, PLURAL_FORMS, Catalogue
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
            frozenset(re.findall(r"\{(\w+)\}", form))
            for loc in LOCALES
            for form in forms(catalogue.entry(loc, key))
        }
        assert len(fields) == 1, key


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.parent.name)
def test_no_key_is_written_twice(folder: Path) -> None:
    for locale in LOCALES:
        keys = re.findall(r'^msgid "(.+)"$', (folder / f"{locale}.po").read_text("utf-8"), re.M)
        assert sorted(k for k in set(keys) if keys.count(k) > 1) == [], locale


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.parent.name)
def test_a_plural_entry_is_plural_in_both_languages_with_their_number_of_forms(
    folder: Path,
) -> None:
    catalogue = Catalogue([folder])
    plural = {loc: plural_keys(catalogue, loc) for loc in LOCALES}
    assert plural["en"] == plural["zh_CN"], plural["en"] ^ plural["zh_CN"]
    for loc in LOCALES:
        wrong = {
            k for k in plural[loc] if len(forms(catalogue.entry(loc, k))) != len(PLURAL_FORMS[loc])
        }
        assert not wrong, (loc, wrong)


def forms(entry: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """A catalogue entry's texts: its one text, or a plural entry's forms."""
    return () if entry is None else (entry,) if isinstance(entry, str) else entry


def plural_keys(catalogue: Catalogue, locale: str) -> set[str]:
    """The keys of ``locale`` written as plural entries (``msgid_plural``)."""
    return {k for k in catalogue.keys(locale) if isinstance(catalogue.entry(locale, k), tuple)}


def test_every_plural_entry_is_asked_for_with_a_count() -> None:
    """A plural key in code is ``_.plural``'s key, or said with a value ``count=`` (or ``**values``
    that may hold one): never so that English reads "1 records"."""
    plural = plural_keys(Catalogue(FOLDERS), "en")
    assert {"records.exported", "checkins.missing", "warnings.length.d"} <= plural
    uncounted: set[str] = set()
    for folder in ("core", "plugins"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            parents = {
                child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
            }
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and node.value in plural:
                    call = node
                    while call in parents and not isinstance(call, ast.Call):
                        call = parents[call]
                    if not (isinstance(call, ast.Call) and counted(call)):
                        uncounted.add(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}")
    assert not uncounted, uncounted


def counted(call: ast.Call) -> bool:
    """Whether ``call`` gives its text a count: ``_.plural(key, n)``, ``count=`` or ``**values``."""
    plural = isinstance(call.func, ast.Attribute) and call.func.attr == "plural"
    return plural or any(k.arg in ("count", None) for k in call.keywords)


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
