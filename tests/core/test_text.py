"""Text from a network made storable: what is dropped, what is replaced, what is kept."""

from __future__ import annotations

from pathlib import Path

from sanshe.core.actions import Reply
from sanshe.core.events import Callback, Message
from sanshe.core.text import storable, storable_event
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE


def test_controls_go_surrogates_are_replaced_lines_stay() -> None:
    assert storable("a\x00b\x07c\x1b[0m\x7f") == "abc[0m"
    assert storable("x\ud800y\udfff") == "x\ufffdy\ufffd"
    assert storable("第一行\n\t第二行\r\n") == "第一行\n\t第二行\r\n"
    assert storable("全角\u3000空格 ok") == "全角\u3000空格 ok"


def test_every_text_of_an_event_is_mended_and_a_clean_one_is_kept() -> None:
    clean = Message(
        network="t", chat="1", event_id="e", sender="u", text="你好\n", sender_name="李"
    )
    assert storable_event(clean) is clean
    dirty = Message(
        network="t",
        chat="1",
        event_id="e",
        sender="u",
        sender_name="Li\x00",
        text="/form a\x00b",
        attachments=("image\x00",),
    )
    mended = storable_event(dirty)
    assert (mended.text, mended.sender_name, mended.attachments) == ("/form ab", "Li", ("image",))
    pressed = storable_event(
        Callback(network="t", chat="1", event_id="e", sender="u", data="\ud83d")
    )
    assert pressed.data == "\ufffd"


def test_identifiers_stay_as_the_network_gave_them() -> None:
    event = Message(
        network="console",
        chat="n\x17b\x00",
        event_id="e\x01",
        sender="zhang\x7f",
        message_id="7\x02",
        reply_to="6\x03",
        text="/\ud800",
    )
    mended = storable_event(event)
    assert (mended.chat, mended.event_id, mended.sender) == ("n\x17b\ufffd", "e\x01", "zhang\x7f")
    assert (mended.message_id, mended.reply_to, mended.text) == ("7\x02", "6\x03", "/\ufffd")


async def test_an_identifier_no_database_stores_is_mended_on_every_backend(
    tmp_path: Path, db_url: str
) -> None:
    async with Sandbox(EXAMPLE, db_url=db_url) as s:
        [reply] = await s.send("ann\x00", "dm", "/whoami")
        assert isinstance(reply, Reply) and reply.chat == "dm:ann\ufffd"
        # No group: nothing to say, but handled (and so checkpointed) on every backend.
        assert await s.send("wang", "x\x00\ud800", "hello") == []
