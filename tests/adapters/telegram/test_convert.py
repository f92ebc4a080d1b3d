"""Bot API JSON to core events, without the network (the e2e tests cover the same path live)."""

from __future__ import annotations

from typing import Any

from sanshe.adapters.telegram.convert import chat_of, to_event
from sanshe.core.events import Callback, JoinRequest, MemberJoined, MemberLeft, Message
from sanshe.core.privacy import personal_data

GROUP = {"id": -1001, "type": "supergroup", "title": "1号楼"}
PRIVATE = {"id": 42, "type": "private", "first_name": "Ann"}
ANN = {"id": 42, "is_bot": False, "first_name": "Ann", "last_name": "Li", "language_code": "en"}


def message(chat: dict[str, Any] = GROUP, **fields: Any) -> dict[str, Any]:
    return {"message_id": 7, "date": 1_790_000_000, "chat": chat, "from": ANN, **fields}


def update(**kinds: Any) -> dict[str, Any]:
    return {"update_id": 900, **kinds}


def test_a_group_message_becomes_a_message_event() -> None:
    event = to_event(update(message=message(text="hi", reply_to_message=message())), "sanshe_bot")
    assert event == Message(
        network="telegram",
        chat="-1001",
        event_id="900",
        direct=False,
        time=1_790_000_000.0,
        text="hi",
        message_id="7",
        reply_to="7",
        reply_to_sender="42",
        sender="42",
        sender_name="Ann Li",
        language="en",
    )
    private = to_event(update(message=message(PRIVATE, text="hi")), "sanshe_bot")
    assert isinstance(private, Message) and private.direct and private.chat == "42"


BEN = {"id": 43, "is_bot": False, "first_name": "Ben"}
BOT = {"id": 4242, "is_bot": True, "first_name": "Sanshe", "username": "Sanshe_Bot"}


def test_a_reply_names_the_person_answered_but_not_the_bot_a_chat_or_a_topic() -> None:
    def answered(reply: dict[str, Any], **fields: Any) -> tuple[str | None, str | None]:
        replying = message(text="/mute 2h", reply_to_message=reply, **fields)
        event = to_event(update(message=replying), "sanshe_bot")
        assert isinstance(event, Message)
        return event.reply_to, event.reply_to_sender

    assert answered({**message(), "message_id": 5, "from": BEN}) == ("5", "43")
    assert answered({**message(), "from": BOT}) == ("7", None)  # the bot's own message
    other_bot = {**BOT, "id": 99, "username": "other_bot"}
    assert answered({**message(), "from": other_bot}) == ("7", "99")
    # Sent on behalf of a chat (an anonymous admin, a linked channel's post): no person.
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group"}
    on_behalf = {**message(), "from": anonymous, "sender_chat": GROUP}
    assert answered(on_behalf) == ("7", None)
    channel_post = message()
    del channel_post["from"]
    assert answered(channel_post) == ("7", None)
    # In a forum topic every message "answers" the topic's first message: not a reply.
    root = {**message(), "message_id": 3, "from": BEN, "forum_topic_created": {"name": "t"}}
    in_topic = {"is_topic_message": True, "message_thread_id": 3}
    assert answered(root, **in_topic) == (None, None)
    assert answered({**message(), "message_id": 3, "from": BEN}, **in_topic) == (None, None)
    in_topic_reply = {**message(), "message_id": 5, "from": BEN, "message_thread_id": 3}
    assert answered(in_topic_reply, **in_topic) == ("5", "43")


def test_attachments_and_captions() -> None:
    photo = to_event(update(message=message(photo=[{}], caption="看这个")), "b")
    assert isinstance(photo, Message)
    assert (photo.text, photo.attachments) == ("看这个", ("image",))
    location = to_event(update(message=message(location={})), "b")
    assert isinstance(location, Message) and location.attachments == ("location",)


def test_a_shared_contact_or_venue_is_text_the_privacy_guard_reads() -> None:
    card = {"phone_number": "8613812345678", "first_name": "Li"}
    contact = to_event(update(message=message(contact=card)), "b")
    assert isinstance(contact, Message)
    assert (contact.text, contact.attachments) == ("+8613812345678", ("contact",))
    assert personal_data(contact.text) == ("phone",)
    spaced = to_event(update(message=message(contact={"phone_number": "+86 138 1234 5678"})), "b")
    assert isinstance(spaced, Message) and personal_data(spaced.text) == ("phone",)
    place = {"location": {}, "title": "阳光小区", "address": "新华路12号5栋2单元302"}
    venue = to_event(update(message=message(venue=place, location={})), "b")
    assert isinstance(venue, Message) and "location" in venue.attachments
    assert venue.text == "阳光小区 新华路12号5栋2单元302"
    assert personal_data(venue.text, ["address"]) == ("address",)


