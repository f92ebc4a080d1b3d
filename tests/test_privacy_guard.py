"""The privacy guard's detectors, string by string: which kinds of personal data each text holds.

Phone numbers are mainland mobiles (130–199 as allocated), ID numbers carry the
GB 11643 check digit and a real birth date, card numbers pass the Luhn check;
all may be spaced or dashed, written in full-width digits, or sit inside other
text, Chinese or not.  A longer run of digits is none of them.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest

from sanshe.core.privacy import KINDS, excerpt, found_in, personal_data, readable

PHONE = ("phone",)
ID = ("id_number",)
CARD = ("bank_card",)
ADDRESS = ("address",)
NONE: tuple[str, ...] = ()

CASES: list[tuple[str, tuple[str, ...]]] = [
    # --- mobile numbers ---
    ("13812345678", PHONE),
    ("14712345678", PHONE),
    ("15012345678", PHONE),
    ("16612345678", PHONE),
    ("17712345678", PHONE),
    ("18612345678", PHONE),
    ("19912345678", PHONE),
    ("我的手机是13812345678请回电", PHONE),
    ("电话：138 1234 5678，谢谢", PHONE),
    ("电话 138-1234-5678 谢谢", PHONE),
    ("138 - 1234 - 5678", PHONE),
    ("138—1234—5678", PHONE),
    ("1381 234 5678", PHONE),
    ("+86 13812345678", PHONE),
    ("+8613812345678", PHONE),
    ("+86-138-1234-5678", PHONE),
    ("0086 138 1234 5678", PHONE),
    ("008613812345678", PHONE),
    ("(+86)13812345678", PHONE),
    ("（＋８６）１３８ １２３４ ５６７８", PHONE),
    ("电话１３８１２３４５６７８", PHONE),
    ("call me at 138-1234-5678 thanks", PHONE),
    ("5栋302 138 1234 5678", PHONE),
    ("今天12月2日 13812345678", PHONE),
    ("13812345678 13987654321", PHONE),
    ("12012345678", NONE),  # 120: no mobile prefix
    ("14012345678", NONE),
    ("15412345678", NONE),
    ("16012345678", NONE),
    ("17912345678", NONE),
    ("19412345678", NONE),
    ("1381234567", NONE),  # ten digits
    ("138123456789", NONE),  # twelve
    ("订单号213812345678", NONE),  # eleven digits inside a longer run
    ("订单号 1381234567890", NONE),
    ("8613812345678", NONE),  # 86 without + or 00 is a longer run
    # --- hidden by invisible characters, or written with dots, slashes, line breaks ---
    ("我的电话 138\u200b1234\u200b5678", PHONE),  # zero-width spaces
    ("1381234\u200d5678", PHONE),  # a zero-width joiner
    ("电话\u202e13812345678\u202c", PHONE),  # a bidi override around it
    ("138\u2060\ufeff1234\u00ad5678", PHONE),  # a word joiner, a BOM, a soft hyphen
    ("身份证1101011990\u200b03074573", ID),
    ("6222\u200c0213\u200c8123\u200c4561", CARD),
    ("我的电话 138.1234.5678", PHONE),
    ("138/1234/5678", PHONE),
    ("电话 138 1234\n5678", PHONE),  # split over two lines
    ("电话\n138\r\n1234\n5678\n谢谢", PHONE),
    ("6222.0213.8123.4561", CARD),
    ("体温36.8度，血氧98.5", NONE),
    ("2026/12/01 开始", NONE),
    ("2026.12.01 14:30", NONE),
    ("每袋3.5kg/袋，5.8元/斤", NONE),
    ("12/3、12/4、12/5 三天", NONE),
    ("服务器 192.168.100.123", NONE),
    ("101\n102\n103", NONE),  # rooms, one a line
    ("订单号2\u200b13812345678", NONE),  # read as written: twelve digits
    # --- resident ID numbers ---
    ("110101199003074573", ID),
    ("身份证110101199003074573，请核对", ID),
    ("440305198706152839", ID),
    ("11010519491231002X", ID),
    ("证件号11010519491231002x。", ID),
    ("110101 19900307 4573", ID),
    ("4403 0519 8706 1528 39", ID),
    ("110 101 1990 0307 4573", ID),
    ("１１０１０１１９９００３０７４５７３", ID),
    ("310115198808010711", ID),  # passes the Luhn check too: an ID, not also a card
    ("110101199003074578", NONE),  # wrong check digit
    ("110101199002304576", NONE),  # right check digit, but 30 February
    ("订单号 202612021234567890", NONE),
    ("11010519491231002X5", NONE),  # an X inside a run
    # --- bank cards ---
    ("6222021381234561", CARD),
    ("卡号6222021381234561", CARD),
    ("6222 0213 8123 4561", CARD),
    ("6222-0213-8123-4561", CARD),
    ("６２２２ ０２１３ ８１２３ ４５６１", CARD),
    ("6217001234567890122", CARD),
    ("6217 0012 3456 7890 122", CARD),
    ("4367421234567896", CARD),
    ("622202138123456787", CARD),  # 18 digits, no ID number
    ("6222021381234562", NONE),  # Luhn fails
    ("6222 0213 8123 4562", NONE),
    ("62220213812345612345", NONE),  # twenty digits
    ("订单号 2026120212345678907", NONE),  # passes Luhn, but no card begins with 2
    ("1234567890123452", NONE),
    # --- several kinds in one message ---
    ("电话13812345678，卡号6222021381234561", PHONE + CARD),
    ("身份证 110101199003074573 手机 13812345678", PHONE + ID),
    ("住5栋2单元302，电话13812345678", PHONE + ADDRESS),
    # --- exact addresses ---
    ("XX路123号", ADDRESS),
    ("我家在新华路12号", ADDRESS),
    ("中山北路 100 号", ADDRESS),
    ("南京西路1266号恒隆广场", ADDRESS),
    ("长安街1号", ADDRESS),
    ("5栋2单元302", ADDRESS),
    ("我住在5栋2单元302，请帮我送药", ADDRESS),
    ("3号楼1单元501室", ADDRESS),
    ("5号楼2单元1502", ADDRESS),
    ("B座2门1502", ADDRESS),
    ("3号楼501室", ADDRESS),
    ("５栋２单元３０２", ADDRESS),
    ("5-2-302", ADDRESS),
    ("Room 302, Building 5, 12 Xinhua Road", ADDRESS),
    ("12 Xinhua Road", ADDRESS),
    ("Building 5, Unit 2, Room 302", ADDRESS),
    # --- not exact addresses ---
    ("1号楼", NONE),
    ("请1号楼的居民下楼做核酸", NONE),
    ("3号楼1单元", NONE),
    ("坐地铁2号线", NONE),
    ("环路3号线", NONE),
    ("我知道3号楼在哪", NONE),
    ("12月3号开会", NONE),
    ("5楼", NONE),
    ("2 cars on the road", NONE),
    ("room for 3 people", NONE),
    # --- other numbers ---
    ("2026-12-02 14:30", NONE),
    ("体温36.8度", NONE),
    ("核酸检测 3 次，101-106 已完成", NONE),
    ("今天没有数字", NONE),
]


def test_the_table_has_sixty_strings_or_more() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(("text", "kinds"), CASES)
def test_the_kinds_found_in_a_text(text: str, kinds: tuple[str, ...]) -> None:
    assert personal_data(text, KINDS) == kinds


@pytest.mark.parametrize(("text", "kinds"), [case for case in CASES if case[1]])
def test_numbers_found_are_masked_in_an_excerpt(text: str, kinds: tuple[str, ...]) -> None:
    text = readable(unicodedata.normalize("NFKC", text))
    masked = "".join(c for c in excerpt(text, limit=200) if c.isdigit())
    found = found_in(text)
    assert tuple(sorted({f.kind for f in found}, key=KINDS.index)) == kinds
    for f in found:
        digits = "".join(c for c in text[f.start : f.end] if c.isdigit())
        assert (digits in masked) == (f.kind == "address")


def test_an_excerpt_shows_an_address() -> None:
    # A resident's name is often their building, unit and room; an excerpt keeps it.
    assert excerpt("5-2-302 自住") == "5-2-302 自住"
    assert excerpt("3号楼1单元501室", 40) == "3号楼1单元501室"


def test_one_number_is_one_kind() -> None:
    # The ID number that passes the Luhn check too is found once, as an ID number.
    assert [f.kind for f in found_in("310115198808010711")] == ["id_number"]
    # A phone number's digits inside an ID number or a card are not a phone.
    assert [f.kind for f in found_in("110101 19900307457 3")] == ["id_number"]
    assert [f.kind for f in found_in("6222 0253 1381 2345 678")] == ["bank_card"]


def test_every_format_character_is_read_past() -> None:
    # The class of invisible characters is written out (reading Unicode's table at import would
    # cost every process a sixth of a second); it must hold every Cf this Python knows.
    invisible = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert readable("1" + "".join(invisible) + "2") == "12"


def test_addresses_are_found_only_where_asked() -> None:
    assert personal_data("5栋2单元302，电话13812345678") == PHONE
    assert personal_data("5栋2单元302", ["address"]) == ADDRESS
