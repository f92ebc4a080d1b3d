"""Recruitment and registration: ``/volunteer`` opens the registration form in a private chat;
a filled form makes the person a registered volunteer and tells the pool's social workers."""

from __future__ import annotations

from sanshe.core.actions import Action
from sanshe.core.audit import person_subject
from sanshe.core.context import Context
from sanshe.core.forms import FormDialog, FormResult
from sanshe.core.model import Form
from sanshe.core.storage.models import stored_person

from .models import Volunteer
from .pool import POOL, groups_of, mine, privately, social_workers, status
from .settings import VolunteerSettings

#: The registration form's answers the plugin keeps: who they are, what they can take.
NAME, ROLES = "name", "roles"


async def volunteer(ctx: Context) -> list[Action]:
    """``/volunteer``: in a private chat or a volunteer pool group, open the registration form."""
    _ = ctx._
    group = ctx.group
    if not ctx.event.direct and (group is None or group.kind not in POOL):
        pools = _.join(g.name for g in groups_of(ctx, POOL))
        key = "volunteers.register_where" if pools else "volunteers.register_privately"
        return [ctx.reply(_(key, groups=pools))]
    form_id = ctx.settings(VolunteerSettings).registration_form
    form = ctx.community.form(form_id)
    if form is None:
        return [ctx.reply(_("volunteers.no_form", form=form_id))]
    registered = await mine(ctx)
    if registered is not None:
        values = {"number": registered.id, "status": status(_, registered)}
        return privately(ctx, _("volunteers.registered_already", **values))
    group_id = group.id if group is not None else None
    _dialog, first = FormDialog.begin(
        ctx.person_key, ctx.event.network, form, group_id, _, ctx.writes
    )
    return privately(ctx, first)


def _offered(form: Form, answers: dict[str, object]) -> list[str]:
    """The choices of the form's ``roles`` question that were picked (none if it has none)."""
    picked = answers.get(ROLES)
    field = next((f for f in form.fields if f.id == ROLES), None)
    if field is None or not isinstance(picked, list):
        return []
    return [c for c in picked if isinstance(c, str) and c in field.choices]


async def registered(ctx: Context, result: FormResult) -> list[Action]:
    """The registration form was filled: a new volunteer (pending review), once per person.

    Someone not yet in the registry is added by the name they gave and their handle here,
    nothing more; the form's record keeps the rest (core files it under them).  The pool's
    social workers are told privately that a registration waits: the name and the commands.
    """
    _ = ctx._
    registered = await mine(ctx)
    if registered is not None:
        values = {"number": registered.id, "status": status(_, registered)}
        return [ctx.direct(_("volunteers.registered_twice", **values))]
    name = str(result.data.get(NAME) or "").strip() or ctx.event.sender
    person = ctx.person
    if not person.known:
        person = ctx.add_person(name=name, handles={ctx.event.network: ctx.event.sender})
    number = await ctx.number("volunteer")
    ctx.writes.add(
        Volunteer(
            id=number,
            person=stored_person(person.id),
            network=ctx.event.network,
            record=result.record_id,
            offered=_offered(result.form, result.data),
            registered_at=ctx.now(),
        )
    )
    ctx.audit("create", person_subject(person.id), detail=f"volunteer {number}")
    actions = [ctx.direct(_("volunteers.received", number=number))]
    for worker in social_workers(ctx):
        told = ctx.tell(
            worker, ctx.translator(worker)("volunteers.waiting", number=number, name=name)
        )
        if told is not None:
            actions.append(told)
    return actions
