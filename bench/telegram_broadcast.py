"""A notice to 300 groups through the loopback Bot API server, which enforces Telegram's limits.

A social worker types ``/notice …`` in a private chat; a small plugin answers with one Send
per group of a 300-group community; the Telegram adapter (real python-telegram-bot, real
HTTP, default limits: 30 messages/s per bot, 1/s per chat, 20/min per group) sends them.
Prints the rate the server accepted them at, as a fraction of the 30/s allowed (target
>= 0.9), and how many 429 answers the bot received (target 0).  It prints; it does not
assert.

    python bench/telegram_broadcast.py [--groups 300]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sanshe.adapters.telegram import TelegramAdapter  # noqa: E402
from sanshe.core.actions import Action, Send  # noqa: E402
from sanshe.core.bot import Bot  # noqa: E402
from sanshe.core.commands import ChatCommand  # noqa: E402
from sanshe.core.config import load_community  # noqa: E402
from sanshe.core.context import Context  # noqa: E402
from sanshe.core.contributions import vocabulary  # noqa: E402
from sanshe.core.hookspecs import hookimpl  # noqa: E402
from sanshe.core.plugins import plugin_manager  # noqa: E402
from sanshe.core.storage import Storage  # noqa: E402
from tests.botapi import BotApiServer, Limits  # noqa: E402

TOKEN = "123:broadcast-bench"
BOT_ID, WORKER = 123, 7
ALLOWED = Limits().global_per_second


class Notices:
    """``/notice <text>``: post the text in every group's chat."""

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [ChatCommand("notice", self.notice, help="basics.help.help")]

    def notice(self, ctx: Context) -> list[Action]:
        assert ctx.command is not None
        chats = [ctx.chat_of(group.id) for group in ctx.community.groups]
        return [Send(chat=chat, text=ctx.command.args) for chat in chats if chat is not None]


def community(groups: int) -> str:
    lines = ["community: {id: bench, name: Bench, locale: en}", "groups:"]
    lines += [
        f'  - {{id: g{n}, kind: resident, name: G{n}, chats: {{telegram: "{-1000 - n}"}}}}'
        for n in range(groups)
    ]
    lines += [f"people:\n  - {{id: wang, handles: {{telegram: {WORKER}}}, roles: [social_worker]}}"]
    return "\n".join(lines) + "\n"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--groups", type=int, default=300)
    args = parser.parse_args()
    async with BotApiServer(TOKEN) as server:
        server.add_user(WORKER, "Wang")
        for n in range(args.groups):
            server.add_chat(-1000 - n, f"G{n}")
            server.add_member(-1000 - n, BOT_ID)
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "community.yaml"
            config.write_text(community(args.groups), encoding="utf-8")
            pm = plugin_manager(extra=[Notices()])
            storage = Storage(f"sqlite://{Path(tmp) / 'bench.sqlite3'}")
            await storage.open()
            settings = {"token": TOKEN, "base_url": server.base_url, "menus": False}
            adapter = TelegramAdapter.from_settings(settings)
            bot = Bot(load_community(config, vocabulary(pm)), adapter, storage, pm=pm)
            await bot.start()
            running = asyncio.create_task(adapter.run(bot))
            server.user_starts_bot(WORKER)
            server.inject_message(
                WORKER, WORKER, "/notice Water is handed out at the gate at 3 pm."
            )
            deadline = time.monotonic() + 120
            while sum(r.chat_id < 0 for r in server.sent) < args.groups:
                if time.monotonic() > deadline:
                    raise SystemExit("gave up after 120 s waiting for the notices")
                await asyncio.sleep(0.05)
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
            await bot.stop()
            await storage.close()
    times = [r.time for r in server.sent if r.chat_id < 0]
    rate = (len(times) - 1) / (times[-1] - times[0])
    print(f"telegram broadcast: one notice to {args.groups} groups, limit {ALLOWED} messages/s")
    print(f"  sent in {times[-1] - times[0]:.1f} s: {rate:.1f} messages/s")
    print(f"  fraction of the allowed rate: {rate / ALLOWED:.2f}  (target >= 0.9)")
    print(f"  429 answers received: {server.stats.too_many_requests}  (target 0)")


if __name__ == "__main__":
    asyncio.run(main())
