"""Personal data in chat text: finding it, and the short masked excerpt a reply may quote.

One set of detectors for core and plugins alike: the moderation plugin's
``personal_data`` rule condition uses them, and every reply that repeats what a
person typed repeats only :func:`excerpt` of it.

Text is read without invisible format characters, and as NFKC where that matters
(full-width digits are digits: see :func:`readable`).  Numbers are found in one
pass: each run of digit groups (digits broken by spaces, dashes, dots, slashes or
line breaks, ``138 1234 5678``) is read group by group, every stretch of whole
groups is checked for each kind of number, and where readings overlap the
longest one counts (an ID number that also passes the Luhn
check is an ID number, not a card; a phone number inside an ID number is not a
phone).  A stretch never starts or ends inside a group, so a longer digit run
holding eleven digits is no phone.  Addresses are found by a few patterns, each
tried only in a text holding one of its marks (号, 单元, a dash, Latin letters).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Collection, Iterable
from typing import NamedTuple

from .answers import check_id_number

NUMBERS = ("phone", "id_number", "bank_card")
"""The kinds of number that are personal data wherever they are written."""
KINDS = (*NUMBERS, "address")
"""Every kind of personal data found; ``address`` (an exact one) only where a rule asks."""

_SEPARATOR = "[ \t\r\n\u00a0\u3000\\-\u2010-\u2015\u2212./]{1,3}"
"""Between two groups of one number: up to three spaces, line breaks, dashes, dots or slashes
(a decimal or a date is too short to be any number: 36.8, 2026/12/01)."""
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
    "|[\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
"""Unicode's format characters (category Cf: zero-width spaces and joiners, bidi marks, the soft
hyphen…): nobody sees them, so the detectors read past them (138, a zero-width space, 1234…).
Those beyond the first plane are a class of their own: one class holding both is read range by
range, four times slower on a Chinese notice."""
_FULL_WIDTH = re.compile("[\uff0b\uff0d\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
"""Full-width digits, letters, plus and dash: a text with one is read as NFKC."""
_GROUP = "[0-9]+(?:[Xx](?![0-9]))?"
"""A group of digits; an ID number's last group may end in X."""
_RUN = re.compile(f"{_GROUP}(?:{_SEPARATOR}{_GROUP})*")
_GROUPS = re.compile(_GROUP)
_DIGIT = re.compile("[0-9]")
_ANY_DIGIT = re.compile("[0-9\uff10-\uff19]")
"""A digit, full-width too: every kind of personal data found holds one."""
_ISSUERS = "34569"
"""How card numbers begin: 3 (JCB), 4 (Visa), 5 (Mastercard), 6 (UnionPay), 9 (the banks' own
older cards, 9558…); an order number beginning otherwise is none, even when it passes Luhn."""
_MOBILE = re.compile(r"1(?:3[0-9]|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8[0-9]|9[0-35-9])[0-9]{8}")
"""A mainland mobile number: the prefixes allocated to mobile services, 130 to 199."""

_BUILDING = r"[0-9A-Za-z]{1,3}\s*(?:号楼|栋|幢|座|号)[\s\-]*"
_ADDRESSES: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    # 新华路123号, 中山北路 12-3 号 (not 环路3号线, a metro line)
    (
        ("号",),
        re.compile(r"(?:路|街|大道|大街|巷|弄|胡同)\s*[0-9]+(?:\s*[-之]\s*[0-9]+)?\s*号(?!线)"),
    ),
    # 5栋2单元302, 3号楼1单元501室, B座2门1502; 3号楼501室, 5栋302房
    (
        ("单元", "门", "室", "房"),
        re.compile(
            rf"{_BUILDING}(?:[0-9]{{1,2}}\s*(?:单元|门)[\s\-]*[0-9]{{3,4}}(?![0-9])(?:\s*[室房号])?"
            r"|[0-9]{3,4}\s*[室房])"
        ),
    ),
    # 5-2-302: building, unit, room
    (("-",), re.compile(r"(?<![0-9-])[0-9]{1,2}-[0-9]{1,2}-[1-9][0-9]{2,3}(?![0-9-])")),
)
"""Chinese exact addresses, each pattern tried only in a text holding one of its marks."""
_LATIN = re.compile("[A-Za-z]")
_ENGLISH_ADDRESS = re.compile(
    # 12 Xinhua Road, 8B Nanjing West Rd
    r"[0-9]+[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}"
    r"(?i:road|rd|street|st|avenue|ave|lane|ln|boulevard|blvd|drive|dr|lu)\b"
    # Room 302, Building 5 / Building 5, Unit 2, Room 302
    r"|(?i:room|rm|flat|apt|apartment)\.?\s*#?[0-9]+[A-Za-z]?\s*,?\s*"
    r"(?i:building|bldg|block|blk|tower)\.?\s*[0-9A-Za-z]{1,3}\b"
    r"|(?i:building|bldg|block|blk|tower)\.?\s*[0-9A-Za-z]{1,3}\s*,?\s*"
    r"(?:(?i:unit)\s*[0-9]+\s*,?\s*)?(?i:room|rm|flat|apt|apartment)\.?\s*#?[0-9]+"
)
"""English exact addresses, tried only in a text with Latin letters."""

_LONG_DIGITS = re.compile(r"\(?\d(?:[\s\-./()]*\d){5,}\)?")
"""Six digits or more, however spaced or punctuated: an account, a card, a number we do not
recognise; never quoted."""

EXCERPT_LENGTH = 16
MASK = "***"


class Found(NamedTuple):
    """Personal data of ``kind`` at ``text[start:end]``."""

    kind: str
    start: int
    end: int


