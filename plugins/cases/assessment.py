"""Needs assessment (form 4): ``/assess <case>`` (评估) by a social worker, typed or ticked.

Form 4's three rows of boxes (medical, care, support), its concerns, and notes.  Typed,
``/assess 12 health_advice daily_care emotional concerns=emotion notes lives alone`` (or in
Chinese, ``/评估 12 健康建议 日常照护 情绪支持 情绪 备注 独居``): the boxes typed replace the
boxes ticked before, notes typed replace the notes; a box's word alone is enough (each is
one row's), ``row=a,b`` names the row too.  ``/assess 12`` alone shows the assessment with
a button per box; each press ticks or unticks one (the boxes ticked travel in the buttons,
so a press after a restart still counts), *Done* stores them.  Stored sealed in
:attr:`Case.assessment`; private chats only; counts as the first human reply.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sanshe.core.actions import Action, Button, Edit
from sanshe.core.arguments import Arguments, Rest, Wrong, listing
from sanshe.core.buttons import ButtonHandler
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person
from sanshe.core.text import storable

from . import access
from .casework import CaseNumber
from .models import Case
from .opening import answered

#: Form 4's rows and their boxes, in the form's order.
ROWS: dict[str, tuple[str, ...]] = {
    "medical": ("diagnosis", "health_advice", "treatment_advice", "admission"),
    "care": ("isolation", "daily_care", "companionship"),
    "support": ("medical_supplies", "living_supplies", "emotional"),
    "concerns": ("emotion", "medical", "psychological", "other"),
}
#: Every box as (row, box), the order of the bits the buttons carry.
BOXES = tuple((row, box) for row, boxes in ROWS.items() for box in boxes)
#: What may be typed for each box, beside its key (any letter case, full-width too).
BOX_WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("medical", "diagnosis"): ("诊断",),
    ("medical", "health_advice"): ("健康建议",),
    ("medical", "treatment_advice"): ("治疗建议",),
    ("medical", "admission"): ("hospital_admission", "住院收治", "住院", "收治"),
    ("care", "isolation"): ("isolation_guidance", "隔离指导", "隔离"),
    ("care", "daily_care"): ("日常照护", "照护"),
    ("care", "companionship"): ("online_companionship", "线上陪伴", "陪伴"),
    ("support", "medical_supplies"): ("医疗物资",),
    ("support", "living_supplies"): ("生活物资",),
    ("support", "emotional"): ("emotional_support", "情绪支持"),
    ("concerns", "emotion"): ("情绪",),
    ("concerns", "medical"): ("医疗",),
    ("concerns", "psychological"): ("psych", "心理"),
    ("concerns", "other"): ("其他", "其它"),
}
#: What may be typed for a row before ``=`` (``medical=diagnosis``).
ROW_WORDS: dict[str, tuple[str, ...]] = {
    "medical": ("medical", "医疗", "医疗需求"),
    "care": ("care", "照护", "照护需求"),
    "support": ("support", "支持", "支持需求"),
    "concerns": ("concerns", "concern", "关注", "关注问题", "问题"),
}
#: The words that start the notes (the rest of the text).
NOTES_WORDS = ("notes", "note", "备注", "说明")
_SEPARATORS = re.compile(r"[,、;；]+")
_ROW = re.compile(r"([^=:]+)[=:](.*)")
_SIGN = re.compile(r"[=:＝：]")
#: Ticked and unticked, before a box's label on its button.
TICKED, UNTICKED = "☑", "☐"
DONE = "done"

ASSESS = Arguments(usage="cases.usage.assess", case=CaseNumber(), what=Rest(optional=True))


def _plain(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold().strip()


_BOX_BY_WORD = {
    _plain(word): found for found, words in BOX_WORDS.items() for word in (found[1], *words)
}
_ROW_BY_WORD = {_plain(word): row for row, words in ROW_WORDS.items() for word in words}


def commands() -> list[ChatCommand]:
    """The assessment command."""
    return [
        ChatCommand(
            "assess",
            assess,
            help="cases.help.assess",
            aliases=("评估", "需求评估"),
            where="direct",
            arguments=ASSESS,
            shown_to=access.is_staff,
        )
    ]


def _box(word: str, row: str | None) -> tuple[str, str]:
    """The box ``word`` names (in ``row``, if given); raises :class:`Wrong`."""
    plain = _plain(word)
    if row is not None:
        for box in ROWS[row]:
            if plain in {_plain(w) for w in (box, *BOX_WORDS[(row, box)])}:
                return row, box
        raise Wrong("cases.assess.not_in_row", word=excerpt(word), row=row)
    found = _BOX_BY_WORD.get(plain)
    if found is None:
        raise Wrong("cases.assess.unknown", word=excerpt(word))
    return found


def read_typed(text: str) -> tuple[set[tuple[str, str]], str | None]:
    """The boxes and the notes typed after the case number (notes None: none typed); raises
    :class:`Wrong` for a word that is neither."""
    ticked: set[tuple[str, str]] = set()
    for typed in re.finditer(r"\S+", text):
        word = typed.group()
        plain = _plain(word)
        found = _ROW.fullmatch(plain)
        if plain in NOTES_WORDS or (found is not None and found.group(1) in NOTES_WORDS):
            sign = _SIGN.search(word)
            after = word[sign.end() :] if sign is not None else ""
            return ticked, storable(f"{after} {text[typed.end() :]}".strip())
        row = None
        values = plain
        if found is not None:
            row = _ROW_BY_WORD.get(found.group(1).strip())
            if row is None:
                raise Wrong("cases.assess.unknown_row", word=excerpt(_SIGN.split(word, 1)[0]))
            values = found.group(2)
        for value in filter(None, _SEPARATORS.split(values)):
            ticked.add(_box(value, row))
    return ticked, None


def ticked_of(case: Case) -> set[tuple[str, str]]:
    """The boxes ``case``'s stored assessment has ticked."""
    stored = case.assessment or {}
    found: set[tuple[str, str]] = set()
    for row, boxes in ROWS.items():
        chosen = stored.get(row)
        if isinstance(chosen, list):
            found |= {(row, box) for box in boxes if box in chosen}
    return found


