"""Buttons, edits, files, invitations and renames on a real Synapse, as a person's client sees them.

A button is a line of the bot's message with a key (1️⃣, 2️⃣…) the bot has reacted
with; a person presses it by reacting with that key, and the press reaches the
plugin whose button it is, and no other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nio
import pytest

from sanshe.adapters.matrix.buttons import KEYS
from sanshe.core.actions import (
    Action,
    AnswerButton,
    Button,
    DirectMessage,
    Edit,
    Invite,
    Send,
    SendFile,
)
from sanshe.core.buttons import ButtonHandler, ButtonPress
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from tests.synapse.clients import MatrixUserFactory, sync_until, timeline
from tests.synapse.harness import Homeserver, RegisteredUser

from . import gatekeeper
from .conftest import (
    body,
    bot_joined,
    building,
    create_room,
    join,
    reply_to,
    running_bot,
    say,
    wait_until,
    write_community,
)

KEYCAP_1, KEYCAP_2 = "1\ufe0f\u20e3", "2\ufe0f\u20e3"


class Poll:
    """A plugin: ``/poll`` asks with two buttons; a press turns the question into the answer."""

    def __init__(self) -> None:
        self.presses: list[ButtonPress] = []
        self.vote = ButtonHandler("poll.vote", self.voted)

    @hookimpl
    def sanshe_commands(self) -> Iterable[ChatCommand]:
        return [ChatCommand("poll", self.ask, help="poll")]

    @hookimpl
    def sanshe_buttons(self) -> Iterable[ButtonHandler]:
        return [self.vote]

    def ask(self, ctx: Context) -> Action:
        yes, no = self.vote.button("Yes", "yes"), self.vote.button("No", "no")
        return ctx.reply("Come on Sunday?", buttons=(yes, no))

    def voted(self, ctx: Context) -> list[Action]:
        press = ctx.press
        assert press is not None
        self.presses.append(press)
        chat = ctx.event.chat
        return [
            Edit(chat=chat, message_id=press.message_id, text=f"You chose {press.payload}."),
            AnswerButton(callback_id=press.callback_id, text="Thank you", chat=chat),
        ]


class Survey:
    """Another plugin with buttons of its own: a press on the poll must not reach it."""

    def __init__(self) -> None:
        self.presses: list[ButtonPress] = []

    @hookimpl
    def sanshe_buttons(self) -> Iterable[ButtonHandler]:
        return [ButtonHandler("survey.answer", self.answered)]

    def answered(self, ctx: Context) -> None:
        assert ctx.press is not None
        self.presses.append(ctx.press)


class Files:
    """A plugin: ``/list`` posts a file's bytes in the chat, ``/mine`` a file on disk privately."""

    def __init__(self, path: Path, content: bytes) -> None:
        self.path, self.content = path, content

    @hookimpl
    def sanshe_commands(self) -> Iterable[ChatCommand]:
        return [
            ChatCommand("list", self.in_chat, help="list"),
            ChatCommand("mine", self.privately, help="mine"),
            ChatCommand("bring", self.bring, help="bring"),
        ]

    def in_chat(self, ctx: Context) -> Action:
        return SendFile(name="名单.csv", content=self.content, chat=ctx.event.chat)

    def privately(self, ctx: Context) -> Action:
        return SendFile(
            name=self.path.name, path=str(self.path), caption="your copy", user=ctx.event.sender
        )

    def bring(self, ctx: Context) -> Action:
        assert ctx.command is not None
        return Invite(chat=ctx.event.chat, user=ctx.command.args)


class Seen:
    """Every timeline event of one room a client has synced, so none is missed between waits."""

    def __init__(self, client: nio.AsyncClient, room: str) -> None:
        self.client, self.room = client, room
        self.events: list[nio.Event] = []

    async def until(
        self, match: Callable[[nio.Event], bool], what: str, timeout: float = 20.0
    ) -> nio.Event:
        def found(response: nio.SyncResponse | None) -> nio.Event | None:
            if response is not None:
                self.events.extend(timeline(response, self.room))
            return next((e for e in self.events if match(e)), None)

        if (already := found(None)) is not None:
            return already
        try:
            return await sync_until(self.client, found, timeout=timeout)
        except AssertionError as exc:
            raise AssertionError(f"{what}: {exc}") from None


def content(event: nio.Event) -> dict[str, Any]:
    return dict(event.source.get("content") or {})


