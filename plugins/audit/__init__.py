"""Audit: ``/audit [subject]`` shows the audit log's latest entries to those with ``audit.read``.

Private chats only: entries name people and records.  At most :data:`SHOWN`
entries, newest first; times in the community's time zone; people by name
while their pseudonym still links to them, else by the pseudonym.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sanshe.core.actions import Action
from sanshe.core.arguments import MISSING, Arguments, Person, Reader, Words, Wrong
from sanshe.core.audit import PERSON, Entry
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.permissions import AUDIT_READ
from sanshe.core.privacy import excerpt

#: How many entries ``/audit`` shows at most.
SHOWN = 20
#: A subject as typed: a kind with a number; ``person:`` takes a person's id.
_NUMBERED = re.compile(r"(record|grant|case):(\d{1,18})")


class Subject(Reader):
    """What the entries shown are about: ``record:12``, ``grant:3``, ``case:7``, ``person:<id>``,
    or a person as :class:`~sanshe.core.arguments.Person` reads one (``@handle``, id, name).

    Gives the subject as the audit API names it, and how to show it.
    """

    name = "audit.arg.subject"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        word = words.peek()
        plain = unicodedata.normalize("NFKC", word).casefold()
        numbered = _NUMBERED.fullmatch(plain)
        if numbered:
            words.take()
            subject = f"{numbered[1]}:{int(numbered[2])}"
            return subject, subject
        if plain.startswith(f"{PERSON}:") and len(word) > len(PERSON) + 1:
            words.take()
            return word, _shown_person(ctx, word.partition(":")[2], excerpt(word))
        try:
            person = Person().take(words, ctx)
        except Wrong:
            person = MISSING
        if person is MISSING or not person.known:
            raise Wrong("audit.unknown_subject", word=excerpt(word))
        return f"{PERSON}:{person.id}", person.name or person.id


AUDIT = Arguments(usage="audit.usage", subject=Subject(optional=True))


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand(
            "audit",
            show_audit,
            help="audit.help",
            aliases=("审计",),
            where="direct",
            acts_on="community",
            arguments=AUDIT,
            shown_to=may_read,
        )
    ]


async def may_read(ctx: Context) -> bool:
    """Whether the sender may read the audit log: /help shows /audit to them only."""
    return await ctx.allowed(AUDIT_READ)


def _shown_person(ctx: Context, person_id: str, otherwise: str) -> str:
    """A person's name (or id) if the community knows them, else ``otherwise``."""
    person = ctx.community.person(person_id)
    return (person.name or person.id) if person is not None else otherwise


async def show_audit(ctx: Context) -> Action:
    """``/audit [subject]``: the latest entries (of one subject), for those with ``audit.read``."""
    _ = ctx._
    if not await ctx.allowed(AUDIT_READ):
        roles = _.join(ctx.role_name(r) for r in ctx.community.community.admins)
        return ctx.reply(_("audit.refused", roles=roles))
    chosen = AUDIT.read(ctx).subject
    subject, shown = chosen if chosen is not None else (None, "")
    entries = await ctx.audit_log(subject, SHOWN)
    if not entries:
        return ctx.reply(_("audit.empty_on", subject=shown) if subject else _("audit.empty"))
    count = len(entries)
    if count == SHOWN:
        many = _("audit.latest", count=count)
    else:
        many = _.plural("audit.count", count)
    title = (
        _("audit.title_on", subject=shown, count=many) if subject else _("audit.title", count=many)
    )
    zone = ZoneInfo(ctx.community.community.timezone)
    return ctx.reply("\n".join([title, *(_line(ctx, entry, zone) for entry in entries)]))


def _line(ctx: Context, entry: Entry, zone: ZoneInfo) -> str:
    """One entry as a line: time, who, what, on what, and its detail."""
    _ = ctx._
    actor = _shown_person(ctx, entry.actor, entry.actor) if entry.named else entry.actor
    # An unknown person's id is network:handle: shown as it is, to who may read the log.
    subject = entry.subject
    if entry.subject_named:
        subject = _shown_person(ctx, subject.partition(":")[2], subject)
    key = f"audit.action.{entry.action}"
    action = _(key) if key in _.catalogue.keys(_.locale) else entry.action
    detail = _("audit.detail", detail=entry.detail) if entry.detail else ""
    at = entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return _("audit.entry", at=at, actor=actor, action=action, subject=subject, detail=detail)
