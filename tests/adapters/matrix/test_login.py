"""Logging in: by password with the session kept in ``store_path``, secrets never logged."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest

from tests.synapse.clients import MatrixUserFactory
from tests.synapse.harness import Homeserver, RegisteredUser

from .conftest import (
    BOT_PASSWORD,
    bot_joined,
    create_room,
    join,
    reply_of,
    running_bot,
    say,
    write_community,
)


async def test_password_login_keeps_its_device_and_logs_no_secret(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = await matrix_user("admin")
    resident = await matrix_user("resident")
    room = await create_room(admin, [bot_account.user_id, resident.user_id])
    await join(resident, room)
    config = write_community(
        tmp_path / "community.yaml",
        homeserver,
        bot_account,
        groups=[{"id": "building-1", "kind": "resident", "name": "B1", "chats": {"matrix": room}}],
        people=[{"id": "zhao", "handles": {"matrix": admin.user_id}, "roles": ["grid_worker"]}],
        adapter={"access_token": None, "password": BOT_PASSWORD},
    )
    session = tmp_path / "matrix-store" / "session.json"
    async with running_bot(config, tmp_path / "bot.sqlite3"):
        await bot_joined(admin, room, bot_account.user_id)
        sent = await say(resident, room, "ping 1")
        await reply_of(resident, room, bot_account.user_id, sent, "the answer to ping 1")
    first = json.loads(session.read_text())
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    assert first["device_id"] != bot_account.device_id  # a device of its own

    async with running_bot(config, tmp_path / "bot.sqlite3"):
        sent = await say(resident, room, "ping 2")
        await reply_of(resident, room, bot_account.user_id, sent, "the answer to ping 2")
    assert json.loads(session.read_text()) == first  # the same device and token again

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "logged in to" in logged
    for secret in (BOT_PASSWORD, first["access_token"], bot_account.access_token):
        assert secret not in logged


def test_refused_credentials_stop_sanshe_run_with_a_sentence(
    tmp_path: Path, homeserver: Homeserver, bot_account: RegisteredUser
) -> None:
    import os
    import subprocess
    import sys

    config = write_community(
        tmp_path / "community.yaml",
        homeserver,
        bot_account,
        adapter={"access_token": None, "password": None},
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sanshe.core.cli",
            "run",
            "--config",
            str(config),
            "--db",
            f"sqlite://{tmp_path}/x.sqlite3",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SANSHE_MATRIX_PASSWORD": "not-the-password", "SANSHE_LANG": "en"},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"refused the password of {bot_account.user_id}" in result.stderr
    assert "check SANSHE_MATRIX_PASSWORD or adapters.matrix.password." in result.stderr
    assert "not-the-password" not in result.stderr