def reaction_of(event: nio.Event, sender: str, message: str) -> str | None:
    """The key of ``event`` if it is ``sender``'s reaction to ``message``."""
    relates = content(event).get("m.relates_to") or {}
    if event.source.get("type") != "m.reaction" or event.sender != sender:
        return None
    return relates.get("key") if relates.get("event_id") == message else None


async def react(client: nio.AsyncClient, room: str, message: str, key: str) -> str:
    relates = {"rel_type": "m.annotation", "event_id": message, "key": key}
    sent = await client.room_send(room, "m.reaction", {"m.relates_to": relates})
    assert isinstance(sent, nio.RoomSendResponse), sent
    return sent.event_id


@dataclass
class Stage:
    """A group room with the bot and a resident; the bot runs the test plugins."""

    config: Path
    db: Path
    bot: str
    admin: nio.AsyncClient
    resident: nio.AsyncClient
    room: str
    plugins: tuple[object, ...]

    def running(self) -> Any:
        return running_bot(self.config, self.db, self.plugins)


NICKNAME_RULE = {
    "id": "nickname",
    "on": "member_renamed",
    "where": {"kinds": ["resident"]},
    "do": [{"reply": "Please name yourself building-room, as 1-302."}],
}


@pytest.fixture
async def stage(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
) -> AsyncIterator[Stage]:
    admin = await matrix_user("admin")
    resident = await matrix_user("resident")
    bot = bot_account.user_id
    room = await create_room(admin, [bot, resident.user_id], moderators=[bot])
    await join(resident, room)
    config = write_community(
        tmp_path / "community.yaml",
        homeserver,
        bot_account,
        groups=[building(room)],
        people=[{"id": "zhao", "handles": {"matrix": admin.user_id}, "roles": ["grid_worker"]}],
        rules=[NICKNAME_RULE],
    )
    plugins = (gatekeeper, Poll(), Survey(), Files(tmp_path / "report.pdf", b""))
    yield Stage(config, tmp_path / "bot.sqlite3", bot, admin, resident, room, plugins)


def plugin(stage: Stage, kind: type[Any]) -> Any:
    return next(p for p in stage.plugins if isinstance(p, kind))


async def private_room(client: nio.AsyncClient) -> str:
    """The room the bot invited ``client`` to (its private room with them), joined."""

    def invited(_response: nio.SyncResponse | None = None) -> str | None:
        return next(iter(client.invited_rooms), None)

    room = invited() or await sync_until(client, invited)
    await join(client, room)
    return room


async def ask_poll(stage: Stage, seen: Seen) -> nio.Event:
    """The resident types /poll; the bot's question, once it shows both keys as reactions."""
    sent = await say(stage.resident, stage.room, "/poll")
    question = await seen.until(
        lambda e: e.sender == stage.bot and reply_to(e) == sent, "the bot's question"
    )
    for key in (KEYCAP_1, KEYCAP_2):
        await seen.until(
            lambda e, key=key: reaction_of(e, stage.bot, question.event_id) == key,
            f"the bot's reaction {key} on its question",
        )
    return question


async def test_a_reaction_with_a_buttons_key_reaches_its_plugin_which_edits_the_message(
    stage: Stage,
) -> None:
    seen = Seen(stage.resident, stage.room)
    async with stage.running():
        await bot_joined(stage.admin, stage.room, stage.bot)
        question = await ask_poll(stage, seen)
        assert body(question) == f"Come on Sunday?\n{KEYCAP_1} Yes\n{KEYCAP_2} No"
        message = question.event_id
        # Not a button: a thumbs-up, and a key on a message of the resident's own.
        await react(stage.resident, stage.room, message, "👍")
        await react(stage.resident, stage.room, await say(stage.resident, stage.room, "hi"), "1️⃣")
        press = await react(stage.resident, stage.room, message, KEYCAP_2)

        edit = await seen.until(
            lambda e: (
                e.sender == stage.bot
                and (content(e).get("m.relates_to") or {}).get("rel_type") == "m.replace"
            ),
            "the bot's edit of its question",
        )
        assert content(edit)["m.relates_to"]["event_id"] == message
        assert content(edit)["m.new_content"] == {"msgtype": "m.notice", "body": "You chose no."}
        # The press is taken back (so it can be made again), and the buttons are gone.
        await seen.until(
            lambda e: isinstance(e, nio.RedactionEvent) and e.redacts == press,
            "the resident's reaction taken back",
        )
        # The answer is the presser's alone: in their private room, and not in the group
        # (the bot answers before it takes the press back).
        assert not [e for e in seen.events if e.sender == stage.bot and "Thank you" in body(e)]
        answer = await Seen(stage.resident, await private_room(stage.resident)).until(
            lambda e: e.sender == stage.bot and "Thank you" in body(e), "the private answer"
        )
        assert content(answer) == {"msgtype": "m.notice", "body": "Thank you"}
        shown = [e.event_id for e in seen.events if reaction_of(e, stage.bot, message)]
        for reaction in shown:
            await seen.until(
                lambda e, r=reaction: isinstance(e, nio.RedactionEvent) and e.redacts == r,
                "the bot's reactions taken back with the buttons",
            )
    poll = plugin(stage, Poll)
    assert [(p.name, p.payload, p.message_id, p.callback_id) for p in poll.presses] == [
        ("poll.vote", "no", message, press)
    ]
    assert plugin(stage, Survey).presses == []


