"""The Matrix adapter's parts that need no homeserver: settings, event conversion, room plans."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nio
import pytest

from sanshe.adapters.matrix import mutes, policy, redaction
from sanshe.adapters.matrix.adapter import MatrixAdapter, storage_key
from sanshe.adapters.matrix.buttons import KEYS, Offer, key_of, listed
from sanshe.adapters.matrix.convert import is_own_join, strip_reply_fallback, to_event
from sanshe.adapters.matrix.provision import creators_privileged, room_options
from sanshe.adapters.matrix.settings import LOCALES, MatrixSettings
from sanshe.core.actions import (
    AnswerButton,
    Button,
    Edit,
    Invite,
    Restrict,
    SendFile,
)
from sanshe.core.adapter import Backoff
from sanshe.core.events import (
    Callback,
    JoinRequest,
    MemberJoined,
    MemberLeft,
    MemberRenamed,
    Message,
)
from sanshe.core.i18n import Catalogue
from sanshe.core.model import Community

ME = "@bot:example.org"
ROOM = "!room:example.org"
BASE = {"homeserver": "https://matrix.example.org/", "user_id": ME}


# -- settings ------------------------------------------------------------------------------


def test_settings_take_secrets_from_the_environment_and_never_show_them() -> None:
    settings = MatrixSettings.read(
        {**BASE, "access_token": "from-file", "enabled": True},
        {"SANSHE_MATRIX_ACCESS_TOKEN": "from-env", "SANSHE_MATRIX_PASSWORD": "pw"},
    )
    assert settings.access_token == "from-env" and settings.password == "pw"
    assert settings.homeserver == "https://matrix.example.org"
    assert settings.server_name == "example.org"
    assert "from-env" not in repr(settings) and "pw" not in repr(settings)


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"user_id": ME, "password": "x"}, "“homeserver” is missing"),
        ({**BASE}, "SANSHE_MATRIX_ACCESS_TOKEN or SANSHE_MATRIX_PASSWORD"),
        ({**BASE, "acess_token": "x"}, "Did you mean “access_token”"),
        ({**BASE, "password": "x", "user_id": "bot"}, "@bot:example.org"),
        ({**BASE, "password": "x", "homeserver": "matrix.org"}, "https://"),
        ({**BASE, "password": "x", "policy_room": "bans"}, "policy_room must be a room id"),
    ],
)
def test_wrong_settings_are_refused_with_a_sentence(
    given: dict[str, Any], says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANSHE_LANG", "en")
    with pytest.raises(SystemExit, match=re.escape(says)):
        MatrixSettings.read(given, {})


def test_the_policy_room_is_the_setting_else_the_communitys_bans_alias() -> None:
    community = Community.model_validate({"community": {"id": "anzhen", "name": "Anzhen"}})
    plain = MatrixSettings.read({**BASE, "password": "x"}, {})
    assert plain.policy_room is None
    assert policy.address(plain, community) == "#anzhen-bans:example.org"
    named = MatrixSettings.read({**BASE, "password": "x", "policy_room": "!bans:example.org"}, {})
    assert policy.address(named, community) == "!bans:example.org"
    assert policy.ban_rule("@spam:example.org", "scam links") == {
        "entity": "@spam:example.org",
        "recommendation": "m.ban",
        "reason": "scam links",
    }
    assert policy.rule_key("@spam:example.org") == "rule:@spam:example.org"


# -- mutes -----------------------------------------------------------------------------------

ANN = "@ann:example.org"


@pytest.mark.parametrize(
    ("levels", "posting", "muted_at"),
    [
        ({}, 0, -1),
        ({"events_default": 0, "users": {ME: 100}}, 0, -1),
        ({"events_default": 10, "events": {"m.reaction": 5}}, 5, 4),
        ({"events_default": "20"}, 20, 19),
        ({"events_default": 50, "events": {"m.room.message": 0, "m.sticker": 0}}, 0, -1),
    ],
)
def test_a_mute_lists_the_person_one_below_what_any_post_needs(
    levels: dict[str, Any], posting: int, muted_at: int
) -> None:
    assert mutes.posting_level(levels) == posting
    after = mutes.muted(levels, ANN)
    assert after["users"][ANN] == muted_at
    assert mutes.level_of(after, ANN) < mutes.posting_level(after)
    assert {k: v for k, v in after.items() if k != "users"} == {
        k: v for k, v in levels.items() if k != "users"
    }
    assert levels.get("users", {}).get(ANN) is None  # the room's levels are not changed


def test_a_persons_level_is_their_own_else_the_rooms_default() -> None:
    levels = {"users_default": 5, "users": {ME: 100}}
    assert mutes.level_of(levels, ME) == 100 and mutes.level_of(levels, ANN) == 5


class History:
    """A room's history as ``/messages`` gives it backwards, two events a page (a fake client)."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events  # newest first
        self.asked: list[str | None] = []

    async def room_messages(
        self, room_id: str, start: str | None = None, **options: Any
    ) -> nio.RoomMessagesResponse:
        assert options["message_filter"] == {"senders": [ANN]}
        self.asked.append(start)
        at = int(start or 0)
        chunk = [nio.UnknownEvent.from_dict(e) for e in self.events[at : at + 2]]
        end = str(at + 2) if at + 2 < len(self.events) else None
        return nio.RoomMessagesResponse(room_id, chunk, start or "", end)


