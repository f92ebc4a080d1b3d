"""Events core cannot handle: a bounded number of tries, then a dead letter an operator replays.

One policy for every adapter, decided here and in :meth:`Bot.process
<sanshe.core.bot.Bot.process>`: storage counts each try of an event before it
starts, so that a try the process did not live through counts too.  An event
whose handling raises is not acknowledged, and its adapter delivers it again
later.  On its last try (``community.dead_letter_after``, 3 by default) it is
set aside as a *dead letter* instead: the event as received is kept with its
failure's type and place (never an exception's message, which may quote what
people wrote), an error line tells the operator how to replay it, the
community's admins are told privately (no personal data, no message text), and
the event counts as handled, so the network stops delivering it.
``sanshe dead-letters`` lists them; ``sanshe dead-letters --replay ID`` hands
one to the bot again once the fault is fixed.
"""

from __future__ import annotations

import traceback
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from .actions import Action
from .events import Event
from .i18n import Translator
from .model import Group
from .reach import reach

if TYPE_CHECKING:
    from .bot import Bot
    from .storage.models import DeadLetter


#: Where Sanshe's own code lives: the checkout, or the installed package.
_OURS = Path(__file__).resolve().parent.parent


def failure(exc: BaseException) -> str:
    """An exception's type and the place it was raised, never its message.

    ``TypeError at json/encoder.py:180 in default, via core/storage/__init__.py:260
    in checkpoint``: the innermost frame, and when that is not Sanshe's, the
    innermost that is.
    """
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}".removeprefix("builtins.")
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return kind
    said = f"{kind} at {_place(frames[-1])}"
    if not _is_ours(frames[-1]):
        ours = next((f for f in reversed(frames) if _is_ours(f)), None)
        if ours is not None:
            said += f", via {_place(ours)}"
    return said


def _is_ours(frame: traceback.FrameSummary) -> bool:
    path = Path(frame.filename).resolve()
    if not path.is_relative_to(_OURS):
        return False
    inside = path.relative_to(_OURS).parts
    return "site-packages" not in inside and "dist-packages" not in inside  # a venv in a checkout


def _place(frame: traceback.FrameSummary) -> str:
    return f"{'/'.join(PurePath(frame.filename).parts[-3:])}:{frame.lineno} in {frame.name}"


def kind_name(kind: str, _: Translator) -> str:
    """What a kind of event (``Message``…) is called in the reader's language."""
    key = f"dead_letter.kind.{kind}"
    return _(key) if key in _.catalogue.keys(_.locale) else _("dead_letter.kind.other")


def place_name(event: Event, group: Group | None, _: Translator) -> str:
    """Where ``event`` happened, naming no person: its group, a private chat, or the chat's id."""
    if event.direct:
        return _("dead_letter.place.private")
    if group is not None:
        return _("dead_letter.place.group", group=group.name)
    return _("dead_letter.place.chat", chat=event.chat)


def error_text(letter: DeadLetter, _: Translator) -> str:
    """How the letter's tries failed, for a person."""
    return letter.error or _("dead_letter.unfinished")


def admin_notes(bot: Bot, event: Event, letter: DeadLetter) -> list[Action]:
    """A private note to each of the community's admins, in their language, on the event's network
    if they have a handle there, else on another (a timer's event has no network of its own)."""
    group = None if event.direct else bot.directory.group(event.network, event.chat)
    notes: list[Action] = []
    for admin in bot.community.admins():
        _ = bot.translator(admin)
        text = _.plural(
            "dead_letter.note",
            letter.tries,
            id=letter.id,
            kind=kind_name(letter.kind, _),
            place=place_name(event, group, _),
            network=event.network,
            tries=letter.tries,
            error=error_text(letter, _),
        )
        note = reach(admin, text, bot.adapters, first=event.network)
        if note is not None:
            notes.append(note)
    return notes
