"""Loopback Telegram Bot API server for testing the Telegram adapter."""

from .server import (
    ADMIN_RIGHTS,
    MAX_DOWNLOAD_BYTES,
    MAX_UPLOAD_BYTES,
    PERMISSIONS,
    SECRET_HEADER,
    ApiError,
    BotApiServer,
    InviteLink,
    Limits,
    Refusal,
    SentRecord,
    Stats,
    StoredFile,
    Upload,
    WebhookDelivery,
    scope_key,
)

__all__ = [
    "ADMIN_RIGHTS",
    "MAX_DOWNLOAD_BYTES",
    "MAX_UPLOAD_BYTES",
    "PERMISSIONS",
    "SECRET_HEADER",
    "ApiError",
    "BotApiServer",
    "InviteLink",
    "Limits",
    "Refusal",
    "SentRecord",
    "Stats",
    "StoredFile",
    "Upload",
    "WebhookDelivery",
    "scope_key",
]