def _luhn(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = ord(digit) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_id_number(digits: str) -> bool:
    try:
        check_id_number(digits)
    except ValueError:
        return False
    return True


def _number_kind(
    text: str, groups: list[tuple[int, int]], first: int, last: int, digits: str
) -> str:
    """The kind of number ``digits`` is (``""``: none): ``groups[first:last + 1]`` of a run."""
    length = len(digits)
    if digits[-1] in "Xx":
        return "id_number" if length == 18 and _is_id_number(digits) else ""
    if length == 11:
        return "phone" if _MOBILE.fullmatch(digits) else ""
    if length == 13:  # +8613812345678
        plus = groups[first][0] > 0 and text[groups[first][0] - 1] == "+"
        return "phone" if plus and digits[:2] == "86" and _MOBILE.fullmatch(digits, 2) else ""
    if length == 15:  # 008613812345678
        return "phone" if digits[:4] == "0086" and _MOBILE.fullmatch(digits, 4) else ""
    if length == 18 and _is_id_number(digits):
        return "id_number"
    if 16 <= length <= 19 and digits[0] in _ISSUERS and _luhn(digits):
        sizes = [end - start for start, end in groups[first : last + 1]]
        # One group, or groups of four (the last may be shorter): a card as it is written.
        in_fours = all(size == 4 for size in sizes[:-1]) and sizes[-1] <= 4
        return "bank_card" if len(sizes) == 1 or in_fours else ""
    return ""


def _numbers(text: str) -> list[Found]:
    """The phone, ID and card numbers in ``text`` (readable), none overlapping another."""
    readings: list[tuple[int, Found]] = []
    for run in _RUN.finditer(text):
        if run.end() - run.start() < 11:  # too short for any number: times, dates, rooms…
            continue
        groups = [g.span() for g in _GROUPS.finditer(text, run.start(), run.end())]
        joined = "".join(text[start:end] for start, end in groups)
        offsets = [0]
        for start, end in groups:
            offsets.append(offsets[-1] + end - start)
        for first in range(len(groups)):
            for last in range(first, len(groups)):
                length = offsets[last + 1] - offsets[first]
                if length > 19:
                    break
                if length >= 11:
                    digits = joined[offsets[first] : offsets[last + 1]]
                    if kind := _number_kind(text, groups, first, last, digits):
                        readings.append((length, Found(kind, groups[first][0], groups[last][1])))
                if joined[offsets[last + 1] - 1] in "Xx":
                    break
    return _longest_first(readings)


def _longest_first(readings: list[tuple[int, Found]]) -> list[Found]:
    """Of overlapping readings, the longest (the first of equals), in the order written."""
    readings.sort(key=lambda reading: -reading[0])
    kept: list[Found] = []  # in the order written, none overlapping
    for _length, found in readings:
        at = bisect.bisect_left(kept, found.start, key=lambda f: f.start)
        if (at == 0 or kept[at - 1].end <= found.start) and (
            at == len(kept) or found.end <= kept[at].start
        ):
            kept.insert(at, found)
    return kept


def found_in(text: str, kinds: Collection[str] = KINDS) -> list[Found]:
    """The personal data of ``kinds`` in ``text`` (as :func:`readable` gives it), in the order
    written."""
    if not _DIGIT.search(text):
        return []
    numbers = any(kind in kinds for kind in NUMBERS)
    found = [f for f in _numbers(text) if f.kind in kinds] if numbers else []
    if "address" in kinds:
        for marks, pattern in _ADDRESSES:
            if any(mark in text for mark in marks):
                found.extend(Found("address", *m.span()) for m in pattern.finditer(text))
        if _LATIN.search(text):
            found.extend(Found("address", *m.span()) for m in _ENGLISH_ADDRESS.finditer(text))
    return sorted(found, key=lambda f: f.start)


def readable(text: str) -> str:
    """``text`` as the detectors read it: without format characters, and NFKC when it has
    full-width digits, letters, plus or dash (full-width punctuation, in every Chinese sentence,
    matters to none and costs a normalisation of the whole text)."""
    text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFKC", text) if _FULL_WIDTH.search(text) else text


def personal_data(text: str, kinds: Iterable[str] = NUMBERS) -> tuple[str, ...]:
    """The kinds of personal data (of ``kinds``) that ``text`` contains, full-width digits too."""
    if not _ANY_DIGIT.search(text):  # most chat: no number, no address, nothing to read past
        return ()
    kinds = tuple(kinds)
    present = {found.kind for found in found_in(readable(text), frozenset(kinds))}
    return tuple(kind for kind in kinds if kind in present)


def _printable(text: str) -> str:
    """``text`` without control, format (bidi, zero-width) or unassigned characters."""
    return "".join(c for c in text if unicodedata.category(c)[0] != "C")


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """What a reply may quote of ``text``: printable, short, with phone, ID and card numbers
    and other long numbers masked (an address is not: ``5-2-302 自住`` is a resident's name).
    The numbers are found in its NFKC reading (full-width digits are digits); the rest is kept
    as written (，stays ，)."""
    text = _printable(text)
    pieces = [unicodedata.normalize("NFKC", c) for c in text]
    origin = [i for i, piece in enumerate(pieces) for _c in piece]
    """The character of ``text`` each character of the reading comes from."""
    read = "".join(pieces)
    spans = [(f.start, f.end) for f in found_in(read, NUMBERS)]
    spans += [m.span() for m in _LONG_DIGITS.finditer(read)]
    masked, end = [], 0
    for start, stop in sorted(spans):
        if start >= end:
            masked.append(text[origin[end - 1] + 1 if end else 0 : origin[start]] + MASK)
        end = max(end, stop)
    rest = text[origin[end - 1] + 1 :] if end else text
    text = ("".join(masked) + rest).strip()
    return text if len(text) <= limit else text[:limit] + "…"
