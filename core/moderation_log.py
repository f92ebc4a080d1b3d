"""The moderation log: every moderation action in the audit log, and told to the log group.

A plugin that moderates (a warning, a mute, a deletion for privacy, a join decision, a
rule's dry run) calls :meth:`Context.moderated <sanshe.core.context.Context.moderated>`:
the audit log gets an entry (the sender as actor, the person acted on as subject, the
catalogue key as detail) and, when the community file names a group under
``community: moderation_log:``, each of that group's chats gets the text of the key in the
community's language.  The values must never hold personal data: name what happened
(the kind of content, the rule, the group), never what was written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .actions import Action
from .audit import person_subject
from .model import Person

if TYPE_CHECKING:
    from .context import Context


def moderated(ctx: Context, action: str, about: Person, key: str, **values: object) -> list[Action]:
    """Audit ``action`` on ``about`` and tell the moderation log group ``key``'s text."""
    ctx.audit(action, person_subject(about.id), key)
    log_id = ctx.community.community.moderation_log
    group = ctx.community.group(log_id) if log_id else None
    if group is None:
        return []
    _ = ctx.translator(Person(id="moderation-log", known=False))  # the community's language
    text = _(key, **values)
    return [place.reply(text) for place in ctx.in_chats_of(group)]
