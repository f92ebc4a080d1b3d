"""The joining plugin's settings: ``plugins: {joining: {…}}`` in the community file.

::

    plugins:
      joining:
        answer_within: 30m              # how long an applicant has to answer each question
        questions:                      # what applicants to groups of other kinds are asked
          focus_service:
            - {id: referred_by, label: {zh_CN: 谁介绍您来的？, en: Who referred you?}}
        auto_approve:                   # let these in at once, without questions
          - roles: [social_worker, community_worker]
          - handles: ["telegram:123456789"]
            groups: [prevention]

Resident groups always ask building, room, owner-occupied or rented, and
household name; ``questions`` gives the questions of the other kinds (a kind
without any: the request goes to the admins as it is).  An auto-approval rule
lets in who holds one of its ``roles`` in the group (community-wide or there)
or has one of its ``handles`` (``network:handle``), in the groups of its
``kinds`` and ``groups`` (neither: every group).  An applicant who leaves a question
unanswered for ``answer_within`` is asked no more: the request goes to the admins with the
answers given so far.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sanshe.core.arguments import duration
from sanshe.core.model import GroupName, KindName, RoleName, ShownText

#: The plugin's name: its section under ``plugins:``, its ``dry_run`` name, its tables' app.
PLUGIN = "joining"
#: A handle written for auto-approval: the network, a colon, the person's id there.
Handle = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*:\S+$")]
#: A length of time that is not nothing: ``30m``, ``2h``, ``1h30m``, ``1d``.
Within = Annotated[str, Field(pattern=r"^(?=.*[1-9])(\d{1,2}d)?(\d{1,3}h)?(\d{1,4}m)?$")]


class _Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Question(_Settings):
    """One question asked privately of who applies to a group of a kind."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")]
    label: ShownText


class AutoApproval(_Settings):
    """Who is let in without questions, and where."""

    roles: tuple[RoleName, ...] = ()
    handles: tuple[Handle, ...] = ()
    kinds: tuple[KindName, ...] = ()
    groups: tuple[GroupName, ...] = ()


class JoiningSettings(_Settings):
    """How long an applicant has to answer, the questions of each group kind that is not a
    resident group, and the auto-approvals."""

    model_config = ConfigDict(frozen=True, extra="forbid", regex_engine="python-re")

    answer_within: Within = "30m"
    """How long a question waits for its answer before the request goes to the admins as it is."""
    questions: dict[KindName, tuple[Question, ...]] = {}
    auto_approve: tuple[AutoApproval, ...] = ()

    @cached_property
    def answer_time(self) -> timedelta:
        """``answer_within`` as a length of time."""
        return duration(self.answer_within) or timedelta()
