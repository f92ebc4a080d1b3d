"""Training and agreement: the pre-job training items of the settings, confirmed one by one
(``/trained``), and the confidentiality agreement, signed in a dialog that shows its full text.

``/training`` shows an approved volunteer what is done and what is left; a social worker posts
the items in the dispatch coordination group with ``/training post``.  ``/agreement`` opens the
agreement form, whose agreement question only ``/agree`` answers; once it is filled the
volunteer's row keeps the sha256 of the text they were shown, the time and their handle.
"""

from __future__ import annotations

import hashlib

from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Word, plain_word
from sanshe.core.context import Context
from sanshe.core.forms import FormDialog, FormResult
from sanshe.core.i18n import Translator
from sanshe.core.model import Person
from sanshe.core.storage.models import stored_person

from .models import Training, Volunteer
from .pool import (
    COORDINATION,
    confirmed,
    groups_of,
    lacking,
    lacking_text,
    local,
    mine,
    privately,
    runs,
)
from .settings import TrainingItem, VolunteerSettings

POST = ("post", "发布")
TRAINING = Arguments(what=Word(choices=POST, name="volunteers.name.post", optional=True))
TRAINED = Arguments(usage="volunteers.usage.trained", item=Word(name="volunteers.name.item"))


def training_text(
    _: Translator, items: list[tuple[int, TrainingItem]], done: frozenset[str] = frozenset()
) -> str:
    """The training items, numbered, each with its text and link (and ✓ once confirmed)."""
    lines = []
    for number, item in items:
        mark = " ✓" if item.id in done else ""
        lines.append(f"{number}. {_.pick(item.title)}{mark}")
        if item.text:
            lines.append(f"   {_.pick(item.text)}")
        if item.link:
            lines.append(f"   {item.link}")
    return "\n".join(lines)


async def _approved(ctx: Context) -> Volunteer | str:
    """The sender's approved registration, or what to tell them instead."""
    _ = ctx._
    volunteer = await mine(ctx)
    if volunteer is None:
        return _("volunteers.not_registered")
    if volunteer.status != "approved":
        return _(f"volunteers.not_approved.{volunteer.status}")
    return volunteer


async def training(ctx: Context) -> list[Action]:
    """``/training``: an approved volunteer's items, done and left; ``/training post`` (social
    workers): the items posted in the dispatch coordination group."""
    _ = ctx._
    items = list(enumerate(ctx.settings(VolunteerSettings).training, start=1))
    if TRAINING.read(ctx).what is not None:
        return _post(ctx, items)
    volunteer = await _approved(ctx)
    if isinstance(volunteer, str):
        return privately(ctx, volunteer)
    done = await confirmed(volunteer)
    lines = [_("volunteers.training_title")]
    if items:
        lines.append(training_text(_, items, done))
    left, unsigned = await lacking(ctx, volunteer)
    if left or unsigned:
        lines.append(_("volunteers.still_missing", missing=lacking_text(_, left, unsigned)))
    else:
        lines.append(_("volunteers.ready"))
    return privately(ctx, "\n".join(lines))


def _post(ctx: Context, items: list[tuple[int, TrainingItem]]) -> list[Action]:
    """The training items posted in each dispatch coordination group's chats."""
    _ = ctx._
    if not runs(ctx, COORDINATION):
        kinds = {
            "pool": ctx.kind_name("volunteer_pool"),
            "dispatch": ctx.kind_name("volunteer_dispatch"),
        }
        return [ctx.reply(_("volunteers.coordinators_only", **kinds))]
    if not items:
        return [ctx.reply(_("volunteers.no_training"))]
    actions: list[Action] = []
    posted = []
    for group in groups_of(ctx, ("volunteer_dispatch",)):
        for place in ctx.in_chats_of(group):
            # No one person's language: the community's.
            theirs = ctx.translator(Person(id=group.id))
            text = "\n".join(
                [theirs("volunteers.training_post"), training_text(theirs, items)]
                + [theirs("volunteers.confirm_each")]
            )
            actions.append(place.reply(text))
            posted.append(group.name)
    if not posted:
        return [ctx.reply(_("volunteers.no_dispatch_chat"))]
    return [*actions, ctx.reply(_("volunteers.posted", groups=_.join(dict.fromkeys(posted))))]


