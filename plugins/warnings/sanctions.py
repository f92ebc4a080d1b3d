"""Giving a warning: the group is told, the member privately, the moderation log; and what
reaching the limit does (removal, a ban or a mute: the sanctions plugin's own, asked for
through its hooks), unless the plugin runs dry.

The group sees the member's name only as an excerpt, and an admin's reason
only in the private note (a rule's reason, the moderators' own words, is
posted with the notice).  The moderation log gets no personal data: names and
reasons as excerpts.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sanshe.core.actions import Action, Send
from sanshe.core.arguments import duration
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Group, Person, Text
from sanshe.core.privacy import MASK, excerpt

from . import ledger
from .settings import WarningSettings

PLUGIN = "warnings"
#: How much of a reason the moderation log quotes.
LOGGED_REASON = 40

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Warned:
    """Who is warned and where: the person, their handle and name shown, the group, its chat."""

    person: Person
    handle: str
    name: str
    group: Group
    chat: str


def length(_: Translator, text: str) -> str:
    """A length of the settings (``30d``, ``1h30m``) in words: ``30天``, ``1小时30分钟``
    (``1 hour 30 minutes``)."""
    minutes = int((duration(text) or timedelta()).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    units = (("d", days), ("h", hours), ("m", minutes))
    words = (_.plural(f"warnings.length.{unit}", n, n=n) for unit, n in units if n)
    return "".join(words).strip()


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


async def give(ctx: Context, warned: Warned, reason: Text, rule_id: str = "") -> list[Action]:
    """Write the warning down and tell the group, the member and the log; at the limit, have
    the sanctions plugin act (in a dry run, or without that plugin, the log is only told).

    A rule's ``reason`` is given per language: the group, the ledger and the log read it in
    the community's, the member in theirs."""
    settings = ctx.settings(WarningSettings)
    since = ctx.now() - settings.window
    count = await ledger.counted(ctx, warned.group.id, warned.person.id, since) + 1
    log = ctx.everyone
    ledger.write_down(
        ctx, warned.group.id, warned.person.id, warned.name, log.pick(reason), rule_id
    )
    logged = {
        "name": warned.name,
        "group": warned.group.name,
        "count": count,
        "limit": settings.limit,
        "reason": quoted(log.pick(reason), LOGGED_REASON),
    }
    if rule_id:
        told_log = ctx.moderated(
            "warn", warned.person, "warnings.log.rule_warned", rule=rule_id, **logged
        )
    else:
        by = excerpt(ctx.person.name or ctx.event.sender_name or ctx.event.sender)
        told_log = ctx.moderated("warn", warned.person, "warnings.log.warned", by=by, **logged)
    sanctioned: list[Action] | None = None
    if count >= settings.limit:
        values = {
            "name": warned.name,
            "group": warned.group.name,
            "count": count,
            "within": length(log, settings.within),
            "sanction": sanction_words(log, settings),
        }
        if ctx.dry_run(PLUGIN):
            told_log += ctx.moderated(
                "dry_run", warned.person, "warnings.log.would_sanction", **values
            )
        else:
            sanctioned = await _sanction(ctx, warned, settings, count, log)
            if sanctioned is None:
                logger.warning(
                    "warnings: the limit was reached in group %s, but the sanctions plugin is "
                    "not enabled: nothing was done",
                    warned.group.id,
                )
                told_log += ctx.moderated(
                    "not_sanctioned", warned.person, "warnings.log.no_sanctions", **values
                )
    _ = _translator(ctx, warned.person)
    shown = {
        "name": warned.name,
        "group": warned.group.name,
        "count": count,
        "limit": settings.limit,
        "within": length(_, settings.within),
        "sanction": sanction_words(_, settings),
    }
    public = {**shown, "within": length(log, settings.within)}
    public["sanction"] = sanction_words(log, settings)
    if sanctioned is not None:
        notice = log.plural("warnings.group.sanctioned", count, **public)
        note = _.plural("warnings.private.sanctioned", count, reason=_.pick(reason), **shown)
    else:
        notice = (
            log("warnings.group.rule_warned", reason=log.pick(reason), **public)
            if rule_id
            else log.plural("warnings.group.warned", settings.limit, **public)
        )
        note = _.plural("warnings.private.warned", settings.limit, reason=_.pick(reason), **shown)
    actions: list[Action] = [Send(chat=warned.chat, text=notice)]
    private = ctx.tell(warned.person, note)
    if private is not None:
        actions.append(private)
    return actions + told_log + (sanctioned or [])


#: The sanctions plugin's hook for each ``then:``.
HOOKS = {"mute": "sanctions_mute", "remove": "sanctions_remove", "ban": "sanctions_ban"}


async def _sanction(
    ctx: Context, warned: Warned, settings: WarningSettings, count: int, log: Translator
) -> list[Action] | None:
    """Have the sanctions plugin remove, ban or mute the member who reached the limit (its own
    sanction: on its ban list, its one mute timer per person and group); None when it is not
    enabled, so that nothing is done half-way."""
    reason = log.plural("warnings.reason", count, within=length(log, settings.within))
    by = log("warnings.by_limit", limit=settings.limit)
    person = _with_handle(ctx, warned)
    sanction = settings.sanction
    values: dict[str, object] = {} if sanction == "ban" else {"group": warned.group}
    if sanction != "remove":  # a ban for reaching the limit lasts until /unban
        mute = timedelta(minutes=settings.mute_minutes)
        values["length"] = mute if sanction == "mute" else None
    done = await ctx.call(
        HOOKS[sanction], context=ctx, person=person, reason=reason, by=by, **values
    )
    return list(done) if isinstance(done, tuple) else None  # not offered: [] (or None)


def _with_handle(ctx: Context, warned: Warned) -> Person:
    """The warned person with the handle they were warned by (a stranger may have no other)."""
    handles = {**warned.person.handles, ctx.event.network: warned.handle}
    return warned.person.model_copy(update={"handles": handles})
