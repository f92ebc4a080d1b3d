"""The nicknames plugin's settings: ``plugins: {nicknames: {...}}`` in the community file.

::

    plugins:
      nicknames:
        remind_every: 24h
        patterns:
          - {kinds: [resident], roles: [resident], pattern: "{building}-{room}{自住|租住}"}
          - {kinds: [focus_service, key_accompaniment], roles: [social_worker], pattern: "社工 {name}"}
          - {roles: [community_worker], pattern: "社区 {name}"}

A member's pattern in a group is the first entry that covers the group (its kind is one of
``kinds`` or its id one of ``groups``; neither given: every group) and one of the roles they
hold there (``roles``; none given: any member).  Whoever no entry covers is not asked to
name themselves in any way.  See :mod:`.pattern` for what a pattern may say.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, PrivateAttr

from sanshe.core.arguments import duration
from sanshe.core.model import Group, GroupName, KindName, Length, RoleName

from . import pattern
from .pattern import Pattern

#: How many answers of :meth:`NicknameSettings.conforms` are kept at most.
_ANSWERS_KEPT = 50_000


def _readable(written: str) -> str:
    pattern.read(written)  # raises PatternError, a ValueError naming a catalogue key
    return written


class _Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Convention(_Settings):
    """How the members holding ``roles`` in the groups of ``kinds`` or ``groups`` name themselves."""

    kinds: tuple[KindName, ...] = ()
    groups: tuple[GroupName, ...] = ()
    roles: tuple[RoleName, ...] = ()
    pattern: Annotated[str, AfterValidator(_readable)]
    _read: Pattern = PrivateAttr()

    def model_post_init(self, _: object) -> None:
        self._read = pattern.read(self.pattern)

    @property
    def compiled(self) -> Pattern:
        """The pattern, read and compiled when the file was."""
        return self._read

    def covers(self, group: Group, roles: frozenset[str]) -> bool:
        """Whether this entry is the pattern of a member holding ``roles`` in ``group``."""
        here = (not self.kinds and not self.groups) or (
            group.kind in self.kinds or group.id in self.groups
        )
        return here and (not self.roles or not roles.isdisjoint(self.roles))


class NicknameSettings(_Settings):
    """The patterns, in order, and how often a member whose name does not follow theirs is told."""

    remind_every: Length = "24h"
    """At most one reminder per person and group within this length of time (``0m``: no limit)."""
    patterns: tuple[Convention, ...] = ()
    _answers: dict[tuple[str, str, str, str | None, frozenset[str]], bool] = PrivateAttr(
        default_factory=dict
    )

    @cached_property
    def interval(self) -> timedelta:
        """``remind_every`` as a length of time."""
        return duration(self.remind_every) or timedelta()

    def convention(self, group: Group, roles: frozenset[str]) -> Convention | None:
        """The first entry covering a member holding ``roles`` in ``group``, if any."""
        return next((c for c in self.patterns if c.covers(group, roles)), None)

    def conforms(self, name: str, group: Group, roles: frozenset[str]) -> bool:
        """Whether the display ``name`` of a member holding ``roles`` follows their pattern in
        ``group`` (a member no pattern covers: it does).

        Asked of every message: the answers are kept (members write under the same name).
        """
        key = (name, group.id, group.kind, group.building, roles)
        known = self._answers.get(key)
        if known is None:
            if len(self._answers) >= _ANSWERS_KEPT:
                self._answers.clear()
            convention = self.convention(group, roles)
            known = convention is None or convention.compiled.conforms(name, group.building)
            self._answers[key] = known
        return known
