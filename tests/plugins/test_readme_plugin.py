"""The README's minimal plugin works as the README says."""

from __future__ import annotations

from sanshe.core.actions import DirectMessage, Reply
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE
from tests.plugins import supplies


async def test_supplies_goes_private() -> None:
    async with Sandbox(EXAMPLE, plugins=[supplies]) as community:
        actions = await community.send("maria", "building-1", "/物资")
        assert [type(a) for a in actions] == [Reply, DirectMessage]
        assert community.texts(actions) == ["谢谢，我已私聊您。", "您需要什么物资？几个人用？"]
        [help_text] = community.texts(await community.send("maria", "building-1", "/help"))
        assert "/supplies /物资 — 申请物资" in help_text
        [refused] = community.texts(await community.send("wang", "building-1", "/supplies"))
        assert refused.startswith("抱歉，/supplies 仅限以下身份使用：服务对象、居民。")
