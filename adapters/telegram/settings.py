"""The ``adapters.telegram`` section of a community's YAML, checked when the bot starts."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from sanshe.core.i18n import CORE_LOCALES, Catalogue, Translator, environment_locale

LOCALES = Path(__file__).parent / "locales"

TOKEN_ENV = "SANSHE_TELEGRAM_TOKEN"
SECRET_ENV = "SANSHE_TELEGRAM_WEBHOOK_SECRET"


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Limits(_Section):
    """Telegram's flood limits; the bot keeps ``margin`` below them.

    ``second`` and ``minute`` are the lengths of the two windows (tests shrink them).
    """

    global_per_second: float = Field(30, gt=0)
    per_chat_per_second: float = Field(1, gt=0)
    per_group_per_minute: int = Field(20, ge=1)
    second: float = Field(1.0, gt=0)
    minute: float = Field(60.0, gt=0)
    margin: float = Field(0.05, ge=0, lt=0.5)


class Webhook(_Section):
    """Where Telegram posts updates in webhook mode, and where the bot listens for them."""

    url: str = Field(pattern=r"^https?://")
    listen: str = "0.0.0.0"
    port: int = Field(8443, ge=1, le=65535)
    path: str | None = None
    """Path served; by default the path of ``url``."""
    secret_token: SecretStr | None = None
    max_connections: int = Field(40, ge=1, le=100)

    @model_validator(mode="after")
    def _secret_shape(self) -> Webhook:
        secret = self.secret_token
        if secret is not None and not _secret_ok(secret.get_secret_value()):
            raise ValueError("secret_token: use 1-256 characters A-Z, a-z, 0-9, _ or -")
        return self

    @property
    def served_path(self) -> str:
        """The HTTP path the bot answers on."""
        return self.path or urlsplit(self.url).path or "/"


def _secret_ok(value: str) -> bool:
    """Whether ``value`` is a secret token Telegram accepts."""
    return 1 <= len(value) <= 256 and all(c.isascii() and (c.isalnum() or c in "_-") for c in value)


class TelegramSettings(_Section):
    """Everything the Telegram adapter reads from ``adapters.telegram``."""

    enabled: bool = True
    token: SecretStr | None = None
    """The bot token from @BotFather; ``SANSHE_TELEGRAM_TOKEN`` overrides it."""
    base_url: str = Field("https://api.telegram.org/bot", pattern=r"^https?://")
    mode: Literal["polling", "webhook"] = "polling"
    poll_timeout: float = Field(25, ge=0, le=50)
    """Seconds a long poll waits for updates when nothing is being handled."""
    webhook: Webhook | None = None
    limits: Limits = Limits()
    menus: bool = True
    """Register each person's command menu (setMyCommands) when the bot starts."""

    @model_validator(mode="after")
    def _webhook_given(self) -> TelegramSettings:
        if self.mode == "webhook" and self.webhook is None:
            raise ValueError("mode webhook needs a webhook: section with at least url")
        return self

    def secret_token(self) -> str:
        """The webhook secret: ``SANSHE_TELEGRAM_WEBHOOK_SECRET``, the YAML's, else a new random one."""
        assert self.webhook is not None
        given = os.environ.get(SECRET_ENV) or (
            self.webhook.secret_token.get_secret_value() if self.webhook.secret_token else None
        )
        return given or secrets.token_urlsafe(32)


def operator_text(key: str, **values: object) -> str:
    """A text for the person running ``sanshe``, in the terminal's language."""
    return Translator(Catalogue([CORE_LOCALES, LOCALES]), environment_locale())(key, **values)


def read_settings(raw: dict[str, Any]) -> tuple[TelegramSettings, str]:
    """Check the YAML section and find the token; exit with a plain sentence when either is wrong."""
    try:
        settings = TelegramSettings.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            field = f"adapters.telegram.{where}" if where else "adapters.telegram"
            lines.append(
                operator_text("telegram.config.invalid", field=field, problem=error["msg"])
            )
        raise SystemExit("\n".join(lines)) from None
    token = os.environ.get(TOKEN_ENV) or (
        settings.token.get_secret_value() if settings.token else ""
    )
    if not token.strip():
        raise SystemExit(operator_text("telegram.config.no_token", env=TOKEN_ENV))
    if SECRET_ENV in os.environ and not _secret_ok(os.environ[SECRET_ENV]):
        raise SystemExit(operator_text("telegram.config.bad_secret", env=SECRET_ENV))
    return settings, token.strip()
