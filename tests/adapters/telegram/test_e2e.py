"""The Telegram adapter end to end: python-telegram-bot against the loopback Bot API server."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from sanshe.core.actions import Ban, Button, Delete, Pin, Remove, Restrict, Send, Unban
from sanshe.core.adapter import ActionFailed
from sanshe.core.events import JoinRequest, MemberJoined, MemberLeft, Message
from sanshe.core.i18n import Translator
from tests.botapi import SECRET_HEADER, BotApiServer

from .conftest import (
    BOT_ID,
    BUILDING,
    FOCUS,
    GAO,
    HE,
    NEIGHBOUR,
    RESIDENT,
    STRANGER,
    VOLUNTEERS,
    WANG,
    World,
    eventually,
    running,
    wait_for,
)

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


def text(world: World, key: str, locale: str = "zh_CN", **values: object) -> str:
    return Translator(world.bot.catalogue, locale)(key, **values)


async def settled(world: World) -> None:
    """Every update so far was handled and confirmed to Telegram."""
    await wait_for(lambda: not world.server.pending_updates, "every update to be confirmed")


async def test_a_message_gets_its_reply(world: World) -> None:
    sent = world.server.inject_message(BUILDING, RESIDENT, "ping, anyone there?")["message"]
    (pong,) = await world.said(BUILDING, 1, "the reply to ping")
    assert pong == "pong"
    assert world.reply_to(BUILDING, world.server.sent[0].message_id) == sent["message_id"]

    world.server.user_starts_bot(RESIDENT)
    (welcome,) = await world.said(RESIDENT, 1, "the welcome in the private chat")
    assert welcome == text(world, "basics.start", community="阳光社区")  # zh-hans client


async def test_a_join_request_is_approved_and_the_join_seen_once(world: World) -> None:
    world.server.inject_join_request(BUILDING, STRANGER, bio="1-302自住")
    await wait_for(lambda: world.plugin.of(MemberJoined), "the approved member's join")
    assert (BUILDING, STRANGER) not in world.server.join_requests
    assert await world.status(BUILDING, STRANGER) == "member"

    world.server.add_user(34, "Spammer")
    world.server.inject_join_request(BUILDING, 34, bio="cheap spam here")
    await wait_for(lambda: not world.server.join_requests, "the spam request to be declined")
    await settled(world)
    (request, _spam) = world.plugin.of(JoinRequest)
    assert (request.chat, request.sender, request.note) == (
        str(BUILDING),
        str(STRANGER),
        "1-302自住",
    )
    # The join came as a chat_member update and as a service message: one event only.
    assert [e.sender for e in world.plugin.of(MemberJoined)] == [str(STRANGER)]
    assert await world.status(BUILDING, 34) == "left"


async def test_a_command_refused_by_role_and_one_allowed(world: World) -> None:
    world.server.inject_message(BUILDING, RESIDENT, "/bind@sanshe_bot building-1")
    (refusal,) = await world.said(BUILDING, 1, "the refusal of /bind")
    role = text(world, "role.resident")
    assert "/bind" in refusal and f"：{role}。" in refusal

    world.server.inject_message(BUILDING, RESIDENT, "/help@another_bot")  # not for us
    world.server.inject_message(BUILDING, WANG, "/bind building-1")
    texts = await world.said(BUILDING, 2, "the social worker's /bind")
    assert texts[1] == text(world, "basics.bind.done", name="1号楼居民群", id="building-1")
    await settled(world)
    assert len(world.texts(BUILDING)) == 2


def names(world: World, scope: str, language: str = "") -> set[str]:
    return {c["command"] for c in world.server.commands[(scope, language)]}


async def test_each_role_sees_its_own_command_menu(world: World, tmp_path: Path) -> None:
    server = world.server
    await eventually(lambda: world.storage.get_state("telegram", "menus"), "the menus to be set")
    # Anyone sees their own /warnings; in a group anyone may /report a message to its admins.
    everyone = {"start", "help", "whoami", "form", "choose", "mkgroup", "roles", "warnings"}
    everyone |= {"request", "case"}  # anyone may ask for help, and read their own case
    everyone |= {"faq", "resource"}  # anyone searches the answer library and the resource map
    everyone |= {"suggest"}  # anyone passes an opinion or a suggestion on
    in_groups = {"groupinfo", "rules", "report"}
    residents = {"checkin"}  # a resident group's members of no other role there
    assert names(world, "default") == everyone | in_groups | residents  # an unknown resident
    assert names(world, "default", "en") == names(world, "default")
    # Privately anyone may register as a volunteer; no /grant, no /audit: they refuse.
    assert names(world, "all_private_chats") == everyone | {"volunteer"}
    granter = {"grant", "revoke"}  # a social worker may grant the role they hold
    vetting = {"volunteers", "vet", "training", "dispatch"}  # a social worker's
    staff = {"shifts", "onduty", "handover", "hours"}  # who serves shifts, anywhere
    claims = {"claim", "release", "swap", "accept", "arrive"}  # privately or with a roster
    joins = {"approve", "decline"}  # the requests to join the groups she administers
    casework = {"cases", "note", "close", "stats", "assess", "route", "conflict", "transfer"}
    hours_ledger = {"certificate", "export"}  # a social worker certifies hours, exports the ledger
    assert names(world, f"chat:{WANG}") == (
        everyone | granter | vetting | staff | claims | joins | casework | hours_ledger
    ) | {"reload", "volunteer", "nicknames"}
    assert names(world, f"chat_member:{BUILDING}:{WANG}") == (
        names(world, "default") - residents | {"bind", "reload"} | granter | vetting | staff | joins
    ) | {"cases", "stats", "refer"}  # answered privately; /refer: a resident group's admin
    assert names(world, f"chat_member:{VOLUNTEERS}:{HE}") == names(world, "default") - residents | {
        "shift",
        "volunteer",  # registering, in the volunteer pool
        *granter,  # their own role, there
        *staff,
        "cases",  # the cases of their groups, privately
    }
    assert (f"chat_member:{BUILDING}:{HE}", "") not in server.commands  # no role there
    moderating = {"warn", "unwarn", "mute", "unmute", "remove"}  # a group's admins', there
    assert moderating <= names(world, f"chat_member:{VOLUNTEERS}:{WANG}")
    assert moderating.isdisjoint(names(world, f"chat_member:{BUILDING}:{WANG}"))
    help_zh = {c["command"]: c["description"] for c in server.commands[("default", "")]}["help"]
    help_en = {c["command"]: c["description"] for c in server.commands[("default", "en")]}["help"]
    assert (help_zh, help_en) == (
        text(world, "basics.help.help"),
        text(world, "basics.help.help", "en"),
    )
    # Gao's YAML says English: her menus are English whatever her app's language.
    assert (f"chat:{GAO}", "zh") not in server.commands
    gao = {c["command"]: c["description"] for c in server.commands[(f"chat:{GAO}", "")]}
    assert gao["help"] == help_en
    # Volunteers take errands privately (/area, /take, /done); the registry of vulnerable
    # households (/vulnerable) and asking for one (/need) are community workers'.
    assert {"area", "take", "done"} <= set(gao) and {"vulnerable", "need"}.isdisjoint(gao)
    # Chinese aliases (/帮助) and dialog-only commands (/back) are not registered.
    registered = {c["command"] for menu in server.commands.values() for c in menu}
    assert registered.isdisjoint({"帮助", "选择", "back", "skip", "cancel"})

    calls = len(server.calls_to("setMyCommands"))
    await world.stop()  # a restart with the same community sends nothing again
    world.start()
    world.server.inject_message(BUILDING, RESIDENT, "ping")
    await world.said(BUILDING, 1, "the pong after the restart")
    assert len(server.calls_to("setMyCommands")) == calls


async def test_menus_follow_a_reload_that_gives_someone_a_role(
    world: World, tmp_path: Path
) -> None:
    await eventually(lambda: world.storage.get_state("telegram", "menus"), "the menus to be set")
    assert (f"chat_member:{VOLUNTEERS}:{NEIGHBOUR}", "") not in world.server.commands
    config = tmp_path / "community.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "rules:\n",
            "  - {id: lin, name: Lin, handles: {telegram: 32}, "
            "roles: [{role: general_volunteer, groups: [volunteers]}]}\nrules:\n",
        ),
        encoding="utf-8",
    )
    world.server.inject_message(FOCUS, WANG, "/reload")
    await world.said(FOCUS, 1, "the answer to /reload")
    scope = (f"chat_member:{VOLUNTEERS}:{NEIGHBOUR}", "")
    await wait_for(lambda: world.server.commands.get(scope), "the new volunteer's menu")
    assert "shift" in names(world, *scope)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_receives_updates_and_refuses_a_wrong_secret(
    server: BotApiServer, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    webhook = {"url": url, "listen": "127.0.0.1", "port": port, "secret_token": "s3cret-token"}
    async with running(server, tmp_path, mode="webhook", webhook=webhook) as world:
        await wait_for(lambda: server.calls_to("setWebhook"), "the webhook to be set")
        sent = server.inject_message(BUILDING, RESIDENT, "ping")
        assert await world.said(BUILDING, 1, "the pong via webhook") == ["pong"]
        assert world.reply_to(BUILDING, server.sent[0].message_id) == sent["message"]["message_id"]
        assert server.calls_to("setWebhook")[0]["secret_token"] == "s3cret-token"

        forged = {"update_id": 9999} | {"message": sent["message"] | {"text": "/start"}}
        async with aiohttp.ClientSession() as session:
            for secret in ("wrong", None):
                headers = {SECRET_HEADER: secret} if secret else {}
                async with session.post(url, data=json.dumps(forged), headers=headers) as answer:
                    assert answer.status == 403
        forged_event = Message(
            network="telegram", chat=str(BUILDING), event_id="9999", sender="0", text=""
        )
        assert not await world.storage.handled_among([forged_event])
    assert {d.status for d in server.webhook_deliveries} == {200}
    assert not server.calls_to("deleteWebhook")  # updates wait at Telegram while we are down


async def test_a_private_message_falls_back_to_asking_in_the_group(world: World) -> None:
    phone = "13812345678"
    posted = world.server.inject_message(BUILDING, RESIDENT, f"我的电话 {phone}")["message"]
    texts = await world.said(BUILDING, 2, "the note and the request to open a private chat")
    assert (BUILDING, posted["message_id"]) not in world.server.messages  # deleted
    assert texts[0] == text(world, "moderation.private.group")
    assert texts[1] == text(world, "telegram.open_private", name="Li Lei")
    assert all(phone not in t for t in texts)
    assert all(
        text(world, "moderation.private.direct", group="1号楼居民群", kinds="电话号码") not in t
        for t in texts
    )
    markup = world.server.sent[1].reply_markup
    assert markup == {
        "inline_keyboard": [
            [
                {
                    "text": text(world, "telegram.open_private.button"),
                    "url": "https://t.me/sanshe_bot?start=hello",
                }
            ]
        ]
    }

    world.server.user_starts_bot(RESIDENT)  # now the bot may write first
    world.server.inject_message(BUILDING, RESIDENT, f"再发一次 {phone}")
    private = await world.said(RESIDENT, 2, "the private message once the chat is open")
    assert private[1] == text(
        world, "moderation.private.direct", group="1号楼居民群", kinds="电话号码"
    )
    assert len(world.texts(BUILDING)) == 3


async def test_buttons_come_back_as_callbacks(world: World) -> None:
    world.server.inject_message(BUILDING, NEIGHBOUR, "/choose")
    await world.said(BUILDING, 1, "the buttons")
    menu = world.server.sent[0]
    assert menu.reply_markup == {
        "inline_keyboard": [
            [{"text": "Rice", "callback_data": "gatekeeper.pick|rice"}],
            [{"text": "Water", "callback_data": "gatekeeper.pick|water"}],
        ]
    }
    query = world.server.inject_callback_query(
        BUILDING, NEIGHBOUR, menu.message_id, "gatekeeper.pick|water"
    )
    texts = await world.said(BUILDING, 2, "the answer to the pressed button")
    assert texts[1] == "you picked water"
    await wait_for(
        lambda: query["callback_query"]["id"] in world.server.callback_answers,
        "the button's spinner to be stopped",
    )


async def test_joins_and_leaves_are_one_event_each(world: World) -> None:
    world.server.inject_member_joined(BUILDING, STRANGER)
    world.server.inject_member_left(BUILDING, NEIGHBOUR)
    await settled(world)
    joined, left = world.plugin.of(MemberJoined), world.plugin.of(MemberLeft)
    assert [(e.chat, e.sender, e.sender_name) for e in joined] == [
        (str(BUILDING), str(STRANGER), "Zhang San")
    ]
    assert [(e.chat, e.sender) for e in left] == [(str(BUILDING), str(NEIGHBOUR))]


async def test_rules_see_what_an_edited_message_became(world: World) -> None:
    first = world.server.inject_message(BUILDING, NEIGHBOUR, "hello all")["message"]["message_id"]
    command = world.server.inject_message(BUILDING, NEIGHBOUR, "/whoami")["message"]["message_id"]
    await world.said(BUILDING, 1, "the answer to /whoami")
    world.server.inject_edited_message(BUILDING, command, "/start")  # commands run once
    world.server.inject_edited_message(BUILDING, first, "call me on 13812345678")
    await wait_for(
        lambda: (BUILDING, first) not in world.server.messages, "the edited message to go"
    )
    await settled(world)
    # Said in the group, so in the group's language (the community's), though Han writes English.
    assert world.texts(BUILDING)[1] == text(world, "moderation.private.group")


async def test_actions_on_members_and_messages(world: World) -> None:
    adapter, server = world.adapter, world.server
    await adapter.perform(Remove(chat=str(BUILDING), user=str(NEIGHBOUR)))
    server.inject_member_joined(BUILDING, NEIGHBOUR)  # removed, not banned: may come back
    await adapter.perform(Ban(chat=str(BUILDING), user=str(RESIDENT)))
    with pytest.raises(ValueError, match="in or banned"):
        server.inject_member_joined(BUILDING, RESIDENT)
    await adapter.perform(Unban(chat=str(BUILDING), user=str(RESIDENT)))
    server.inject_member_joined(BUILDING, RESIDENT)  # unbanned: may come back
    await adapter.perform(Restrict(chat=str(BUILDING), user=str(RESIDENT), minutes=30))
    [muted] = server.calls_to("restrictChatMember")
    assert muted["user_id"] == RESIDENT and muted["until_date"] > 0
    assert not muted["permissions"]["can_send_messages"]
    await adapter.perform(Send(chat=str(BUILDING), text="Water at the gate at 3 pm", urgent=True))
    notice = server.sent[-1].message_id
    await adapter.perform(Pin(chat=str(BUILDING), message_id=str(notice)))
    assert server.pinned[BUILDING] == notice
    await adapter.perform(Delete(chat=str(BUILDING), message_id=str(notice)))
    assert (BUILDING, notice) not in server.messages

    with pytest.raises(ActionFailed, match="(?i)message to delete not found"):
        await adapter.perform(Delete(chat=str(BUILDING), message_id=str(notice)))
    with pytest.raises(ActionFailed, match="not a Telegram id"):
        await adapter.perform(Send(chat="building-1", text="hi"))
    with pytest.raises(ActionFailed, match="64 bytes"):
        await adapter.perform(Send(chat=str(BUILDING), text="hi", buttons=(Button("x", "d" * 65),)))
    server.add_member(VOLUNTEERS, BOT_ID)  # no longer an admin there
    with pytest.raises(ActionFailed, match="(?i)not enough rights"):
        await adapter.perform(Ban(chat=str(VOLUNTEERS), user=str(HE)))

    long = "\n".join(f"line {n}: " + "x" * 90 for n in range(60))  # 6,000 characters
    server.user_starts_bot(HE)
    await world.said(HE, 1, "the welcome to the volunteer")
    await adapter.perform(Send(chat=str(HE), text=long))
    parts = world.texts(HE)[1:]
    assert len(parts) == 2 and "\n".join(parts) == long


async def test_what_telegram_cannot_do_is_said_plainly(world: World) -> None:
    world.server.inject_message(BUILDING, NEIGHBOUR, "/mkgroup")
    (answer,) = await world.said(BUILDING, 1, "the answer to /mkgroup")
    assert answer == text(
        world,
        "action.unsupported",
        "en",
        action=text(world, "action.CreateGroup", "en"),
        network="telegram",
    )


async def test_an_update_core_could_not_handle_is_handled_after_a_pause(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkpoint, failed, pending_at_retry = world.storage.checkpoint, [], []

    async def flaky(decided: Any, *more: Any, **named: Any) -> Any:
        if not failed:
            failed.append(True)
            raise OSError("disk full")
        pending_at_retry.append(bool(world.server.pending_updates))
        return await checkpoint(decided, *more, **named)

    monkeypatch.setattr(world.storage, "checkpoint", flaky)
    world.server.inject_message(BUILDING, RESIDENT, "ping")
    (pong,) = await world.said(BUILDING, 1, "the reply once the update is submitted again")
    assert failed and pending_at_retry[0]  # not confirmed to Telegram while unhandled
    assert pong == "pong"
    await settled(world)


async def test_an_update_of_an_unknown_shape_is_skipped_and_the_next_handled(world: World) -> None:
    odd = {"message_id": 1, "from": {"id": RESIDENT}, "chat": {"id": BUILDING}, "text": "hi"}
    world.server.inject_raw({"message": odd})  # no date, no chat type
    world.server.inject_message(BUILDING, RESIDENT, "ping")
    (pong,) = await world.said(BUILDING, 1, "the reply to the update after the odd one")
    assert pong == "pong"
    await settled(world)


async def test_a_basic_group_that_becomes_a_supergroup_keeps_its_group(world: World) -> None:
    old, new = -7, -1007
    world.server.add_chat(old, "1号楼(旧)", type="group")
    world.server.add_member(old, BOT_ID, "administrator")
    for user in (WANG, RESIDENT):
        world.server.add_member(old, user)
    await world.bot.bound("telegram", str(old), "building-1", "wang")
    world.server.inject_message(old, RESIDENT, "ping")
    assert await world.said(old, 1, "the reply in the basic group") == ["pong"]

    world.server.migrate_to_supergroup(old, new, WANG)
    world.server.inject_message(new, RESIDENT, "ping")
    assert await world.said(new, 1, "the reply in the supergroup") == ["pong"]
    assert world.bot.directory.chat_of("telegram", "building-1") == str(new)
    stored = await world.storage.bindings()
    assert stored[("telegram", str(new))] == "building-1"  # kept after a restart

    # Actions decided for the old chat (say, left in the outbox by a crash) go to the new one.
    await world.adapter.perform(Send(chat=str(old), text="通知"))
    await world.adapter.perform(Remove(chat=str(old), user=str(RESIDENT)))
    assert await world.said(new, 2, "the notice in the supergroup") == ["pong", "通知"]
    assert await world.status(new, RESIDENT) == "left"
    with pytest.raises(ActionFailed, match="supergroup"):
        await world.adapter.perform(Delete(chat=str(old), message_id="1"))
    await settled(world)
