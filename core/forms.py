"""Forms: answers checked field by field, and the private dialog that fills a form.

A form (declared in YAML) is filled one question at a time in a private chat.
``/back`` returns to the previous question, ``/skip`` leaves an optional one
empty, ``/cancel`` discards everything.  The dialog's state is stored, so it
resumes after a restart; a finished form becomes one :class:`Record`.

Each message that moves the dialog is remembered by its event, so a message
delivered again after a crash changes nothing; a dialog whose form a reload
changed starts again from the first question.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from .i18n import Translator
from .model import Community, Form, FormField
from .storage.models import FormSession, stored_person

CANCEL = ("cancel", "取消")
BACK = ("back", "返回", "上一步")
SKIP = ("skip", "跳过")

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


@dataclass(frozen=True, slots=True)
class FormResult:
    """A form that was completed and stored."""

    form: Form
    record_id: int
    person: str
    data: dict[str, Any]


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
    if field.type == "choice":
        return _.pick(field.choices.get(value, value))
    if field.type == "multi_choice":
        return "、".join(_.pick(field.choices.get(v, v)) for v in value)
    return str(value)


def mask(field: FormField, value: Any, _: Translator) -> str:
    """A sensitive answer shown without giving it away (``138****5678``)."""
    if field.type in ("phone", "id_number"):
        text = str(value)
        return text[:3] + "*" * max(len(text) - 7, 4) + text[-4:]
    return _("form.recorded")


def version(form: Form) -> str:
    """A fingerprint of the form's questions: it changes when any question does."""
    questions = json.dumps([f.model_dump(mode="json") for f in form.fields], sort_keys=True)
    return hashlib.blake2b(questions.encode(), digest_size=16).hexdigest()


def question(form: Form, step: int, _: Translator) -> str:
    """The text that asks the question at ``step``."""
    field = form.fields[step]
    lines = [_("form.question", number=step + 1, total=len(form.fields), label=_.pick(field.label))]
    if field.help:
        lines.append(_.pick(field.help))
    if field.type in ("choice", "multi_choice"):
        lines.extend(
            f"{i}. {_.pick(label)}" for i, label in enumerate(field.choices.values(), start=1)
        )
        if field.type == "multi_choice":
            lines.append(_("form.multi_hint"))
    elif field.type == "yes_no":
        lines.append(_("form.yes_no_hint"))
    lines.append(_("form.controls_optional") if not field.required else _("form.controls"))
    return "\n".join(lines)


class FormDialog:
    """The private conversation that fills ``form`` for one person."""

    def __init__(self, session: FormSession, form: Form, _: Translator) -> None:
        self.session = session
        self.form = form
        self._ = _

    @classmethod
    async def begin(
        cls,
        person: str,
        network: str,
        form: Form,
        group_id: str | None,
        _: Translator,
        event_key: str,
    ) -> tuple[FormDialog, str]:
        """Start (or restart) ``form`` for ``person``; return the dialog and its first text.

        ``event_key`` names the event that asked for it: delivered again (after a
        crash), it leaves the dialog it started where the person has taken it since.
        """
        started = await FormSession.get_or_none(person=stored_person(person))
        if started is not None and started.form_id == form.id:
            dialog = cls(started, form, _)
            if dialog.took(event_key) is not None:
                return dialog, dialog._resumed()
        await FormSession.filter(person=stored_person(person)).delete()
        session = await FormSession.create(
            person=stored_person(person),
            network=network,
            form_id=form.id,
            form_version=version(form),
            step=0,
            answers={},
            answered=[[event_key, 0]],
            group_id=group_id,
        )
        intro = [_("form.start", title=_.pick(form.title))]
        if form.intro:
            intro.append(_.pick(form.intro))
        intro.append(question(form, 0, _))
        return cls(session, form, _), "\n".join(intro)

    def _resumed(self) -> str:
        """The text for a dialog asked for again: where it stands now."""
        _ = self._
        title = _.pick(self.form.title)
        if self.finished or self.session.step >= len(self.form.fields):
            return _("form.already_saved", title=title)
        return "\n".join([_("form.start", title=title), question(self.form, self.session.step, _)])

    @property
    def finished(self) -> bool:
        """Whether the dialog has created its record."""
        return self.session.record_id is not None

    def took(self, event_key: str) -> int | None:
        """The step the event ``event_key`` moved the dialog to, if it was taken before."""
        for key, step in self.session.answered:
            if key == event_key:
                return int(step)
        return None

    async def _move(self, event_key: str, step: int, fields: list[str]) -> None:
        session = self.session
        session.step = step
        session.answered = [*session.answered, [event_key, step]]
        if step < len(self.form.fields):
            await session.save(update_fields=[*fields, "step", "answered", "updated_at"])

    async def answer(self, text: str, event_key: str) -> tuple[list[str], dict[str, Any] | None]:
        """Take one message (``event_key`` names its event); return the texts to send back,
        and the answers once complete (the caller stores them with ``Storage.add_record``)."""
        _ = self._
        session = self.session
        word = text.strip().lower().lstrip("/")
        is_control = text.strip().startswith("/")
        if is_control and word in CANCEL:
            await session.delete()
            return [_("form.cancelled", title=_.pick(self.form.title))], None
        if session.form_version != version(self.form):
            session.form_version = version(self.form)
            session.answers = {}
            session.answered = []
            await self._move(event_key, 0, ["form_version", "answers"])
            return [
                _("form.changed", title=_.pick(self.form.title)),
                question(self.form, 0, _),
            ], None
        taken = self.took(event_key)
        if taken is not None:  # delivered again after a crash: it was taken already
            return [question(self.form, taken, _)], None
        field = self.form.fields[session.step]
        if is_control and word in BACK:
            if session.step == 0:
                return [_("form.at_start"), question(self.form, 0, _)], None
            await self._move(event_key, session.step - 1, [])
            return [question(self.form, session.step, _)], None
        if is_control and word in SKIP:
            if field.required:
                return [_("form.required"), question(self.form, session.step, _)], None
            value: Any = None
        elif is_control:
            return [_("form.unknown_control"), question(self.form, session.step, _)], None
        else:
            try:
                value = parse_answer(field, text, _)
            except Invalid as exc:
                return [
                    _("form.invalid", reason=str(exc)),
                    question(self.form, session.step, _),
                ], None
        session.answers = {**session.answers, field.id: value}
        await self._move(event_key, session.step + 1, ["answers"])
        if session.step < len(self.form.fields):
            return [question(self.form, session.step, _)], None
        answers = {f.id: session.answers.get(f.id) for f in self.form.fields}
        return [], answers

    def summary(self, answers: dict[str, Any]) -> str:
        """What was recorded, for the person who filled it; sensitive answers are masked."""
        _ = self._
        lines = [_("form.done", title=_.pick(self.form.title))]
        for f in self.form.fields:
            value = answers.get(f.id)
            shown = (
                mask(f, value, _) if f.sensitive and value is not None else show_value(f, value, _)
            )
            lines.append(f"{_.pick(f.label)}: {shown}")
        return "\n".join(lines)


async def open_dialog(person: str, community: Community, _: Translator) -> FormDialog | None:
    """The dialog ``person`` is in, if any, finished ones included (a form removed
    from the YAML ends it)."""
    session = await FormSession.get_or_none(person=stored_person(person))
    if session is None:
        return None
    form = community.form(session.form_id)
    if form is None:
        await session.delete()
        return None
    return FormDialog(session, form, _)
