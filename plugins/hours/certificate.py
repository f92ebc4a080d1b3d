"""A certificate of a volunteer's service hours, as a PDF: ``/certificate <person>`` (证明) and
``sanshe certificate <person> --as <social worker>``.

It names the community, the volunteer, their hours month by month from the
ledger (a shift counts in the month it began, in the community's time zone) and
in total, the social worker issuing it and the day; its texts are in the
community's language.  Only who sees everyone's hours (a social worker
community-wide or of the volunteer pool) issues one: anyone else is refused,
and both are audited, naming the volunteer.  Set in reportlab's built-in
``STSong-Light``, so Chinese shows and can be copied out with no font file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Person
from sanshe.core.audit import person_subject
from sanshe.core.context import Context
from sanshe.core.model import Person as PersonModel
from sanshe.core.names import kind_name
from sanshe.core.storage.models import stored_person
from sanshe.core.timers import utc

from .models import HoursEntry
from .report import OVERSEER, POOL, totals

CERTIFICATE = Arguments(usage="hours.certificate.usage", person=Person())


@dataclass(frozen=True, slots=True)
class Month:
    """The hours served in one month: how many seconds, how many shifts."""

    year: int
    month: int
    seconds: float
    shifts: int


def may_certify(ctx: Context) -> bool:
    """Whether the sender issues certificates: who sees everyone's hours with /hours."""
    return people.holds_community_wide_or_in(ctx, OVERSEER, (POOL,))


async def months(person_id: str, ctx: Context) -> list[Month]:
    """The person's hours per month, oldest first (the month each shift began in)."""
    zone = _zone(ctx)

    def month(entry: HoursEntry) -> tuple[int, int]:
        begun = utc(entry.start).astimezone(zone)
        return begun.year, begun.month

    found = totals(await HoursEntry.filter(person=stored_person(person_id)), month)
    return [Month(y, m, s, n) for (y, m), (s, n) in sorted(found.items())]


def _zone(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.community.community.timezone)


def hours(seconds: float) -> str:
    """Seconds as hours to the hundredth, without trailing zeros (``3``, ``3.5``, ``1.75``)."""
    return f"{seconds / 3600:.2f}".rstrip("0").rstrip(".")


def file_name(person: PersonModel, on: date) -> str:
    """The certificate's file name: whose, and the day it was issued."""
    return f"certificate_{person.id}_{on.isoformat()}.pdf"


async def certify(ctx: Context, person: PersonModel) -> tuple[bytes, int] | None:
    """The certificate of ``person``'s hours issued by the sender, and how many months it lists;
    None if they have served none.  The caller checks :func:`may_certify` and audits."""
    served = await months(person.id, ctx)
    if not served:
        return None
    on = ctx.now().astimezone(_zone(ctx)).date()
    community = ctx.community.community.name
    issuer = ctx.person.name or ctx.person.id
    from .certificate_pdf import document  # reportlab loads only when a certificate is made

    content = document(ctx.everyone, community, person.name or person.id, issuer, served, on)
    return content, len(served)


async def issue_certificate(ctx: Context) -> Action:
    """``/certificate <person>``: the PDF of their hours, privately, to a social worker."""
    _ = ctx._
    person: PersonModel = CERTIFICATE.read(ctx).person
    subject = person_subject(person.id)
    if not may_certify(ctx):
        ctx.audit("certificate_refused", subject)
        pool = kind_name(ctx.community, POOL, _)
        return ctx.reply(_("hours.certificate.refused", role=ctx.role_name(OVERSEER), pool=pool))
    name = person.name or person.id
    made = await certify(ctx, person)
    if made is None:
        return ctx.reply(_("hours.none", name=name))
    content, count = made
    ctx.audit("certificate", subject, detail=f"months={count}")
    on = ctx.now().astimezone(_zone(ctx)).date()
    caption = _("hours.certificate.sent", name=name)
    return ctx.send_file(file_name(person, on), content=content, caption=caption)
