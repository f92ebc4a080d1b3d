"""The ``adapters.matrix`` section of a community file, with secrets from the environment."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanshe.core.i18n import Catalogue, Translator, environment_locale

LOCALES = Path(__file__).parent / "locales"

TOKEN_VARIABLE = "SANSHE_MATRIX_ACCESS_TOKEN"
PASSWORD_VARIABLE = "SANSHE_MATRIX_PASSWORD"

KEYS = (
    "enabled",
    "homeserver",
    "user_id",
    "password",
    "access_token",
    "store_path",
    "device_name",
    "policy_room",
)


def terminal_text() -> Translator:
    """Texts for the person at the terminal (settings problems, provisioning progress)."""
    return Translator(Catalogue([LOCALES]), environment_locale())


@dataclass(frozen=True)
class MatrixSettings:
    """How to reach the homeserver and log in; secrets never appear in ``repr``."""

    homeserver: str
    user_id: str
    password: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    store_path: Path = Path("data/matrix")
    """Folder for the device and access token a password login obtained (kept private)."""
    device_name: str = "Sanshe"
    policy_room: str | None = None
    """The room (id or alias) of the community's ban list; None: ``#<community id>-bans``."""

    @property
    def server_name(self) -> str:
        """The server part of the bot's user id (``example.org`` of ``@bot:example.org``)."""
        return self.user_id.split(":", 1)[1]

    @classmethod
    def read(
        cls, settings: Mapping[str, Any], environ: Mapping[str, str] = os.environ
    ) -> MatrixSettings:
        """Check the YAML settings; ``SANSHE_MATRIX_ACCESS_TOKEN`` / ``_PASSWORD`` override secrets.

        Raises ``SystemExit`` with a sentence for the person at the terminal.
        """
        _ = terminal_text()
        for key in settings:
            if key not in KEYS:
                close = difflib.get_close_matches(str(key), KEYS, n=1)
                hint = _("matrix.settings.did_you_mean", name=close[0]) if close else ""
                raise SystemExit(_("matrix.settings.unknown_key", key=key, hint=hint))
        values = {k: v for k, v in settings.items() if k != "enabled" and v is not None}
        values["access_token"] = environ.get(TOKEN_VARIABLE) or values.get("access_token")
        values["password"] = environ.get(PASSWORD_VARIABLE) or values.get("password")
        for key in ("homeserver", "user_id"):
            if not isinstance(values.get(key), str) or not values[key].strip():
                raise SystemExit(_("matrix.settings.missing", key=key))
        homeserver = str(values["homeserver"]).strip().rstrip("/")
        if not homeserver.startswith(("http://", "https://")):
            raise SystemExit(_("matrix.settings.bad_homeserver", value=homeserver))
        user_id = str(values["user_id"]).strip()
        if not user_id.startswith("@") or ":" not in user_id:
            raise SystemExit(_("matrix.settings.bad_user_id", value=user_id))
        if not values["access_token"] and not values["password"]:
            raise SystemExit(
                _("matrix.settings.no_secret", token=TOKEN_VARIABLE, password=PASSWORD_VARIABLE)
            )
        return cls(
            homeserver=homeserver,
            user_id=user_id,
            password=str(values["password"]) if values["password"] else None,
            access_token=str(values["access_token"]) if values["access_token"] else None,
            store_path=Path(str(values.get("store_path", cls.store_path))).expanduser(),
            device_name=str(values.get("device_name", cls.device_name)),
            policy_room=_room(values.get("policy_room")),
        )


def _room(value: object) -> str | None:
    """A ``policy_room`` setting: a room id (``!…``) or alias (``#…:server``), or nothing."""
    if value is None or value == "":
        return None
    room = str(value).strip()
    if not room.startswith(("!", "#")) or ":" not in room:
        raise SystemExit(terminal_text()("matrix.settings.bad_room", key="policy_room", value=room))
    return room
