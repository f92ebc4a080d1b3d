"""Personal-data detection and the short, masked excerpts replies may quote."""

from __future__ import annotations

from sanshe.core.privacy import excerpt, personal_data


def test_detectors_find_phone_and_id_numbers() -> None:
    assert personal_data("电话 138-1234-5678 谢谢") == ("phone",)
    assert personal_data("+86 13812345678") == ("phone",)
    assert personal_data("订单号 2381234567890") == ()
    assert personal_data("身份证110101199003074573") == ("id_number",)
    assert personal_data("编号110101199003074578") == ()  # wrong check digit: not an ID


def test_an_excerpt_is_short_printable_and_masked() -> None:
    assert excerpt("building-9") == "building-9"
    assert excerpt("13812345678") == "***"
    assert excerpt("abc110101199003074573") == "abc***"
    assert excerpt("room 2381234567") == "room ***"  # a long digit run, whatever it is
    assert excerpt("a\x00b\u202ec\nd\x1b[31m") == "abcd[31m"
    long = excerpt("很长" * 50)
    assert len(long) <= 17 and long.endswith("…")
    assert excerpt("138 1234 5678 x") == "*** x"
    # Digits broken up by other separators are still a number nobody should see again.
    assert excerpt("1381-234-5678") == "***"
    assert excerpt("tel (010) 6234.5678") == "tel ***"
    assert excerpt("no 12-34 here") == "no 12-34 here"


def test_full_width_digits_are_personal_data_too() -> None:
    assert personal_data("电话１３８１２３４５６７８") == ("phone",)
    assert excerpt("电话１３８１２３４５６７８") == "电话***"


def test_an_excerpt_keeps_the_text_as_written_but_the_numbers() -> None:
    assert excerpt("睡不着，很焦虑，电话13812345678！", 40) == "睡不着，很焦虑，电话***！"
    assert excerpt("（电话：１３８ １２３４ ５６７８。") == "（电话：***。"
    assert excerpt("Ｈｅｌｌｏ，ﬁne…") == "Ｈｅｌｌｏ，ﬁne…"
