"""A text that counts something takes the plural form of its locale: English says "1 record" and
"0 records", "2 records"; Chinese has one form for every count."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sanshe.core.i18n import PLURAL_FORMS, Catalogue, Translator

EN = """msgid ""
msgstr ""
"Language: en\\n"

msgid "mine.left"
msgid_plural "mine.left"
msgstr[0] "{kind}: {count} pack left."
msgstr[1] "{kind}: {count} packs left."

msgid "mine.plain"
msgstr "Noted: {kind}."
"""

ZH = """msgid ""
msgstr ""
"Language: zh_CN\\n"

msgid "mine.left"
msgid_plural "mine.left"
msgstr[0] "{kind}：还剩 {count} 份。"

msgid "mine.plain"
msgstr "已登记：{kind}。"
"""


@pytest.fixture
def catalogue(tmp_path: Path) -> Catalogue:
    (tmp_path / "en.po").write_text(EN, encoding="utf-8")
    (tmp_path / "zh_CN.po").write_text(ZH, encoding="utf-8")
    return Catalogue([tmp_path])


def test_english_says_one_for_1_and_the_plural_for_0_and_2(catalogue: Catalogue) -> None:
    _ = Translator(catalogue, "en")
    assert _.plural("mine.left", 1, kind="Food") == "Food: 1 pack left."
    assert _.plural("mine.left", 0, kind="Food") == "Food: 0 packs left."
    assert _.plural("mine.left", 2, kind="Food") == "Food: 2 packs left."
    assert _.plural("mine.left", 21, kind="Food") == "Food: 21 packs left."


def test_chinese_has_one_form_for_every_count(catalogue: Catalogue) -> None:
    _ = Translator(catalogue, "zh_CN")
    assert PLURAL_FORMS == {"en": ("one", "other"), "zh_CN": ("other",)}
    assert {_.plural("mine.left", n, kind="食品") for n in (1, 2)} == {
        "食品：还剩 1 份。",
        "食品：还剩 2 份。",
    }
    assert _.plural("mine.left", 0, kind="食品") == "食品：还剩 0 份。"


def test_a_value_named_count_fills_the_text_and_the_plural_number_only_chooses(
    catalogue: Catalogue,
) -> None:
    _ = Translator(catalogue, "en")
    assert _.plural("mine.left", 1, kind="Food", count="one") == "Food: one pack left."


def test_a_count_with_decimals_is_one_only_when_it_is_1(catalogue: Catalogue) -> None:
    _ = Translator(catalogue, "en")
    assert _.plural("mine.left", Decimal("1"), kind="Food") == "Food: 1 pack left."
    assert _.plural("mine.left", Decimal("1.5"), kind="Food") == "Food: 1.5 packs left."
    assert _.plural("mine.left", Decimal("0.5"), kind="Food") == "Food: 0.5 packs left."


def test_a_value_named_count_picks_the_form_of_a_key_said_later(catalogue: Catalogue) -> None:
    _ = Translator(catalogue, "en")
    assert _("mine.left", kind="Food", count=1) == "Food: 1 pack left."
    assert _("mine.left", kind="Food", count=3) == "Food: 3 packs left."
    assert _("mine.left", kind="Food", count="1") == "Food: 1 packs left."  # no number: general


def test_a_plain_entry_asked_with_a_count_and_a_plural_one_without(catalogue: Catalogue) -> None:
    _ = Translator(catalogue, "en")
    assert _.plural("mine.plain", 1, kind="Food") == "Noted: Food."
    assert _("mine.left", kind="Food") == "Food: {count} packs left."  # the general form
    assert catalogue.entry("en", "mine.left") == (
        "{kind}: {count} pack left.",
        "{kind}: {count} packs left.",
    )
    assert catalogue.entry("zh_CN", "mine.left") == ("{kind}：还剩 {count} 份。",)
    assert catalogue.entry("zh_CN", "mine.plain") == "已登记：{kind}。"


def test_a_missing_chinese_plural_falls_back_to_the_english_forms(tmp_path: Path) -> None:
    (tmp_path / "en.po").write_text(EN, encoding="utf-8")
    catalogue = Catalogue([tmp_path])
    assert (
        Translator(catalogue, "zh_CN").plural("mine.left", 1, kind="食品") == "食品: 1 pack left."
    )
