"""Rule actions that tell people something: ``clarify`` (a post in the chat; one for a message,
the first rule's, when several rules that hold clarify) and ``remind`` (a private reminder to
the sender, at most once per interval)::

    do:
      - delete
      - clarify: {zh_CN: 该消息来源未经核实，已删除。请以官方发布为准。, en: "…"}

    do:
      - remind: {text: {zh_CN: 您现在不在班，请勿在群内发言。, en: "…"}, every: 1h}
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sanshe.core.actions import Action, Send
from sanshe.core.arguments import duration
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.rules import RuleAction

from .actions import text_value
from .lengths import spoken

PLUGIN = "moderation"
#: How often ``remind`` reminds one person in one group of one rule, unless ``every`` says.
EVERY = timedelta(hours=1)


def _clarify(ctx: Context, text: Any) -> Action:
    """The clarification in the chat, in the group's language: a post of its own, as the
    message it answers may be gone."""
    return Send(chat=ctx.event.chat, text=ctx.everyone.pick(text))


@dataclass(frozen=True, slots=True)
class Reminder:
    """What ``remind`` says, and how often at most."""

    text: Any
    every: timedelta


def _reminder(value: Any) -> Reminder:
    if isinstance(value, dict) and "text" in value:
        if not set(value) <= {"text", "every"}:
            raise ValueError("moderation.parse.remind")
        every = value.get("every", "1h")
        length = duration(every) if isinstance(every, str) else None
        if length is None:
            raise ValueError("moderation.parse.remind")
        return Reminder(text_value(value["text"]), length)
    try:
        return Reminder(text_value(value), EVERY)
    except ValueError:
        raise ValueError("moderation.parse.remind") from None


def _remind(ctx: Context, reminder: Reminder) -> Action | None:
    """Remind the sender privately, unless this rule reminded them in this group lately."""
    rule = ctx.fired.rule.id if ctx.fired else ""
    where = ctx.group.id if ctx.group else ctx.event.chat
    if not ctx.once_per(PLUGIN, f"remind:{rule}:{where}:{ctx.person_key}", reminder.every):
        return None
    return ctx.direct(ctx._.pick(reminder.text))


def _describe_reminder(_: Translator, reminder: Reminder) -> str:
    return _("moderation.do.remind", text=_.pick(reminder.text), every=spoken(_, reminder.every))


def actions() -> list[RuleAction]:
    """``clarify`` and ``remind``."""
    return [
        RuleAction(
            "clarify",
            _clarify,
            lambda _, text: _("moderation.do.clarify", text=_.pick(text)),
            text_value,
            once=True,
        ),
        RuleAction("remind", _remind, _describe_reminder, _reminder),
    ]
