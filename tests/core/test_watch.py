"""sanshe_watch sees every message first, and core's order of performing: urgent first, a run of
one kind side by side."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sanshe.core.actions import Action, Ban, DirectMessage, Reply, Send
from sanshe.core.adapter import Adapter, performs
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.performing import SIDE_BY_SIDE, waves
from sanshe.testing import Sandbox

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "community.yaml"


class Watcher:
    """Alerts ``li`` urgently about every message saying "help me", wherever it is written."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bool]] = []

    @hookimpl
    def sanshe_watch(self, context: Context) -> Action | None:
        self.seen.append((context.text, context.event.direct))
        if "help me" not in context.text:
            return None
        return DirectMessage(user="li", text="ALERT", urgent=True)


async def test_the_watcher_sees_messages_in_groups_and_private_chats_before_commands() -> None:
    watcher = Watcher()
    async with Sandbox(EXAMPLE, plugins=[watcher]) as community:
        actions = await community.send("maria", "building-1", "/help help me")
        await community.send("maria", "dm", "/whoami")
    assert watcher.seen == [("/help help me", False), ("/whoami", True)]
    texts = community.texts(actions)
    assert texts[0] == "ALERT" and len(texts) > 1  # the command still ran


async def test_an_urgent_action_is_performed_before_those_decided_before_it() -> None:
    watcher = Watcher()
    async with Sandbox(EXAMPLE, plugins=[watcher]) as community:
        community.adapter.performed.clear()
        await community.send("maria", "dm", "help me, /help")
    performed = [a for a in community.adapter.performed if isinstance(a, Reply | DirectMessage)]
    assert isinstance(performed[0], DirectMessage) and performed[0].text == "ALERT"
    assert len(performed) > 1


def _ban(chat: str) -> Ban:
    return Ban(chat=chat, user="@x:hs")


def test_a_run_of_one_kind_in_different_places_is_one_wave() -> None:
    planned = [(n, "matrix", _ban(f"!{n}")) for n in range(5)]
    planned.append((5, "matrix", Send(chat="!log", text="banned")))
    assert [[key for key, _n, _a in wave] for wave in waves(planned)] == [[0, 1, 2, 3, 4], [5]]


def test_actions_in_one_place_keep_their_order_in_waves_of_their_own() -> None:
    planned = [
        (0, "m", _ban("!a")),
        (1, "m", _ban("!b")),
        (2, "m", _ban("!a")),
        (3, "m", _ban("!c")),
    ]
    assert [[key for key, _n, _a in wave] for wave in waves(planned)] == [[0, 1], [2, 3]]


def test_urgent_actions_go_first_and_a_wave_holds_at_most_side_by_side() -> None:
    planned: list[tuple[int, str, Action]] = [(n, "m", _ban(f"!{n}")) for n in range(40)]
    planned.append((40, "m", DirectMessage(user="sw", text="ALERT", urgent=True)))
    found = waves(planned)
    assert [key for key, _n, _a in found[0]] == [40]
    assert [len(w) for w in found[1:]] == [SIDE_BY_SIDE, SIDE_BY_SIDE, 40 - 2 * SIDE_BY_SIDE]


async def test_a_community_ban_bans_in_the_rooms_side_by_side() -> None:
    in_flight = most = 0
    async with Sandbox(EXAMPLE) as community:
        perform = community.adapter.perform

        async def slowly(action: Action) -> None:
            nonlocal in_flight, most
            if isinstance(action, Ban):
                in_flight += 1
                most = max(most, in_flight)
                await asyncio.sleep(0.01)
                in_flight -= 1
            await perform(action)

        community.adapter.perform = slowly  # type: ignore[method-assign]
        await community.send("maria", "building-1", "大家好")
        await community.send("zhang", "dm", "/ban @maria spreading rumours")
    bans = [a for a in community.adapter.performed if isinstance(a, Ban)]
    assert len(bans) > 2
    assert most > 1


async def test_an_ordinary_action_waits_while_an_urgent_one_is_in_flight() -> None:
    from sanshe.core.offline import OfflineAdapter

    started: list[str] = []
    release = asyncio.Event()

    class Held(OfflineAdapter):
        async def perform(self, action: Action) -> None:
            await Adapter.perform(self, action)

        @performs(DirectMessage, Send)
        async def post(self, action: DirectMessage | Send) -> None:
            started.append(action.text)
            if action.urgent:
                await release.wait()

    adapter = Held()
    alert = asyncio.create_task(
        adapter.perform(DirectMessage(user="sw", text="ALERT", urgent=True))
    )
    await asyncio.sleep(0)
    broadcast = asyncio.create_task(adapter.perform(Send(chat="!all", text="notice")))
    for _ in range(5):
        await asyncio.sleep(0)
    assert started == ["ALERT"]
    release.set()
    await asyncio.gather(alert, broadcast)
    assert started == ["ALERT", "notice"]