async def test_a_button_still_works_after_a_restart(stage: Stage) -> None:
    seen = Seen(stage.resident, stage.room)
    async with stage.running():
        await bot_joined(stage.admin, stage.room, stage.bot)
        question = await ask_poll(stage, seen)
    poll = plugin(stage, Poll)
    async with stage.running():
        press = await react(stage.resident, stage.room, question.event_id, KEYCAP_1)

        async def pressed() -> list[ButtonPress] | None:
            return poll.presses or None

        await wait_until(pressed, "the press after the restart to reach the poll")
    assert [(p.payload, p.callback_id) for p in poll.presses] == [("yes", press)]


async def test_a_button_no_plugin_handles_any_more_is_answered_as_stale(stage: Stage) -> None:
    seen = Seen(stage.resident, stage.room)
    async with stage.running() as running:
        await bot_joined(stage.admin, stage.room, stage.bot)
        old = Button(label="Sign up", data="gone.away|42")
        await running.adapter.perform(Send(chat=stage.room, text="Volunteers?", buttons=(old,)))
        offer = await seen.until(lambda e: body(e).startswith("Volunteers?"), "the old offer")
        await seen.until(
            lambda e: reaction_of(e, stage.bot, offer.event_id) == KEYCAP_1, "the bot's key"
        )
        press = await react(stage.resident, stage.room, offer.event_id, KEYCAP_1)
        stale = running.bot.catalogue.gettext("en", "button.stale")
        await seen.until(
            lambda e: isinstance(e, nio.RedactionEvent) and e.redacts == press,
            "the press taken back",
        )
        assert not [e for e in seen.events if e.sender == stage.bot and stale in body(e)]
        answer = await Seen(stage.resident, await private_room(stage.resident)).until(
            lambda e: e.sender == stage.bot and stale in body(e), "the stale answer, privately"
        )
        assert body(answer) == stale


async def test_a_press_in_the_private_room_is_answered_there(stage: Stage) -> None:
    vote = plugin(stage, Poll).vote
    ask = DirectMessage(
        user=stage.resident.user_id,
        text="Come on Sunday?",
        buttons=(vote.button("Yes", "yes"), vote.button("No", "no")),
    )
    async with stage.running() as running:
        await running.adapter.perform(ask)
        private = await private_room(stage.resident)
        seen = Seen(stage.resident, private)
        question = await seen.until(
            lambda e: e.sender == stage.bot and body(e).startswith("Come on Sunday?"),
            "the question",
        )
        await seen.until(
            lambda e: reaction_of(e, stage.bot, question.event_id) == KEYCAP_1, "the bot's key"
        )
        press = await react(stage.resident, private, question.event_id, KEYCAP_1)
        answer = await seen.until(
            lambda e: e.sender == stage.bot and body(e) == "Thank you", "the answer, there"
        )
        await seen.until(
            lambda e: isinstance(e, nio.RedactionEvent) and e.redacts == press,
            "the press taken back",
        )
    assert reply_to(answer) == question.event_id
    assert content(answer)["m.mentions"] == {"user_ids": [stage.resident.user_id]}


async def test_a_message_with_more_buttons_than_keys_is_sent_the_rest_unkeyed(
    stage: Stage,
) -> None:
    rooms = tuple(Button(label=f"Room {n}", data=f"poll.vote|{n}") for n in range(1, 39))
    async with stage.running() as running:
        await bot_joined(stage.admin, stage.room, stage.bot)
        await running.adapter.perform(Send(chat=stage.room, text="Which room?", buttons=rooms))
        # More events than a sync's timeline holds: read the room's latest ones.
        latest = await stage.resident.room_messages(stage.room, limit=100)
        assert isinstance(latest, nio.RoomMessagesResponse), latest
        offer = next(e for e in latest.chunk if body(e).startswith("Which room?"))
        await react(stage.resident, stage.room, offer.event_id, KEYS[-1])

        async def pressed() -> list[ButtonPress] | None:
            return plugin(stage, Poll).presses or None

        await wait_until(pressed, "the press of the 36th button to reach the poll")
    lines = body(offer).split("\n")
    assert lines[36:] == [f"{KEYS[-1]} Room 36", "- Room 37", "- Room 38"]
    keys = {reaction_of(e, stage.bot, offer.event_id) for e in latest.chunk} - {None}
    assert keys == set(KEYS)
    assert [p.payload for p in plugin(stage, Poll).presses] == ["36"]


