"""Rule actions on the message and its chat: ``delete``, ``reply``, ``tell_admins``,
``move_to_private``."""

from __future__ import annotations

from typing import Any

from sanshe.core.actions import Action, Delete
from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.i18n import Translator
from sanshe.core.privacy import excerpt
from sanshe.core.rules import Fired, RuleAction


def text_value(value: Any) -> Any:
    """A text from the YAML: one string, or one per language (``{zh_CN: …, en: …}``)."""
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        return value
    raise ValueError("moderation.parse.text")


def optional_text(value: Any) -> Any:
    """A text from the YAML, or None when the action is written without one."""
    return None if value is None else text_value(value)


def no_value(value: Any) -> None:
    """For an action written by its name alone."""
    if value is not None:
        raise ValueError("moderation.parse.no_value")


def _message_id(ctx: Context) -> str | None:
    event = ctx.event
    return event.message_id if isinstance(event, Message) and event.message_id else None


def _delete(ctx: Context, _value: None) -> Action | None:
    message_id = _message_id(ctx)
    return Delete(chat=ctx.event.chat, message_id=message_id) if message_id else None


def _reply(ctx: Context, text: Any) -> Action:
    """Answer the message in the group, in the group's language."""
    return ctx.reply(ctx.everyone.pick(text))


def _tell_admins(ctx: Context, text: Any) -> list[Action]:
    """Tell the group's admins privately: which rule fired, on whose message, on what kind of content."""
    group = ctx.group
    if group is None:
        return []
    actions = []
    who = _sender(ctx)
    for admin in ctx.admins(group):
        handle = ctx.handle_of(admin)
        if handle is None or handle == ctx.event.sender:
            continue
        _ = ctx.translator(admin)
        note = _.pick(text) if text else _("moderation.tell_admins.default")
        rule, content = _what_fired(ctx.fired, _)
        alert = _(
            "moderation.tell_admins",
            group=group.name,
            who=who,
            rule=rule,
            content=content,
            note=note,
        )
        actions.append(ctx.direct(alert, user=handle))
    return actions


def _what_fired(fired: Fired | None, _: Translator) -> tuple[str, str]:
    """The rule's name (its description, else its id) and the kinds of content it matched."""
    if fired is None:
        return "", _("moderation.content.conditions")
    rule = _.pick(fired.rule.description) if fired.rule.description else fired.rule.id
    kinds = [_(f"content.{kind}") for kind in fired.kinds]
    if fired.keywords:
        words = _.join(f"“{k}”" for k in fired.keywords)
        kinds.insert(0, _("content.keyword", words=words))
    return rule, _.join(kinds) or _("moderation.content.conditions")


def _sender(ctx: Context) -> str:
    """The sender as a text may name them: their name, masked and short (see ``excerpt``)."""
    return excerpt(ctx.person.name or ctx.event.sender_name or ctx.event.sender)


def _kinds(fired: Fired | None, _: Translator) -> str:
    """The kinds of personal data the rule found, in words (never the data itself)."""
    found = fired.kinds if fired else ()
    return _.join(_(f"content.{kind}") for kind in found if kind != "pattern") or _(
        "moderation.private.personal"
    )


def _move_to_private(ctx: Context, _value: None) -> list[Action]:
    """Say in the group (in its language) that the talk goes on privately; tell the sender
    privately (in theirs) what kind of personal data their message held and invite them to go
    on there; note it in the moderation log."""
    _ = ctx._
    group = ctx.group.name if ctx.group else ""
    log = ctx.everyone
    deleted = ctx.fired is not None and any("delete" in step for step in ctx.fired.rule.do)
    note = "moderation.private.direct" if deleted else "moderation.private.direct_kept"
    return [
        ctx.reply(log("moderation.private.group")),
        ctx.direct(_(note, group=group, kinds=_kinds(ctx.fired, _))),
        *ctx.moderated(
            "privacy",
            ctx.person,
            "moderation.log.private",
            group=group,
            who=_sender(ctx),
            kinds=_kinds(ctx.fired, log),
        ),
    ]


def actions() -> list[RuleAction]:
    """The actions on the message and its chat."""
    return [
        RuleAction("delete", _delete, lambda _, v: _("moderation.do.delete"), no_value),
        RuleAction(
            "reply", _reply, lambda _, v: _("moderation.do.reply", text=_.pick(v)), text_value
        ),
        RuleAction(
            "tell_admins", _tell_admins, lambda _, v: _("moderation.do.tell_admins"), optional_text
        ),
        RuleAction(
            "move_to_private",
            _move_to_private,
            lambda _, v: _("moderation.do.move_to_private"),
            no_value,
        ),
    ]
