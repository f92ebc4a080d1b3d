"""Buttons, edits, files and invitations on Telegram, end to end through the loopback Bot API server."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import telegram

from sanshe.adapters.telegram import TelegramAdapter
from sanshe.core.actions import (
    AnswerButton,
    ApproveJoin,
    Ban,
    Button,
    CreateGroup,
    DeclineJoin,
    Delete,
    DeleteRecent,
    DirectMessage,
    Edit,
    Invite,
    Pin,
    PublishBan,
    Remove,
    Reply,
    Restrict,
    Send,
    SendFile,
    Unban,
    Unrestrict,
    WithdrawBan,
)
from sanshe.core.adapter import ActionFailed
from sanshe.core.buttons import ButtonHandler
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.events import Event
from sanshe.core.hookspecs import hookimpl
from sanshe.core.i18n import Translator
from tests.botapi import BotApiServer

from .conftest import BUILDING, NEIGHBOUR, RESIDENT, STRANGER, TOKEN, WANG, World, running, wait_for

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

QUESTION = "Water at the gate at 3 pm: coming?"


class Poll:
    """/water posts a question with two buttons; a press is counted, answered and shown."""

    def __init__(self) -> None:
        self.vote = ButtonHandler("poll.vote", self.voted)
        self.presses: list[tuple[str, str]] = []

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [ChatCommand("water", self.ask, help="basics.help.help")]

    @hookimpl
    def sanshe_buttons(self) -> list[ButtonHandler]:
        return [self.vote]

    def buttons(self) -> tuple[Button, ...]:
        return (self.vote.button("Yes", "yes"), self.vote.button("No", "no"))

    def ask(self, ctx: Context) -> Any:
        return Send(chat=ctx.event.chat, text=QUESTION, buttons=self.buttons())

    def voted(self, ctx: Context) -> Any:
        press = ctx.press
        assert press is not None
        self.presses.append((ctx.event.sender, press.payload))
        yes = sum(answer == "yes" for _, answer in self.presses)
        return [
            ctx.answer(f"Counted: {press.payload}"),
            Edit(
                chat=ctx.event.chat,
                message_id=press.message_id,
                text=f"{QUESTION} ({yes} yes)",
                buttons=self.buttons(),
            ),
        ]


class Bystander:
    """Another plugin with buttons of its own: it must never hear of the poll's presses."""

    def __init__(self) -> None:
        self.other = ButtonHandler("bystander.other", self.pressed)
        self.pressed_here: list[Context] = []
        self.events: list[Event] = []

    @hookimpl
    def sanshe_buttons(self) -> list[ButtonHandler]:
        return [self.other]

    @hookimpl
    def sanshe_event(self, context: Context) -> None:
        self.events.append(context.event)

    def pressed(self, ctx: Context) -> None:
        self.pressed_here.append(ctx)


def text(world: World, key: str, locale: str = "zh_CN", **values: object) -> str:
    return Translator(world.bot.catalogue, locale)(key, **values)


async def download(server: BotApiServer, file_id: str) -> bytes:
    """The file as a Bot API client gets it back: getFile, then the file URL."""
    async with telegram.Bot(
        TOKEN, base_url=server.base_url, base_file_url=server.base_file_url
    ) as client:
        file = await client.get_file(file_id)
        return bytes(await file.download_as_bytearray())


def test_the_adapter_can_do_what_it_has_a_method_for() -> None:
    assert TelegramAdapter.capabilities == {
        *(Send, Reply, DirectMessage, Edit, AnswerButton, SendFile, Invite, Delete, Pin),
        *(Ban, Unban, Remove, Restrict, Unrestrict, ApproveJoin, DeclineJoin),
    }
    assert CreateGroup not in TelegramAdapter.capabilities  # bots cannot make groups
    # No shared ban list nor "delete their recent messages" in the Bot API: plugins ask ctx.can.
    assert TelegramAdapter.capabilities.isdisjoint({PublishBan, WithdrawBan, DeleteRecent})