async def trained(ctx: Context) -> list[Action]:
    """``/trained <item>``: an approved volunteer confirms a training item (its number or id)."""
    _ = ctx._
    word = plain_word(TRAINED.read(ctx).item)
    items = list(enumerate(ctx.settings(VolunteerSettings).training, start=1))
    picked = next((i for n, i in items if word in (str(n), i.id.casefold())), None)
    if picked is None:
        known = _.join(f"{n} ({i.id})" for n, i in items) or "—"
        raise TRAINED.error(ctx, "volunteers.unknown_item", known=known)
    volunteer = await _approved(ctx)
    if isinstance(volunteer, str):
        return privately(ctx, volunteer)
    title = _.pick(picked.title)
    if await Training.exists(volunteer=volunteer.id, item=picked.id):
        return privately(ctx, _("volunteers.trained_already", title=title))
    ctx.writes.add(
        Training(volunteer=volunteer.id, person=volunteer.person, item=picked.id, at=ctx.now())
    )
    left, unsigned = await lacking(ctx, volunteer)
    left = [(n, i) for n, i in left if i.id != picked.id]
    lines = [_("volunteers.trained", title=title)]
    if left or unsigned:
        lines.append(_("volunteers.still_missing", missing=lacking_text(_, left, unsigned)))
    else:
        lines.append(_("volunteers.ready"))
    return privately(ctx, "\n".join(lines))


async def agreement(ctx: Context) -> list[Action]:
    """``/agreement``: an approved volunteer opens the confidentiality agreement (its full text
    first), in a private chat."""
    _ = ctx._
    volunteer = await _approved(ctx)
    if isinstance(volunteer, str):
        return privately(ctx, volunteer)
    if volunteer.agreed_at is not None:
        return privately(ctx, _("volunteers.signed_already", at=local(ctx, volunteer.agreed_at)))
    form_id = ctx.settings(VolunteerSettings).agreement_form
    form = ctx.community.form(form_id)
    if form is None:
        return [ctx.reply(_("volunteers.no_form", form=form_id))]
    _dialog, first = FormDialog.begin(ctx.person_key, ctx.event.network, form, None, _, ctx.writes)
    return privately(ctx, first)


def version(text: str) -> str:
    """The version of an agreement's text: the sha256 of it as shown."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def signed(ctx: Context, result: FormResult) -> list[Action]:
    """The agreement form was filled: a volunteer (approved, or still pending) who agreed to
    every agreement question has signed the text they were shown (its version), now, with
    this handle."""
    _ = ctx._
    volunteer = await mine(ctx)
    agreed = [result.data.get(f.id) for f in result.form.fields if f.type == "agreement"]
    if volunteer is None or volunteer.status == "rejected" or volunteer.agreed_at is not None:
        return []
    if not agreed or not all(a is True for a in agreed):
        return [ctx.direct(_("volunteers.not_agreed"))]
    volunteer.agreement_version = version(_.pick(result.form.intro))
    volunteer.agreed_at = ctx.now()
    volunteer.agreed_handle = stored_person(f"{ctx.event.network}:{ctx.event.sender}")
    volunteer.agreement_record = result.record_id
    ctx.writes.save(
        volunteer, ["agreement_version", "agreed_at", "agreed_handle", "agreement_record"]
    )
    lines = [_("volunteers.signed_now", version=volunteer.agreement_version[:12])]
    left, _unsigned = await lacking(ctx, volunteer)
    if left:
        lines.append(_("volunteers.still_missing", missing=lacking_text(_, left, False)))
    else:
        lines.append(_("volunteers.ready"))
    return [ctx.direct("\n".join(lines))]