def _mask(ticked: set[tuple[str, str]]) -> int:
    return sum(1 << i for i, box in enumerate(BOXES) if box in ticked)


def _unmask(mask: int) -> set[tuple[str, str]]:
    return {box for i, box in enumerate(BOXES) if mask >> i & 1}


def box_name(_: Translator, row: str, box: str) -> str:
    """A box's label in the reader's language (``健康建议``)."""
    return _(f"cases.assess.{row}.{box}")


def summary(_: Translator, ticked: set[tuple[str, str]], notes: str) -> list[str]:
    """Form 4's rows as lines: each row's ticked boxes (a dash for none), then the notes."""
    lines = []
    for row, boxes in ROWS.items():
        names = [box_name(_, row, box) for box in boxes if (row, box) in ticked]
        lines.append(
            _("cases.assess.row_line", row=_(f"cases.assess.row.{row}"), boxes=listing(_, names))
        )
    lines.append(_("cases.assess.notes_line", notes=notes or "—"))
    return lines


def store(ctx: Context, case: Case, ticked: set[tuple[str, str]], notes: str | None) -> None:
    """Write ``case``'s assessment (notes None: those stored kept) with the event's writes."""
    before = case.assessment or {}
    kept = str(before.get("notes", "")) if notes is None else notes
    assessment: dict[str, object] = {
        row: [box for box in boxes if (row, box) in ticked] for row, boxes in ROWS.items()
    }
    assessment |= {
        "notes": kept,
        "by": stored_person(ctx.person.id),
        "at": ctx.now().isoformat(),
    }
    case.assessment = assessment
    ctx.writes.save(case, ["assessment"])
    answered(ctx, case.number)
    ctx.audit("update", f"case:{case.number}", "assess")


async def workable(ctx: Context, number: int, work: str) -> tuple[Case | None, str | None]:
    """Case ``number`` if the sender may assess, route or transfer it (a social worker who
    declared no acquaintance with its client), else why not (``work`` names what was asked)."""
    case = await Case.get_or_none(number=number)
    if case is None:
        key = "cases.no_such_case" if access.is_staff(ctx) else f"cases.refused.{work}"
        return None, ctx._(key, number=number)
    if access.ROUTE in await access.works(ctx, case):
        return case, None
    return None, await access.refusal(ctx, case, work)


