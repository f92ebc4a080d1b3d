"""The check-ins plugin's settings: ``plugins: {checkins: {...}}`` in the community file.

::

    plugins:
      checkins:
        temperature: {min: 35.0, max: 42.0}   # a reading outside is refused as a mistyping
        fever: 37.3                           # this or more alerts the building's community worker
        symptoms:                             # what a resident may report; any of them alerts too
          - {id: cough, name: {zh_CN: 咳嗽, en: cough}}
          - {id: sore_throat, name: {zh_CN: 咽痛, en: sore throat}, words: [喉咙痛, 嗓子疼]}
        window: "06:00-10:00"                 # when residents are asked to report, local time
        list_at: "10:00"                      # when the missing-report lists and reminders go
        leaders: [building_leader]            # who gets their building's list
        alert: [community_worker]             # who is alerted of a fever or a symptom

Times are wall-clock times of the community's time zone.  The holders of ``leaders``
and ``alert`` count for a building when their role is scoped to one of its resident
groups; a building whose resident groups have no holder of ``alert`` alerts those
holding it community-wide.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sanshe.core.i18n import Translator
from sanshe.core.model import RoleName, ShownText, TimeOfDay

Window = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")]
"""From when to when, ``HH:MM-HH:MM`` (within one day)."""
Reading = Annotated[float, Field(ge=30, le=45, allow_inf_nan=False)]
"""A body temperature in °C."""


class _Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Range(_Settings):
    """The readings taken as a body temperature (others are refused as mistyped)."""

    min: Reading = 35.0
    max: Reading = 42.0

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min >= self.max:
            raise ValueError("the lowest temperature (min) must be below the highest (max)")
        return self


class Symptom(_Settings):
    """A symptom a resident may report: its id, its name and other words for it."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    name: ShownText
    words: tuple[Annotated[str, Field(min_length=1, max_length=40)], ...] = ()
    """Other ways people write it (``喉咙痛``); its name in each language is read too."""


class CheckinSettings(_Settings):
    """The health check-in's fields, its reporting window, the fever threshold, and who is told."""

    temperature: Range = Range()
    fever: Reading = 37.3
    """A temperature of this or more is a fever."""
    symptoms: tuple[Symptom, ...] = ()
    window: Window = "06:00-10:00"
    list_at: TimeOfDay = "10:00"
    """When each building's leaders get the households that have not reported today, and
    those households a reminder."""
    leaders: tuple[RoleName, ...] = ("building_leader",)
    alert: tuple[RoleName, ...] = ("community_worker",)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        start, end = self.opens, self.closes
        if start >= end:
            raise ValueError("the window must end after it starts (06:00-10:00)")
        if not self.temperature.min < self.fever <= self.temperature.max:
            raise ValueError("the fever threshold must lie within the temperature's min and max")
        ids = [s.id for s in self.symptoms]
        if len(set(ids)) != len(ids):
            raise ValueError("each symptom needs an id of its own")
        return self

    @property
    def opens(self) -> time:
        """When the reporting window opens."""
        return time.fromisoformat(self.window.split("-")[0])

    @property
    def closes(self) -> time:
        """When the reporting window closes."""
        return time.fromisoformat(self.window.split("-")[1])


def symptom_name(_: Translator, symptom: Symptom) -> str:
    """A symptom's name in ``_``'s language."""
    return _.pick(symptom.name)
