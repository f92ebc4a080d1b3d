"""What an applicant is asked, and how each answer is read: resident groups' four questions
(building, room, 自住 or 租住, household name), or the questions the settings give a kind."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sanshe.core.actions import Button
from sanshe.core.arguments import listing, plain_word
from sanshe.core.buttons import ButtonHandler
from sanshe.core.i18n import Translator
from sanshe.core.model import Building, Community, Group, ShownText
from sanshe.core.privacy import excerpt, personal_data

from .settings import JoiningSettings

#: What confirms the building a resident group is for.
YES = frozenset({"是", "是的", "对", "确认", "好", "yes", "y", "ok", "confirm"})
#: What leaves the building unconfirmed (typed with or without ``/``).
SKIP = frozenset({"skip", "跳过"})
#: What withdraws the request (typed ``/cancel`` or ``/取消``).
CANCEL = frozenset({"cancel", "取消"})
OWNER = frozenset({"自住", "自有", "业主", "房主", "owner", "own", "owned", "owner-occupied"})
TENANT = frozenset({"租住", "租户", "租房", "出租", "tenant", "rent", "rented", "renting"})
TENURES = ("owner", "tenant")
_ROOM_END = re.compile(r"(室|号|房|号房)$")
_ROOM = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,9}")
#: The longest household name and answer to a kind's question.
HOUSEHOLD_LENGTH = 40
ANSWER_LENGTH = 300


class Invalid(ValueError):
    """An answer that does not fit its question; the text says why, in the applicant's language."""


@dataclass(frozen=True, slots=True)
class Step:
    """One question of a dialog: ``kind`` is building, room, tenure, household or question."""

    id: str
    kind: str
    label: ShownText = ""


RESIDENT_STEPS = (
    Step("building", "building"),
    Step("room", "room"),
    Step("tenure", "tenure"),
    Step("household", "household"),
)


def is_resident_group(community: Community, group: Group) -> bool:
    """Whether ``group`` registers households: kind resident, or a kind of the community's own
    whose members are residents (a tenants' group)."""
    if group.kind == "resident":
        return True
    return any(k.id == group.kind and k.member_role == "resident" for k in community.kinds)


def steps(community: Community, group: Group, settings: JoiningSettings) -> tuple[Step, ...]:
    """The questions an applicant to ``group`` is asked, in order (none: straight to the admins)."""
    if is_resident_group(community, group):
        return RESIDENT_STEPS
    return tuple(Step(q.id, "question", q.label) for q in settings.questions.get(group.kind, ()))


def building_name(_: Translator, community: Community, building_id: str) -> str:
    """How a building is named: its name in the file, else ``1号楼`` from its id."""
    building = community.building(building_id)
    if building is not None and building.name:
        return _.pick(building.name)
    return _("joining.building", id=building_id)


def tenure_name(_: Translator, tenure: str) -> str:
    """自住 or 租住 (owner-occupied or rented) in the reader's language."""
    return _(f"joining.tenure.{tenure}")


def _rooms_shown(_: Translator, building: Building) -> str:
    return listing(_, (r.replace("-", "–") for r in building.rooms))


def ask(
    _: Translator,
    community: Community,
    group: Group,
    step: Step,
    place: tuple[int, int],
    answers: dict[str, Any],
    button: ButtonHandler,
    payload: str,
) -> tuple[str, tuple[Button, ...]]:
    """The text (and buttons) asking ``step``, question ``place`` = (number, total).

    Buttons carry ``payload:value`` to ``button``'s handler.
    """
    number, total = place
    buttons: tuple[Button, ...] = ()
    if step.kind == "building" and group.building:
        name = building_name(_, community, group.building)
        text = _("joining.ask.building_confirm", building=name)
        buttons = (
            button.button(_("joining.button.confirm"), f"{payload}:yes"),
            button.button(_("joining.button.skip"), f"{payload}:skip"),
        )
    elif step.kind == "building":
        text = _("joining.ask.building")
        if community.buildings:
            names = listing(_, (building_name(_, community, b.id) for b in community.buildings))
            text += "\n" + _("joining.ask.building_hint", buildings=names)
    elif step.kind == "room":
        building = community.building(answers.get("building"))
        text = _("joining.ask.room")
        if building is not None and building.rooms:
            text += "\n" + _("joining.ask.room_hint", rooms=_rooms_shown(_, building))
    elif step.kind == "tenure":
        text = _("joining.ask.tenure")
        buttons = tuple(button.button(tenure_name(_, t), f"{payload}:{t}") for t in TENURES)
    elif step.kind == "household":
        text = _("joining.ask.household")
    else:
        text = _.pick(step.label)
    lines = [_("joining.ask.step", number=number, total=total, question=text)]
    lines.append(_("joining.ask.controls"))
    return "\n".join(lines), buttons


