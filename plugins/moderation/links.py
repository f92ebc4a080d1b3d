"""Links in messages, and the sources a rule trusts: conditions ``links_outside`` and ``not_from``.

``links_outside: [gov.cn, who.int]`` holds for a message with a link to a
domain not listed; a subdomain of a listed domain counts as listed
(``www.nhc.gov.cn`` under ``gov.cn``).  Links are written with a scheme
(``https://…``), with ``www.``, or bare (``abc.com/x``, ``rumour.top``: a
bare name counts when a path follows it or it ends in a well-known top-level
domain, so that ``Mr.Li`` or ``report.pdf`` is no link); an e-mail address is
none.  The host is what follows a user name (``https://www.gov.cn@rumour.top``
links to ``rumour.top``).  A domain in another script (``https://谣言.top``) is
a link after a scheme or ``www.``; bare, nothing tells where it begins in a
Chinese sentence, so ``谣言.top`` alone is none.  ``not_from: [gov.cn, "@rmrb"]`` exempts what comes from an
authoritative source: a message with links, all of them to listed domains, or
one the network says was forwarded from a listed channel (``@`` and its
public username, which unlike its title nobody else can take).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.rules import Condition

#: Top-level domains a bare name (no scheme, no ``www.``, no path) must end in to be a link.
KNOWN_ENDINGS = frozenset(
    "com net org cn gov edu int info biz top xyz site online vip club shop io co cc tv me "
    "app link news live hk tw mo uk us jp kr ru de fr ly gl".split()
)

_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_WORLD_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
"""A label in any script (谣言): letters and digits, hyphens inside."""
_WORLD_HOST = rf"(?:{_WORLD_LABEL}\.)*(?:{_LABEL}(?![a-z0-9-])|{_WORLD_LABEL})"
"""A host whose labels may be in any script; an ASCII last label ends where Latin letters do
(``谣言.top看这里`` is ``谣言.top``)."""
_LINK = re.compile(
    rf"(?:https?|ftp)://(?:[^\s/?#@]*@)?(?P<host>{_WORLD_HOST})"
    rf"|(?<![a-z0-9@.-])(?P<bare>(?:www\.(?:{_WORLD_LABEL}\.)*|(?:{_LABEL}\.)+)"
    r"(?P<end>[a-z]{2,63}|xn--[a-z0-9-]+))(?![a-z0-9-])(?P<path>/)?",
)
_DOMAIN = re.compile(_WORLD_HOST)
_CHANNEL = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}", re.ASCII)


def links(text: str) -> tuple[str, ...]:
    """The domains ``text`` links to, lower case, each once, in order (full-width forms read too)."""
    if "." not in text and "．" not in text:
        return ()
    found: dict[str, None] = {}
    for match in _LINK.finditer(unicodedata.normalize("NFKC", text).lower()):
        host = match["host"]
        if host is None:
            bare = match["bare"]
            if not (bare.startswith("www.") or match["path"] or match["end"] in KNOWN_ENDINGS):
                continue
            host = bare
        found[host] = None
    return tuple(found)


def listed(domain: str, domains: frozenset[str]) -> bool:
    """Whether ``domain`` is one of ``domains`` or a subdomain of one."""
    while True:
        if domain in domains:
            return True
        _, dot, domain = domain.partition(".")
        if not dot:
            return False


def _domain(item: str) -> str:
    """A domain as a moderator writes it (``https://www.gov.cn/``, ``*.gov.cn``), plain."""
    item = unicodedata.normalize("NFKC", item).strip().lower()
    item = re.sub(r"^[a-z]+://", "", item).split("/", 1)[0].removeprefix("*.").strip(".")
    if not _DOMAIN.fullmatch(item):
        raise ValueError("moderation.parse.domain", {"item": item})
    return item


def _items(value: Any, key: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise ValueError(key)
    return items


def _domains(value: Any) -> frozenset[str]:
    return frozenset(_domain(item) for item in _items(value, "moderation.parse.domains"))


class Sources:
    """The authoritative sources of ``not_from``: domains and channels (by username)."""

    def __init__(self, value: Any) -> None:
        items = _items(value, "moderation.parse.sources")
        self.channels = frozenset(i.strip().lower() for i in items if _CHANNEL.fullmatch(i.strip()))
        self.domains = frozenset(
            _domain(i) for i in items if i.strip().lower() not in self.channels
        )
        self.written = tuple(i.strip() for i in items)

    def gave(self, ctx: Context) -> bool:
        """Whether the message comes from one of them: forwarded from a channel, or every link
        to a domain of theirs."""
        event = ctx.event
        if not isinstance(event, Message):
            return False
        origin = event.forwarded_from.strip().lower()
        if origin and f"@{origin.removeprefix('@')}" in self.channels:
            return True
        found = links(event.text)
        return bool(found) and all(listed(d, self.domains) for d in found)


def _outside(ctx: Context, domains: frozenset[str]) -> bool:
    return any(not listed(d, domains) for d in links(ctx.text))


def conditions() -> list[Condition]:
    """``links_outside`` and ``not_from``."""
    return [
        Condition(
            "links_outside",
            check=_outside,
            describe=lambda _, domains: _(
                "moderation.when.links_outside", domains=_.join(sorted(domains))
            ),
            parse=_domains,
            found=lambda ctx, domains: ("link",),
        ),
        Condition(
            "not_from",
            check=lambda ctx, sources: not sources.gave(ctx),
            describe=lambda _, sources: _(
                "moderation.when.not_from", sources=_.join(sources.written)
            ),
            parse=Sources,
        ),
    ]
