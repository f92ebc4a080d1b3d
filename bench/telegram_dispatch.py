"""Updates per second: a bare python-telegram-bot Application vs Sanshe's full pipeline.

The same 50,000 Telegram updates (group messages of the example community; about 3% hit a
rule keyword, a personal-data rule or a command), as the Bot API delivers them (getUpdates'
JSON, already decoded), go through

(a) a python-telegram-bot ``Application`` fed the way its ``Updater`` feeds it: each update
    becomes an ``Update`` (``Update.de_json``, what ``Bot.get_updates`` does) and goes into
    the update queue; its single handler runs the same keyword check (one Aho-Corasick
    automaton over the community's rule keywords) and records the reply it would send;
(b) Sanshe: the Telegram adapter's ``receive`` (update JSON -> event, the people it saw,
    a task that waits for the event and resubmits it on failure) into the full pipeline,
    with the example community ``config/community.yaml``, the built-in plugins, the rules
    engine and every event checkpointed in an in-memory SQLite database; actions are
    recorded instead of sent.

Same process, same run.  It prints both rates and the ratio b/a (target >= 0.8), and how
much of (a)'s time per update is python-telegram-bot building ``Update`` objects, which
the Sanshe adapter does not do; it does not assert.  Nothing is sent: the loopback Bot API
server only answers the getMe calls made at start.

By default each group of the example community is one chat; ``--chats 1000`` spreads the
same groups over more chats (events of one chat are handled one after the other, chats
side by side).

    python bench/telegram_dispatch.py [--updates 50000] [--chats 10]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path
from typing import Any

import ahocorasick
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sanshe.adapters.telegram import TelegramAdapter  # noqa: E402
from sanshe.adapters.telegram.convert import NETWORK, Json  # noqa: E402
from sanshe.adapters.telegram.settings import read_settings  # noqa: E402
from sanshe.core.actions import Action  # noqa: E402
from sanshe.core.bot import Bot  # noqa: E402
from sanshe.core.config import CommunityFile  # noqa: E402
from sanshe.core.contributions import vocabulary  # noqa: E402
from sanshe.core.model import Community  # noqa: E402
from sanshe.core.plugins import plugin_manager  # noqa: E402
from sanshe.core.storage import Storage  # noqa: E402
from tests.botapi import BotApiServer  # noqa: E402

EXAMPLE = ROOT / "config" / "community.yaml"
TOKEN = "123:bench"
WORDS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
SPICE = ("偏方", "呼吸困难", "/help", "我的电话 13812345678")


def chat_of(index: int) -> int:
    return -1001000000 - index


def updates(count: int, chats: int, seed: int = 7) -> list[Json]:
    """Group messages from 5,000 residents; one in thirty carries a keyword, a phone or /help.

    They are shaped as getUpdates answers them, decoded from JSON.
    """
    rng = random.Random(seed)
    made: list[Json] = []
    for n in range(count):
        text = "".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
        if n % 30 == 0:
            text += rng.choice(SPICE)
        user = 10_000 + n % 5_000
        chat = chat_of(n % chats)
        made.append(
            {
                "update_id": n + 1,
                "message": {
                    "message_id": n + 1,
                    "date": 1_790_000_000 + n,
                    "chat": {"id": chat, "type": "supergroup", "title": f"group {chat}"},
                    "from": {
                        "id": user,
                        "is_bot": False,
                        "first_name": f"R{user}",
                        "language_code": "zh-hans",
                    },
                    "text": text,
                },
            }
        )
    return made


def keywords(community: Community) -> Any:
    """One automaton over every keyword of the community's rules (what Sanshe builds too)."""
    automaton = ahocorasick.Automaton()
    for rule in community.rules:
        for word in rule.when.get("keywords", ()):
            automaton.add_word(word.strip().lower(), rule.id)
    automaton.make_automaton()
    return automaton


