"""The roster's changes: each staged on an event's writes, the memory following once they are made.

Nothing here writes to the database at once (start-up's :func:`load` only
reads): a claim, a release, a hand-over or an arrival is written with the
event's checkpoint, and :data:`~.roster.ROSTER` changes only after the commit
(``writes.after``), so a lookup never sees what was not kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sanshe.core.context import Context
from sanshe.core.storage.models import stored_person

from .models import StoredClaim, StoredShift, SwapOffer
from .roster import ROSTER, Claim, Planned, Shift


async def load(since: datetime, named: Iterable[str]) -> None:
    """Fill the roster from storage: the shifts ending after ``since``, with their claims.

    The person columns hold ``stored_person`` of an id; an id too long for them comes back as
    one of ``named`` (the community file's people: stored people's ids are short).
    """
    ids = {stored_person(person): person for person in named}
    ROSTER.clear()
    for row in await StoredShift.filter(ends_at__gt=since):
        ROSTER.add(Shift(row.id, row.group, _aware(row.starts_at), _aware(row.ends_at), row.needs))
    numbers = list(ROSTER.shifts)
    for claim in await StoredClaim.filter(shift__in=numbers).order_by("id"):
        arrived = _aware(claim.arrived_at) if claim.arrived_at else None
        kept = Claim(ids.get(claim.person, claim.person), claim.role, claim.place, arrived)
        ROSTER.claim(ROSTER.shifts[claim.shift], kept)


def _aware(moment: datetime) -> datetime:
    """``moment`` in UTC (a database may give it back naive, meaning UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def add_shift(ctx: Context, number: int, planned: Planned) -> Shift:
    """Store a planned shift under ``number``; the roster has it once the event is kept."""
    needs = dict(planned.needs)
    row = StoredShift(
        id=number, group=planned.group, starts_at=planned.start, ends_at=planned.end, needs=needs
    )
    ctx.writes.add(row)
    shift = Shift(number, planned.group, planned.start, planned.end, needs)
    ctx.writes.after(lambda: ROSTER.add(shift))
    return shift


def drop_shift(ctx: Context, shift: Shift) -> None:
    """Delete ``shift``, its claims and the swaps offered of it."""
    number = shift.number
    ctx.writes.run(lambda db: StoredShift.filter(id=number).using_db(db).delete())
    ctx.writes.run(lambda db: StoredClaim.filter(shift=number).using_db(db).delete())
    ctx.writes.run(lambda db: SwapOffer.filter(shift=number).using_db(db).delete())
    ctx.writes.after(lambda: ROSTER.drop(number))


def change_needs(ctx: Context, shift: Shift, needs: Mapping[str, int]) -> None:
    """Give ``shift`` the places ``needs`` says (its template changed); its claims stay."""
    wanted = dict(needs)
    number = shift.number
    ctx.writes.run(lambda db: StoredShift.filter(id=number).using_db(db).update(needs=wanted))

    def changed() -> None:
        shift.needs = wanted

    ctx.writes.after(changed)


def claim(ctx: Context, shift: Shift, role: str, place: int) -> None:
    """The sender takes ``place`` of ``role`` on ``shift``."""
    person = ctx.person.id
    row = StoredClaim(
        shift=shift.number,
        person=stored_person(person),
        role=role,
        place=place,
        claimed_at=ctx.now(),
    )
    ctx.writes.add(row)

    def claimed() -> None:
        ROSTER.claim(shift, Claim(person, role, place))

    ctx.writes.after(claimed)


def release(ctx: Context, shift: Shift, person: str) -> None:
    """``person`` gives up their place on ``shift`` (and the swap they offered of it)."""
    number, key = shift.number, stored_person(person)
    ctx.writes.run(lambda db: StoredClaim.filter(shift=number, person=key).using_db(db).delete())
    ctx.writes.run(lambda db: SwapOffer.filter(shift=number, from_person=key).using_db(db).delete())

    def released() -> None:
        ROSTER.unclaim(shift, person)

    ctx.writes.after(released)


def hand_over(ctx: Context, shift: Shift, giver: str, offer: SwapOffer) -> None:
    """The place of ``giver`` (who made ``offer``) on ``shift`` becomes the sender's."""
    number, taker, now = shift.number, ctx.person.id, ctx.now()
    old, new = stored_person(giver), stored_person(taker)
    ctx.writes.run(
        lambda db: (
            StoredClaim.filter(shift=number, person=old)
            .using_db(db)
            .update(person=new, claimed_at=now, arrived_at=None)
        )
    )
    ctx.writes.delete(offer)

    def handed() -> None:
        given = ROSTER.unclaim(shift, giver)
        if given is not None:
            ROSTER.claim(shift, Claim(taker, given.role, given.place))

    ctx.writes.after(handed)


def arrive(ctx: Context, shift: Shift, person: str) -> datetime:
    """``person`` appeared for ``shift`` now (a message in the group, or /arrive)."""
    number, now, key = shift.number, ctx.now(), stored_person(person)
    ctx.writes.run(
        lambda db: (
            StoredClaim.filter(shift=number, person=key, arrived_at=None)
            .using_db(db)
            .update(arrived_at=now)
        )
    )

    def arrived() -> None:
        held = shift.claims.get(person)
        if held is not None and held.arrived is None:
            held.arrived = now

    ctx.writes.after(arrived)
    return now
