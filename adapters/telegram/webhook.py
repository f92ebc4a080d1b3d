"""Receiving updates by webhook: a small tornado server (python-telegram-bot's ``webhooks`` extra)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

#: Takes the secret header's value and the body; returns the HTTP status to answer.
Receive = Callable[[str, bytes], Awaitable[int]]


class _Updates(RequestHandler):
    def initialize(self, receive: Receive) -> None:
        self._receive = receive

    async def post(self) -> None:
        status = await self._receive(self.request.headers.get(SECRET_HEADER, ""), self.request.body)
        self.set_status(status)


def serve(listen: str, port: int, path: str, receive: Receive) -> HTTPServer:
    """Listen on ``listen:port`` and hand every POST to ``path`` to ``receive``."""
    server = HTTPServer(Application([(path, _Updates, {"receive": receive})]), xheaders=True)
    server.listen(port, listen)
    return server
