"""Crisis escalation: a message saying someone is in danger reaches a human at once.

Every message, in groups and private chats, is read by the detector (:mod:`.detector`: the
shipped lexicon and the moderators' additions under ``lexicon:``) before rules, dialogs and
commands see it.  On a crisis the person gets a caring private reply with the emergency
numbers, a case is opened (or their open case taken), and the on-shift staff of the group's
consultation group are alerted privately, ahead of every other message; without an ``/ack``
(收到) the alert escalates along the chain (:mod:`.alerts`).  Nothing of the message is
repeated anywhere; ``delete: true`` also deletes it from its group.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from tortoise.backends.base.client import BaseDBAsyncClient

from sanshe.core.actions import Action
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.events import parse_command
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Person
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import Due

from . import ack, alerts
from .alerts import PLUGIN
from .detector import Detector, LexiconSettings
from .models import CrisisAlert, CrisisAlertee
from .settings import CrisisSettings

#: Roles that make no one staff: a staff member's commands (a case note) speak of others.
MEMBER_ROLES = frozenset({"resident", "client"})
#: The detector of the lexicon settings in force (rebuilt when a reload brings new ones).
_detector: tuple[LexiconSettings, Detector] | None = None


def detector(lexicon: LexiconSettings) -> Detector:
    """The detector of the shipped lexicon with ``lexicon``, built once per settings."""
    global _detector
    if _detector is None or _detector[0] is not lexicon:
        _detector = (lexicon, Detector.shipped(lexicon))
    return _detector[1]


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return CrisisSettings


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return ack.commands()


@hookimpl
async def sanshe_watch(context: Context) -> list[Action]:
    """Read the message for a crisis; on one, care, open the case, alert."""
    text = context.text
    if not text.strip() or _staff_command(context, text):
        return []
    hit = detector(context.settings(CrisisSettings).lexicon).detect(text)
    if hit is None:
        return []
    return await alerts.on_hit(context, hit)


def _staff_command(ctx: Context, text: str) -> bool:
    """Whether ``text`` is a command typed by staff (``/note 12 …`` speaks of a client)."""
    if parse_command(text) is None:
        return False
    return any(grant.role not in MEMBER_ROLES for grant in ctx.person.roles)


@hookimpl
async def sanshe_timer(context: Context, timer: Due) -> list[Action]:
    """An alert nobody acknowledged in time: alert the next step of its chain."""
    if timer.key.startswith(alerts.ESCALATE):
        return await alerts.escalate(context, timer)
    return []


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The crises read in the person's messages, and the alerts that reached them."""
    key = stored_person(person.id)
    raised = await CrisisAlert.filter(client=key).order_by("id")
    reached = await CrisisAlertee.filter(person=key).order_by("id").prefetch_related("alert")
    if not raised and not reached:
        return None
    return {
        "crises": [row.exported() for row in raised],
        "alerted": [row.exported() for row in reached],
    }


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """The person's crises go with whom they reached; the alerts that reached them forget them,
    and one they took no longer names them."""
    key = stored_person(person.id)

    async def crises(db: BaseDBAsyncClient) -> None:
        ids = await CrisisAlert.filter(client=key).using_db(db).values_list("id", flat=True)
        await CrisisAlertee.filter(alert_id__in=ids).using_db(db).delete()
        await CrisisAlert.filter(id__in=ids).using_db(db).delete()

    writes.run(crises)
    writes.run(lambda db: CrisisAlertee.filter(person=key).using_db(db).delete())
    writes.run(lambda db: CrisisAlert.filter(acked_by=key).using_db(db).update(acked_by=None))
