"""``people.name_of``: how a plugin names a person to others, by their id: their name, else their
id; someone the community does not know, as the plugin says (else by the id given)."""

from __future__ import annotations

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.testing import Sandbox

COMMUNITY = """\
community: {id: c, name: Test, locale: en}
groups:
  - {id: b1, kind: resident, name: Building 1}
people:
  - {id: wang, name: Wang Fang, handles: {console: wang}, roles: [social_worker]}
  - {id: li, handles: {console: li}}
"""


class Naming:
    """Answers ``name <id>`` with the name, ``name <id> or <text>`` with ``text`` for unknowns."""

    @hookimpl
    def sanshe_message(self, context: Context) -> Action | None:
        words = context.text.split()
        if not words or words[0] != "name":
            return None
        if len(words) == 4:
            return context.reply(people.name_of(context, words[1], unknown=words[3]))
        return context.reply(people.name_of(context, words[1]))


async def test_a_person_is_named_by_name_else_by_id() -> None:
    async with Sandbox.from_yaml(COMMUNITY, plugins=[Naming()]) as sandbox:
        asked = ["name wang", "name li", "name nobody", "name nobody or someone", "name li or x"]
        answers = [sandbox.texts(await sandbox.send("wang", "dm", text)) for text in asked]
        assert answers == [["Wang Fang"], ["li"], ["nobody"], ["someone"], ["li"]]