async def test_a_press_reaches_its_plugin_only_which_answers_and_edits(
    server: BotApiServer, tmp_path: Path
) -> None:
    poll, bystander = Poll(), Bystander()
    async with running(server, tmp_path, plugins=[poll, bystander]) as world:
        server.inject_message(BUILDING, NEIGHBOUR, "/water")
        await world.said(BUILDING, 1, "the question")
        question = server.sent[0]
        assert question.reply_markup == {
            "inline_keyboard": [
                [{"text": "Yes", "callback_data": "poll.vote|yes"}],
                [{"text": "No", "callback_data": "poll.vote|no"}],
            ]
        }

        query = server.inject_callback_query(
            BUILDING, NEIGHBOUR, question.message_id, "poll.vote|yes"
        )["callback_query"]
        await wait_for(lambda: query["id"] in server.callback_answers, "the answer to the press")
        assert server.callback_answers[query["id"]]["text"] == "Counted: yes"  # shown to him only
        await wait_for(lambda: server.sent[-1].method == "editMessageText", "the edit")
        edited = server.messages[(BUILDING, question.message_id)]
        assert edited["text"] == f"{QUESTION} (1 yes)"
        assert edited["reply_markup"] == question.reply_markup  # the buttons stay
        assert world.texts(BUILDING) == [QUESTION, f"{QUESTION} (1 yes)"]  # nothing new posted
        assert poll.presses == [(str(NEIGHBOUR), "yes")]

        # A second "no" leaves the count as it is: the unchanged edit is no error.
        again = server.inject_callback_query(
            BUILDING, RESIDENT, question.message_id, "poll.vote|no"
        )["callback_query"]
        await wait_for(lambda: again["id"] in server.callback_answers, "the second answer")
        assert server.callback_answers[again["id"]]["text"] == "Counted: no"
        assert poll.presses == [(str(NEIGHBOUR), "yes"), (str(RESIDENT), "no")]

        assert bystander.pressed_here == []
        assert bystander.events == []  # presses are not plain events for every plugin


async def test_a_press_on_a_stale_button_is_answered_privately(world: World) -> None:
    await world.adapter.perform(
        Send(chat=str(BUILDING), text="old menu", buttons=(Button("Old", "gone.handler|1"),))
    )
    menu = world.server.sent[-1]
    query = world.server.inject_callback_query(
        BUILDING, NEIGHBOUR, menu.message_id, "gone.handler|1"
    )["callback_query"]
    await wait_for(lambda: query["id"] in world.server.callback_answers, "the stale answer")
    # Han Meimei's Telegram app is in English: the answer is in her language, to her only.
    assert world.server.callback_answers[query["id"]]["text"] == text(world, "button.stale", "en")
    assert world.texts(BUILDING) == ["old menu"]


async def test_an_answer_too_long_for_a_toast_is_shortened(world: World) -> None:
    await world.adapter.perform(
        Send(chat=str(BUILDING), text="menu", buttons=(Button("Go", "gatekeeper.pick|x"),))
    )
    query = world.server.inject_callback_query(
        BUILDING, NEIGHBOUR, world.server.sent[-1].message_id, "gatekeeper.pick|x"
    )["callback_query"]
    await world.adapter.perform(
        AnswerButton(callback_id=query["id"], chat=str(BUILDING), text="长" * 300)
    )
    answer = world.server.callback_answers[query["id"]]["text"]
    assert len(answer) == 200 and answer.endswith("…")


async def test_a_sent_file_comes_back_byte_for_byte(world: World, tmp_path: Path) -> None:
    content = os.urandom(70_000)
    await world.adapter.perform(
        SendFile(name="roster.csv", content=content, caption="本周值班表", chat=str(BUILDING))
    )
    record = world.server.sent[-1]
    assert (record.method, record.chat_id, record.caption) == (
        "sendDocument",
        BUILDING,
        "本周值班表",
    )
    assert record.document is not None and record.document["file_name"] == "roster.csv"
    assert await download(world.server, record.document["file_id"]) == content

    path = tmp_path / "handover.pdf"
    path.write_bytes(os.urandom(300_000))
    world.server.user_starts_bot(WANG)
    await world.adapter.perform(SendFile(name="交接.pdf", path=str(path), user=str(WANG)))
    private = world.server.sent[-1]
    assert private.chat_id == WANG and private.document is not None
    assert private.document["file_name"] == "交接.pdf"
    assert await download(world.server, private.document["file_id"]) == path.read_bytes()