def post(event_id: str, hours_ago: float, **fields: Any) -> dict[str, Any]:
    ms = int((NOW - hours_ago * 3600) * 1000)
    return event(event_id=event_id, type="m.reaction", origin_server_ts=ms, **fields)


NOW = 1_800_000_000.0


async def test_recent_posts_are_read_back_page_by_page_until_one_is_older_than_the_span() -> None:
    history = History(
        [
            post("$new", 1),
            post("$join", 2, state_key=ANN),
            post("$gone", 3, unsigned={"redacted_because": {}}),
            post("$day", 23),
            post("$old", 25),
            post("$older", 30),
        ]
    )
    found = await redaction.recent_posts(history, ROOM, ANN, 24, now=NOW)  # type: ignore[arg-type]
    assert found == ["$new", "$day"]
    assert history.asked == [None, "2", "4"]  # it stopped at the first older than 24 h


def test_only_posts_not_yet_redacted_are_taken_back() -> None:
    assert redaction.is_post({"type": "m.room.message"})
    assert redaction.is_post({"type": "m.reaction"})
    assert not redaction.is_post({"type": "m.room.member", "state_key": ANN})
    assert not redaction.is_post({"type": "m.room.redaction"})
    assert not redaction.is_post({"type": "m.room.message", "unsigned": {"redacted_because": {}}})


# -- events in -------------------------------------------------------------------------------


def event(**fields: Any) -> dict[str, Any]:
    return {
        "event_id": "$e",
        "sender": "@ann:example.org",
        "origin_server_ts": 1_700_000_000_000,
        **fields,
    }


def message(content: dict[str, Any]) -> dict[str, Any]:
    return event(type="m.room.message", content=content)


def member(membership: str, before: str | None = None, **content: Any) -> dict[str, Any]:
    source = event(
        type="m.room.member",
        state_key="@ann:example.org",
        content={"membership": membership, **content},
    )
    if before is not None:
        source["unsigned"] = {"prev_content": {"membership": before, "displayname": "Ann"}}
    return source


def convert(source: dict[str, Any], direct: bool = False) -> Any:
    return to_event(source, ROOM, ME, direct, lambda user: "Ann")


def test_a_text_message_becomes_a_message() -> None:
    found = convert(message({"msgtype": "m.text", "body": "/help"}))
    assert found == Message(
        network="matrix",
        chat=ROOM,
        event_id="$e",
        sender="@ann:example.org",
        sender_name="Ann",
        time=1_700_000_000.0,
        text="/help",
        message_id="$e",
    )


def test_a_reply_loses_its_quoted_fallback() -> None:
    found = convert(
        message(
            {
                "msgtype": "m.text",
                "body": "> <@bot:example.org> which group?\n> second line\n\n/bind building-1",
                "m.relates_to": {"m.in_reply_to": {"event_id": "$asked"}},
            }
        )
    )
    assert found.text == "/bind building-1" and found.reply_to == "$asked"
    assert strip_reply_fallback("no quote") == "no quote"


def test_a_reply_names_who_sent_the_message_answered_unless_the_bot() -> None:
    authors = {"$asked": "@bob:example.org", "$bots": ME}

    def replying(relates: dict[str, Any]) -> tuple[str | None, str | None]:
        source = message({"msgtype": "m.text", "body": "/mute", "m.relates_to": relates})
        found = to_event(source, ROOM, ME, False, lambda user: "Ann", author_of=authors.get)
        return found.reply_to, found.reply_to_sender

    assert replying({"m.in_reply_to": {"event_id": "$asked"}}) == ("$asked", "@bob:example.org")
    assert replying({"m.in_reply_to": {"event_id": "$bots"}}) == ("$bots", None)
    assert replying({"m.in_reply_to": {"event_id": "$gone"}}) == ("$gone", None)  # unknown
    # In a thread, m.in_reply_to is a fallback for clients without threads unless it is real.
    thread = {"rel_type": "m.thread", "event_id": "$root"}
    fallback = {**thread, "is_falling_back": True, "m.in_reply_to": {"event_id": "$asked"}}
    assert replying(fallback) == (None, None)
    in_thread = {**thread, "is_falling_back": False, "m.in_reply_to": {"event_id": "$asked"}}
    assert replying(in_thread) == ("$asked", "@bob:example.org")


