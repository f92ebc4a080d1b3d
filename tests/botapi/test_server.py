"""Drive the loopback Bot API server through python-telegram-bot itself."""

import asyncio
import datetime as dt
import json
import socket
import time
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    ChatMemberBanned,
    ChatMemberRestricted,
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from . import (
    APPLICANT_WINDOW,
    MAX_DOWNLOAD_BYTES,
    MAX_UPLOAD_BYTES,
    SECRET_HEADER,
    SHORTEST_UNTIL,
    BotApiServer,
    Limits,
    scope_key,
)

TOKEN = "123:ABC"
BOT_ID = 123
GROUP = -1001
ALICE, BOB, CAROL = 11, 12, 13

# PTB warns that RetryAfter.retry_after will become a timedelta; the server sends integers.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(TOKEN, "sanshe_bot") as srv:
        srv.add_user(ALICE, "Alice", "alice", "en")
        srv.add_user(BOB, "Bob", "bob", "ru")
        srv.add_user(CAROL, "Carol")
        srv.add_chat(GROUP, "Mutual aid", username="mutual_aid")
        srv.add_member(GROUP, ALICE, "creator")
        srv.add_member(GROUP, BOB)
        yield srv


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=server.base_url) as b:
        yield b


def make_admin(server: BotApiServer, **rights: bool) -> None:
    server.add_member(GROUP, BOT_ID, "administrator", rights)


def retry_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_for(condition: Callable[[], object], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


# ---------------------------------------------------------------- basics


async def test_get_me_and_wrong_token(server: BotApiServer, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (BOT_ID, True, "sanshe_bot")
    assert me.can_read_all_group_messages is False  # privacy mode is on by default
    wrong = Bot("123:WRONG", base_url=server.base_url)
    try:
        with pytest.raises(InvalidToken, match="(?i)rejected by the server"):
            await wrong.initialize()
    finally:
        await wrong.shutdown()
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert server.calls[-1] == ("noSuchMethod", {})


async def test_raw_http_bodies_and_error_shapes(server: BotApiServer) -> None:
    server.user_starts_bot(ALICE)
    url = f"{server.base_url}{TOKEN}"
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{url}/SENDMESSAGE",
            json={"chat_id": ALICE, "text": "json body", "reply_markup": markup},
        ) as r:
            body = await r.json()
            assert r.status == 200 and body["ok"] is True
            assert body["result"]["reply_markup"] == markup
        async with http.get(f"{url}/sendMessage", params={"chat_id": "-999", "text": "x"}) as r:
            assert r.status == 400
            assert await r.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: chat not found",
            }
        form = aiohttp.FormData(
            {"chat_id": str(ALICE), "text": "multipart", "reply_markup": json.dumps(markup)},
            default_to_multipart=True,
        )
        async with http.post(f"{url}/sendMessage?disable_notification=true", data=form) as r:
            assert r.status == 429  # one message per second to a private chat
        async with http.post(f"{url}/nope", data={"a": "1"}) as r:
            assert r.status == 404
            assert await r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.post(f"{server.base_url}1:bad/getMe") as r:
            assert r.status == 401
            assert (await r.json())["description"] == "Unauthorized"
    assert server.calls_to("sendMessage")[0]["reply_markup"] == markup
    assert server.calls_to("sendMessage")[1] == {"chat_id": -999, "text": "x"}
    assert server.calls_to("sendMessage")[2] == {
        "chat_id": ALICE,
        "text": "multipart",
        "reply_markup": markup,
        "disable_notification": True,
    }


# ---------------------------------------------------------------- getUpdates


async def test_get_updates_offset_limit_and_negative_offset(server: BotApiServer, bot: Bot) -> None:
    start = server.user_starts_bot(ALICE)
    server.inject_message(ALICE, ALICE, "/report@sanshe_bot flood on Main St")
    server.inject_message(ALICE, ALICE, "hello")

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [start["update_id"] + i for i in range(3)]
    command = updates[1].message
    assert command.text.startswith("/report@sanshe_bot")
    assert command.entities[0].type == "bot_command"
    assert (command.entities[0].offset, command.entities[0].length) == (
        0,
        len("/report@sanshe_bot"),
    )
    assert command.parse_entity(command.entities[0]) == "/report@sanshe_bot"

    assert len(await bot.get_updates(limit=1)) == 1
    assert [u.message.text for u in await bot.get_updates(offset=updates[1].update_id)] == [
        "/report@sanshe_bot flood on Main St",
        "hello",
    ]
    # Confirmed updates are gone even without an offset.
    assert len(await bot.get_updates()) == 2
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["hello"]
    assert len(await bot.get_updates()) == 1
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
    assert server.pending_updates == []

    edit = server.inject_edited_message(ALICE, command.message_id, "/report flood on Elm St")
    (edited,) = await bot.get_updates()
    assert edited.update_id == edit["update_id"]
    assert edited.edited_message.text == "/report flood on Elm St"
    assert edited.edited_message.edit_date is not None


