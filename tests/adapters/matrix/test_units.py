"""The Matrix adapter's parts that need no homeserver: settings, event conversion, room plans."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from sanshe.adapters.matrix.adapter import storage_key
from sanshe.adapters.matrix.convert import is_own_join, strip_reply_fallback, to_event
from sanshe.adapters.matrix.provision import creators_privileged, room_options
from sanshe.adapters.matrix.settings import LOCALES, MatrixSettings
from sanshe.core.adapter import Backoff
from sanshe.core.events import JoinRequest, MemberJoined, MemberLeft, MemberRenamed, Message
from sanshe.core.i18n import Catalogue

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
    ],
)
def test_wrong_settings_are_refused_with_a_sentence(
    given: dict[str, Any], says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANSHE_LANG", "en")
    with pytest.raises(SystemExit, match=re.escape(says)):
        MatrixSettings.read(given, {})


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


def test_attachments_carry_their_kind_and_caption() -> None:
    image = convert(message({"msgtype": "m.image", "body": "photo.jpg", "url": "mxc://x/y"}))
    assert image.attachments == ("image",) and image.text == ""
    captioned = convert(
        message({"msgtype": "m.file", "body": "my form", "filename": "form.pdf", "url": "mxc://x"})
    )
    assert captioned.attachments == ("file",) and captioned.text == "my form"


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
    assert convert(member("join", "invite"), direct=True) is None


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