def test_what_is_not_an_event() -> None:
    assert to_event(update(message=message(new_chat_title="x")), "b") is None  # service message
    channel = message(text="news")
    del channel["from"]
    assert to_event(update(message=channel), "b") is None
    assert to_event(update(message=message(text="/help@other_bot")), "sanshe_bot") is None
    assert to_event(update(edited_message=message(text="/help")), "b") is None
    assert to_event(update(edited_message=message(PRIVATE, text="my answer")), "b") is None
    assert to_event(update(poll={"id": "1"}), "b") is None
    assert to_event(update(callback_query={"id": "q", "from": ANN, "data": "x"}), "b") is None


def test_commands_to_this_bot_and_group_edits_are_events() -> None:
    command = to_event(update(message=message(text="/help@Sanshe_Bot rules")), "sanshe_bot")
    assert isinstance(command, Message) and command.text == "/help@Sanshe_Bot rules"
    edited = to_event(update(edited_message=message(text="偏方")), "b")
    assert isinstance(edited, Message) and edited.text == "偏方"


def test_callbacks_join_requests_and_member_changes() -> None:
    query = {"id": "q", "from": ANN, "message": message(PRIVATE, text="?"), "data": "ok"}
    callback = to_event(update(callback_query=query), "b")
    assert isinstance(callback, Callback)
    assert (
        callback.data,
        callback.chat,
        callback.direct,
        callback.message_id,
        callback.callback_id,
    ) == ("ok", "42", True, "7", "q")
    request = {"chat": GROUP, "from": ANN, "user_chat_id": 42, "date": 5, "bio": "1-302"}
    join_request = to_event(update(chat_join_request=request), "b")
    assert isinstance(join_request, JoinRequest) and join_request.note == "1-302"

    def change(old: dict[str, Any], new: dict[str, Any]) -> Any:
        member = {"chat": GROUP, "from": ANN, "date": 5}
        return to_event(
            update(
                chat_member={
                    **member,
                    "old_chat_member": {"user": ANN, **old},
                    "new_chat_member": {"user": ANN, **new},
                }
            ),
            "b",
        )

    assert isinstance(change({"status": "left"}, {"status": "member"}), MemberJoined)
    assert isinstance(change({"status": "member"}, {"status": "kicked"}), MemberLeft)
    muted_member = {"status": "restricted", "is_member": True}
    assert change({"status": "member"}, muted_member) is None
    assert change({"status": "member"}, {"status": "administrator"}) is None
    assert isinstance(
        change(muted_member, {"status": "restricted", "is_member": False}), MemberLeft
    )


def test_chat_of_finds_the_chat_of_each_kind() -> None:
    assert chat_of(update(message=message())) == GROUP
    assert chat_of(update(callback_query={"id": "q", "message": message(PRIVATE)})) == PRIVATE
    assert chat_of(update(chat_join_request={"chat": GROUP})) == GROUP
    assert chat_of(update(callback_query={"id": "q"})) is None


def test_a_reply_carries_the_text_answered_and_a_forward_its_channel() -> None:
    reply = message(text="/report", reply_to_message=message(caption="内部消息：明天封楼"))
    event = to_event(update(message=reply), "sanshe_bot")
    assert isinstance(event, Message) and event.reply_to_text == "内部消息：明天封楼"
    channel = {"id": -100500, "type": "channel", "title": "人民日报", "username": "rmrb"}
    origin = {"type": "channel", "chat": channel, "message_id": 3, "date": 1_790_000_000}
    forwarded = to_event(update(message=message(text="通知", forward_origin=origin)), "sanshe_bot")
    assert isinstance(forwarded, Message) and forwarded.forwarded_from == "rmrb"
    user = {"type": "user", "sender_user": BEN, "date": 1_790_000_000}
    from_a_person = to_event(
        update(message=message(text="通知", forward_origin=user)), "sanshe_bot"
    )
    assert isinstance(from_a_person, Message) and from_a_person.forwarded_from == ""
