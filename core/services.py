"""What a plugin may use outside an event: at start-up, at shutdown, when the community changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .actions import Action, Button
from .i18n import Translator
from .model import Community, Person, SettingsModel
from .plugins import answer_of, call_hook
from .reach import reach

if TYPE_CHECKING:
    from .bot import Bot
    from .storage.models import FormSession, Record


class Records(Protocol):
    """The stored forms: what the forms plugin (and later the records plugin) reads and writes."""

    async def add_record(
        self,
        form_id: str,
        person: str,
        group_id: str | None,
        data: dict[str, Any],
        finishing: FormSession | None = None,
    ) -> Record:
        """Store a filled form, audit it, and end the dialog ``finishing`` that filled it."""
        ...

    async def record(self, record_id: int | None) -> Record | None:
        """The record with this id, if there is one."""
        ...


async def call_offered(bot: Bot, name: str, **kwargs: Any) -> Any:
    """Call hook ``name`` (one a plugin offers, see ``sanshe_addhooks``) and await its answers.

    A hook nobody offers answers ``[]`` (or None if it is ``firstresult``): the
    offering plugin may be disabled.
    """
    hook = getattr(bot.pm.hook, name, None)
    firstresult = bool(hook is not None and hook.spec and hook.spec.opts.get("firstresult"))
    if hook is None:
        return None if firstresult else []
    answers = [await answer_of(a) for a in call_hook(hook, **kwargs)]
    if firstresult:
        return answers[0] if answers else None
    return [a for a in answers if a is not None]


class Services:
    """The community being served, its stored forms, its texts and the plugins' offered hooks.

    Given to ``sanshe_startup``, ``sanshe_shutdown`` and
    ``sanshe_community_changed`` (and, with the timers of the next issue, to
    scheduled work).  It reads the bot's current state each time, so a
    plugin may keep it.
    """

    __slots__ = ("_bot",)

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    @property
    def community(self) -> Community:
        """The community as the running file describes it."""
        return self._bot.community

    @property
    def network(self) -> str:
        """The name of the first network served (``console``, ``matrix``, ``telegram``)."""
        return self._bot.adapter.network

    @property
    def networks(self) -> tuple[str, ...]:
        """The names of every network served, the first one first."""
        return tuple(self._bot.adapters)

    def tell(self, person: Person, text: str, buttons: tuple[Button, ...] = ()) -> Action | None:
        """Write privately to ``person`` on a network where they have a handle (see
        :func:`~sanshe.core.reach.reach`); None, logged, when they cannot be reached."""
        return reach(person, text, self._bot.adapters, buttons=buttons)

    @property
    def records(self) -> Records:
        """The stored forms."""
        return self._bot.storage

    def translator(self, locale: str | None = None) -> Translator:
        """Texts in ``locale`` (default: the community's language)."""
        return Translator(self._bot.catalogue, locale or self._bot.community.locale)

    def role_name(self, role: str, _: Translator) -> str:
        """A role's name (custom roles included) in ``_``'s language."""
        return self._bot.role_name(role, _)

    def kind_name(self, kind: str, _: Translator) -> str:
        """A group kind's name (custom kinds included) in ``_``'s language."""
        return self._bot.kind_name(kind, _)

    def settings(self, model: type[SettingsModel]) -> SettingsModel:
        """A plugin's settings: the instance of ``model`` (its ``sanshe_settings``) in force."""
        return self._bot.community.plugins.of(model)

    async def call(self, hook: str, **kwargs: Any) -> Any:
        """Call a hook another plugin offers (see :func:`call_offered`)."""
        return await call_offered(self._bot, hook, **kwargs)
