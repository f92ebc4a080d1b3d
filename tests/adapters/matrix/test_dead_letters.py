"""On real Synapse: an event that fails every try is set aside, an admin is told, and replayed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sanshe.core.bot import Bot
from sanshe.core.events import Event, Message
from sanshe.core.storage.models import DeadLetter
from tests.conftest import sanshe
from tests.synapse.clients import MatrixUserFactory, sync_until
from tests.synapse.harness import Homeserver, RegisteredUser

from .conftest import (
    body,
    bot_joined,
    building,
    create_room,
    join,
    reply_of,
    running_bot,
    say,
    wait_event,
    write_community,
)


async def test_an_event_failing_every_try_is_set_aside_the_admin_told_and_replayed(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = await matrix_user("admin")
    resident = await matrix_user("resident")
    bot = bot_account.user_id
    room = await create_room(admin, [bot, resident.user_id], moderators=[bot])
    await join(resident, room)
    people = [
        {
            "id": "li",
            "name": "Li",
            "handles": {"matrix": admin.user_id},
            "roles": ["community_worker"],
        }
    ]
    config = write_community(
        tmp_path / "community.yaml", homeserver, bot_account, groups=[building(room)], people=people
    )
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["community"]["dead_letter_after"] = 2
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    db = tmp_path / "bot.sqlite3"

    fault = {"on": True, "tries": 0}
    handle = Bot.handle

    async def faulty(self: Bot, event: Event, writes: Any = None) -> Any:
        if fault["on"] and isinstance(event, Message) and event.text == "/help":
            fault["tries"] += 1
            raise RuntimeError("a fault core cannot isolate")
        return await handle(self, event, writes)

    monkeypatch.setattr(Bot, "handle", faulty)
    async with running_bot(config, db):
        await bot_joined(admin, room, bot)
        asked = await say(resident, room, "/help")

        private = await sync_until(admin, lambda r: next(iter(r.rooms.invite), None), timeout=30)
        await join(admin, private)
        note = await wait_event(
            admin,
            private,
            lambda e: e.sender == bot and "dead letter" in body(e),
            "the admin's note",
        )
        text = body(note)
        assert "dead letter 1: a message in the group “Building 1” on matrix" in text
        assert "tried 2 times (RuntimeError at " in text
        assert "`sanshe dead-letters --replay 1`" in text
        assert "/help" not in text and resident.user_id not in text
        assert fault["tries"] == 2
        letter = await DeadLetter.get(id=1)
        assert (letter.event_id, letter.chat, letter.tries) == (asked, room, 2)

        options = ["--config", str(tmp_path / "community.yaml"), "--db", f"sqlite://{db}"]
        code, out, err = await sanshe("dead-letters", *options)
        assert code == 0, err
        [row] = [line for line in out.splitlines() if line.startswith("1 ")]
        assert ["matrix", room, "message", "2"] == row.split()[3:7]
        assert "/help" not in out

        fault["on"] = False
        code, out, err = await sanshe("dead-letters", "--replay", "1", *options)
        assert code == 0, err
        assert "Dead letter 1 was handled again (1 action performed)" in out
        answer = await reply_of(resident, room, bot, asked, "the answer to /help, replayed")
        assert "/whoami" in body(answer)
        code, out, err = await sanshe("dead-letters", *options)
        assert out.strip() == "No dead letters: every event was handled."
        assert fault["tries"] == 2  # the running bot never tried it again
