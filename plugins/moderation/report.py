"""``/report [reason]`` (举报): any member reports a message to the group's admins.

Written as a reply to the message reported.  The group's admins are told
privately who reported which message: the group, its author's name, the
reason, and of its text only an excerpt (personal data masked).  The reporter
is thanked privately, and the report itself is taken out of the group where
the network lets the bot delete it, so that the author does not see who
reported them.  The report goes to the moderation log (no text of it).
"""

from __future__ import annotations

from sanshe.core.actions import Action, Delete
from sanshe.core.arguments import Arguments, Rest
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.model import Person
from sanshe.core.privacy import excerpt

REPORT = Arguments(
    usage="moderation.report.usage", reason=Rest(name="moderation.report.reason", optional=True)
)
#: How much of the reported message the admins see.
QUOTED = 40


def name_of(person: Person, handle: str) -> str:
    """A person's name as the bot may repeat it: known, else an excerpt of what the network shows."""
    return person.name if person.known else excerpt(person.name or handle)


def report(ctx: Context) -> list[Action]:
    """Tell the group's admins of the message answered, thank the reporter, log it."""
    event = ctx.event
    if not isinstance(event, Message) or not event.reply_to:
        raise REPORT.error(ctx, "moderation.report.not_a_reply")
    if not event.reply_to_sender:
        raise REPORT.error(ctx, "moderation.report.no_author")
    reason = REPORT.read(ctx).reason
    group = ctx.group
    assert group is not None  # a command of group chats
    author = ctx.person_with(event.reply_to_sender)
    author_name = name_of(author, event.reply_to_sender)
    reporter = name_of(ctx.person, event.sender_name or event.sender)
    actions: list[Action] = []
    for admin in ctx.admins(group):
        if admin.id == ctx.person.id:
            continue
        _ = ctx.translator(admin)
        quoted = (
            _("moderation.report.quoted", text=excerpt(event.reply_to_text, QUOTED))
            if event.reply_to_text
            else _("moderation.report.unquoted")
        )
        told = _(
            "moderation.report.to_admins",
            reporter=reporter,
            group=group.name,
            author=author_name,
            quoted=quoted,
            reason=excerpt(reason, QUOTED) if reason else _("moderation.report.no_reason"),
        )
        if (note := ctx.tell(admin, told)) is not None:
            actions.append(note)
    actions.append(ctx.direct(ctx._("moderation.report.thanks", group=group.name)))
    if event.message_id and ctx.can(Delete):
        actions.append(Delete(chat=event.chat, message_id=event.message_id))
    actions.extend(
        ctx.moderated("report", author, "moderation.log.report", group=group.name, who=author_name)
    )
    return actions


def commands() -> list[ChatCommand]:
    """``/report``."""
    return [
        ChatCommand(
            "report",
            report,
            help="moderation.help.report",
            aliases=("举报",),
            where="group",
            arguments=REPORT,
        )
    ]
