"""Forms: the private dialog that fills a form, and where it stands (its stored session).

A form (declared in YAML) is filled one question at a time in a private chat.
``/back`` returns to the previous question, ``/skip`` leaves an optional one
empty, ``/cancel`` discards everything; ``/agree`` answers an ``agreement``
question (the form's intro is the text agreed to), which nothing else answers.
The dialog's state is stored, so it resumes after a restart; a finished form
becomes one :class:`Record`.  Each answer is read and checked by :mod:`.answers`.

The dialog writes nothing itself: it notes its writes on the event's
:class:`~.storage.writes.Writes`, made with the event's checkpoint.  A message
delivered again after a crash therefore changes nothing (its checkpoint keeps
nothing of an event handled before), and one whose checkpoint failed left
nothing behind.  A dialog whose form a reload changed starts again from the
first question.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .answers import Invalid, mask, parse_answer, show_value
from .i18n import Translator
from .model import Community, Form
from .storage.models import FormSession, stored_person
from .storage.writes import Writes

CANCEL = ("cancel", "取消")
BACK = ("back", "返回", "上一步")
SKIP = ("skip", "跳过")
AGREE = ("agree", "同意")


@dataclass(frozen=True, slots=True)
class FormResult:
    """A form that was completed and stored."""

    form: Form
    record_id: int
    person: str
    data: dict[str, Any]
    group_id: str | None = None
    """The group it was filled for, if any (its rules ``on: form_submitted`` apply)."""


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
    elif field.type == "agreement":
        lines.append(_("form.agreement_hint"))
    lines.append(_("form.controls_optional") if not field.required else _("form.controls"))
    return "\n".join(lines)


class FormDialog:
    """The private conversation that fills ``form`` for one person."""

    def __init__(self, session: FormSession, form: Form, _: Translator, writes: Writes) -> None:
        self.session = session
        self.form = form
        self._ = _
        self.writes = writes
        """The event's writes, where the dialog notes its own."""

    @classmethod
    def begin(
        cls,
        person: str,
        network: str,
        form: Form,
        group_id: str | None,
        _: Translator,
        writes: Writes,
    ) -> tuple[FormDialog, str]:
        """Start (or restart) ``form`` for ``person`` with ``writes``; return the dialog and
        its first text."""
        key = stored_person(person)
        session = FormSession(
            person=key,
            network=network,
            form_id=form.id,
            form_version=version(form),
            step=0,
            answers={},
            group_id=group_id,
        )
        writes.run(lambda db: FormSession.filter(person=key).using_db(db).delete())
        writes.add(session)
        intro = [_("form.start", title=_.pick(form.title))]
        if form.intro:
            intro.append(_.pick(form.intro))
        intro.append(question(form, 0, _))
        return cls(session, form, _, writes), "\n".join(intro)

    def _move(self, step: int, fields: list[str]) -> None:
        """Go to ``step``, noting the update of ``fields`` too; past the last question, the
        dialog is over and its row is deleted."""
        self.session.step = step
        if step < len(self.form.fields):
            self.writes.save(self.session, [*fields, "step", "updated_at"])
        else:
            self.writes.delete(self.session)

    def answer(self, text: str) -> tuple[list[str], dict[str, Any] | None]:
        """Take one message; return the texts to send back, and the answers once complete
        (the caller stores them with ``Records.add_record``, on the same writes)."""
        _ = self._
        session = self.session
        word = text.strip().lower().lstrip("/")
        is_control = text.strip().startswith("/")
        if is_control and word in CANCEL:
            self.writes.delete(session)
            return [_("form.cancelled", title=_.pick(self.form.title))], None
        if session.form_version != version(self.form):
            session.form_version = version(self.form)
            session.answers = {}
            self._move(0, ["form_version", "answers"])
            return [
                _("form.changed", title=_.pick(self.form.title)),
                question(self.form, 0, _),
            ], None
        field = self.form.fields[session.step]
        if is_control and word in BACK:
            if session.step == 0:
                return [_("form.at_start"), question(self.form, 0, _)], None
            self._move(session.step - 1, [])
            return [question(self.form, session.step, _)], None
        if is_control and word in AGREE:
            if field.type != "agreement":
                return [_("form.agree_not_asked"), question(self.form, session.step, _)], None
            value: Any = True
        elif is_control and word in SKIP:
            if field.required:
                return [_("form.required"), question(self.form, session.step, _)], None
            value = None
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
        self._move(session.step + 1, ["answers"])
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


async def open_dialog(
    person: str, community: Community, _: Translator, writes: Writes
) -> FormDialog | None:
    """The dialog ``person`` is in, if any, noting its writes on ``writes`` (a form removed
    from the YAML ends it)."""
    session = await FormSession.get_or_none(person=stored_person(person))
    if session is None:
        return None
    form = community.form(session.form_id)
    if form is None:
        writes.delete(session)
        return None
    return FormDialog(session, form, _, writes)
