"""What the tests of the resident plugins (check-ins, errands, observation, feedback…) share: the
example with 张敏 a community worker of building 1 only, a household let into its resident
group, and what was written privately or in groups."""

from __future__ import annotations

from sanshe.core.actions import Action, DirectMessage, Reply, Send
from sanshe.testing import Sandbox
from tests.conftest import example_text

DIRECT = "dm"


def zhang_of_building_1() -> str:
    """The example, with 张敏 a community worker of building 1 only (李书记 stays community-wide)."""
    text = example_text()
    old = "  - id: zhang\n    name: 张敏\n    handles: {console: zhang}\n    roles: [community_worker]\n"
    assert old in text
    return text.replace(
        old,
        "  - id: zhang\n    name: 张敏\n    handles: {console: zhang}\n"
        "    roles: [{role: community_worker, groups: [building-1]}]\n",
    )


def dms(actions: list[Action], user: str) -> list[str]:
    """The texts written privately to ``user``."""
    return [a.text for a in actions if isinstance(a, DirectMessage) and a.user == user]


def in_groups(actions: list[Action]) -> list[Action]:
    """What was posted in a group chat."""
    return [a for a in actions if isinstance(a, Send | Reply) and not a.chat.startswith("dm:")]


async def settle_in(s: Sandbox, who: str, group: str, room: str, household: str) -> None:
    """``who`` asks to join ``group``, answers its questions and is let in by an admin."""
    await s.ask_to_join(who, group)
    await s.send(who, DIRECT, "是")
    await s.send(who, DIRECT, room)
    await s.send(who, DIRECT, "自住")
    actions = await s.send(who, DIRECT, household)
    request = next(a for a in actions if isinstance(a, DirectMessage) and a.buttons)
    [approve] = [b for b in request.buttons if b.label == "批准"]
    await s.press(request.user, DIRECT, approve, on=request)
