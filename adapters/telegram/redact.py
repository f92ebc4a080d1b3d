"""Keeping the bot token out of the log (httpx and python-telegram-bot put it in URLs and errors)."""

from __future__ import annotations

import logging


class TokenFilter(logging.Filter):
    """Writes ``<token>`` in place of the token in every record a handler emits."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), ()
        return True


def hide_token(token: str) -> None:
    """Keep ``token`` out of every log line (httpx logs request URLs, which contain it)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, TokenFilter) and f.secret == token for f in handler.filters):
            handler.addFilter(TokenFilter(token))