async def test_long_poll_returns_when_update_is_injected(server: BotApiServer, bot: Bot) -> None:
    server.user_starts_bot(ALICE)
    first = await bot.get_updates()
    poll = asyncio.create_task(bot.get_updates(offset=first[-1].update_id + 1, timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()
    began = time.monotonic()
    server.inject_message(ALICE, ALICE, "help")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - began < 1
    assert [u.message.text for u in updates] == ["help"]

    began = time.monotonic()
    assert (
        await bot.get_updates(offset=updates[0].update_id + 1, timeout=dt.timedelta(seconds=0.3))
        == ()
    )
    assert 0.3 <= time.monotonic() - began < 1


async def test_second_poller_terminates_first_with_conflict(server: BotApiServer, bot: Bot) -> None:
    async with Bot(TOKEN, base_url=server.base_url) as other:
        first = asyncio.create_task(bot.get_updates(timeout=10))
        await asyncio.sleep(0.2)
        assert await other.get_updates() == ()
        with pytest.raises(Conflict, match="(?i)terminated by other getUpdates request"):
            await asyncio.wait_for(first, 2)


async def test_stop_answers_open_long_poll_promptly(server: BotApiServer, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await asyncio.sleep(0.2)
    await asyncio.wait_for(server.stop(), 2)
    assert await asyncio.wait_for(poll, 1) == ()


# ---------------------------------------------------------------- sending


async def test_send_message_returns_full_message(server: BotApiServer, bot: Bot) -> None:
    asked = server.inject_message(GROUP, BOB, "/need water")["message"]
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("I can help", callback_data="help:1")]])
    message = await bot.send_message(
        GROUP,
        "<b>Request</b> from Bob &amp; co",
        parse_mode="HTML",
        reply_parameters=ReplyParameters(asked["message_id"]),
        reply_markup=keyboard,
        disable_notification=True,
    )
    assert message.chat.id == GROUP and message.chat.title == "Mutual aid"
    assert message.from_user.id == BOT_ID
    assert message.text == "Request from Bob & co"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 7)]
    assert message.reply_to_message.message_id == asked["message_id"]
    assert message.reply_to_message.text == "/need water"
    assert message.reply_markup == keyboard
    assert server.messages[(GROUP, message.message_id)]["text"] == "Request from Bob & co"
    record = server.sent[-1]
    assert (record.method, record.chat_id, record.message_id) == (
        "sendMessage",
        GROUP,
        message.message_id,
    )
    assert record.reply_markup == keyboard.to_dict()
    assert server.calls_to("sendMessage")[-1]["disable_notification"] is True

    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(GROUP, "x", reply_to_message_id=999)