async def bare_ptb(
    server: BotApiServer, feed: list[Json], automaton: Any
) -> tuple[float, int, float]:
    """(a) python-telegram-bot alone: de_json, its update queue, one handler doing the keyword check.

    Returns updates/s, replies, and the seconds spent building ``Update`` objects.
    """
    replies: list[tuple[int, str]] = []

    async def check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        for _end, rule in automaton.iter(message.text.lower()):
            replies.append((message.chat_id, rule))
            break

    app: Application = (
        ApplicationBuilder().token(TOKEN).base_url(server.base_url).updater(None).build()
    )
    app.add_handler(MessageHandler(filters.TEXT, check))
    async with app:
        await app.start()
        start = time.perf_counter()
        for data in feed:
            app.update_queue.put_nowait(Update.de_json(data, app.bot))
        await app.update_queue.join()
        elapsed = time.perf_counter() - start
        await app.stop()
        start = time.perf_counter()
        for data in feed:
            Update.de_json(data, app.bot)
        building = time.perf_counter() - start
    return len(feed) / elapsed, len(replies), building


class RecordingTelegramAdapter(TelegramAdapter):
    """The Telegram adapter, with actions recorded instead of sent."""

    def __init__(self, base_url: str) -> None:
        super().__init__(*read_settings({"token": TOKEN, "base_url": base_url, "menus": False}))
        self.performed: list[Action] = []

    async def perform(self, action: Action) -> None:
        self.performed.append(action)


async def sanshe(
    server: BotApiServer, community: Community, feed: list[Json], chats: int
) -> tuple[float, int]:
    """(b) Sanshe: the adapter's receive(update JSON) -> event -> the full pipeline."""
    pm = plugin_manager(CommunityFile.read(EXAMPLE).disabled_plugins)
    storage = Storage("sqlite://:memory:")
    await storage.open()
    adapter = RecordingTelegramAdapter(server.base_url)
    bot = Bot(community, adapter, storage, pm=pm)
    await bot.start()
    await adapter.prepare(bot)
    groups = community.groups
    for index in range(chats):
        bot.directory.bind(NETWORK, str(chat_of(index)), groups[index % len(groups)].id)
    start = time.perf_counter()
    for future in [adapter.receive(update) for update in feed]:
        await future
    elapsed = time.perf_counter() - start
    await bot.stop()
    await storage.close()
    return len(feed) / elapsed, len(adapter.performed)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--updates", type=int, default=50_000)
    parser.add_argument("--chats", type=int, default=0, help="default: one per group")
    args = parser.parse_args()
    example = CommunityFile.read(EXAMPLE)
    community = example.check(vocabulary(plugin_manager(example.disabled_plugins)))
    chats = args.chats or len(community.groups)
    feed = updates(args.updates, chats)
    automaton = keywords(community)
    async with BotApiServer(TOKEN) as server:
        await bare_ptb(server, feed[:2_000], automaton)  # warm-up
        ptb_rate, ptb_replies, building = await bare_ptb(server, feed, automaton)
        await sanshe(server, community, feed[:2_000], chats)  # warm-up
        sanshe_rate, actions = await sanshe(server, community, feed, chats)
    print(
        f"telegram dispatch: {args.updates} group messages in {chats} chats "
        f"of the example community's {len(community.groups)} groups"
    )
    print(
        f"  (a) bare python-telegram-bot Application: {ptb_rate:10.0f} updates/s ({ptb_replies} replies)"
    )
    per_update = 1e6 / ptb_rate
    print(
        f"      of its {per_update:.1f} µs per update, {building / len(feed) * 1e6:.1f} µs "
        "build the Update object"
    )
    print(
        f"  (b) Sanshe, full pipeline + checkpoints:  {sanshe_rate:10.0f} updates/s ({actions} actions)"
    )
    print(f"      {1e6 / sanshe_rate:.1f} µs per update")
    print(f"  ratio b/a: {sanshe_rate / ptb_rate:.2f}  (target >= 0.8)")


if __name__ == "__main__":
    asyncio.run(main())