def _buttons(ctx: Context, number: int, ticked: set[tuple[str, str]]) -> tuple[Button, ...]:
    _ = ctx._
    mask = _mask(ticked)
    boxes = tuple(
        TOGGLE.button(
            f"{TICKED if box in ticked else UNTICKED} {box_name(_, *box)}", f"{number}:{mask:x}:{i}"
        )
        for i, box in enumerate(BOXES)
    )
    return (*boxes, TOGGLE.button(_("cases.assess.done"), f"{number}:{mask:x}:{DONE}"))


def _form(ctx: Context, case: Case, ticked: set[tuple[str, str]]) -> str:
    _ = ctx._
    notes = str((case.assessment or {}).get("notes", ""))
    lines = [_("cases.assess.title", number=case.number, name=case.name or "—")]
    lines += summary(_, ticked, notes)
    lines.append(_("cases.assess.how"))
    return "\n".join(lines)


async def assess(ctx: Context) -> Iterable[Action]:
    """``/assess <n> [boxes…] [notes <text>]``: store what is typed, or show the boxes to tick."""
    found = ASSESS.read(ctx)
    case, refusal = await workable(ctx, found.case, "assess")
    if case is None:
        return [ctx.reply(refusal or "")]
    if case.status != "open":
        return [ctx.reply(ctx._("cases.closed_already", number=case.number))]
    if not found.what:
        ticked = ticked_of(case)
        return [ctx.reply(_form(ctx, case, ticked), _buttons(ctx, case.number, ticked))]
    try:
        boxes, notes = read_typed(found.what)
    except Wrong as wrong:
        values = dict(wrong.values)
        if "row" in values:  # a row's key, named in the reader's language
            values["row"] = ctx._(f"cases.assess.row.{values['row']}")
        raise ASSESS.error(ctx, wrong.key, **values) from None
    store(ctx, case, boxes or ticked_of(case), notes)
    _ = ctx._
    lines = [_("cases.assess.stored", number=case.number)]
    lines += summary(_, ticked_of(case), str(case.assessment.get("notes", "")))
    return [ctx.reply("\n".join(lines))]


async def pressed(ctx: Context) -> list[Action]:
    """A box pressed: tick or untick it (the message shows the new state); *Done*: store."""
    press = ctx.press
    assert press is not None
    number, _colon, rest = press.payload.partition(":")
    mask, _colon, which = rest.partition(":")
    if not number.isdigit() or not re.fullmatch(r"[0-9a-f]{1,8}", mask):
        return [ctx.answer(ctx._("cases.assess.stale"))]
    case, refusal = await workable(ctx, int(number), "assess")
    if case is None:
        return [ctx.answer(refusal or "")]
    if case.status != "open":
        return [ctx.answer(ctx._("cases.closed_already", number=case.number))]
    ticked = _unmask(int(mask, 16))
    _ = ctx._
    if which == DONE:
        store(ctx, case, ticked, None)
        lines = [_("cases.assess.stored", number=case.number)]
        lines += summary(_, ticked, str(case.assessment.get("notes", "")))
        return _shown(ctx, "\n".join(lines), ())
    if not which.isdigit() or int(which) >= len(BOXES):
        return [ctx.answer(_("cases.assess.stale"))]
    ticked ^= {BOXES[int(which)]}
    return _shown(ctx, _form(ctx, case, ticked), _buttons(ctx, case.number, ticked))


def _shown(ctx: Context, text: str, buttons: tuple[Button, ...]) -> list[Action]:
    """``text`` in place of the pressed message where the network edits, else a new one."""
    press = ctx.press
    if press is not None and press.message_id and ctx.can(Edit):
        edit = Edit(chat=ctx.event.chat, message_id=press.message_id, text=text, buttons=buttons)
        return [edit, ctx.answer()]
    return [ctx.reply(text, buttons), ctx.answer()]


TOGGLE = ButtonHandler("cases.assess", pressed)