async def test_a_long_caption_follows_the_file_as_text(world: World) -> None:
    caption = "说明" * 600
    await world.adapter.perform(
        SendFile(name="notes.txt", content=b"notes", caption=caption, chat=str(BUILDING))
    )
    document, note = world.server.sent[-2:]
    assert document.method == "sendDocument" and document.caption is None
    assert (note.method, note.text) == ("sendMessage", caption)


async def test_files_telegram_would_refuse_are_refused_with_a_reason(
    world: World, tmp_path: Path
) -> None:
    huge = tmp_path / "scan.tif"
    with huge.open("wb") as file:
        file.truncate(50 * 1024 * 1024 + 1)  # sparse: nothing is read or uploaded
    with pytest.raises(ActionFailed, match="50 MB at most"):
        await world.adapter.perform(SendFile(name="scan.tif", path=str(huge), chat=str(BUILDING)))
    with pytest.raises(ActionFailed, match="cannot read"):
        await world.adapter.perform(
            SendFile(name="x", path=str(tmp_path / "missing"), chat=str(BUILDING))
        )
    with pytest.raises(ActionFailed, match="press Start"):  # never opened a private chat
        await world.adapter.perform(SendFile(name="a.txt", content=b"a", user=str(STRANGER)))
    assert world.server.calls_to("sendDocument")[-1]["chat_id"] == STRANGER
    assert not [r for r in world.server.sent if r.method == "sendDocument"]


async def test_an_invitation_is_a_single_use_link_sent_privately(world: World) -> None:
    world.server.user_starts_bot(STRANGER)
    before = time.time()
    await world.adapter.perform(Invite(chat=str(BUILDING), user=str(STRANGER)))
    (link,) = world.server.invite_links.values()
    assert (link.chat_id, link.member_limit) == (BUILDING, 1)
    assert before + 23.9 * 3600 <= link.expire_date <= time.time() + 24 * 3600 + 1
    invitation = world.server.sent[-1]
    assert invitation.chat_id == STRANGER  # privately, not in the group
    assert invitation.text == text(
        world, "telegram.invite", group="1号楼居民群", link=link.url, hours=24
    )
    assert not [t for t in world.texts(BUILDING) if link.url in t]

    world.server.join_by_link(link.url, STRANGER)
    assert await world.status(BUILDING, STRANGER) == "member"
    world.server.add_user(34, "Wu")
    with pytest.raises(ValueError, match="INVITE_HASH_EXPIRED"):  # it let one person in
        world.server.join_by_link(link.url, 34)


async def test_an_invitation_that_cannot_be_delivered_says_what_to_do(world: World) -> None:
    with pytest.raises(ActionFailed, match=r"open https://t\.me/sanshe_bot and press Start"):
        await world.adapter.perform(Invite(chat=str(BUILDING), user=str(STRANGER)))
    (link,) = world.server.invite_links.values()
    assert link.is_revoked  # no working link is left behind
    assert world.texts(STRANGER) == []


async def test_a_file_is_read_off_the_event_loop(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a file of up to 50 MB must not stop the bot answering everyone else meanwhile."""
    readers: list[threading.Thread] = []
    read = SendFile.read

    def recorded(action: SendFile) -> bytes:
        readers.append(threading.current_thread())
        return read(action)

    monkeypatch.setattr(SendFile, "read", recorded)
    path = tmp_path / "roster.csv"
    path.write_bytes(b"name,room\nWang,1-302\n")
    await world.adapter.perform(SendFile(name="roster.csv", path=str(path), chat=str(BUILDING)))
    assert readers and threading.main_thread() not in readers
    record = world.server.sent[-1]
    assert record.document is not None
    assert await download(world.server, record.document["file_id"]) == path.read_bytes()


async def test_an_empty_file_is_refused_as_telegram_would(world: World, tmp_path: Path) -> None:
    """Telegram refuses an empty upload ("file must be non-empty"): the reason names the file."""
    empty = tmp_path / "export.csv"
    empty.write_bytes(b"")
    with pytest.raises(ActionFailed, match="export.csv is empty: Telegram does not take empty"):
        await world.adapter.perform(
            SendFile(name="export.csv", path=str(empty), chat=str(BUILDING))
        )
    with pytest.raises(ActionFailed, match="empty.csv is empty: Telegram does not take empty"):
        await world.adapter.perform(SendFile(name="empty.csv", content=b"", chat=str(BUILDING)))
    assert world.server.calls_to("sendDocument") == []
