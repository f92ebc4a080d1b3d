"""Reaching a person, not a handle: which network's private chat a message for them goes to."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from .actions import Button, DirectMessage
from .adapter import Adapter
from .model import Person

log = logging.getLogger(__name__)


def private_chat_networks(
    person: Person, adapters: Mapping[str, Adapter], first: str = ""
) -> list[str]:
    """The networks where ``person`` can be written to privately, in the order to try them.

    A network counts if the person has a handle there and a running adapter
    that can perform a :class:`DirectMessage`.  ``first`` (the event's
    network) comes first; the others follow in alphabetical order.
    """
    usable = [
        network
        for network, handle in person.handles.items()
        if handle and network in adapters and DirectMessage in adapters[network].capabilities
    ]
    return sorted(usable, key=lambda network: (network != first, network))


def reach(
    person: Person,
    text: str,
    adapters: Mapping[str, Adapter],
    *,
    first: str = "",
    buttons: tuple[Button, ...] = (),
    fallback_chat: str | None = None,
) -> DirectMessage | None:
    """A private message to ``person`` on the first network of :func:`private_chat_networks`.

    ``fallback_chat`` (a chat of ``first`` where the person asked, never a
    third person's) is kept only when the message goes out on ``first``.
    None, logged by person id only, when the person cannot be reached.
    """
    networks = private_chat_networks(person, adapters, first)
    if not networks:
        who = person.id if person.known else "an unknown person"
        log.warning(
            "cannot reach %s: no handle on a running network that writes privately (%s)",
            who,
            ", ".join(sorted(adapters)) or "none running",
        )
        return None
    network = networks[0]
    return DirectMessage(
        user=person.handles[network],
        text=text,
        buttons=buttons,
        fallback_chat=fallback_chat if network == first else None,
        network=network,
    )
