"""Volunteers: the pipeline from recruitment to dispatch (DOMAIN.md, "Volunteer pipeline").

``/volunteer`` opens the registration form privately (registration.py); the pool's social
workers review it with ``/volunteers`` and ``/vet`` (review.py), which classifies the
volunteer and grants the class's role; the volunteer confirms the training items with
``/trained`` and signs the confidentiality agreement with ``/agreement`` (training.py); then
``/dispatch`` sends them into a consultation group (dispatch.py).  Settings (settings.py):
the two forms, the role of each class and the training items.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.forms import FormResult
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Person
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes

from .dispatch import DISPATCH, dispatch
from .models import Dispatch, Training, Volunteer
from .pool import POOL, runs
from .registration import registered, volunteer
from .review import LIST, VET, vet, volunteers
from .settings import VolunteerSettings
from .training import TRAINED, TRAINING, agreement, signed, trained, training

PLUGIN = "volunteers"
SOCIAL_WORKERS = frozenset({"social_worker"})


def registers_here(ctx: Context) -> bool:
    """/help lists /volunteer where it registers: private chats and the volunteer pool's."""
    return ctx.event.direct or (ctx.group is not None and ctx.group.kind in POOL)


async def in_training(ctx: Context) -> bool:
    """Whether the sender registered as a volunteer and was not turned down: /help lists the
    training and the agreement to them."""
    mine = Volunteer.filter(person=stored_person(ctx.person.id))
    return await mine.exclude(status="rejected").exists()


async def in_training_or_social_worker(ctx: Context) -> bool:
    """/training is listed to volunteers in training, and to social workers (who post it)."""
    return people.holds_anywhere(ctx, SOCIAL_WORKERS) or await in_training(ctx)


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return VolunteerSettings


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand(
            "volunteer",
            volunteer,
            help="volunteers.help.volunteer",
            aliases=("志愿者报名", "报名"),
            shown_to=registers_here,
        ),
        ChatCommand(
            "volunteers",
            volunteers,
            help="volunteers.help.volunteers",
            aliases=("志愿者名单",),
            arguments=LIST,
            shown_to=runs,
        ),
        ChatCommand(
            "vet",
            vet,
            help="volunteers.help.vet",
            aliases=("审核",),
            arguments=VET,
            shown_to=runs,
        ),
        ChatCommand(
            "training",
            training,
            help="volunteers.help.training",
            aliases=("培训",),
            arguments=TRAINING,
            shown_to=in_training_or_social_worker,
        ),
        ChatCommand(
            "trained",
            trained,
            help="volunteers.help.trained",
            aliases=("已培训",),
            arguments=TRAINED,
            shown_to=in_training,
        ),
        ChatCommand(
            "agreement",
            agreement,
            help="volunteers.help.agreement",
            aliases=("保密协议",),
            shown_to=in_training,
        ),
        ChatCommand(
            "dispatch",
            dispatch,
            help="volunteers.help.dispatch",
            aliases=("派驻",),
            roles=SOCIAL_WORKERS,
            arguments=DISPATCH,
        ),
    ]


@hookimpl
async def sanshe_form_submitted(context: Context, result: FormResult) -> list[Action] | None:
    """A registration makes a volunteer; a signed agreement is noted on theirs."""
    settings = context.settings(VolunteerSettings)
    if result.form.id == settings.registration_form:
        return await registered(context, result)
    if result.form.id == settings.agreement_form:
        return await signed(context, result)
    return None


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """What ``sanshe person export`` writes out: their registration, training and dispatches."""
    column = stored_person(person.id)
    rows = await Volunteer.filter(person=column).order_by("id")
    if not rows:
        return None
    trainings = await Training.filter(person=column).order_by("id")
    dispatches = await Dispatch.filter(person=column).order_by("id")
    return {
        "volunteers": [
            {
                "number": row.id,
                "network": row.network,
                "record": row.record,
                "offered": row.offered,
                "registered_at": row.registered_at.isoformat(),
                "status": row.status,
                "class": row.kind,
                "qualifications_checked": row.qualified,
                "note": row.note,
                "vetted_by": row.vetted_by,
                "vetted_at": row.vetted_at.isoformat() if row.vetted_at else None,
                "agreement_version": row.agreement_version,
                "agreed_at": row.agreed_at.isoformat() if row.agreed_at else None,
                "agreed_handle": row.agreed_handle,
                "agreement_record": row.agreement_record,
            }
            for row in rows
        ],
        "training": [{"item": t.item, "at": t.at.isoformat()} for t in trainings],
        "dispatches": [
            {"group": d.group_id, "role": d.role, "by": d.by, "at": d.at.isoformat()}
            for d in dispatches
        ],
    }


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """What ``sanshe person erase`` removes, in its one transaction: all three tables' rows."""
    column = stored_person(person.id)
    writes.run(lambda db: Volunteer.filter(person=column).using_db(db).delete())
    writes.run(lambda db: Training.filter(person=column).using_db(db).delete())
    writes.run(lambda db: Dispatch.filter(person=column).using_db(db).delete())