async def test_parse_modes_follow_telegram_rules(server: BotApiServer, bot: Bot) -> None:
    server.user_starts_bot(ALICE)
    server.limits = Limits(per_chat_per_second=100)
    with pytest.raises(BadRequest, match=r"(?i)Character '\.' is reserved and must be escaped"):
        await bot.send_message(ALICE, "Report received.", parse_mode="MarkdownV2")
    message = await bot.send_message(
        ALICE, "*Report* received\\. See [map](https://example.org/m?a=1)", parse_mode="MarkdownV2"
    )
    assert message.text == "Report received. See map"
    assert [(e.type, e.offset, e.length, e.url) for e in message.entities] == [
        ("bold", 0, 6, None),
        ("text_link", 21, 3, "https://example.org/m?a=1"),
    ]
    emoji = await bot.send_message(ALICE, "🚨 <i>alert</i>", parse_mode="HTML")
    assert (emoji.entities[0].offset, emoji.entities[0].length) == (3, 5)  # UTF-16 units
    with pytest.raises(BadRequest, match='(?i)Unsupported start tag "br"'):
        await bot.send_message(ALICE, "a<br>b", parse_mode="HTML")
    with pytest.raises(
        BadRequest, match="(?i)Can't find end of the entity starting at byte offset 0"
    ):
        await bot.send_message(ALICE, "*open", parse_mode="Markdown")
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(ALICE, "  <b> </b> ", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(ALICE, "x" * 4097)


async def test_forbidden_until_user_starts_bot(server: BotApiServer, bot: Bot) -> None:
    with pytest.raises(Forbidden, match="(?i)bot can't initiate conversation with a user"):
        await bot.send_message(CAROL, "hi")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(424242, "hi")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.get_chat(CAROL)
    server.user_starts_bot(CAROL, payload="ref42")
    assert (await bot.get_updates())[-1].message.text == "/start ref42"
    assert (await bot.send_message(CAROL, "welcome")).chat.first_name == "Carol"
    server.user_blocks_bot(CAROL)
    server.limits = Limits(per_chat_per_second=100)
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(CAROL, "still there?")
    server.user_starts_bot(CAROL)
    kinds = [
        u.my_chat_member.new_chat_member.status for u in await bot.get_updates() if u.my_chat_member
    ]
    assert kinds == ["kicked", "member"]
    await bot.send_message(CAROL, "welcome back")


async def test_bot_must_be_in_group(server: BotApiServer, bot: Bot) -> None:
    make_admin(server)
    assert await bot.leave_chat(GROUP) is True
    update = (await bot.get_updates())[-1]
    assert update.my_chat_member.new_chat_member.status == "left"
    with pytest.raises(Forbidden, match="(?i)bot is not a member of the supergroup chat"):
        await bot.send_message(GROUP, "hello?")


# ---------------------------------------------------------------- flood limits


async def test_two_messages_to_one_group_within_a_second(server: BotApiServer, bot: Bot) -> None:
    await bot.send_message(GROUP, "one")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "two")
    assert retry_seconds(caught.value) == 1
    assert [r.text for r in server.sent] == ["one"]  # the refused send was not performed
    with pytest.raises(RetryAfter):  # edits count against the same windows
        await bot.edit_message_text("one (edited)", GROUP, server.sent[0].message_id)
    assert server.stats.too_many_requests == 2
    assert [(r.chat_id, r.retry_after) for r in server.refused] == [(GROUP, 1), (GROUP, 1)]
    assert len(server.calls_to("sendMessage")) == 2


async def test_group_per_minute_limit(server: BotApiServer, bot: Bot) -> None:
    server.limits = Limits(per_chat_per_second=100, per_group_per_minute=3, minute=0.3)
    for i in range(3):
        await bot.send_message(GROUP, f"m{i}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "m3")
    assert retry_seconds(caught.value) == 1  # integer seconds, at least 1
    await asyncio.sleep(0.35)
    await bot.send_message(GROUP, "m3")
    assert [r.text for r in server.sent] == ["m0", "m1", "m2", "m3"]


async def test_group_retry_after_counts_from_when_the_window_frees(
    server: BotApiServer, bot: Bot
) -> None:
    server.limits = Limits(per_chat_per_second=100, per_group_per_minute=2)
    await bot.send_message(GROUP, "a")
    await bot.send_message(GROUP, "b")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "c")
    assert 59 <= retry_seconds(caught.value) <= 60


async def test_global_limit(server: BotApiServer, bot: Bot) -> None:
    server.limits = Limits(global_per_second=3, second=0.3)
    users = [ALICE, BOB, CAROL, 14]
    server.add_user(14, "Dan")
    for user_id in users:
        server.user_starts_bot(user_id)
    for user_id in users[:3]:
        await bot.send_message(user_id, "alert")
    with pytest.raises(RetryAfter):
        await bot.send_message(14, "alert")
    await asyncio.sleep(0.35)
    await bot.send_message(14, "alert")
    assert server.stats.too_many_requests == 1
    times = [r.time for r in server.sent]
    assert len(times) == 4 and times[3] - times[0] >= 0.3


# ---------------------------------------------------------------- callbacks and edits


