"""``sanshe provision --network matrix`` against a real Synapse, run as the real command."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import uuid
from pathlib import Path
from typing import Any

import nio
import yaml

from tests.synapse.clients import MatrixUserFactory
from tests.synapse.harness import Homeserver, RegisteredUser

from .conftest import BOT_PASSWORD, write_community


async def sanshe(*args: str, timeout: float = 90.0) -> tuple[int, str]:
    """Run the ``sanshe`` command; return its exit code and what it printed."""
    env = {**os.environ, "SANSHE_MATRIX_PASSWORD": BOT_PASSWORD, "SANSHE_LANG": "en"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sanshe.core.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        raise AssertionError(f"sanshe {' '.join(args)} did not finish within {timeout} s") from None
    return process.returncode or 0, output.decode()


def bindings(db: Path) -> dict[str, str]:
    """Group id -> room id, as provisioning stored them."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT group_id, chat FROM chat_binding WHERE network='matrix'")
        return dict(rows.fetchall())


async def state(client: nio.AsyncClient, room: str, kind: str) -> dict[str, Any]:
    answer = await client.room_get_state_event(room, kind)
    assert isinstance(answer, nio.RoomGetStateEventResponse), answer
    return answer.content


async def invited(client: nio.AsyncClient) -> set[str]:
    answer = await client.sync(timeout=0)
    assert isinstance(answer, nio.SyncResponse), answer
    return set(answer.rooms.invite)


async def test_provision_creates_missing_rooms_once(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
) -> None:
    grid = await matrix_user("grid")
    social = await matrix_user("social")
    medic = await matrix_user("medic")
    alias = f"#prevention-{uuid.uuid4().hex[:6]}:{homeserver.server_name}"
    groups = [
        {
            "id": "building-1",
            "kind": "resident",
            "name": "Building 1",
            "purpose": {"en": "Households of building 1", "zh_CN": "1号楼住户"},
            "join_approval": True,
            "administered_by": ["grid_worker", "building_leader"],
        },
        {
            "id": "focus-1",
            "kind": "focus_service",
            "name": "Focus service",
            "join_approval": False,
            "administered_by": ["social_worker"],
        },
        {
            "id": "prevention",
            "kind": "prevention_work",
            "name": "Prevention work",
            "administered_by": ["community_worker"],
            "chats": {"matrix": alias},
        },
    ]
    people = [
        {
            "id": "zhao",
            "handles": {"matrix": grid.user_id},
            "roles": [{"role": "grid_worker", "groups": ["building-1"]}],
        },
        {"id": "wang", "handles": {"matrix": social.user_id}, "roles": ["social_worker"]},
        {
            "id": "sun",
            "handles": {"matrix": medic.user_id},
            "roles": [{"role": "medical_volunteer", "groups": ["focus-1"]}],
        },
    ]
    config = write_community(
        tmp_path / "community.yaml",
        homeserver,
        bot_account,
        groups=groups,
        people=people,
        adapter={"access_token": None},  # the password comes from SANSHE_MATRIX_PASSWORD
    )
    db = tmp_path / "sanshe.sqlite3"
    command = (
        "provision",
        "--network",
        "matrix",
        "--config",
        str(config),
        "--db",
        f"sqlite://{db}",
    )

    code, output = await sanshe(*command)
    assert code == 0, output
    rooms = bindings(db)
    assert set(rooms) == {"building-1", "focus-1", "prevention"}, output
    for group_id, room in rooms.items():
        assert f"{group_id}: created room {room}." in output
    assert BOT_PASSWORD not in output

    bot = nio.AsyncClient(homeserver.url, bot_account.user_id)
    bot.restore_login(bot_account.user_id, bot_account.device_id, bot_account.access_token)
    try:
        building, focus = rooms["building-1"], rooms["focus-1"]
        assert (await state(bot, building, "m.room.join_rules"))["join_rule"] == "knock"
        assert (await state(bot, focus, "m.room.join_rules"))["join_rule"] == "invite"
        assert (await state(bot, building, "m.room.name"))["name"] == "Building 1"
        assert (await state(bot, building, "m.room.topic"))["topic"] == "Households of building 1"
        assert (await state(bot, building, "m.room.create"))["room_version"] == "12"
        levels = await state(bot, building, "m.room.power_levels")
        assert levels["users"] == {grid.user_id: 50}  # the bot is creator: not listed
        assert levels["invite"] == levels["kick"] == levels["ban"] == 50
        assert (await state(bot, focus, "m.room.power_levels"))["users"] == {social.user_id: 50}
        resolved = await bot.room_resolve_alias(alias)
        assert isinstance(resolved, nio.RoomResolveAliasResponse), resolved
        assert resolved.room_id == rooms["prevention"]
        assert await invited(grid) == {building}
        assert await invited(social) == set(rooms.values())  # community-wide: every group
        assert await invited(medic) == {focus}

        code, output = await sanshe(*command)
        assert code == 0, output
        assert "Nothing to change" in output
        assert bindings(db) == rooms

        # A new building leader in the file: the next run makes them a moderator, nothing else.
        leader = await matrix_user("leader")
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["people"].append(
            {
                "id": "chen",
                "handles": {"matrix": leader.user_id},
                "roles": [{"role": "building_leader", "groups": ["building-1"]}],
            }
        )
        config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        code, output = await sanshe(*command)
        assert code == 0, output
        assert f"{leader.user_id} can now moderate" in output
        assert bindings(db) == rooms
        levels = await state(bot, building, "m.room.power_levels")
        assert levels["users"] == {grid.user_id: 50, leader.user_id: 50}
    finally:
        await bot.close()
