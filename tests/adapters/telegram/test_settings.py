"""Settings: wrong ones are refused with a sentence; the token never shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sanshe.adapters.telegram import TelegramAdapter
from sanshe.adapters.telegram.settings import LOCALES
from sanshe.core.adapter import CannotStart
from sanshe.core.bot import Bot
from sanshe.core.config import load_community
from sanshe.core.contributions import vocabulary
from sanshe.core.i18n import Catalogue
from sanshe.core.plugins import plugin_manager
from sanshe.core.storage import Storage
from tests.botapi import BotApiServer

from .conftest import COMMUNITY, TOKEN

ADAPTER = Path(LOCALES).parent


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANSHE_LANG", "en")
    monkeypatch.delenv("SANSHE_TELEGRAM_TOKEN", raising=False)
    monkeypatch.delenv("SANSHE_TELEGRAM_WEBHOOK_SECRET", raising=False)


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({}, "Telegram needs the bot's token from @BotFather"),
        ({"token": "1:x", "tokn": "1:x"}, "adapters.telegram.tokn: Extra inputs are not permitted"),
        (
            {"token": "1:x", "mode": "webhok"},
            "adapters.telegram.mode: Input should be 'polling' or 'webhook'",
        ),
        ({"token": "1:x", "mode": "webhook"}, "mode webhook needs a webhook: section"),
        (
            {"token": "1:x", "webhook": {"url": "https://x.org/t", "secret_token": "no spaces"}},
            "secret_token: use 1-256 characters",
        ),
        ({"token": "1:x", "limits": {"per_chat_per_second": 0}}, "limits.per_chat_per_second"),
    ],
)
def test_wrong_settings_are_refused_with_a_sentence(settings: dict, says: str) -> None:
    with pytest.raises(SystemExit) as refused:
        TelegramAdapter.from_settings(settings)
    assert says in str(refused.value)


def test_the_environment_token_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANSHE_TELEGRAM_TOKEN", "2:from-env")
    adapter = TelegramAdapter.from_settings({"token": "1:from-yaml"})
    assert adapter._token == "2:from-env"
    assert "from-yaml" not in repr(adapter.settings) and "from-env" not in repr(adapter.settings)


async def test_a_token_telegram_refuses_stops_the_bot_without_showing_it(tmp_path: Path) -> None:
    config = tmp_path / "community.yaml"
    config.write_text(COMMUNITY, encoding="utf-8")
    pm = plugin_manager()
    storage = Storage("sqlite://:memory:")
    await storage.open()
    async with BotApiServer(TOKEN) as server:
        wrong = "4242:not-the-token"
        adapter = TelegramAdapter.from_settings({"token": wrong, "base_url": server.base_url})
        bot = Bot(load_community(config, vocabulary(pm)), adapter, storage, pm=pm)
        with pytest.raises(CannotStart) as refused:
            await bot.start()
    await storage.close()
    assert "Telegram did not accept the bot token" in str(refused.value)
    assert wrong not in str(refused.value)


def test_both_languages_have_every_text_with_the_same_placeholders() -> None:
    catalogue = Catalogue([LOCALES])
    assert catalogue.keys("en") == catalogue.keys("zh_CN")
    for key in catalogue.keys("en"):
        fields = {
            frozenset(re.findall(r"\{(\w+)\}", catalogue.gettext(locale, key)))
            for locale in ("en", "zh_CN")
        }
        assert len(fields) == 1, key
    used = set()
    for path in ADAPTER.glob("*.py"):
        used |= set(
            re.findall(r"""["'](telegram\.[a-z_.]+)["']""", path.read_text(encoding="utf-8"))
        )
    assert used == catalogue.keys("en")