async def download(client: nio.AsyncClient, event: nio.Event) -> bytes:
    got = await client.download(mxc=content(event)["url"])
    assert isinstance(got, nio.MemoryDownloadResponse), got
    return bytes(got.body)


async def test_files_are_uploaded_and_come_back_byte_for_byte(stage: Stage) -> None:
    files = plugin(stage, Files)
    files.content = "姓名,楼栋\n王芳,1-302\n".encode() + bytes(range(256))
    files.path.write_bytes(b"%PDF-1.4\n" + bytes(range(255, -1, -1)) * 40)
    resident = stage.resident
    async with stage.running():
        await bot_joined(stage.admin, stage.room, stage.bot)
        await say(resident, stage.room, "/list")
        posted = await Seen(resident, stage.room).until(
            lambda e: e.sender == stage.bot and content(e).get("msgtype") == "m.file",
            "the list posted in the room",
        )
        assert content(posted)["filename"] == "名单.csv" and body(posted) == "名单.csv"
        assert content(posted)["info"] == {"mimetype": "text/csv", "size": len(files.content)}
        assert await download(resident, posted) == files.content

        await say(resident, stage.room, "/mine")
        private = await sync_until(resident, lambda r: next(iter(r.rooms.invite), None))
        await join(resident, private)
        mine = await Seen(resident, private).until(
            lambda e: e.sender == stage.bot and content(e).get("msgtype") == "m.file",
            "the report sent privately",
        )
        assert content(mine)["filename"] == "report.pdf" and body(mine) == "your copy"
        assert content(mine)["info"]["mimetype"] == "application/pdf"
        assert await download(resident, mine) == files.path.read_bytes()


async def test_an_empty_file_is_sent_and_comes_back_empty(stage: Stage) -> None:
    seen = Seen(stage.resident, stage.room)
    async with stage.running() as running:
        await bot_joined(stage.admin, stage.room, stage.bot)
        await running.adapter.perform(SendFile(name="export.csv", content=b"", chat=stage.room))
        posted = await seen.until(
            lambda e: e.sender == stage.bot and content(e).get("msgtype") == "m.file",
            "the empty export posted in the room",
        )
    assert content(posted)["filename"] == "export.csv"
    assert content(posted)["info"] == {"mimetype": "text/csv", "size": 0}
    assert await download(stage.resident, posted) == b""


async def test_an_invitation_reaches_the_person(
    stage: Stage, matrix_user: MatrixUserFactory
) -> None:
    guest = await matrix_user("guest")
    async with stage.running():
        await bot_joined(stage.admin, stage.room, stage.bot)
        await say(stage.admin, stage.room, f"/bring {guest.user_id}")

        def invited(response: nio.SyncResponse) -> nio.InviteInfo | None:
            return response.rooms.invite.get(stage.room)

        invitation = await sync_until(guest, invited)
    inviter = next(
        e.sender
        for e in invitation.invite_state
        if isinstance(e, nio.InviteMemberEvent) and e.state_key == guest.user_id
    )
    assert inviter == stage.bot


async def test_a_new_display_name_is_a_rename_a_rule_answers(stage: Stage) -> None:
    async with stage.running():
        await bot_joined(stage.admin, stage.room, stage.bot)
        renamed = await stage.resident.set_displayname("Ann")
        assert isinstance(renamed, nio.ProfileSetDisplayNameResponse), renamed
        answer = await Seen(stage.resident, stage.room).until(
            lambda e: e.sender == stage.bot and "building-room" in body(e),
            "the nickname rule's answer",
        )
    assert body(answer) == "Please name yourself building-room, as 1-302."
    seen = [e for e in gatekeeper.SEEN if e.sender == stage.resident.user_id]
    assert [(type(e).__name__, getattr(e, "old_name", None), e.sender_name) for e in seen] == [
        ("MemberRenamed", stage.resident.user_id.split(":")[0][1:], "Ann")
    ]
