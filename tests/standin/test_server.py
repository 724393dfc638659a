"""The stand-in answers python-telegram-bot as the Bot API would."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, InvalidToken
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.standin import StandIn


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.title(), callback_data=d) for d in data]])


async def test_get_me_reports_the_configured_username() -> None:
    async with (
        StandIn(username="other_bot") as standin,
        Bot(standin.token, base_url=standin.base_url) as bot,
    ):
        me = await bot.get_me()
    assert me.username == "other_bot"
    assert me.is_bot
    assert me.id == standin.bot_id


async def test_send_message_returns_a_full_message(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(42, language_code="fr")
    first = await bot.send_message(
        42,
        "<b>Level 4</b>: do not travel &amp; leave",
        parse_mode="HTML",
        reply_markup=keyboard("ack"),
        disable_notification=True,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    second = await bot.send_message(42, "again", reply_parameters=ReplyParameters(first.message_id))

    assert first.chat.id == 42
    assert first.chat.type == "private"
    assert first.from_user is not None and first.from_user.id == standin.bot_id
    assert first.text == "Level 4: do not travel & leave"
    assert first.text_html == "<b>Level 4</b>: do not travel &amp; leave"
    assert first.reply_markup == keyboard("ack")
    assert first.date.year >= 2025
    assert second.message_id == first.message_id + 1
    assert second.reply_to_message is not None
    assert second.reply_to_message.message_id == first.message_id

    sent = standin.messages_to(42)
    assert [m.text for m in sent] == ["<b>Level 4</b>: do not travel &amp; leave", "again"]
    assert sent[0].parse_mode == "HTML"
    assert sent[0].disable_notification is True
    assert sent[0].link_preview_options == {"is_disabled": True}
    assert sent[0].button_data() == ["ack"]
    assert sent[1].reply_to_message_id == first.message_id


async def test_message_ids_count_per_chat(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(1)
    standin.known_chat(2)
    ids = [(await bot.send_message(chat, "x")).message_id for chat in (1, 2, 1)]
    assert ids == [1, 1, 2]


async def test_a_message_carries_only_an_inline_keyboard_as_its_markup(
    standin: StandIn, bot: Bot
) -> None:
    """As Telegram: a force-reply request is not echoed in the returned Message (which
    python-telegram-bot would read as an inline keyboard), an inline keyboard is."""
    standin.known_chat(3)
    asked = await bot.send_message(3, "Which country?", reply_markup=ForceReply(selective=True))
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Kenya", callback_data="k")]])
    offered = await bot.send_message(3, "Pick one", reply_markup=keyboard)

    assert asked.reply_markup is None
    assert offered.reply_markup == keyboard
    assert standin.messages_to(3)[0].reply_markup == {"force_reply": True, "selective": True}


async def test_polling_application_answers_an_injected_start(standin: StandIn) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        await update.effective_message.reply_text(
            f"hello {update.effective_user.language_code} {context.args}"
        )

    app = ApplicationBuilder().token(standin.token).base_url(standin.base_url).build()
    app.add_handler(CommandHandler("start", start))
    async with run_polling(app):
        update = standin.user_message(7, f"/start@{standin.username} trip", language_code="de")
        [reply] = await standin.wait_for(1, chat_id=7)

    entity = update["message"]["entities"][0]
    assert entity == {"type": "bot_command", "offset": 0, "length": len("/start@travel_risk_bot")}
    assert reply.text == "hello de ['trip']"
    assert reply.reply_to_message_id is None
    assert standin.pending_updates == []


async def test_callback_query_reaches_its_handler_and_is_answered(standin: StandIn) -> None:
    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer(f"got {query.data}")
        await query.edit_message_text(f"chosen: {query.data}", reply_markup=None)

    app = ApplicationBuilder().token(standin.token).base_url(standin.base_url).build()
    app.add_handler(CallbackQueryHandler(on_button))
    async with run_polling(app):
        standin.known_chat(9)
        message = await app.bot.send_message(9, "pick", reply_markup=keyboard("yes", "no"))
        query_id = standin.press_button(9, message.message_id, "no")
        await standin.wait_until(lambda: bool(standin.edits), timeout=3)

    [answer] = standin.answered_callbacks
    assert answer.callback_query_id == query_id
    assert answer.text == "got no"
    [edit] = standin.edits
    assert (edit.chat_id, edit.message_id, edit.text) == (9, message.message_id, "chosen: no")
    assert edit.reply_markup is None


async def test_pressing_a_button_the_message_does_not_have_is_refused(
    standin: StandIn, bot: Bot
) -> None:
    standin.known_chat(9)
    message = await bot.send_message(9, "pick", reply_markup=keyboard("yes"))
    with pytest.raises(ValueError, match="has no button 'maybe'"):
        standin.press_button(9, message.message_id, "maybe")
    assert standin.press_button(9, message.message_id, "maybe", forged=True)


async def test_answering_a_callback_twice_is_refused(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(9)
    message = await bot.send_message(9, "pick", reply_markup=keyboard("yes"))
    query_id = standin.press_button(9, message.message_id, "yes")
    assert await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_long_poll_wakes_as_soon_as_an_update_arrives(standin: StandIn, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    standin.user_message(5, "hi")
    updates = await poll
    assert loop.time() - started < 2
    assert [u.message.text for u in updates if u.message] == ["hi"]


async def test_get_updates_honours_offset_and_limit_and_idles_empty(
    standin: StandIn, bot: Bot
) -> None:
    for text in ("a", "b", "c"):
        standin.user_message(5, text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["a", "b"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["c"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0) == ()


async def test_edit_and_delete_follow_telegram_rules(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(3)
    message = await bot.send_message(3, "v1", reply_markup=keyboard("a"))
    edited = await bot.edit_message_text("v2", chat_id=3, message_id=message.message_id)
    assert isinstance(edited, Message) and edited.text == "v2"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("v2", chat_id=3, message_id=message.message_id)
    await bot.edit_message_reply_markup(3, message.message_id, reply_markup=keyboard("b"))
    assert [e.method for e in standin.edits] == ["editMessageText", "editMessageReplyMarkup"]
    assert await bot.delete_message(3, message.message_id)
    with pytest.raises(BadRequest, match=r"[Mm]essage to delete not found"):
        await bot.delete_message(3, message.message_id)
    assert standin.deleted == [(3, message.message_id)]


async def test_commands_are_kept_per_language(standin: StandIn, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("follow", "Follow a country")])
    await bot.set_my_commands([BotCommand("follow", "Suivre un pays")], language_code="fr")
    assert [c.description for c in await bot.get_my_commands(language_code="fr")] == [
        "Suivre un pays"
    ]
    assert standin.commands()[0]["command"] == "follow"
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_user_document_can_be_downloaded_by_the_bot(standin: StandIn, bot: Bot) -> None:
    update = standin.user_document(8, "trips.csv", b"country,start\nFR,2025-07-01\n")
    document = Update.de_json(update, bot).message.document  # type: ignore[union-attr]
    assert document is not None and document.file_name == "trips.csv"
    file = await document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"country,start\nFR,2025-07-01\n"


async def test_send_document_records_the_upload(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(8)
    message = await bot.send_document(8, b"a,b\n1,2\n", filename="export.csv", caption="Export")
    [document] = standin.documents
    assert (document.filename, document.content, document.caption) == (
        "export.csv",
        b"a,b\n1,2\n",
        "Export",
    )
    assert message.document is not None and message.document.file_name == "export.csv"
    assert standin.sent[-1].method == "sendDocument"


async def test_group_admins_are_configurable(standin: StandIn, bot: Bot) -> None:
    standin.user_message(-100, "/follow FR", chat_type="group", title="Trip", user_id=11)
    standin.member_status(-100, 12, "administrator")
    standin.member_status(-100, 13, "creator")
    assert (await bot.get_chat_member(-100, 11)).status == "member"
    assert (await bot.get_chat_member(-100, 12)).status == "administrator"
    assert (await bot.get_chat_member(-100, 99)).status == "left"
    admins = await bot.get_chat_administrators(-100)
    assert sorted(a.user.id for a in admins) == [12, 13]
    chat = await bot.get_chat(-100)
    assert (chat.type, chat.title) == ("group", "Trip")
    assert await bot.send_chat_action(-100, "typing")
    assert standin.chat_actions == [(-100, "typing")]


async def test_webhook_url_is_recorded_and_blocks_polling(standin: StandIn, bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook")
    assert standin.webhook_url == "https://example.org/hook"
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    await bot.delete_webhook()
    assert standin.webhook_url == ""
    assert await bot.log_out()


async def test_unknown_method_and_wrong_token(standin: StandIn) -> None:
    async with aiohttp.ClientSession() as session:
        url = f"{standin.base_url}{standin.token}/sendSticker"
        async with session.post(url, data={"chat_id": "1"}) as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with session.post(f"{standin.base_url}1:WRONG/getMe") as response:
            assert response.status == 401
            assert (await response.json())["description"] == "Unauthorized"
    with pytest.raises(InvalidToken):
        async with Bot("1:WRONG", base_url=standin.base_url):
            pass


async def test_json_and_form_bodies_decode_alike(standin: StandIn) -> None:
    standin.known_chat(4)
    markup = {"inline_keyboard": [[{"text": "Ok", "callback_data": "ok"}]]}
    url = f"{standin.base_url}{standin.token}/sendMessage"
    async with aiohttp.ClientSession() as session:
        form = {"chat_id": "4", "text": "123", "reply_markup": json.dumps(markup)}
        async with session.post(url, data=form) as response:
            by_form = await response.json()
        body = {"chat_id": 4, "text": "123", "reply_markup": markup}
        async with session.post(url, json=body) as response:
            by_json = await response.json()
    assert by_form["result"]["text"] == by_json["result"]["text"] == "123"
    assert [m.reply_markup for m in standin.sent] == [markup, markup]


async def test_wait_for_timeout_lists_what_was_sent(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(6)
    await bot.send_message(6, "only this")
    with pytest.raises(AssertionError, match="only this"):
        await standin.wait_for(lambda m: m.text == "never", timeout=0.2)
    found = await standin.wait_for(lambda m: m.text == "only this", chat_id=6)
    assert found.message_id == 1
    standin.clear()
    assert standin.sent == [] and standin.requests == []


class run_polling:
    """Run an Application's polling for the body of an `async with`, then stop it."""

    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        self.app = app

    async def __aenter__(self) -> Application:  # type: ignore[type-arg]
        await self.app.initialize()
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0, timeout=1)
        return self.app

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.app.updater is not None
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()


async def test_allowed_updates_leaves_out_other_kinds(standin: StandIn, bot: Bot) -> None:
    standin.user_message(2, "/start")
    standin.block(2)
    updates = await bot.get_updates(allowed_updates=["my_chat_member"])
    assert [u.my_chat_member is not None for u in updates] == [True]


async def test_stop_answers_a_waiting_long_poll_at_once() -> None:
    standin = StandIn()
    await standin.start()
    async with Bot(standin.token, base_url=standin.base_url) as bot:
        loop = asyncio.get_running_loop()
        poll = asyncio.create_task(bot.get_updates(timeout=10, read_timeout=15))
        await asyncio.sleep(0.1)
        started = loop.time()
        await standin.stop()
        assert await poll == ()
        assert loop.time() - started < 2


def test_member_status_rejects_an_unknown_status(standin: StandIn) -> None:
    standin.known_chat(-1, "group")
    with pytest.raises(ValueError, match="unknown chat member status"):
        standin.member_status(-1, 5, "owner")
