"""``/checkin`` alone (打卡): the check-in's short form, its questions asked one by one privately.

The temperature, then (when the settings list symptoms) the symptoms, each read and checked as
``/checkin 36.8 cough`` reads them; a wrong answer is said and its question asked again.
``/back`` returns to the temperature, ``/cancel`` drops it; any other command is taken as a
command.  Where it stands is kept (a :class:`~.models.Draft`), so it resumes after a restart;
a draft of an earlier day is dropped.  The result is the check-in ``/checkin`` would keep.
"""

from __future__ import annotations

from sanshe.core.actions import Action
from sanshe.core.arguments import Wrong, listing
from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.forms import BACK, CANCEL
from sanshe.core.i18n import Translator
from sanshe.core.storage.models import stored_person

from . import reporting
from .models import Draft
from .settings import CheckinSettings, symptom_name


def _total(settings: CheckinSettings) -> int:
    return 2 if settings.symptoms else 1


def _ask_temperature(_: Translator, settings: CheckinSettings) -> str:
    return _("checkins.short.temperature", total=_total(settings))


def _ask_symptoms(_: Translator, settings: CheckinSettings) -> str:
    known = listing(_, (symptom_name(_, s) for s in settings.symptoms))
    return _("checkins.short.symptoms", known=known)


def begin(ctx: Context, settings: CheckinSettings) -> str:
    """Start the short form for the sender (a form under way starts again); its first question."""
    key = stored_person(ctx.person.id)
    ctx.writes.run(lambda db: Draft.filter(person=key).using_db(db).delete())
    ctx.writes.add(Draft(person=key, day=reporting.today(ctx)))
    return _ask_temperature(ctx._, settings)


async def answer(ctx: Context) -> list[Action] | None:
    """Take a private message of someone answering the short form (None: nobody is)."""
    event = ctx.event
    if not event.direct or not isinstance(event, Message):
        return None
    text = event.text.strip()
    word = text[1:].split(" ", 1)[0].lower() if text.startswith("/") else None
    if word is not None and word not in BACK and word not in CANCEL:
        return None  # another command: no need to look for a draft
    draft = await Draft.get_or_none(person=stored_person(ctx.person.id))
    if draft is None:
        return None
    if draft.day != reporting.today(ctx):
        ctx.writes.delete(draft)
        return None
    if word is not None:
        return _control(ctx, draft, word)
    settings = ctx.settings(CheckinSettings)
    _ = ctx._
    try:
        if draft.step == 0:
            value = reporting.temperature(text, settings)
            if settings.symptoms:
                draft.step, draft.temperature = 1, f"{value:.1f}"
                ctx.writes.save(draft, ["step", "temperature"])
                return [ctx.reply(_ask_symptoms(_, settings))]
            report = reporting.Report(value, ())
        else:
            found = reporting.symptoms(ctx, text, settings)
            report = reporting.Report(float(draft.temperature), found)
    except Wrong as wrong:
        question = (_ask_temperature if draft.step == 0 else _ask_symptoms)(_, settings)
        return [ctx.reply(_(wrong.key, **wrong.values) + "\n" + question)]
    home = await ctx.call("joining_household", person_id=ctx.person.id)
    ctx.writes.delete(draft)
    if not isinstance(home, dict):
        return [ctx.reply(_("checkins.no_household"))]
    return reporting.record(ctx, settings, report, home)


def _control(ctx: Context, draft: Draft, word: str) -> list[Action]:
    """``/cancel`` or ``/back`` (``word``) in the short form."""
    _ = ctx._
    settings = ctx.settings(CheckinSettings)
    if word in CANCEL:
        ctx.writes.delete(draft)
        return [ctx.reply(_("checkins.short.cancelled"))]
    if draft.step == 0:
        return [ctx.reply(_("checkins.short.at_start") + "\n" + _ask_temperature(_, settings))]
    draft.step = 0
    ctx.writes.save(draft, ["step"])
    return [ctx.reply(_ask_temperature(_, settings))]
