"""Review and classification: ``/volunteers`` lists the registrations privately; ``/vet``
approves one in a class (a runtime grant of the class's role) or rejects it with a reason.

Both are for the social workers of the volunteer pool, or community-wide ones.  Approval
grants the role in the volunteer pool and dispatch coordination groups, and sends the
volunteer the training items and what comes next; the volunteer is told either outcome
privately, a rejection with its reason.
"""

from __future__ import annotations

from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Rest, Word
from sanshe.core.audit import person_subject
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.storage.models import stored_person

from .models import Dispatch, Volunteer
from .pool import (
    COORDINATION,
    Named,
    confirmed,
    groups_of,
    local,
    name_of,
    privately,
    registered_as,
    runs,
    staff_only,
    status,
)
from .registration import ROLES
from .settings import VolunteerSettings
from .training import training_text

#: What ``/volunteers`` lists, by the words that ask for it.
WHICH = {
    "pending": "pending",
    "待审核": "pending",
    "approved": "approved",
    "已通过": "approved",
    "all": "all",
    "全部": "all",
}
LIST = Arguments(which=Word(choices=WHICH, name="volunteers.name.which", optional=True))

#: The verdicts of ``/vet``, by the words that give them.
VERDICTS = {"approve": "approve", "通过": "approve", "reject": "reject", "拒绝": "reject"}
#: The classes, by the words that name them.
CLASS_WORDS = {
    "medical": "medical",
    "医务": "medical",
    "psychological": "psychological",
    "psych": "psychological",
    "心理": "psychological",
    "心理咨询": "psychological",
    "general": "general",
    "一般": "general",
    "other": "other",
    "其他": "other",
}
#: Whether the qualifications were checked, by the words that say so.
CHECKED = {
    "checked": True,
    "yes": True,
    "已核验": True,
    "是": True,
    "unchecked": False,
    "no": False,
    "未核验": False,
    "否": False,
}
_VOLUNTEER = Named()
_VERDICT = Word(choices=VERDICTS, name="volunteers.name.verdict")
VET = Arguments(
    usage="volunteers.usage.vet", volunteer=_VOLUNTEER, verdict=_VERDICT, rest=Rest(optional=True)
)
APPROVE = Arguments(
    usage="volunteers.usage.vet",
    volunteer=_VOLUNTEER,
    verdict=_VERDICT,
    kind=Word(choices=CLASS_WORDS, name="volunteers.name.class"),
    checked=Word(choices=CHECKED, name="volunteers.name.checked"),
    note=Rest(optional=True),
)
REJECT = Arguments(
    usage="volunteers.usage.vet",
    volunteer=_VOLUNTEER,
    verdict=_VERDICT,
    reason=Rest(name="volunteers.name.reason"),
)


async def volunteers(ctx: Context) -> list[Action]:
    """``/volunteers [pending|approved|all]``: the registrations, sent privately (pending first)."""
    _ = ctx._
    if not runs(ctx):
        return [ctx.reply(staff_only(ctx))]
    which = WHICH[LIST.read(ctx).which or "pending"]
    query = Volunteer.all() if which == "all" else Volunteer.filter(status=which)
    rows = await query.order_by("id")
    if not rows:
        return privately(ctx, _(f"volunteers.list_none.{which}"))
    lines = [_(f"volunteers.list.{which}")]
    for row in rows:
        lines.append(await _line(ctx, row))
        ctx.audit("read", person_subject(row.person), detail=f"volunteer {row.id}")
    return privately(ctx, "\n".join(lines))


