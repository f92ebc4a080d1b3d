"""``/checkin 36.8 [symptoms]``: a resident's daily health report, kept out of every group.

Typed privately it is answered there.  Typed in a group its message is deleted (where the
network can) and everything is answered privately: the group never reads a temperature,
a symptom, or a mistake in one.  A fever or a listed symptom alerts the building's
community worker privately (see :mod:`.staff`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sanshe.core.actions import Action
from sanshe.core.arguments import ArgumentError, Arguments, Rest, Word, Wrong, listing
from sanshe.core.context import Context
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person

from . import short_form, staff
from .models import Checkin, Draft
from .settings import CheckinSettings, symptom_name

CHECKIN = Arguments(
    usage="checkins.usage",
    temperature=Word(name="checkins.name.temperature"),
    symptoms=Rest(name="checkins.name.symptoms", optional=True, default=""),
)
#: What a temperature may be written with after its number (``36.8度``, ``36.8°C``).
_UNIT = re.compile(r"\s*(度|°c|°|℃|c)$")
_NUMBER = re.compile(r"^\d{1,2}(\.\d{1,2})?$")
#: Between symptoms: spaces, commas, 、 and the like.
_SEPARATORS = " ,，、;；/+和及与"
#: Words saying there is no symptom.
NONE_WORDS = ("无", "没有", "无症状", "正常", "none", "no", "normal", "nothing")


@dataclass(frozen=True, slots=True)
class Report:
    """A check-in as read: the temperature and the symptoms' ids."""

    temperature: float
    symptoms: tuple[str, ...]


def zone(ctx: Context) -> ZoneInfo:
    """The community's time zone."""
    return ZoneInfo(ctx.community.community.timezone)


def today(ctx: Context) -> date:
    """The day it is now on the community's clock."""
    return ctx.now().astimezone(zone(ctx)).date()


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def temperature(word: str, settings: CheckinSettings) -> float:
    """The temperature ``word`` says (``36.8``, ``36.8度``, ``３６．８℃``); Wrong if it is no
    number or no body temperature."""
    plain = _UNIT.sub("", _plain(word)).replace("，", ".").replace(",", ".")
    if not _NUMBER.match(plain):
        raise Wrong("checkins.not_a_number", word=excerpt(word))
    value = float(plain)
    low, high = settings.temperature.min, settings.temperature.max
    if not low <= value <= high:
        raise Wrong("checkins.out_of_range", value=plain, low=low, high=high)
    return value


def _phrases(settings: CheckinSettings) -> list[tuple[str, str]]:
    """Every way of writing a symptom (or no symptom: id ``""``), the longest first."""
    found: list[tuple[str, str]] = [(word, "") for word in NONE_WORDS]
    for symptom in settings.symptoms:
        names = [symptom.name] if isinstance(symptom.name, str) else symptom.name.values()
        found += [(_plain(" ".join(name.split())), symptom.id) for name in (*names, *symptom.words)]
    return sorted(found, key=lambda pair: -len(pair[0]))


def symptoms(ctx: Context, text: str, settings: CheckinSettings) -> tuple[str, ...]:
    """The ids of the symptoms ``text`` names (``咳嗽 乏力``, ``咳嗽、乏力``, ``sore throat``);
    Wrong for a word naming none of the settings' symptoms."""
    rest = " ".join(_plain(text).split())
    phrases = _phrases(settings)
    found: list[str] = []
    while rest:
        if rest[0] in _SEPARATORS:
            rest = rest[1:]
            continue
        match = next(((p, i) for p, i in phrases if p and rest.startswith(p)), None)
        if match is None:
            word = re.split(f"[{re.escape(_SEPARATORS)}]", rest, maxsplit=1)[0]
            _ = ctx._
            known = listing(_, (symptom_name(_, s) for s in settings.symptoms))
            key = "checkins.unknown_symptom" if settings.symptoms else "checkins.no_symptoms"
            raise Wrong(key, word=excerpt(word), known=known)
        phrase, symptom = match
        if symptom and symptom not in found:
            found.append(symptom)
        rest = rest[len(phrase) :]
    return tuple(found)


def read(ctx: Context, settings: CheckinSettings) -> Report:
    """The check-in the command says; ArgumentError saying what is wrong and how to write it."""
    args = CHECKIN.read(ctx)
    try:
        return Report(
            temperature(args.temperature, settings), symptoms(ctx, args.symptoms, settings)
        )
    except Wrong as wrong:
        raise CHECKIN.error(ctx, wrong.key, **wrong.values) from None


async def checkin(ctx: Context) -> list[Action]:
    """``/checkin 36.8 [symptoms]``: store today's check-in of the sender's household, confirm it
    privately, alert the building's community worker of a fever or a symptom; ``/checkin`` alone
    asks its questions privately (:mod:`.short_form`)."""
    settings = ctx.settings(CheckinSettings)
    actions = ctx.withdrawn()
    _ = ctx._
    asking = ctx.command is not None and not ctx.command.args.strip()
    try:
        report = None if asking else read(ctx, settings)
    except ArgumentError as wrong:
        return actions + ctx.privately([wrong.text])
    home = await ctx.call("joining_household", person_id=ctx.person.id)
    if not isinstance(home, dict):
        return actions + ctx.privately([_("checkins.no_household")])
    if report is None:
        return actions + ctx.privately([short_form.begin(ctx, settings)])
    return actions + record(ctx, settings, report, home)


def record(
    ctx: Context, settings: CheckinSettings, report: Report, home: dict[str, str]
) -> list[Action]:
    """Keep ``report`` as today's check-in of the sender's household ``home`` (replacing one of
    the day, and any short form under way), confirm it privately, alert a fever or a symptom."""
    _ = ctx._
    actions: list[Action] = []
    now, day = ctx.now(), today(ctx)
    key = stored_person(ctx.person.id)
    building, room = str(home.get("building", "")), str(home.get("room", ""))
    # A second check-in of the day replaces the first, in the event's one transaction.
    ctx.writes.run(lambda db: Checkin.filter(person=key, day=day).using_db(db).delete())
    ctx.writes.run(lambda db: Draft.filter(person=key).using_db(db).delete())
    ctx.writes.add(
        Checkin(
            person=key,
            day=day,
            building=building,
            room=room,
            temperature=f"{report.temperature:.1f}",
            symptoms=list(report.symptoms),
            at=now,
        )
    )
    texts = [_confirmation(ctx, settings, report, now)]
    fever = report.temperature >= settings.fever
    if fever or report.symptoms:
        texts.append(_("checkins.unwell"))
        actions += staff.alert(ctx, settings, building, room, report, fever)
    return ctx.privately(texts) + actions


def _confirmation(ctx: Context, settings: CheckinSettings, report: Report, now: datetime) -> str:
    """What the sender reads of their check-in: its temperature and symptoms, and whether it
    came outside the reporting window."""
    _ = ctx._
    named = {s.id: symptom_name(_, s) for s in settings.symptoms}
    shown = _.join(named[s] for s in report.symptoms if s in named) or _("checkins.none")
    text = _("checkins.recorded", temperature=f"{report.temperature:.1f}", symptoms=shown)
    local = now.astimezone(zone(ctx)).time()
    if not settings.opens <= local < settings.closes:
        text += _("checkins.outside_window", window=settings.window)
    return text
