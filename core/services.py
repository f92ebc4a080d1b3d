"""What a plugin may use outside an event: at start-up, at shutdown, when the community changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from .actions import Action, Button
from .i18n import Translator
from .model import Community, Person, SettingsModel
from .plugins import answer_of, call_hook
from .reach import reach
from .storage.models import Timer
from .timers import Schedule

if TYPE_CHECKING:
    from datetime import datetime

    from .bot import Bot
    from .context import Context
    from .storage.models import Record
    from .storage.writes import Writes


class Records(Protocol):
    """The stored forms: what the forms plugin (and later the records plugin) reads and writes."""

    async def add_record(
        self,
        writes: Writes,
        form_id: str,
        person: str,
        group_id: str | None,
        data: dict[str, Any],
        at: datetime,
    ) -> Record:
        """Note on ``writes`` (an event's) the storing of a form filled at ``at`` (``ctx.now()``);
        the caller audits it (``ctx.audit("create", f"record:{record.id}")``).

        The record's number is taken now (``Record.id`` is set); the record is
        stored with the event's checkpoint, so it is not in the database yet.
        """
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
    ``sanshe_community_changed``.  It reads the bot's current state each time, so a
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

    def person(self, person_id: str) -> Person | None:
        """The known person ``person_id`` (of the file or stored) as now, with their runtime grants
        (a revoked one gone); None for someone unknown."""
        return self._bot.people.person(self._bot.community, person_id)

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

    async def act(self, plugin: str, work: Callable[[Context], object]) -> None:
        """Do ``work`` for ``plugin`` as an event of its own: send, write, schedule timers.

        ``work(context)`` returns actions (or a coroutine of them) and notes
        its writes on ``context.writes`` (``context.timers(plugin)`` schedules):
        they are checkpointed and performed exactly as an event's, through the
        outbox and the networks' capabilities.  Nothing in a plugin performs
        actions or writes any other way.  Returns once they are kept.
        """
        await self._bot.act(plugin, work)

    async def keep_daily(self, plugin: str, key: str, at: str) -> None:
        """Keep ``plugin``'s timer ``key`` every day at ``at`` (``HH:MM``, the community's time
        zone), for its ``sanshe_startup`` and ``sanshe_community_changed``: set it when there is
        none or ``at`` changed; one kept at ``at`` stays as it is, so a firing due while the bot
        was stopped still comes at start, and a reload does not move it."""
        schedule = Schedule.daily(at)
        kept = await Timer.get_or_none(plugin=plugin, key=key)
        if kept is None or kept.schedule != schedule.text:
            await self.act(plugin, lambda ctx: ctx.timers(plugin).every(key, schedule))

    async def call(self, hook: str, **kwargs: Any) -> Any:
        """Call a hook another plugin offers (see :func:`call_offered`)."""
        return await call_offered(self._bot, hook, **kwargs)

    async def audit(self, actor: str, action: str, subject: str, detail: str = "") -> None:
        """Append to the audit log now that ``actor`` (a person's id, or an operator such as
        ``cli:<user>``) did ``action`` on ``subject`` (see :mod:`sanshe.core.audit`)."""
        await self._bot.storage.audit(actor, action, subject, detail, self._bot.clock.now())