def read(
    _: Translator,
    community: Community,
    group: Group,
    step: Step,
    text: str,
    answers: dict[str, Any],
) -> dict[str, Any]:
    """The answers ``text`` gives to ``step`` (to add to ``answers``); raises :class:`Invalid`."""
    word = plain_word(text).lstrip("/")
    if step.kind == "building" and group.building:
        if word in YES:
            return {"building": group.building, "building_confirmed": True}
        if word in SKIP:
            return {"building": group.building, "building_confirmed": False}
        name = building_name(_, community, group.building)
        raise Invalid(_("joining.invalid.building_confirm", building=name))
    if word in SKIP:
        raise Invalid(_("joining.invalid.no_skip"))
    if step.kind == "building":
        return {"building": _building(_, community, text), "building_confirmed": True}
    if step.kind == "room":
        return {"room": _room(_, community, text, answers.get("building"))}
    if step.kind == "tenure":
        if word in OWNER or word == "1":
            return {"tenure": "owner"}
        if word in TENANT or word == "2":
            return {"tenure": "tenant"}
        raise Invalid(_("joining.invalid.tenure"))
    limit = HOUSEHOLD_LENGTH if step.kind == "household" else ANSWER_LENGTH
    answer = " ".join(text.split())
    if not answer:
        raise Invalid(_("joining.invalid.empty"))
    if len(answer) > limit:
        raise Invalid(_("joining.invalid.too_long", limit=limit))
    if step.kind == "household" and personal_data(answer):
        raise Invalid(_("joining.invalid.personal_data"))
    return {step.id: answer}


def _building(_: Translator, community: Community, text: str) -> str:
    """The building ``text`` names: an id or name of the file's, else (none listed) as typed."""
    typed = unicodedata.normalize("NFKC", text).strip()
    plain = typed.casefold().removesuffix("号楼").removesuffix("楼").removesuffix("栋")
    if not community.buildings:
        if not 0 < len(typed) <= 20:
            raise Invalid(_("joining.invalid.building_free"))
        return plain or typed
    for building in community.buildings:
        names = {building.id.casefold()}
        if building.name:
            shown = [building.name] if isinstance(building.name, str) else building.name.values()
            names.update(n.casefold() for n in shown)
        if plain in names or typed.casefold() in names:
            return building.id
    known = listing(_, (building_name(_, community, b.id) for b in community.buildings))
    raise Invalid(_("joining.invalid.building", word=excerpt(text), buildings=known))


def _room(_: Translator, community: Community, text: str, building_id: str | None) -> str:
    """The room ``text`` names (``302``, ``302室``, ``1-302``), one of the building's when the
    file lists them."""
    room = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    room = _ROOM_END.sub("", room)
    if building_id:
        for prefix in (f"{building_id}-", f"{building_id}号楼", f"{building_id}栋"):
            room = room.removeprefix(prefix)
    building = community.building(building_id)
    if building is not None and building.rooms:
        if room in building.room_list():
            return room
        name = building_name(_, community, building.id)
        raise Invalid(
            _(
                "joining.invalid.room",
                word=excerpt(text),
                building=name,
                rooms=_rooms_shown(_, building),
            )
        )
    if not _ROOM.fullmatch(room):
        raise Invalid(_("joining.invalid.room_free", word=excerpt(text)))
    return room


def shown_answers(
    _: Translator,
    community: Community,
    group: Group,
    answers: dict[str, Any],
    settings: JoiningSettings,
) -> list[str]:
    """The answers as lines for the group's admins (privately: the room is an address)."""
    lines = []
    for step in steps(community, group, settings):
        if step.kind == "building":
            if "building" not in answers:
                continue
            name = building_name(_, community, answers["building"])
            key = (
                "joining.shown.building"
                if answers.get("building_confirmed", True)
                else ("joining.shown.building_unconfirmed")
            )
            lines.append(_(key, building=name))
        elif step.kind == "tenure" and step.id in answers:
            lines.append(_("joining.shown.tenure", tenure=tenure_name(_, answers["tenure"])))
        elif step.kind in ("room", "household") and step.id in answers:
            lines.append(_(f"joining.shown.{step.kind}", answer=excerpt(answers[step.id], 60)))
        elif step.id in answers:
            lines.append(
                _(
                    "joining.shown.answer",
                    label=_.pick(step.label),
                    answer=excerpt(answers[step.id], 300),
                )
            )
    return lines
