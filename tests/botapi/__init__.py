"""Loopback Telegram Bot API server for testing the Telegram adapter."""

from .server import (
    ADMIN_RIGHTS,
    PERMISSIONS,
    SECRET_HEADER,
    ApiError,
    BotApiServer,
    Limits,
    Refusal,
    SentRecord,
    Stats,
    WebhookDelivery,
    scope_key,
)

__all__ = [
    "ADMIN_RIGHTS",
    "PERMISSIONS",
    "SECRET_HEADER",
    "ApiError",
    "BotApiServer",
    "Limits",
    "Refusal",
    "SentRecord",
    "Stats",
    "WebhookDelivery",
    "scope_key",
]
