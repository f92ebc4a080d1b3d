"""Giving a warning: the group is told, the member privately, the moderation log; and what
reaching the limit does (removal, a ban or a mute), unless the plugin runs dry.

The group sees the member's name only as an excerpt, and an admin's reason
only in the private note (a rule's reason, the moderators' own words, is
posted with the notice).  The moderation log gets no personal data: names and
reasons as excerpts.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sanshe.core import people
from sanshe.core.actions import Action, Ban, Remove, Restrict, Send, Unrestrict
from sanshe.core.arguments import duration
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Group, Person
from sanshe.core.privacy import MASK, excerpt
from sanshe.core.timers import Due

from . import ledger
from .settings import WarningSettings

PLUGIN = "warnings"
#: The prefix of the timers that lift a mute given for reaching the limit.
UNMUTE = "unmute|"
#: How much of a reason the moderation log quotes.
LOGGED_REASON = 40


@dataclass(frozen=True, slots=True)
class Warned:
    """Who is warned and where: the person, their handle and name shown, the group, its chat."""

    person: Person
    handle: str
    name: str
    group: Group
    chat: str


def length(_: Translator, text: str) -> str:
    """A length of the settings (``30d``, ``1h30m``) in words: ``30天``, ``1小时30分钟``."""
    minutes = int((duration(text) or timedelta()).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    units = (("d", days), ("h", hours), ("m", minutes))
    return "".join(_(f"warnings.length.{unit}", n=n) for unit, n in units if n).strip()


def sanction_words(_: Translator, settings: WarningSettings) -> str:
    """What reaching the limit does, in words: ``移出本群``, ``禁言2小时``."""
    mute = settings.then.partition(":")[2]
    return _(f"warnings.sanction.{settings.sanction}", length=length(_, mute) if mute else "")


def quoted(text: str, limit: int) -> str:
    """What a list or the moderation log quotes of a reason: at most ``limit`` characters,
    printable; with anything :func:`~sanshe.core.privacy.excerpt` masks, its excerpt (else as
    written: the excerpt would also turn Chinese punctuation into ASCII)."""
    masked = excerpt(text, limit)
    if MASK in masked:
        return masked
    words = ("".join(c for c in word if unicodedata.category(c)[0] != "C") for word in text.split())
    shown = " ".join(w for w in words if w)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def _translator(ctx: Context, person: Person) -> Translator:
    """Texts for ``person``: the sender's own language for the sender."""
    return ctx._ if person.id == ctx.person.id else ctx.translator(person)


async def give(ctx: Context, warned: Warned, reason: str, rule_id: str = "") -> list[Action]:
    """Write the warning down and tell the group, the member and the log; at the limit, act."""
    settings = ctx.settings(WarningSettings)
    since = ctx.now() - settings.window
    count = await ledger.counted(warned.group.id, warned.person.id, since) + 1
    ledger.write_down(ctx, warned.group.id, warned.person.id, warned.name, reason, rule_id)
    reached = count >= settings.limit
    acting = reached and not ctx.dry_run(PLUGIN)
    _ = _translator(ctx, warned.person)
    shown = {
        "name": warned.name,
        "group": warned.group.name,
        "count": count,
        "limit": settings.limit,
        "within": length(_, settings.within),
        "sanction": sanction_words(_, settings),
    }
    if acting:
        notice = _("warnings.group.sanctioned", **shown)
        note = _("warnings.private.sanctioned", reason=reason, **shown)
    else:
        notice = (
            _("warnings.group.rule_warned", reason=reason, **shown)
            if rule_id
            else _("warnings.group.warned", **shown)
        )
        note = _("warnings.private.warned", reason=reason, **shown)
    actions: list[Action] = [Send(chat=warned.chat, text=notice)]
    private = ctx.tell(warned.person, note)
    if private is not None:
        actions.append(private)
    log = Translator(ctx._.catalogue, ctx.community.locale)
    logged = {
        "name": warned.name,
        "group": warned.group.name,
        "count": count,
        "limit": settings.limit,
        "reason": quoted(reason, LOGGED_REASON),
    }
    if rule_id:
        actions += ctx.moderated(
            "warn", warned.person, "warnings.log.rule_warned", rule=rule_id, **logged
        )
    else:
        by = excerpt(ctx.person.name or ctx.event.sender_name or ctx.event.sender)
        actions += ctx.moderated("warn", warned.person, "warnings.log.warned", by=by, **logged)
    if reached:
        actions += _sanction(ctx, warned, settings, count, log, acting)
    return actions


