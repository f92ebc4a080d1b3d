"""Watching display names: a member whose name does not follow their pattern is told privately.

A member is seen when they join a group, rename themselves there or write in it (the
network says their display name with each).  The reminder gives the right form for them
and comes at most once per ``remind_every`` per person and group, across restarts.
"""

from __future__ import annotations

import hashlib

from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.events import MemberJoined, MemberLeft, MemberRenamed, Message
from sanshe.core.privacy import excerpt

from . import members
from .right_names import right_form
from .settings import NicknameSettings

PLUGIN = "nicknames"


def reminded(group_id: str, person_id: str) -> str:
    """What the reminders of ``person_id`` in ``group_id`` are noted under (``ctx.once_per``): the
    group and a digest of the person, short enough for any id and naming nobody in clear."""
    return f"{group_id}|{person_digest(person_id)}"


def person_digest(person_id: str) -> str:
    """The digest of ``person_id`` that :func:`reminded` notes."""
    return hashlib.blake2b(person_id.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def watch(ctx: Context) -> list[Action]:
    """Note the sender's display name in the event's group; remind them if it does not conform."""
    group, event = ctx.group, ctx.event
    if group is None or event.direct:
        return []
    if isinstance(event, MemberLeft):
        members.note(ctx, group, None)
        return []
    name = event.sender_name
    if not name or not isinstance(event, Message | MemberJoined | MemberRenamed):
        return []
    members.note(ctx, group, name)
    settings = ctx.settings(NicknameSettings)
    quiet = reminded(group.id, ctx.person.id)
    if settings.conforms(name, group, ctx.roles) or not ctx.once_per(
        PLUGIN, quiet, settings.interval
    ):
        return []
    form = right_form(settings, group, ctx.person, ctx.roles, ctx._)
    text = ctx._("nicknames.reminder", group=group.name, name=excerpt(name, 40), form=form)
    return [ctx.direct(text)]