def test_attachments_carry_their_kind_and_caption() -> None:
    image = convert(message({"msgtype": "m.image", "body": "photo.jpg", "url": "mxc://x/y"}))
    assert image.attachments == ("image",) and image.text == ""
    captioned = convert(
        message({"msgtype": "m.file", "body": "my form", "filename": "form.pdf", "url": "mxc://x"})
    )
    assert captioned.attachments == ("file",) and captioned.text == "my form"


def edit(body: str, target: str = "$asked", sender: str = "@bob:example.org") -> dict[str, Any]:
    """``sender``'s edit of ``target`` to ``body``, as clients send it (a ``*`` fallback)."""
    new = {"msgtype": "m.text", "body": body}
    relates = {"rel_type": "m.replace", "event_id": target}
    content = {
        "msgtype": "m.text",
        "body": f"* {body}",
        "m.new_content": new,
        "m.relates_to": relates,
    }
    return {**message(content), "event_id": "$edit", "sender": sender}


def test_an_edit_is_a_message_with_the_new_text_standing_for_the_one_it_replaces() -> None:
    authors = {"$asked": "@bob:example.org"}.get

    def edited(source: dict[str, Any], direct: bool = False) -> Any:
        return to_event(source, ROOM, ME, direct, lambda user: "Bob", author_of=authors)

    found = edited(edit("call me on 138 0013 8000"))
    assert isinstance(found, Message)
    assert (found.text, found.message_id, found.event_id) == (
        "call me on 138 0013 8000",
        "$asked",
        "$edit",
    )
    # Clients show no edit of someone else's message: it stands for itself alone.
    stranger = edited(edit("138 0013 8000", sender="@eve:example.org"))
    assert isinstance(stranger, Message) and stranger.message_id == "$edit"
    assert edited(edit("/warn @ann")) is None  # a command ran when first sent
    assert edited(edit("my answer"), direct=True) is None  # a form's answer stays as given
    assert edited({**edit("mine"), "sender": ME}) is None


@pytest.mark.parametrize(
    "source",
    [
        message({"msgtype": "m.notice", "body": "another bot"}),
        message(
            {"msgtype": "m.text", "body": "* fixed", "m.relates_to": {"rel_type": "m.replace"}}
        ),
        {**message({"msgtype": "m.text", "body": "mine"}), "sender": ME},
        event(type="m.reaction", content={}),
        member("leave", "knock"),  # a knock taken back
        member("invite"),
    ],
)
def test_what_core_has_no_use_for_is_skipped(source: dict[str, Any]) -> None:
    assert convert(source) is None


def test_membership_changes() -> None:
    knock = convert(member("knock", reason="I live in 1-302"))
    assert isinstance(knock, JoinRequest) and knock.note == "I live in 1-302"
    joined = convert(member("join", "invite", displayname="Ann"))
    assert isinstance(joined, MemberJoined) and joined.sender_name == "Ann"
    renamed = convert(member("join", "join", displayname="1-302自住"))
    assert isinstance(renamed, MemberRenamed)
    assert (renamed.sender_name, renamed.old_name) == ("1-302自住", "Ann")
    assert convert(member("join", "join", displayname="Ann")) is None  # avatar change
    left = convert(member("leave", "join"))
    assert isinstance(left, MemberLeft) and left.sender_name == "Ann"
    assert isinstance(convert(member("ban", "join")), MemberLeft)
    kicked = convert({**member("leave", "join"), "sender": "@admin:example.org"})
    assert isinstance(kicked, MemberLeft) and kicked.sender == "@ann:example.org"
    assert convert(member("join", "invite"), direct=True) is None


def react(key: str, target: str = "$offer", sender: str = "@ann:example.org") -> dict[str, Any]:
    relates = {"rel_type": "m.annotation", "event_id": target, "key": key}
    return {**event(type="m.reaction", content={"m.relates_to": relates}), "sender": sender}


def offered(message_id: str, key: str) -> str | None:
    """The bot's message ``$offer`` offers two buttons."""
    if message_id != "$offer":
        return None
    return {KEYS[0]: "poll.vote|yes", KEYS[1]: "poll.vote|no"}.get(key)


def test_a_reaction_with_a_buttons_key_is_its_press() -> None:
    pressed = to_event(react("2️⃣"), ROOM, ME, False, lambda user: "Ann", offered)
    assert pressed == Callback(
        network="matrix",
        chat=ROOM,
        event_id="$e",
        sender="@ann:example.org",
        sender_name="Ann",
        time=1_700_000_000.0,
        data="poll.vote|no",
        message_id="$offer",
        callback_id="$e",
    )
    # Some clients leave out the emoji presentation selector of a keycap.
    bare = to_event(react("1\u20e3"), ROOM, ME, True, lambda user: "Ann", offered)
    assert isinstance(bare, Callback) and bare.data == "poll.vote|yes" and bare.direct