def _chats(ctx: Context, warned: Warned) -> list[tuple[str, str, str]]:
    """Each chat of the group the member is in, as ``(network, chat, handle)``: where they were
    warned, and the group's chats on the other networks where they have a handle."""
    found = [(ctx.event.network, warned.chat, warned.handle)]
    for place in ctx.in_chats_of(warned.group):
        network = place.event.network
        handle = warned.person.handles.get(network)
        if handle and network != ctx.event.network:
            found.append((network, place.event.chat, handle))
    return found


def _sanction(
    ctx: Context,
    warned: Warned,
    settings: WarningSettings,
    count: int,
    log: Translator,
    acting: bool,
) -> list[Action]:
    """Remove, ban or mute the member who reached the limit; in a dry run, only report it."""
    values = {
        "name": warned.name,
        "group": warned.group.name,
        "count": count,
        "within": length(log, settings.within),
        "sanction": sanction_words(log, settings),
    }
    if not acting:
        return ctx.moderated("dry_run", warned.person, "warnings.log.would_sanction", **values)
    _ = _translator(ctx, warned.person)
    reason = _("warnings.reason", count=count, within=length(_, settings.within))
    done: list[Action] = []
    for network, chat, handle in _chats(ctx, warned):
        if settings.sanction == "ban":
            done.append(Ban(chat=chat, user=handle, reason=reason, network=network))
        elif settings.sanction == "mute":
            minutes = settings.mute_minutes
            done.append(
                Restrict(chat=chat, user=handle, minutes=minutes, reason=reason, network=network)
            )
        else:
            done.append(Remove(chat=chat, user=handle, reason=reason, network=network))
    if settings.sanction == "mute":
        _lift_later(ctx, warned, timedelta(minutes=settings.mute_minutes))
    logged = ctx.moderated(settings.sanction, warned.person, "warnings.log.sanctioned", **values)
    return [*done, *logged]


def _lift_later(ctx: Context, warned: Warned, length: timedelta) -> None:
    """Have the mute lifted when it ends, in the chats where it was given (a network such as
    Matrix does not end it by itself); a restart meanwhile lifts it at start."""
    digest = hashlib.blake2b(warned.person.id.encode(), digest_size=8).hexdigest()
    data = {
        "group": warned.group.id,
        "person": warned.person.id,
        "name": warned.name,
        "chats": [list(chat) for chat in _chats(ctx, warned)],
    }
    ctx.timers(PLUGIN).at(f"{UNMUTE}{warned.group.id}|{digest}", ctx.now() + length, data)


def lift(ctx: Context, timer: Due) -> list[Action]:
    """A mute for reaching the limit has ended: the member may post again (told in the log)."""
    if not timer.key.startswith(UNMUTE):
        return []
    data = timer.data
    actions: list[Action] = [
        Unrestrict(chat=str(chat), user=str(handle), network=str(network))
        for network, chat, handle in data.get("chats", ())
    ]
    group = ctx.community.group(str(data.get("group", "")))
    where = group.name if group else str(data.get("group", ""))
    person_id = str(data.get("person", ""))
    handles = {str(network): str(handle) for network, _chat, handle in data.get("chats", ())}
    about = people.current_by_id(ctx, person_id) or Person(
        id=person_id, known=False, handles=handles
    )
    told = ctx.tell(about, ctx.translator(about)("warnings.private.unmuted", group=where))
    name = str(data.get("name", ""))
    actions += ctx.moderated("unmute", about, "warnings.log.unmuted", name=name, group=where)
    return actions + ([told] if told else [])
