"""The right display name for a person in a group: their pattern, filled from what is known.

The nicknames plugin answers the ``nicknames_form`` hook from here, outside any event: it
keeps the plugin manager (to ask the joining plugin for a household through its hook) and
the running bot's services (the settings in force, texts in the person's language).
"""

from __future__ import annotations

from collections.abc import Mapping

from sanshe.core.i18n import Translator
from sanshe.core.model import Group, Person
from sanshe.core.plugins import Plugins, call_hook
from sanshe.core.services import Services

from .settings import NicknameSettings

#: The word of a pattern's choice (``{自住|租住}``) for each tenure the joining plugin records.
TENURE = {"owner": "自住", "tenant": "租住"}


class Namer:
    """What answering ``nicknames_form`` needs outside an event (set at registration and start)."""

    def __init__(self) -> None:
        self.plugins: Plugins | None = None
        self.services: Services | None = None

    def household(self, person_id: str) -> Mapping[str, str] | None:
        """The household the joining plugin knows for ``person_id`` (none without that plugin)."""
        hook = getattr(self.plugins.hook, "joining_household", None) if self.plugins else None
        if hook is None:
            return None
        answers = call_hook(hook, person_id=person_id)
        found = answers[0] if answers else None
        return found if isinstance(found, Mapping) else None

    def form(self, group: Group, person: Person, roles: frozenset[str]) -> str | None:
        """The ``nicknames_form`` hook's answer, in the person's language (None before start)."""
        if self.services is None:
            return None
        settings = self.services.settings(NicknameSettings)
        return right_form(settings, group, person, roles, self.services.translator(person.locale))


NAMER = Namer()


def right_form(
    settings: NicknameSettings,
    group: Group,
    person: Person,
    roles: frozenset[str],
    _: Translator,
) -> str | None:
    """What ``person``, holding ``roles`` in ``group``, should be called there (see the hook)."""
    convention = settings.convention(group, roles)
    if convention is None:
        return None
    pattern = convention.compiled
    filled: dict[str, str | None] = {
        "building": group.building,
        "name": person.name if person.known else None,
    }
    tenure = None
    needs_home = any(p.placeholder == "room" or p.choices for p in pattern.parts)
    home = NAMER.household(person.id) if needs_home else None
    if home is not None and (not group.building or home.get("building") == group.building):
        filled["building"] = group.building or home.get("building")
        filled["room"] = home.get("room")
        tenure = TENURE.get(home.get("tenure", ""))

    def choose(choices: tuple[str, ...]) -> str:
        return tenure if tenure is not None and tenure in choices else "/".join(choices)

    return pattern.form(filled, lambda word: _(f"nicknames.word.{word}"), choose)
