"""``people.holds_community_wide_or_in``: whether the sender holds a role community-wide or in a
group of some kinds (a social worker of the whole community or of the volunteer pool)."""

from __future__ import annotations

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.testing import Sandbox

COMMUNITY = """\
community: {id: c, name: Test, locale: en}
groups:
  - {id: pool, kind: volunteer_pool, name: Pool}
  - {id: desk, kind: volunteer_dispatch, name: Desk}
  - {id: care, kind: focus_service, name: Care}
people:
  - {id: wang, handles: {console: wang}, roles: [social_worker]}
  - {id: pia, handles: {console: pia}, roles: [{role: social_worker, groups: [pool]}]}
  - {id: dee, handles: {console: dee}, roles: [{role: social_worker, groups: [desk]}]}
  - {id: sam, handles: {console: sam}, roles: [{role: social_worker, groups: [care]}]}
  - {id: gao, handles: {console: gao}, roles: [{role: general_volunteer, groups: [pool]}]}
"""


class Asking:
    """Answers ``holds <role> <kind>…`` with yes or no, wherever it is typed."""

    @hookimpl
    def sanshe_message(self, context: Context) -> Action | None:
        words = context.text.split()
        if len(words) < 3 or words[0] != "holds":
            return None
        held = people.holds_community_wide_or_in(context, words[1], words[2:])
        return context.reply("yes" if held else "no")


async def test_a_role_counts_community_wide_or_in_a_group_of_the_kinds_only() -> None:
    async with Sandbox.from_yaml(COMMUNITY, plugins=[Asking()]) as sandbox:

        async def answers(text: str) -> list[str]:
            return [
                sandbox.texts(await sandbox.send(who, where, text))[0]
                for who in ("wang", "pia", "dee", "sam", "gao")
                for where in ("dm", "care")
            ]

        pool = await answers("holds social_worker volunteer_pool")
        assert pool == ["yes", "yes", "yes", "yes", "no", "no", "no", "no", "no", "no"]
        either = await answers("holds social_worker volunteer_pool volunteer_dispatch")
        assert either == ["yes"] * 6 + ["no"] * 4
        assert await answers("holds general_volunteer volunteer_pool") == ["no"] * 8 + ["yes"] * 2
