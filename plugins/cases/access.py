"""Who may do what with a case: the one place that decides it.

- A social worker (holding the role community-wide or in any group) reads, notes, routes and
  closes any case of the community.
- A medical, counselling or general volunteer reads and notes the cases of the groups they
  hold such a role in: the case's serving group, or before routing the consultation group
  its origin escalates to (a private request: the community's first focus service group).
- A community worker reads and notes the cases they referred, and crisis cases (the crisis
  chain reaches them).
- The case's owner closes it too.
- Whoever declared they know the client (``/conflict``, 熟人规避) does nothing with the case,
  a social worker neither.
- The client sees their own case's number and status, nothing more; anyone else nothing.

Other plugins ask through core's permissions: ``await ctx.allowed("cases.read:12")`` (also
``cases.note:``, ``cases.route:``, ``cases.close:``, and ``cases.stats``), which this
plugin's ``sanshe_permission`` answers from here.
"""

from __future__ import annotations

from collections.abc import Collection

from sanshe.core import people
from sanshe.core.context import Context
from sanshe.core.model import Group
from sanshe.core.storage.models import stored_person

from .models import Case, Conflict

SOCIAL_WORKER = "social_worker"
COMMUNITY_WORKER = "community_worker"
#: The volunteers who serve the cases of the groups they hold their role in.
VOLUNTEERS = frozenset({"medical_volunteer", "psych_volunteer", "general_volunteer"})
#: Who may see /stats (no personal data: counts and times).
STATS = frozenset({SOCIAL_WORKER, COMMUNITY_WORKER})
#: Who /help lists the casework commands to.
STAFF = VOLUNTEERS | STATS

#: What one may do with a case.
STATUS = "status"
READ = "read"
NOTE = "note"
ROUTE = "route"
CLOSE = "close"
WORKS = (STATUS, READ, NOTE, ROUTE, CLOSE)
#: The prefix of the permissions this plugin answers (``cases.read:12``).
PERMISSION = "cases."


def serving_group(ctx: Context, case: Case) -> Group | None:
    """The consultation group answering for ``case``: the one serving it, or before it is
    routed the one its origin escalates to."""
    community = ctx.community
    if case.group is not None:
        return community.group(case.group)
    origin = community.group(case.origin) if case.origin else None
    return community.escalation_group(origin)


def is_staff(ctx: Context) -> bool:
    """Whether the sender holds, anywhere, a role that works cases (/help lists casework)."""
    return people.holds_anywhere(ctx, STAFF)


def may_see_stats(ctx: Context) -> bool:
    """Whether the sender may read /stats: a social worker or community worker, anywhere."""
    return people.holds_anywhere(ctx, STATS)


async def conflicted(ctx: Context, case: Case) -> bool:
    """Whether the sender declared they know ``case``'s client."""
    me = stored_person(ctx.person.id)
    return await Conflict.exists(client=case.person, staff=me)


async def works(ctx: Context, case: Case, avoided: Collection[str] | None = None) -> frozenset[str]:
    """What the sender may do with ``case`` (some of :data:`WORKS`; empty: nothing).

    ``avoided``: the clients the sender declared they know, if read already (a list of cases).
    """
    me = stored_person(ctx.person.id)
    if case.person == me:
        return frozenset({STATUS})
    if case.person in avoided if avoided is not None else await conflicted(ctx, case):
        return frozenset()
    if people.holds_anywhere(ctx, {SOCIAL_WORKER}):
        return frozenset(WORKS)
    allowed: set[str] = set()
    group = serving_group(ctx, case)
    if group is not None and ctx.about(group).has_role(VOLUNTEERS):
        allowed |= {STATUS, READ, NOTE}
    if people.holds_anywhere(ctx, {COMMUNITY_WORKER}) and (
        case.opened_by == me or case.source == "crisis"
    ):
        allowed |= {STATUS, READ, NOTE}
    if allowed and case.owner == me:
        allowed.add(CLOSE)
    return frozenset(allowed)


async def refusal(ctx: Context, case: Case, work: str) -> str | None:
    """Why the sender may not do ``work`` with ``case``, in their language; None if they may."""
    allowed = await works(ctx, case)
    if work in allowed:
        return None
    _ = ctx._
    if not allowed and await conflicted(ctx, case):
        return _("cases.refused.conflict", number=case.number)
    if allowed == {STATUS}:
        return _("cases.refused.own", number=case.number)
    return _(f"cases.refused.{work}", number=case.number)


async def vote(ctx: Context, permission: str) -> bool | None:
    """This plugin's vote on ``permission``: ``cases.<work>:<number>`` and ``cases.stats``;
    None for any other permission (and False for a case that does not exist)."""
    if not permission.startswith(PERMISSION):
        return None
    work, _colon, number = permission[len(PERMISSION) :].partition(":")
    if work == "stats" and not number:
        return may_see_stats(ctx)
    if work not in WORKS or not number.isdigit():
        return None
    case = await Case.get_or_none(number=int(number))
    return case is not None and work in await works(ctx, case)
