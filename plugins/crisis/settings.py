"""The crisis plugin's settings: ``plugins: {crisis: {...}}`` in the community file.

::

    plugins:
      crisis:
        emergency: {zh_CN: "…120…心理援助热线 12356…", en: "…"}  # told to the person at once
        delete: false            # true: the message is also deleted from the group
        ack_within: 5m           # without an /ack this long, the next step of the chain is alerted
        on_shift: [social_worker]            # first: who is on shift in these roles
        chain: [social_worker, community_worker]   # then: the holders of each role, a step each
        fallback: ["console:li"]             # last (first, when nobody is on shift): handles
        lexicon:                 # the moderators' words, beside the shipped ones
          add: {zh: {suicide: {phrases: [不想撑了]}}}
          ignore: {zh: {idioms: [饿死鬼]}}
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from sanshe.core.arguments import duration
from sanshe.core.model import Length, RoleName, ShownText

from .detector import LexiconSettings

#: A handle to reach the fallback contact at: the network, a colon, their id there.
Handle = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*:\S+$")]

EMERGENCY = {
    "zh_CN": (
        "情况危急请立即拨打 120（急救）或 110（报警）。"
        "心理援助热线：12356（全国统一，24小时），希望24热线 400-161-9995。"
    ),
    "en": (
        "In an emergency call 120 (ambulance) or 110 (police) now. "
        "Psychological support: the national hotline 12356 (24 hours), "
        "or the Hope 24 line 400-161-9995."
    ),
}


def _some_time(text: str) -> str:
    """Refuse a length of no time (``0m``): an alert would escalate at once."""
    if duration(text) is None:
        raise ValueError("a length of more than no time (5m, 10m, 1h)")
    return text


class CrisisSettings(BaseModel):
    """What the person is told, whether the message goes, who is alerted and when, and the
    moderators' additions to the lexicon."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    emergency: ShownText = Field(default_factory=lambda: dict(EMERGENCY))
    """The emergency numbers the person in crisis is told privately, in their language."""
    delete: bool = False
    """Whether a crisis message is also deleted from its group (by default it stays)."""
    ack_within: Annotated[Length, AfterValidator(_some_time)] = "5m"
    """How long an alert waits for an ``/ack`` before the next step of the chain is alerted."""
    on_shift: Annotated[tuple[RoleName, ...], Field(min_length=1)] = ("social_worker",)
    """Who is alerted first: who is on shift in the escalation group in one of these roles."""
    chain: tuple[RoleName, ...] = ("social_worker", "community_worker")
    """Who is alerted next, one step per role: who holds it there (or community-wide) and was not
    alerted yet; a step that reaches nobody new is passed at once."""
    fallback: tuple[Handle, ...] = ()
    """Who is alerted last (``network:id``), and first when nobody is on shift."""
    lexicon: LexiconSettings = LexiconSettings()
    """The moderators' additions to the detector's shipped lexicon."""

    @cached_property
    def waiting(self) -> timedelta:
        """``ack_within`` as a length of time."""
        return duration(self.ack_within) or timedelta(minutes=5)