async def test_inline_keyboard_callback_round_trip(server: BotApiServer, bot: Bot) -> None:
    server.user_starts_bot(ALICE)
    server.limits = Limits(per_chat_per_second=100)
    await bot.get_updates()
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="vote:yes"),
                InlineKeyboardButton("Map", url="https://example.org"),
            ]
        ]
    )
    sent = await bot.send_message(ALICE, "Safe?", reply_markup=keyboard)
    update = server.inject_callback_query(ALICE, ALICE, sent.message_id, "vote:yes")

    (received,) = await bot.get_updates(offset=update["update_id"])
    query = received.callback_query
    assert (query.data, query.from_user.id) == ("vote:yes", ALICE)
    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup == keyboard
    assert await query.answer("Thanks", show_alert=True) is True
    assert server.callback_answers[query.id]["text"] == "Thanks"
    assert server.callback_answers[query.id]["show_alert"] is True
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await query.answer()

    edited = await bot.edit_message_text(
        "Safe? (answered)", ALICE, sent.message_id, reply_markup=keyboard
    )
    assert edited.text == "Safe? (answered)" and edited.edit_date is not None
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text(
            "Safe? (answered)", ALICE, sent.message_id, reply_markup=keyboard
        )
    cleared = await bot.edit_message_reply_markup(ALICE, sent.message_id)
    assert cleared.reply_markup is None
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            ALICE,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("b", callback_data="x" * 65)]]
            ),
        )
    assert await bot.delete_message(ALICE, sent.message_id) is True
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(ALICE, sent.message_id)
    copy_id = await bot.copy_message(
        ALICE, GROUP, server.inject_message(GROUP, BOB, "/sos")["message"]["message_id"]
    )
    assert server.messages[(ALICE, copy_id.message_id)]["text"] == "/sos"


