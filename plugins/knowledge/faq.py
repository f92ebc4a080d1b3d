"""``/faq``: the answer library.

``/faq <words>`` (anyone) answers with the three entries best matching the words, each with
its source and date; ``/faq add <question> | <answer>`` (staff) keeps a question answered
online, with who added it and when; ``/faq renew <n>`` confirms an entry is still right,
``/faq remove <n>`` takes it out.  Answers go where the command was typed: they are the
community's public knowledge, and nothing the asker typed is repeated.
"""

from __future__ import annotations

from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person
from sanshe.core.text import storable

from . import search, shown
from .models import Entry

#: How many entries a search shows.
TOP = 3
#: The longest question and answer kept.
QUESTION_LENGTH, ANSWER_LENGTH = 300, 2000
SEQUENCE = "knowledge_faq"


async def faq(ctx: Context) -> list[Action]:
    """Search, or (staff) add, confirm or remove an entry."""
    assert ctx.command is not None
    _ = ctx._
    staff = shown.is_staff(ctx)
    work, rest = shown.subcommand(ctx.command.args)
    if work is None and not rest:
        usage = _("knowledge.faq.usage")
        return [ctx.reply(usage + ("\n" + _("knowledge.faq.usage_staff") if staff else ""))]
    if work is None:
        return [ctx.reply(await _search(ctx, rest))]
    if not staff:
        return [ctx.reply(_("knowledge.faq.staff_only", roles=shown.staff_names(ctx)))]
    if work == "add":
        return [ctx.reply(await _add(ctx, rest))]
    return [ctx.reply(await _change(ctx, work, rest))]


async def _search(ctx: Context, words: str) -> str:
    _ = ctx._
    entries = await Entry.all()
    items = ((e, e.question, e.answer) for e in entries)
    found = search.rank(words, items, TOP, shown.synonyms(ctx))
    if not found:
        return _("knowledge.faq.none")
    lines = [_("knowledge.faq.found", count=len(found))]
    for rank, hit in enumerate(found, start=1):
        entry = hit.item
        lines.append(
            _(
                "knowledge.faq.entry",
                rank=rank,
                question=entry.question,
                answer=entry.answer,
                source=shown.source(ctx, _, entry.author, entry.checked_at),
            )
        )
    return "\n\n".join(lines)


async def _add(ctx: Context, text: str) -> str:
    _ = ctx._
    pieces = shown.parts(text)
    if len(pieces) != 2 or not all(pieces):
        return _("knowledge.faq.usage_add")
    question, answer = (storable(piece) for piece in pieces)
    if len(question) > QUESTION_LENGTH or len(answer) > ANSWER_LENGTH:
        return _("knowledge.faq.too_long", question=QUESTION_LENGTH, answer=ANSWER_LENGTH)
    if shown.private(pieces):
        return _("knowledge.personal_data")
    number, now = await ctx.number(SEQUENCE), ctx.now()
    ctx.writes.add(
        Entry(
            number=number,
            question=question,
            answer=answer,
            author=stored_person(ctx.person.id),
            created_at=now,
            checked_at=now,
        )
    )
    ctx.audit("create", f"faq:{number}")
    return _("knowledge.faq.added", number=number, question=excerpt(question))


async def _change(ctx: Context, work: str, text: str) -> str:
    """Confirm (``renew``) or remove entry number ``text``."""
    _ = ctx._
    number = shown.number(text)
    if number is None:
        problem = shown.wrong_number(_, text)
        return _("arguments.error", problem=problem, usage=_(f"knowledge.faq.usage_{work}"))
    entry = await Entry.get_or_none(number=number)
    if entry is None:
        return _("knowledge.faq.no_entry", number=number)
    if work == "renew":
        now = ctx.now()
        ctx.writes.run(
            lambda db: (
                Entry.filter(number=number).using_db(db).update(checked_at=now, flagged_at=None)
            )
        )
        ctx.audit("update", f"faq:{number}")
        return _("knowledge.faq.renewed", number=number, question=excerpt(entry.question))
    ctx.writes.run(lambda db: Entry.filter(number=number).using_db(db).delete())
    ctx.audit("delete", f"faq:{number}")
    return _("knowledge.faq.removed", number=number, question=excerpt(entry.question))