async def _line(ctx: Context, row: Volunteer) -> str:
    """One registration as ``/volunteers`` lists it: number, name, state and what follows."""
    _ = ctx._
    settings = ctx.settings(VolunteerSettings)
    parts = [f"#{row.id} {name_of(ctx, row)}", status(_, row)]
    form = ctx.community.form(settings.registration_form)
    field = next((f for f in form.fields if f.id == ROLES), None) if form else None
    if row.offered and field is not None:
        offered = _.join(_.pick(field.choices.get(c, c)) for c in row.offered)
        parts.append(_("volunteers.offered", roles=offered))
    parts.append(_("volunteers.registered_at", at=local(ctx, row.registered_at)))
    if row.status == "approved":
        items = {i.id for i in settings.training}
        done = len(await confirmed(row) & items)
        parts.append(_("volunteers.trained_count", done=done, total=len(items)))
        parts.append(_("volunteers.signed" if row.agreement_version else "volunteers.unsigned"))
        places = {d.group_id for d in await Dispatch.filter(volunteer=row.id)}
        groups = [g.name for g in ctx.community.groups if g.id in places]
        if groups:
            parts.append(_("volunteers.dispatched_to", groups=_.join(groups)))
    return " · ".join(parts)


async def vet(ctx: Context) -> list[Action]:
    """``/vet <volunteer> approve <class> <checked|unchecked> [note]`` or ``… reject <reason>``."""
    _ = ctx._
    if not runs(ctx):
        return [ctx.reply(staff_only(ctx))]
    head = VET.read(ctx)
    verdict = VERDICTS[head.verdict]
    named = await registered_as(ctx, VET, head.volunteer)
    if isinstance(named, list):
        return named
    found, person, name = named
    if found.status != "pending":
        values = {"number": found.id, "name": name, "status": status(_, found)}
        return privately(ctx, _("volunteers.vetted_already", **values))
    found.vetted_by, found.vetted_at = stored_person(ctx.person.id), ctx.now()
    theirs = ctx.translator(person)
    if verdict == "reject":
        reason = REJECT.read(ctx).reason
        found.status, found.note = "rejected", reason
        ctx.writes.save(found, ["status", "note", "vetted_by", "vetted_at"])
        ctx.audit("vet", person_subject(found.person), detail=f"volunteer {found.id} rejected")
        told = ctx.tell(person, theirs("volunteers.rejected_you", reason=reason))
        answer = _("volunteers.rejected", number=found.id, name=name)
        return [*privately(ctx, _reached(_, answer, told)), *([told] if told else [])]
    args = APPROVE.read(ctx)
    kind, checked = CLASS_WORDS[args.kind], CHECKED[args.checked]
    role = getattr(ctx.settings(VolunteerSettings).class_roles, kind)
    found.status, found.kind, found.qualified, found.note = "approved", kind, checked, args.note
    ctx.writes.save(found, ["status", "kind", "qualified", "note", "vetted_by", "vetted_at"])
    groups = [g.id for g in groups_of(ctx, COORDINATION)]
    if groups:
        reason = f"volunteer {found.id} approved: {kind}"
        ctx.grant(person, role, groups, reason=reason)
    ctx.audit("vet", person_subject(found.person), detail=f"volunteer {found.id} approved {kind}")
    told = ctx.tell(person, _welcome(ctx, theirs, kind))
    answer = _(
        "volunteers.approved",
        number=found.id,
        name=name,
        kind=_(f"volunteers.class.{kind}"),
        role=ctx.role_name(role),
        checked=_("volunteers.checked" if checked else "volunteers.unchecked"),
    )
    return [*privately(ctx, _reached(_, answer, told)), *([told] if told else [])]


def _reached(_: Translator, answer: str, told: Action | None) -> str:
    """``answer``, saying whether the volunteer could be told."""
    return answer + "\n" + _("volunteers.told" if told else "volunteers.not_told")


def _welcome(ctx: Context, _: Translator, kind: str) -> str:
    """What an approved volunteer is told: their class, the training items, what comes next."""
    lines = [_("volunteers.approved_you", kind=_(f"volunteers.class.{kind}"))]
    items = list(enumerate(ctx.settings(VolunteerSettings).training, start=1))
    if items:
        lines += [training_text(_, items), _("volunteers.confirm_each")]
    lines.append(_("volunteers.sign_next"))
    return "\n".join(lines)