@pytest.mark.parametrize(
    "source",
    [
        react("👍"),  # not a button key
        react("3️⃣"),  # a key the message does not offer
        react("1️⃣", target="$other"),  # on another message
        react("1️⃣", sender=ME),  # the bot's own reaction showing the key
        event(type="m.reaction", content={"m.relates_to": {"rel_type": "m.reference"}}),
    ],
)
def test_other_reactions_are_not_presses(source: dict[str, Any]) -> None:
    assert to_event(source, ROOM, ME, False, lambda user: "Ann", offered) is None


def test_buttons_are_listed_under_the_text_with_their_keys() -> None:
    buttons = [Button("Yes", "poll.vote|yes"), Button("No", "poll.vote|no")]
    assert listed("Come on Sunday?", buttons) == "Come on Sunday?\n1️⃣ Yes\n2️⃣ No"
    assert listed("no buttons", []) == "no buttons"
    assert len(set(KEYS)) == len(KEYS) == 36 and all(key_of(k) == k for k in KEYS)
    assert not any(k.isdigit() for k in KEYS)  # a bare number is a form's answer
    # Beyond 36, the buttons are still shown, as lines without a key (they cannot be pressed).
    many = [Button(f"Room {n}", f"x.y|{n}") for n in range(1, 39)]
    lines = listed("Which room?", many).split("\n")
    assert lines[0] == "Which room?" and len(lines) == 39
    assert lines[36] == f"{KEYS[35]} Room 36"
    assert lines[37:] == ["- Room 37", "- Room 38"]
    assert list(Offer.of(many).buttons) == list(KEYS)
    offer = Offer.of(buttons)
    offer.reactions[KEYS[0]] = "$r1"
    assert Offer.from_json(offer.to_json()) == offer
    assert Offer.of(buttons[:1], offer).reactions == {KEYS[0]: "$r1"}
    assert Offer.from_json(None) == Offer()


def test_the_adapter_performs_what_it_has_a_method_for() -> None:
    able = MatrixAdapter.capabilities
    assert {Edit, AnswerButton, SendFile, Invite, Restrict} <= able
    assert sorted(a.__name__ for a in able) == [
        "AnswerButton",
        "ApproveJoin",
        "Ban",
        "CreateGroup",
        "DeclineJoin",
        "Delete",
        "DeleteRecent",
        "DirectMessage",
        "Edit",
        "Invite",
        "Pin",
        "PublishBan",
        "Remove",
        "Reply",
        "Restrict",
        "Send",
        "SendFile",
        "Unban",
        "Unrestrict",
        "WithdrawBan",
    ]


def test_the_bots_own_join_is_recognised() -> None:
    own = {**member("join", "invite"), "state_key": ME}
    assert is_own_join(own, ME)
    assert not is_own_join({**member("join", "join"), "state_key": ME}, ME)
    assert not is_own_join(member("join", "invite"), ME)


# -- the rest ---------------------------------------------------------------------------------


def test_room_plans_follow_the_room_version() -> None:
    assert creators_privileged("12") and creators_privileged("org.matrix.hydra.11")
    assert not creators_privileged("11") and not creators_privileged("10")
    common = {
        "name": "B1",
        "topic": "",
        "join_approval": True,
        "moderators": ["@a:x", ME],
        "me": ME,
    }
    modern = room_options(**common, privileged=True)
    assert modern["power_level_override"]["users"] == {"@a:x": 50}
    assert modern["initial_state"][0]["content"] == {"join_rule": "knock"}
    older = room_options(**common, privileged=False)
    assert older["power_level_override"]["users"] == {"@a:x": 50, ME: 100}


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(1, 5)
    assert [backoff.delay() for _ in range(5)] == [1, 2, 4, 5, 5]
    backoff.reset()
    assert backoff.delay() == 1 and backoff.failures == 1


def test_state_keys_fit_their_column() -> None:
    assert storage_key("dm:", "@ann:example.org") == "dm:@ann:example.org"
    long = storage_key("dm:", "@" + "a" * 200 + ":example.org")
    assert len(long) <= 64 and long.startswith("dm:#")


def test_catalogues_have_both_languages_and_every_key_used() -> None:
    catalogue = Catalogue([LOCALES])
    en, zh = catalogue.keys("en"), catalogue.keys("zh_CN")
    assert en == zh, en ^ zh
    for key in en:
        fields = {
            frozenset(re.findall(r"\{(\w+)\}", catalogue.gettext(locale, key)))
            for locale in ("en", "zh_CN")
        }
        assert len(fields) == 1, key
    used: set[str] = set()
    for path in Path(LOCALES).parent.glob("*.py"):
        used.update(re.findall(r"""["'](matrix\.[a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    assert used and used <= en, used - en