async def test_a_press_needs_the_button_on_the_message_and_answers_are_short(
    server: BotApiServer, bot: Bot
) -> None:
    server.user_starts_bot(ALICE)
    server.limits = Limits(per_chat_per_second=100)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="vote:yes")]])
    sent = await bot.send_message(ALICE, "Safe?", reply_markup=keyboard)
    with pytest.raises(ValueError, match="no button 'vote:no'"):
        server.inject_callback_query(ALICE, ALICE, sent.message_id, "vote:no")
    with pytest.raises(ValueError, match="cannot see"):
        server.inject_callback_query(ALICE, BOB, sent.message_id, "vote:yes")
    user_message = server.inject_message(GROUP, BOB, "/sos")["message"]["message_id"]
    with pytest.raises(ValueError, match="not the bot's"):
        server.inject_callback_query(GROUP, BOB, user_message, "vote:yes")

    query = server.inject_callback_query(ALICE, ALICE, sent.message_id, "vote:yes")
    query_id = query["callback_query"]["id"]
    with pytest.raises(BadRequest, match="(?i)MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, "x" * 201)
    assert await bot.answer_callback_query(query_id, "y" * 200) is True
    assert server.callback_answers[query_id]["text"] == "y" * 200

    await bot.edit_message_text("Safe? (answered)", ALICE, sent.message_id)  # no keyboard now
    with pytest.raises(ValueError, match="no button"):
        server.inject_callback_query(ALICE, ALICE, sent.message_id, "vote:yes")


# ---------------------------------------------------------------- files


async def test_send_document_then_get_file_and_download(server: BotApiServer) -> None:
    server.user_starts_bot(ALICE)
    server.limits = Limits(per_chat_per_second=100)
    content = bytes(range(256)) * 1000
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as bot:
        sent = await bot.send_document(
            ALICE,
            InputFile(content, filename="report.csv"),
            caption="<b>Week</b> 3",
            parse_mode="HTML",
        )
        assert sent.document.file_name == "report.csv" and sent.document.file_size == len(content)
        assert sent.caption == "Week 3" and sent.caption_entities[0].type == "bold"
        record = server.sent[-1]
        assert (record.method, record.caption) == ("sendDocument", "Week 3")
        file = await bot.get_file(sent.document.file_id)
        assert file.file_path.endswith(".csv") and file.file_size == len(content)
        assert bytes(await file.download_as_bytearray()) == content
        again = await bot.send_document(GROUP, sent.document.file_id)  # by file_id, no upload
        assert again.document.file_unique_id == sent.document.file_unique_id

        with pytest.raises(BadRequest, match="(?i)caption is too long"):
            await bot.send_document(ALICE, InputFile(b"x", filename="a.txt"), caption="c" * 1025)
        with pytest.raises(BadRequest, match="(?i)file must be non-empty"):
            await bot.send_document(ALICE, InputFile(b"", filename="empty.txt"))
        with pytest.raises(BadRequest, match="(?i)invalid file_id"):
            await bot.get_file("nope")
        with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
            await bot.send_document(ALICE, "nope")
        with pytest.raises(Forbidden, match="can't initiate conversation"):
            await bot.send_document(CAROL, InputFile(b"x", filename="a.txt"))
        with pytest.raises(BadRequest, match="(?i)there is no text in the message to edit"):
            await bot.edit_message_text("x", ALICE, sent.message_id)

    async with aiohttp.ClientSession() as http:
        assert file.file_path.startswith(f"{server.base_file_url}{TOKEN}/documents/")
        async with http.get(file.file_path.replace(TOKEN, "123:WRONG")) as response:
            assert response.status == 401
        async with http.get(f"{server.base_file_url}{TOKEN}/documents/none.csv") as response:
            assert response.status == 404


async def test_bots_upload_50_mb_and_download_20_mb_at_most(server: BotApiServer, bot: Bot) -> None:
    server.user_starts_bot(ALICE)
    server.limits = Limits(per_chat_per_second=100)
    big = await bot.send_document(ALICE, InputFile(b"\0" * (MAX_DOWNLOAD_BYTES + 1), filename="b"))
    with pytest.raises(BadRequest, match="(?i)file is too big"):
        await bot.get_file(big.document.file_id)
    with pytest.raises(NetworkError, match="Request Entity Too Large"):  # HTTP 413
        await bot.send_document(
            ALICE, InputFile(b"\0" * (MAX_UPLOAD_BYTES + 1), filename="huge"), write_timeout=60
        )


# ---------------------------------------------------------------- invite links


async def test_single_use_invite_link(server: BotApiServer, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)not enough rights to manage chat invite link"):
        await bot.create_chat_invite_link(GROUP, member_limit=1)
    make_admin(server)
    with pytest.raises(BadRequest, match="(?i)can.t invite members to a private chat"):
        await bot.create_chat_invite_link(ALICE)
    with pytest.raises(BadRequest, match="(?i)USAGE_LIMIT_INVALID"):
        await bot.create_chat_invite_link(GROUP, member_limit=100_000)
    with pytest.raises(BadRequest, match="(?i)member limit can.t be specified"):
        await bot.create_chat_invite_link(GROUP, member_limit=1, creates_join_request=True)
    with pytest.raises(BadRequest, match="(?i)EXPIRE_DATE_INVALID"):
        await bot.create_chat_invite_link(GROUP, expire_date=int(time.time()) - 10)
    expires = int(time.time()) + 3600
    link = await bot.create_chat_invite_link(
        GROUP, expire_date=expires, member_limit=1, name="For Carol " + "x" * 40
    )
    assert link.invite_link.startswith("https://t.me/+") and link.member_limit == 1
    assert link.creator.id == BOT_ID and not link.is_revoked and len(link.name) == 32
    assert int(link.expire_date.timestamp()) == expires

    with pytest.raises(ValueError, match="USER_ALREADY_PARTICIPANT"):
        server.join_by_link(link.invite_link, BOB)
    joined = server.join_by_link(link.invite_link, CAROL)
    assert joined[0]["chat_member"]["invite_link"]["invite_link"] == link.invite_link
    member = await bot.get_chat_member(GROUP, CAROL)
    assert member.status == "member"
    server.add_user(14, "Dan")
    with pytest.raises(ValueError, match="INVITE_HASH_EXPIRED"):  # used up
        server.join_by_link(link.invite_link, 14)
    await bot.revoke_chat_invite_link(GROUP, link.invite_link)
    with pytest.raises(ValueError, match="INVITE_HASH_INVALID"):
        server.join_by_link(link.invite_link, 14)


# ---------------------------------------------------------------- moderation


async def test_join_request_approve_and_decline(server: BotApiServer, bot: Bot) -> None:
    server.inject_join_request(GROUP, CAROL, bio="neighbour")
    assert await bot.get_updates() == ()  # only admins that can invite users receive them
    with pytest.raises(BadRequest, match="(?i)CHAT_ADMIN_REQUIRED"):
        await bot.approve_chat_join_request(GROUP, CAROL)

    make_admin(server)
    server.add_user(14, "Dan")
    server.inject_join_request(GROUP, 14)
    (update,) = await bot.get_updates()
    request = update.chat_join_request
    assert (request.chat.id, request.from_user.id, request.user_chat_id) == (GROUP, 14, 14)
    # The applicant can be messaged before the request is processed.
    await bot.send_message(request.user_chat_id, "Please tell us who you are")

    assert await request.approve() is True
    assert (await bot.get_chat_member(GROUP, 14)).status == "member"
    joined = [u.message for u in await bot.get_updates(offset=update.update_id + 1)]
    assert [u.id for u in joined[-1].new_chat_members] == [14]
    assert await bot.decline_chat_join_request(GROUP, CAROL) is True
    assert (await bot.get_chat_member(GROUP, CAROL)).status == "left"
    with pytest.raises(BadRequest, match="(?i)HIDE_REQUESTER_MISSING"):
        await bot.decline_chat_join_request(GROUP, CAROL)
    assert server.join_requests == {}


class Hands:
    """A clock for the server that moves only when told (seconds since the epoch)."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def test_an_applicant_can_be_written_to_for_five_minutes(
    server: BotApiServer, bot: Bot
) -> None:
    clock = server.clock = Hands()
    server.inject_join_request(GROUP, CAROL)  # the bot cannot see it: no window
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(CAROL, "Which building?")
    server.join_requests.clear()
    make_admin(server)
    server.limits = Limits(per_chat_per_second=100)
    server.inject_join_request(GROUP, CAROL)
    clock.advance(APPLICANT_WINDOW - 1)
    await bot.send_message(CAROL, "Which building?")
    assert await bot.approve_chat_join_request(GROUP, CAROL)
    await bot.send_message(CAROL, "Welcome")  # just decided, within the five minutes
    clock.advance(1)
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(CAROL, "Welcome again")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_document(CAROL, InputFile(b"x", filename="rules.txt"))

    # One who answers what the bot wrote has opened the chat: no window after that.
    server.add_user(14, "Dan")
    server.inject_join_request(GROUP, 14)
    with pytest.raises(ValueError, match="no private chat"):
        server.inject_message(14, 14, "1-302")  # the bot has not written to Dan yet
    await bot.send_message(14, "Which building?")
    server.inject_message(14, 14, "1-302")
    clock.advance(3600)
    await bot.send_message(14, "Your request is still with the admins")
    assert not server.applicant_window_open(14)

    # Pressing a button under what the bot wrote opens no chat (tdlib/td#2932).
    server.add_user(15, "Eve")
    server.inject_join_request(GROUP, 15)
    button = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
    asked = await bot.send_message(15, "Do you live here?", reply_markup=button)
    server.inject_callback_query(15, 15, asked.message_id, "yes")
    clock.advance(APPLICANT_WINDOW)
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(15, "Which room?")


async def test_restrictions_and_bans_end_at_their_until_date(
    server: BotApiServer, bot: Bot
) -> None:
    clock = server.clock = Hands()
    make_admin(server)
    server.add_user(14, "Dan")
    server.add_member(GROUP, 14)
    until = dt.datetime.fromtimestamp(clock.now + 120, dt.UTC)
    no_sending = ChatPermissions.no_permissions()
    assert await bot.restrict_chat_member(GROUP, BOB, no_sending, until_date=until)
    soon = dt.datetime.fromtimestamp(clock.now + SHORTEST_UNTIL - 1, dt.UTC)
    assert await bot.restrict_chat_member(GROUP, 14, no_sending, until_date=soon)
    assert await bot.ban_chat_member(GROUP, CAROL, until_date=until)
    clock.advance(119)
    with pytest.raises(ValueError, match="(?i)cannot post"):
        server.inject_message(GROUP, BOB, "let me talk")
    clock.advance(1)
    server.inject_message(GROUP, BOB, "let me talk")
    assert (await bot.get_chat_member(GROUP, BOB)).status == "member"
    assert (await bot.get_chat_member(GROUP, CAROL)).status == "left"
    forever = await bot.get_chat_member(GROUP, 14)  # under 30 s from now: for ever (0)
    assert isinstance(forever, ChatMemberRestricted) and forever.until_date.timestamp() == 0


async def test_ban_restrict_and_rights(server: BotApiServer, bot: Bot) -> None:
    with pytest.raises(
        BadRequest, match="(?i)not enough rights to restrict/unrestrict chat member"
    ):
        await bot.ban_chat_member(GROUP, BOB)
    make_admin(server, can_delete_messages=False)
    spam = server.inject_message(GROUP, BOB, "buy now")["message"]["message_id"]
    with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
        await bot.delete_message(GROUP, spam)
    with pytest.raises(BadRequest, match="(?i)can't remove chat owner"):
        await bot.ban_chat_member(GROUP, ALICE)

    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert await bot.restrict_chat_member(
        GROUP, BOB, ChatPermissions(can_send_messages=False), until_date=until
    )
    restricted = await bot.get_chat_member(GROUP, BOB)
    assert isinstance(restricted, ChatMemberRestricted)
    assert restricted.is_member and not restricted.can_send_messages
    assert restricted.until_date == until.replace(microsecond=0)
    with pytest.raises(ValueError, match="(?i)cannot post"):
        server.inject_message(GROUP, BOB, "let me talk")
    assert await bot.restrict_chat_member(GROUP, BOB, ChatPermissions.all_permissions())
    assert (await bot.get_chat_member(GROUP, BOB)).status == "member"

    assert await bot.ban_chat_member(GROUP, BOB, revoke_messages=True)
    banned = await bot.get_chat_member(GROUP, BOB)
    assert isinstance(banned, ChatMemberBanned)
    assert (GROUP, spam) not in server.messages
    assert await bot.unban_chat_member(GROUP, BOB, only_if_banned=True)
    assert (await bot.get_chat_member(GROUP, BOB)).status == "left"
    admins = await bot.get_chat_administrators(GROUP)
    assert [(m.user.id, m.status) for m in admins] == [(ALICE, "creator")]
    assert await bot.get_chat_member_count(GROUP) == 2  # Alice and the bot
    assert (await bot.get_chat(GROUP)).permissions.can_send_messages is True


async def test_privacy_mode_filters_group_messages(server: BotApiServer, bot: Bot) -> None:
    bot_message = await bot.send_message(GROUP, "Post your needs here")
    server.inject_message(GROUP, BOB, "plain chatter")
    server.inject_message(GROUP, BOB, "/help")
    server.inject_message(GROUP, BOB, "/help@other_bot")
    server.inject_message(GROUP, BOB, "water please", reply_to_message_id=bot_message.message_id)
    seen = [u.message.text for u in await bot.get_updates()]
    assert seen == ["/help", "water please"]
    make_admin(server)
    update = server.inject_message(GROUP, BOB, "plain chatter again")
    assert (await bot.get_updates())[-1].update_id == update["update_id"]


async def test_chat_member_updates_need_allowed_updates(server: BotApiServer, bot: Bot) -> None:
    make_admin(server)
    server.inject_member_joined(GROUP, CAROL)
    (update,) = await bot.get_updates()
    assert [u.id for u in update.message.new_chat_members] == [CAROL]

    await bot.get_updates(offset=update.update_id + 1, allowed_updates=Update.ALL_TYPES)
    member_update, left_message = server.inject_member_left(GROUP, CAROL)
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [member_update["update_id"], left_message["update_id"]]
    change = updates[0].chat_member
    assert (change.old_chat_member.status, change.new_chat_member.status) == ("member", "left")
    assert updates[1].message.left_chat_member.id == CAROL


# ---------------------------------------------------------------- commands


async def test_commands_per_scope_and_language(server: BotApiServer, bot: Bot) -> None:
    default = [BotCommand("report", "Report an incident"), BotCommand("help", "How to use")]
    russian = [BotCommand("report", "Сообщить о происшествии")]
    moderators = [BotCommand("ban", "Ban a member")]
    assert await bot.set_my_commands(default)
    assert await bot.set_my_commands(
        russian, scope=BotCommandScopeAllGroupChats(), language_code="ru"
    )
    assert await bot.set_my_commands(
        moderators, scope=BotCommandScopeChatMember("@mutual_aid", ALICE)
    )

    assert await bot.get_my_commands() == tuple(default)
    assert await bot.get_my_commands(
        scope=BotCommandScopeAllGroupChats(), language_code="ru"
    ) == tuple(russian)
    assert await bot.get_my_commands(scope=BotCommandScopeAllGroupChats()) == ()
    assert server.commands[("default", "")][0] == {
        "command": "report",
        "description": "Report an incident",
    }
    assert server.commands[(f"chat_member:{GROUP}:{ALICE}", "")] == [
        {"command": "ban", "description": "Ban a member"}
    ]
    assert scope_key(BotCommandScopeChat(GROUP).to_dict()) == f"chat:{GROUP}"
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])
    assert await bot.delete_my_commands(scope=BotCommandScopeAllGroupChats(), language_code="ru")
    assert ("all_group_chats", "ru") not in server.commands


# ---------------------------------------------------------------- webhook


async def test_webhook_delivery_with_secret_and_retries(server: BotApiServer, bot: Bot) -> None:
    received: list[tuple[str | None, dict]] = []
    statuses = iter([500, 200, 200])

    async def receive(request: web.Request) -> web.Response:
        received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response(status=next(statuses))

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        server.user_starts_bot(ALICE)
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret_token-1")
        await wait_for(lambda: server.pending_updates == [])
        update = server.inject_message(ALICE, ALICE, "via webhook")
        await wait_for(lambda: len(received) == 3)
        assert [d.status for d in server.webhook_deliveries] == [500, 200, 200]
        assert {secret for secret, _ in received} == {"s3cret_token-1"}
        assert received[-1][1] == update
        info = await bot.get_webhook_info()
        assert info.url == f"http://127.0.0.1:{port}/hook"
        assert info.pending_update_count == 0
        assert (
            info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        )
        with pytest.raises(
            Conflict, match="(?i)can't use getUpdates method while webhook is active"
        ):
            await bot.get_updates()
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
        with pytest.raises(BadRequest, match="(?i)secret token contains unallowed characters"):
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="bad secret!")
    finally:
        await runner.cleanup()


# ---------------------------------------------------------------- python-telegram-bot Application


async def test_application_polling_round_trip(server: BotApiServer) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"Hello {update.effective_user.first_name}")

    app: Application = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        server.user_starts_bot(ALICE)
        await wait_for(lambda: server.sent)
        await app.updater.stop()
        await app.stop()
    assert (server.sent[0].chat_id, server.sent[0].text) == (ALICE, "Hello Alice")
    assert server.calls_to("deleteWebhook")  # PTB's polling bootstrap
    assert server.pending_updates == []  # PTB confirmed the update on shutdown


async def test_application_webhook_round_trip(server: BotApiServer) -> None:
    texts: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        texts.append(update.effective_message.text)

    app: Application = ApplicationBuilder().token(TOKEN).base_url(server.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, record))
    port = free_port()
    async with app:
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret",
        )
        await app.start()
        server.user_starts_bot(ALICE)
        server.inject_message(ALICE, ALICE, "need shelter")
        await wait_for(lambda: len(texts) == 2)
        await app.updater.stop()
        await app.stop()
    assert texts == ["/start", "need shelter"]
    assert {d.status for d in server.webhook_deliveries} == {200}
    assert server.calls_to("setWebhook")[0]["secret_token"] == "s3cret"


# ---------------------------------------------------------------- pins and held calls


async def test_pin_needs_the_right_in_groups(server: BotApiServer, bot: Bot) -> None:
    message = await bot.send_message(GROUP, "Water at the gate at 3 pm")
    with pytest.raises(BadRequest, match="(?i)not enough rights to pin"):
        await bot.pin_chat_message(GROUP, message.message_id)
    make_admin(server)
    assert await bot.pin_chat_message(GROUP, message.message_id)
    assert server.pinned[GROUP] == message.message_id
    with pytest.raises(BadRequest, match="(?i)message to pin not found"):
        await bot.pin_chat_message(GROUP, 999)


async def test_held_calls_wait_and_are_performed_or_dropped(server: BotApiServer, bot: Bot) -> None:
    server.hold("sendMessage")
    first = asyncio.ensure_future(bot.send_message(GROUP, "held"))
    await wait_for(lambda: server.held_calls == 1)
    assert server.sent == []
    server.release()
    assert (await first).text == "held"
    server.limits = Limits(per_chat_per_second=100)
    server.hold("sendMessage")
    second = asyncio.ensure_future(bot.send_message(GROUP, "dropped"))
    await wait_for(lambda: server.held_calls == 1)
    server.release(perform=False)
    with pytest.raises(NetworkError, match="dropped"):
        await second
    assert [r.text for r in server.sent] == ["held"]


async def test_a_basic_group_upgraded_to_a_supergroup_moves(server: BotApiServer, bot: Bot) -> None:
    server.add_chat(-5, "Building 2", type="group")
    server.add_member(-5, ALICE, "creator")
    server.add_member(-5, BOB)
    moved_out, moved_in = server.migrate_to_supergroup(-5, -1005, ALICE)
    assert moved_out["message"]["migrate_to_chat_id"] == -1005
    assert moved_out["message"]["chat"]["type"] == "group"
    assert moved_in["message"]["migrate_from_chat_id"] == -5
    assert moved_in["message"]["chat"] == {"id": -1005, "title": "Building 2", "type": "supergroup"}
    updates = await bot.get_updates()
    assert [u.message.migrate_to_chat_id for u in updates if u.message] == [-1005, None]
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-5, "still there?")
    assert migrated.value.new_chat_id == -1005
    sent = await bot.send_message(-1005, "hello")
    assert sent.chat.type == "supergroup"
    assert (await bot.get_chat_member(-1005, BOB)).status == "member"
