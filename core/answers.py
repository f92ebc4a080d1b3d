"""One answer to a form's question: read from what a person typed, and shown back.

:func:`parse_answer` checks an answer against its field's type (text, numbers,
ages and temperatures in range, phone and resident ID numbers, dates, yes/no,
choices) and raises :class:`Invalid` with the reason in the person's language.
An ``agreement`` is never answered by what is typed: only by ``/agree`` (see
:mod:`.forms`), so every text is refused saying so.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .i18n import Translator
from .model import FormField

_YES = {"yes", "y", "是", "是的", "对", "有", "1", "true"}
_NO = {"no", "n", "否", "不是", "不", "没有", "无", "0", "false"}
_PHONE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$|^(0\d{2,3}\d{7,8})$|^\+([1-9]\d{7,14})$", re.ASCII)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$", re.ASCII)
#: Numbers as people write them: ASCII digits only (``²``, ``①`` and ``nan`` are not numbers).
_INTEGER = re.compile(r"[+-]?[0-9]{1,9}")
_DECIMAL = re.compile(r"[+-]?[0-9]{1,9}(?:\.[0-9]{1,6})?")
#: Full-width ASCII, as a Chinese input method types it (``１３８``), read as plain ASCII.
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
_SPLIT = re.compile(r"[\s,，、;；]+")


class Invalid(ValueError):
    """An answer that does not fit its field; the message says why, in the person's language."""


def _number(text: str) -> float:
    cleaned = text.replace(",", ".").replace("℃", "").replace("度", "").strip()
    if not _DECIMAL.fullmatch(cleaned):
        raise ValueError(cleaned)
    return float(cleaned)


def _in_range(
    field: FormField, value: float, low: float | None, high: float | None, _: Translator
) -> None:
    low = field.min if field.min is not None else low
    high = field.max if field.max is not None else high
    if (low is not None and value < low) or (high is not None and value > high):
        raise Invalid(_("form.invalid.range", low=_fmt(low), high=_fmt(high)))


def _fmt(value: float | None) -> str:
    if value is None:
        return "…"
    return str(int(value)) if float(value).is_integer() else str(value)


def check_id_number(text: str) -> str:
    """Check a mainland resident ID number (18 characters, GB 11643 check digit); return it."""
    value = text.strip().upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValueError("shape")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValueError("checksum")
    dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    return value


def parse_answer(field: FormField, text: str, _: Translator) -> Any:
    """The value of ``text`` as an answer to ``field``; raise :class:`Invalid` with the reason."""
    text = text.strip()
    if not text:
        raise Invalid(_("form.invalid.empty"))
    kind = field.type
    if kind not in ("text", "long_text"):
        text = text.translate(_HALF_WIDTH).strip()
    if kind in ("text", "long_text"):
        limit = 4000 if kind == "long_text" else 300
        if len(text) > limit:
            raise Invalid(_("form.invalid.too_long", limit=limit))
        if field.pattern and not re.fullmatch(field.pattern, text):
            raise Invalid(_("form.invalid.pattern"))
        return text
    if kind in ("integer", "age"):
        digits = text.removesuffix("岁").strip()
        if not _INTEGER.fullmatch(digits):
            raise Invalid(_("form.invalid.integer"))
        value = int(digits)
        _in_range(field, value, 0 if kind == "age" else None, 130 if kind == "age" else None, _)
        return value
    if kind in ("number", "temperature"):
        try:
            number = _number(text)
        except ValueError:
            key = "form.invalid.temperature" if kind == "temperature" else "form.invalid.number"
            raise Invalid(_(key)) from None
        _in_range(
            field,
            number,
            34.0 if kind == "temperature" else None,
            43.0 if kind == "temperature" else None,
            _,
        )
        return number
    if kind == "phone":
        match = _PHONE.match(re.sub(r"[\s\-()（）]", "", text))
        if not match:
            raise Invalid(_("form.invalid.phone"))
        mobile, landline, international = match.groups()
        return mobile or landline or "+" + international
    if kind == "id_number":
        try:
            return check_id_number(text)
        except ValueError as exc:
            key = "form.invalid.id_checksum" if str(exc) == "checksum" else "form.invalid.id_number"
            raise Invalid(_(key)) from None
    if kind == "date":
        match = _DATE.match(text)
        try:
            if not match:
                raise ValueError
            return dt.date(*(int(g) for g in match.groups())).isoformat()
        except ValueError:
            raise Invalid(_("form.invalid.date")) from None
    if kind == "yes_no":
        lowered = text.lower()
        if lowered in _YES:
            return True
        if lowered in _NO:
            return False
        raise Invalid(_("form.invalid.yes_no"))
    if kind == "choice":
        return _choice(field, text, _)
    if kind == "multi_choice":
        picked = [_choice(field, part, _) for part in _SPLIT.split(text) if part]
        return list(dict.fromkeys(picked))
    if kind == "agreement":
        raise Invalid(_("form.invalid.agreement"))
    raise Invalid(_("form.invalid.empty"))


def _choice(field: FormField, text: str, _: Translator) -> str:
    keys = list(field.choices)
    if re.fullmatch("[0-9]{1,4}", text) and 1 <= int(text) <= len(keys):
        return keys[int(text) - 1]
    lowered = text.lower()
    for key, label in field.choices.items():
        labels = [label] if isinstance(label, str) else list(label.values())
        if lowered == key.lower() or lowered in (lbl.lower() for lbl in labels):
            return key
    raise Invalid(_("form.invalid.choice", count=len(keys)))


def show_value(field: FormField, value: Any, _: Translator) -> str:
    """An answer as the person reads it back."""
    if value is None:
        return _("form.skipped")
    if field.type == "yes_no":
        return _("form.yes") if value else _("form.no")
    if field.type == "agreement":
        return _("form.agreed")
    if field.type == "choice":
        return _.pick(field.choices.get(value, value))
    if field.type == "multi_choice":
        return _.join(_.pick(field.choices.get(v, v)) for v in value)
    return str(value)


def mask(field: FormField, value: Any, _: Translator) -> str:
    """A sensitive answer shown without giving it away (``138****5678``)."""
    if field.type in ("phone", "id_number"):
        text = str(value)
        return text[:3] + "*" * max(len(text) - 7, 4) + text[-4:]
    return _("form.recorded")
