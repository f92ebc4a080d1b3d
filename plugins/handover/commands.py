"""``/handover [group] [confirm | note]`` (交接), the draft's buttons, and the note typed after
"edit": the outgoing shift reads, completes and confirms its handover.

``/handover`` shows the handover (privately); ``/handover <note>`` adds a line to the draft;
``/handover confirm`` sends it to the incoming shift.  Outside the group's chat the group may
be named first (``/handover focus-1 confirm``); left out, the one draft waiting for the sender.
Only the outgoing shift's people, who got the draft, and the group's social workers may add
to or confirm it; the incoming shift may read it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sanshe.core.actions import Action, Button
from sanshe.core.arguments import MISSING, Arguments, Group, Rest, Words, group_named, plain_word
from sanshe.core.buttons import ButtonHandler
from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.model import Group as GroupModel
from sanshe.core.model import Person
from sanshe.core.privacy import personal_data
from sanshe.core.storage.models import stored_person

from .delivery import hand_over, incoming, local, may_edit, may_read, notes_of
from .draft import name_of, text
from .models import Handover, HandoverNote

#: What ``/handover`` takes to mean "send it" (as :func:`plain_word` compares words).
CONFIRM_WORDS = frozenset({"confirm", "确认", "确定", "确认发送"})
#: The longest note, in characters: a line for the next shift, not a record.
NOTE_LENGTH = 500


class ShiftGroup(Group):
    """The group whose handover is meant, if the first word names one (else it is the note's)."""

    name = "handover.arg.group"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left or group_named(ctx.community, words.peek()) is None:
            return MISSING
        return super().take(words, ctx)


HANDOVER = Arguments(
    usage="handover.usage",
    group=ShiftGroup(optional=True),
    what=Rest(name="handover.arg.what", optional=True),
)


def _buttons(context: Context, person: Person, handover: Handover) -> tuple[Button, ...]:
    _ = context.translator(person)
    number = str(handover.id)
    return (
        CONFIRM.button(_("handover.button.confirm"), number),
        EDIT.button(_("handover.button.edit"), number),
    )


def _draft_text(
    context: Context, person: Person, handover: Handover, notes: Sequence[HandoverNote]
) -> str:
    """The draft as its editors read it: the handover, then who will get it and how to finish
    (confirmed with nobody to send it to yet: when it goes)."""
    _ = context.translator(person)
    if handover.confirmed_by is not None:
        by = name_of(context, _, handover.confirmed_by)
        how = (
            _("handover.confirmed_waiting", name=by, at=local(context, handover.due_at))
            if handover.due_at is not None
            else _("handover.confirmed_unsent", name=by)
        )
        return f"{text(context, _, handover, notes)}\n\n{how}"
    coming = [name_of(context, _, p) for p in handover.people.get("incoming", {})]
    to = _.join(coming) if coming else _("handover.nobody_yet")
    how = _("handover.how", incoming=to)
    if handover.due_at is not None:
        how += _("handover.deadline", at=local(context, handover.due_at))
    return f"{text(context, _, handover, notes)}\n\n{how}"


def draft_message(context: Context, person: Person, handover: Handover) -> Action | None:
    """The new draft (no notes yet) sent privately to ``person``, with the buttons to confirm
    or edit it."""
    return context.tell(
        person, _draft_text(context, person, handover, ()), _buttons(context, person, handover)
    )


def _privately(ctx: Context, body: str, buttons: tuple[Button, ...] = ()) -> list[Action]:
    """``body`` in the private chat: as the answer there, else with a word in the group."""
    if ctx.event.direct:
        return [ctx.reply(body, buttons)]
    return [ctx.reply(ctx._("handover.sent_private")), ctx.direct(body, buttons=buttons)]


async def _find(ctx: Context, group: GroupModel | None) -> Handover | str:
    """The handover meant: the latest of ``group``, else the one draft the sender may complete;
    or why there is none (a text)."""
    _ = ctx._
    if group is not None:
        found = await Handover.filter(group_id=group.id).order_by("-end", "-id").first()
        return found or _("handover.none_here", group=group.name)
    waiting = []
    for draft in await Handover.filter(sent_at=None).order_by("-end", "-id"):
        of = ctx.community.group(draft.group_id)
        if of is not None and may_edit(ctx, draft, of):
            waiting.append(draft)
    groups = list(dict.fromkeys(d.group_id for d in waiting))
    if not groups:
        return _("handover.none_waiting")
    if len(groups) > 1:
        command = _("handover.command")
        return _("handover.which", ways=_.join(f"{command} {g}" for g in groups))
    return waiting[0]


async def handover_command(ctx: Context) -> list[Action]:
    """Show, add to, or confirm a shift's handover."""
    _ = ctx._
    args = HANDOVER.read(ctx)
    found = await _find(ctx, args.group or ctx.group)
    if isinstance(found, str):
        return [ctx.reply(found)]
    group = ctx.community.group(found.group_id)
    if group is None:
        return [ctx.reply(_("handover.none_waiting"))]
    what = (args.what or "").strip()
    if not what:
        if not may_read(ctx, found, group):
            return [ctx.reply(_("handover.refused_read", group=group.name))]
        return _privately(ctx, *_shown(ctx, found, group, await notes_of(found)))
    if not may_edit(ctx, found, group):
        return [ctx.reply(_("handover.refused", group=group.name))]
    if found.sent_at is not None:
        return [ctx.reply(_("handover.already_sent", at=local(ctx, found.sent_at)))]
    if plain_word(what) in CONFIRM_WORDS:
        return await confirm(ctx, found, group)
    return await _add_note(ctx, found, what)


def _shown(
    ctx: Context, handover: Handover, group: GroupModel, notes: Sequence[HandoverNote]
) -> tuple[str, tuple[Button, ...]]:
    """The handover as the sender reads it, with the buttons if they may still complete it."""
    _ = ctx._
    if handover.sent_at is None:
        if may_edit(ctx, handover, group):
            body = _draft_text(ctx, ctx.person, handover, notes)
            return body, _buttons(ctx, ctx.person, handover)
        state = (
            _("handover.is_draft")
            if handover.confirmed_by is None
            else _("handover.is_confirmed", name=name_of(ctx, _, handover.confirmed_by))
        )
        return f"{state}\n{text(ctx, _, handover, notes)}", ()
    how = (
        _("handover.sent_confirmed", at=local(ctx, handover.sent_at))
        if handover.confirmed_by is not None
        else _("handover.sent_unconfirmed", at=local(ctx, handover.sent_at))
    )
    return f"{text(ctx, _, handover, notes)}\n\n{how}", ()


async def _add_note(ctx: Context, handover: Handover, note: str) -> list[Action]:
    """Add ``note`` to the draft (refused with personal data in it, or too long)."""
    _ = ctx._
    if found := personal_data(note):
        kinds = _.join(_(f"handover.kind.{kind}") for kind in found)
        return [ctx.reply(_("handover.note_personal", kinds=kinds))]
    if len(note) > NOTE_LENGTH:
        return [ctx.reply(_("handover.note_long", limit=NOTE_LENGTH, length=len(note)))]
    added = HandoverNote(
        handover=handover.id, person=stored_person(ctx.person.id), text=note, written_at=ctx.now()
    )
    ctx.writes.add(added)
    if handover.editor is not None:
        handover.editor = None
        ctx.writes.save(handover, ("editor",))
    notes = [*await notes_of(handover), added]
    body = f"{_('handover.noted')}\n\n{_draft_text(ctx, ctx.person, handover, notes)}"
    return _privately(ctx, body, _buttons(ctx, ctx.person, handover))


async def confirm(ctx: Context, handover: Handover, group: GroupModel) -> list[Action]:
    """Send the draft to the incoming shift, confirmed by the sender."""
    _ = ctx._
    handover.confirmed_by = stored_person(ctx.person.id)
    to = [p for p in await incoming(ctx, handover, group) if p.id != ctx.person.id]
    sent = hand_over(ctx, handover, await notes_of(handover), to)
    ctx.writes.save(handover, ("people", "confirmed_by", "sent_at", "editor"))
    told = handover.people.get("told", [])
    names = _.join(name_of(ctx, _, p) for p in told)
    if told and handover.next_start is None:
        answer = _("handover.sent_admins", names=names)
    elif told:
        answer = _("handover.sent", names=names)
    elif handover.next_start is not None:
        answer = _("handover.sent_later")
    else:
        answer = _("handover.sent_nobody")
    return [ctx.reply(answer), *sent]


async def _pressed(ctx: Context) -> tuple[Handover, GroupModel] | Action:
    """The draft a press is about, if the presser may complete it; else the answer saying why."""
    _ = ctx._
    press = ctx.press
    number = press.payload if press is not None else ""
    handover = await Handover.get_or_none(id=int(number)) if number.isdigit() else None
    group = ctx.community.group(handover.group_id) if handover is not None else None
    if handover is None or group is None:
        return ctx.answer(_("handover.none_waiting"))
    if not may_edit(ctx, handover, group):
        return ctx.answer(_("handover.refused", group=group.name))
    if handover.sent_at is not None:
        return ctx.answer(_("handover.already_sent", at=local(ctx, handover.sent_at)))
    return handover, group


async def pressed_confirm(ctx: Context) -> list[Action]:
    """The "confirm and send" button."""
    found = await _pressed(ctx)
    if isinstance(found, Action):
        return [found]
    return [ctx.answer(), *await confirm(ctx, *found)]


#: Who may have a note awaited after pressing "edit" (person keys as stored): kept in memory so
#: that the private messages of everyone else are not looked up; more is harmless.
NOTES_AWAITED: set[str] = set()


async def load_awaited() -> None:
    """At start: who pressed "edit" and has not written their note yet."""
    NOTES_AWAITED.clear()
    for editor in await Handover.filter(editor__isnull=False).values_list("editor", flat=True):
        NOTES_AWAITED.add(str(editor))


async def pressed_edit(ctx: Context) -> list[Action]:
    """The "edit" button: the presser's next private message is added to the draft."""
    found = await _pressed(ctx)
    if isinstance(found, Action):
        return [found]
    handover, _group = found
    editor = handover.editor = stored_person(ctx.person.id)
    ctx.writes.save(handover, ("editor",))
    ctx.writes.after(lambda: NOTES_AWAITED.add(editor))
    return [ctx.answer(), ctx.direct(ctx._("handover.write_note"))]


CONFIRM = ButtonHandler("handover.confirm", pressed_confirm)
EDIT = ButtonHandler("handover.edit", pressed_edit)


async def note_after_edit(ctx: Context) -> list[Action] | None:
    """A private message after "edit" (not a command): the note it adds to the draft."""
    event = ctx.event
    if not event.direct or not isinstance(event, Message) or not event.text.strip():
        return None
    key = stored_person(ctx.person.id)
    if key not in NOTES_AWAITED:  # most private messages: no note awaited, nothing to read
        return None
    editing = Handover.filter(editor=key)
    handover = await editing.order_by("-id").first()
    if handover is None:
        return None
    if event.text.startswith("/") or handover.sent_at is not None:
        handover.editor = None  # a command instead: no note after all
        ctx.writes.save(handover, ("editor",))
    if event.text.startswith("/"):
        return None
    if handover.sent_at is not None:
        return [ctx.reply(ctx._("handover.already_sent", at=local(ctx, handover.sent_at)))]
    return await _add_note(ctx, handover, event.text.strip())
