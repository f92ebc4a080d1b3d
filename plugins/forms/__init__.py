"""Forms: /form starts any form the sender may fill; the private dialog fills it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Group, Word, listing
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.forms import AGREE, BACK, CANCEL, SKIP, FormDialog, FormResult, open_dialog
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Form
from sanshe.core.privacy import excerpt

#: ``/form [form] [group]``: the group is needed outside groups by those whose role is held
#: in a group only (core checks their roles there: the group its arguments name).
FORM = Arguments(form=Word(name="forms.arg.form", optional=True), group=Group(optional=True))


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand("form", start_form, help="forms.help.form", aliases=("填表",), arguments=FORM),
        ChatCommand("back", not_in_form, help="forms.help.back", aliases=BACK[1:], listed=False),
        ChatCommand("skip", not_in_form, help="forms.help.skip", aliases=SKIP[1:], listed=False),
        ChatCommand(
            "cancel", not_in_form, help="forms.help.cancel", aliases=CANCEL[1:], listed=False
        ),
        ChatCommand("agree", not_in_form, help="forms.help.agree", aliases=AGREE[1:], listed=False),
    ]


def may_fill(ctx: Context, form: Form) -> bool:
    """Whether the sender's roles let them fill ``form``."""
    return form.fill == "anyone" or ctx.has_role(form.fill)


def _named_ways(ctx: Context, form: Form) -> list[str]:
    """Outside a group: ``/form <id> <group>`` for each group whose roles let the sender fill it."""
    if ctx.group is not None:
        return []
    return [f"/form {form.id} {g.id}" for g in ctx.community.groups if may_fill(ctx.about(g), form)]


async def start_form(ctx: Context) -> list[Action]:
    """``/form <id> [group]``: open the form in a private chat; ``/form`` alone lists the forms.

    The group is needed outside groups by those whose role is held in a group only.
    """
    _ = ctx._
    form_id = FORM.read(ctx).form
    mine = [f for f in ctx.community.forms if may_fill(ctx, f)]
    if form_id is None:
        lines = [f"/form {f.id} — {_.pick(f.title)}" for f in mine]
        for other in ctx.community.forms:
            if other not in mine:
                lines.extend(f"{way} — {_.pick(other.title)}" for way in _named_ways(ctx, other))
        if not lines:
            return [ctx.reply(_("forms.none"))]
        return [ctx.reply("\n".join([_("forms.list"), *lines]))]
    form = ctx.community.form(form_id)
    if form is None:
        known = listing(_, (f.id for f in mine))
        raise FORM.error(ctx, "forms.unknown", form=excerpt(form_id), known=known)
    if not may_fill(ctx, form):
        ways = _named_ways(ctx, form)
        if ways:
            how = _.join(ways)
            return [ctx.reply(_("forms.not_allowed_here", title=_.pick(form.title), how=how))]
        return [ctx.reply(_("forms.not_allowed", title=_.pick(form.title)))]
    group_id = ctx.group.id if ctx.group else None
    _dialog, first = FormDialog.begin(
        ctx.person_key, ctx.event.network, form, group_id, _, ctx.writes
    )
    actions = [ctx.direct(first)]
    if not ctx.event.direct:
        actions.insert(0, ctx.reply(_("forms.sent_private")))
    return actions


def not_in_form(ctx: Context) -> Action:
    """/back, /skip, /cancel or /agree typed while no form is being filled."""
    return ctx.reply(ctx._("forms.not_in_form"))


@hookimpl
async def sanshe_dialog(context: Context) -> list[Action] | None:
    """Take private messages of a person who is filling a form (``/`` alone included)."""
    event = context.event
    if not event.direct or not isinstance(event, Message):
        return None
    text = event.text.strip()
    name = text[1:].split(" ", 1)[0].lower()
    if text.startswith("/") and name and name not in (*BACK, *SKIP, *CANCEL, *AGREE):
        return None
    dialog = await open_dialog(context.person_key, context.community, context._, context.writes)
    if dialog is None:
        return None
    texts, answers = dialog.answer(text)
    actions: list[Action] = [context.direct("\n".join(texts))] if texts else []
    if answers is None:
        return actions
    group_id = dialog.session.group_id
    record = await context.records.add_record(
        context.writes, dialog.form.id, context.person_key, group_id, answers, context.now()
    )
    context.audit("create", f"record:{record.id}", detail=dialog.form.id)
    result = FormResult(dialog.form, record.id, context.person_key, answers, group_id)
    return [
        *actions,
        context.direct(dialog.summary(answers)),
        *await context.form_submitted(result),
    ]
