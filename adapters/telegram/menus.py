"""Command menus: each person sees, when typing ``/``, the commands they may use, in their language.

Scopes (Telegram picks the narrowest that has commands for the user):

- default: what someone unknown may use in a resident group (the first one);
- all private chats: what someone unknown may use in a private chat;
- per known person with a Telegram id: their private chat, and each group chat
  where they hold a role (``BotCommandScopeChatMember``).

Core decides what each shows (``Bot.open_commands``, what /help lists there):
the roles that count for each command, plugins' permission votes, and commands
that may name another group.

Each scope gets the community's language as its fallback and the other
shipped languages by ``language_code``; a person whose YAML gives a locale
gets only that one.  Names Telegram refuses (Chinese aliases) are left out;
they still work typed.  What was registered is remembered (a digest per
scope) so a restart only sends what changed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import Bot as Api
from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from sanshe.core.commands import ChatCommand
from sanshe.core.i18n import LOCALES, Translator

from .convert import NETWORK
from .outbound import Outbound, Priority

if TYPE_CHECKING:
    from sanshe.core.bot import Bot
    from sanshe.core.context import Context

log = logging.getLogger(__name__)

_NAME = re.compile(r"[a-z0-9_]{1,32}")
#: Telegram's two-letter language code of each shipped locale.
LANGUAGE_CODES = {"zh_CN": "zh", "en": "en"}
STATE_KEY = "menus"
_MENU_LANE = 0  # not a chat: menu calls get their own lane


@dataclass(frozen=True, slots=True)
class Menu:
    """The commands one scope shows to users of one language (``""``: any other language)."""

    scope: BotCommandScope
    language: str
    locale: str
    commands: tuple[ChatCommand, ...]

    @property
    def key(self) -> str:
        """Identifies the scope and language across restarts."""
        return json.dumps([self.scope.to_dict(), self.language], sort_keys=True)

    def bot_commands(self, _: Translator) -> list[BotCommand]:
        """The commands as Telegram takes them, described in this menu's language."""
        return [BotCommand(c.name, (_(c.help) or c.name)[:256]) for c in self.commands]


async def visible(ctx: Context) -> tuple[ChatCommand, ...]:
    """The commands open to ``ctx``'s person in its chat whose names Telegram takes."""
    return tuple(c for c in await ctx.open_commands() if _NAME.fullmatch(c.name))


async def plan(bot: Bot) -> list[Menu]:
    """Every menu the community needs, from its YAML, its commands and its chat bindings."""
    community = bot.community

    def variants(
        scope: BotCommandScope, shown: tuple[ChatCommand, ...], locale: str | None
    ) -> list[Menu]:
        if locale is not None:
            return [Menu(scope, "", locale, shown)]
        return [Menu(scope, "", community.locale, shown)] + [
            Menu(scope, LANGUAGE_CODES[other], other, shown)
            for other in LOCALES
            if other != community.locale
        ]

    residents = next(
        (g for g in community.groups if community.member_role(g.kind) == "resident"), None
    )
    in_groups = await visible(bot.context_for(NETWORK, None, residents))
    menus = variants(BotCommandScopeDefault(), in_groups, None)
    in_private = await visible(bot.context_for(NETWORK, None, None, direct=True))
    menus += variants(BotCommandScopeAllPrivateChats(), in_private, None)
    chats: dict[str, int] = {}
    for group in community.groups:
        chat = bot.directory.chat_of(NETWORK, group.id)
        if chat is not None and chat.lstrip("-").isdigit():
            chats[group.id] = int(chat)
        elif chat is not None:
            log.warning(
                "group %s: chats.telegram must be the numeric chat id, not %r", group.id, chat
            )
    for person in community.people:
        handle = person.handles.get(NETWORK)
        if handle is None:
            continue
        if not handle.isdigit():
            log.warning(
                "person %s: the telegram handle must be the numeric user id, not %r; no menu for them",
                person.id,
                handle,
            )
            continue
        user = int(handle)
        private = await visible(bot.context_for(NETWORK, person, None, direct=True))
        menus += variants(BotCommandScopeChat(user), private, person.locale)
        for group in community.groups:
            chat_id = chats.get(group.id)
            if chat_id is None or not any(g.covers(group.id) for g in person.roles):
                continue
            shown = await visible(bot.context_for(NETWORK, person, group))
            menus += variants(BotCommandScopeChatMember(chat_id, user), shown, person.locale)
    return menus


def _digest(commands: list[BotCommand]) -> str:
    text = json.dumps([[c.command, c.description] for c in commands], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


async def register(bot: Bot, api: Api, outbound: Outbound) -> None:
    """Send the menus that changed since the last start; remove those no longer needed."""
    stored: dict[str, str] = json.loads(await bot.storage.get_state(NETWORK, STATE_KEY) or "{}")
    current: dict[str, str] = {}
    for menu in await plan(bot):
        commands = menu.bot_commands(Translator(bot.catalogue, menu.locale))
        if not commands:
            continue
        digest = _digest(commands)
        if stored.get(menu.key) != digest:
            call = functools.partial(
                api.set_my_commands, commands, scope=menu.scope, language_code=menu.language or None
            )
            try:
                await outbound.call(_MENU_LANE, call, message=False, priority=Priority.BACKGROUND)
            except TelegramError as exc:
                log.warning("could not set the command menu %s: %s", menu.key, exc)
                continue
        current[menu.key] = digest
    for key in stored.keys() - current.keys():
        scope, language = json.loads(key)
        call = functools.partial(
            api.delete_my_commands,
            scope=BotCommandScope.de_json(scope, api),
            language_code=language or None,
        )
        try:
            await outbound.call(_MENU_LANE, call, message=False, priority=Priority.BACKGROUND)
        except TelegramError as exc:
            log.warning("could not remove the command menu %s: %s", key, exc)
    await bot.storage.set_state(NETWORK, STATE_KEY, json.dumps(current))
