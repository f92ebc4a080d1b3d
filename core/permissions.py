"""Who may do what: one decision for every named permission.

A permission is a name: ``command:<name>`` (use a chat command),
``button:<name>`` (press a button of a handler), ``record.read:<form>`` (read
the records of a form), ``record.export:<form>`` (export them),
``record.field:<form>/<field>`` (see that answer in clear when reading or
exporting) and ``audit.read`` (read the audit log).  Plugins may vote on any of them through
``sanshe_permission`` (any False denies, else any True allows); with no vote,
the YAML's defaults decide: a command's or button handler's roles, a form's
``view:`` and ``export:`` (a sensitive field's answer: its form's ``view:``;
any other field's: everyone who gets the record), the community's admins.  Plugins may name
permissions of their own: with no vote those are denied.

The roles that count are the context's: a caller asking about a record filed
under a group passes ``context.about(group)``, one asking about the whole
community ``context.about(None)``.  ``audit.read`` is, wherever it is asked,
for the community's admins (:meth:`~sanshe.core.model.Community.admins`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import Community, Person
from .plugins import call_hook, votes

if TYPE_CHECKING:
    from .context import Context

#: Reading the audit log (who read or changed what).
AUDIT_READ = "audit.read"


def record_read(form_id: str) -> str:
    """The permission to read the records of the form ``form_id``."""
    return f"record.read:{form_id}"


def record_export(form_id: str) -> str:
    """The permission to export the records of the form ``form_id``."""
    return f"record.export:{form_id}"


def record_field(form_id: str, field_id: str) -> str:
    """The permission to see the answer to ``field_id`` of the form ``form_id`` in clear."""
    return f"record.field:{form_id}/{field_id}"


def is_admin(community: Community, person: Person) -> bool:
    """Whether ``person`` is one of the community's admins (:meth:`Community.admins`)."""
    return person.known and any(admin.id == person.id for admin in community.admins())


async def allowed(ctx: Context, permission: str) -> bool:
    """Whether the sender of ``ctx`` has ``permission``: the plugins' votes, else the YAML's defaults."""
    hook = ctx._bot.pm.hook.sanshe_permission
    vote = await votes(call_hook(hook, context=ctx, permission=permission))
    return by_default(ctx, permission) if vote is None else vote


def by_default(ctx: Context, permission: str) -> bool:
    """Whether the YAML allows ``permission`` to the sender of ``ctx`` (no plugin voting)."""
    kind, _colon, subject = permission.partition(":")
    if kind == "command":
        command = ctx._bot.commands.find(subject)
        return command is not None and (not command.roles or ctx.has_role(command.roles))
    if kind == "button":
        handler = ctx._bot.buttons.find(subject)
        return handler is not None and (not handler.roles or ctx.has_role(handler.roles))
    if kind == "record.field":
        form_id, _dot, field_id = subject.partition("/")
        form = ctx.community.form(form_id)
        field = next((f for f in form.fields if f.id == field_id), None) if form else None
        if form is None or field is None:
            return False
        return not field.sensitive or ctx.has_role(form.view)
    if kind in ("record.read", "record.export"):
        form = ctx.community.form(subject)
        if form is None:
            return False
        return ctx.has_role(form.view if kind == "record.read" else form.exporters)
    if permission == AUDIT_READ:
        return is_admin(ctx.community, ctx.person)
    return False
