"""What a chat is in the middle of, shared by every process through the database.

Behind a load balancer (webhook mode, several processes) a chat's next message may reach
another process than its last one. python-telegram-bot keeps `chat_data` and the states of
ConversationHandlers in the memory of one process; here they live in the database instead:

- `DatabasePersistence` is a `BasePersistence` over our `Database`: `chat_data` is read
  afresh for every update (`refresh_chat_data`) and conversation states are read by
  `SharedStateApplication` before an update is handled; both are written as soon as the
  update has been handled, not at python-telegram-bot's usual interval.
- Values are stored as JSON (`encode` / `decode`): plain values, tuples, dates, and frozen
  dataclasses of the `bot` package, such as a /trip draft. Anything else is refused when
  written, loudly, rather than kept in one process only.

A ConversationHandler takes part with `name=...` and `persistent=True`. A conversation
that has been idle longer than its `conversation_timeout` is over for every process; a
process's own timeout firing after another process moved the conversation on changes
nothing (`bot.store.conversations` writes only over the version it read).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, BasePersistence, ConversationHandler, PersistenceInput

from bot.store import conversations as store
from bot.store.database import Database

log = logging.getLogger(__name__)

ChatData = dict[Any, Any]
ConversationKey = tuple[int | str, ...]
_REMEMBERED = 10_000  # chats and conversations whose last stored value a process remembers


class UnstorableValue(TypeError):
    """A value in chat_data or a conversation state that JSON here cannot carry."""


def encode(value: Any) -> Any:
    """A JSON-ready form of `value`; tuples, dates and dataclasses carry a `$` tag."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode(item) for item in value]}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"$items": [[encode(k), encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        return {
            "$dataclass": f"{kind.__module__}:{kind.__qualname__}",
            "fields": {
                f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
            },
        }
    raise UnstorableValue(
        f"{type(value).__name__} cannot be kept in the database for other processes:"
        " store plain values, tuples, dates or dataclasses of the bot package"
    )


def decode(value: Any) -> Any:
    """The value `encode` was given."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$tuple" in value:
        return tuple(decode(item) for item in value["$tuple"])
    if "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$items" in value:
        return {decode(k): decode(v) for k, v in value["$items"]}
    if "$dataclass" in value:
        kind = _dataclass(value["$dataclass"])
        return kind(**{name: decode(v) for name, v in value["fields"].items()})
    return {k: decode(v) for k, v in value.items()}


def _dataclass(name: str) -> Callable[..., Any]:
    """The dataclass `module:QualName`, only from the bot's own package."""
    module_name, _, qualname = name.partition(":")
    if module_name != "bot" and not module_name.startswith("bot."):
        raise ValueError(f"not a dataclass of the bot package: {name}")
    found: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not (isinstance(found, type) and dataclasses.is_dataclass(found)):
        raise ValueError(f"not a dataclass: {name}")
    return found


def _dumps(value: Any) -> str:
    return json.dumps(encode(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _remember(memory: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    memory[key] = value
    memory.move_to_end(key)
    while len(memory) > _REMEMBERED:
        memory.popitem(last=False)


class DatabasePersistence(BasePersistence[ChatData, ChatData, ChatData]):
    """chat_data and ConversationHandler states in the database, read for every update.

    user_data, bot_data and callback data are not kept: nothing uses user_data (and a
    chat's /forget could not find it), and bot_data holds this process's services.
    """

    def __init__(
        self, db: Database, clock: Callable[[], datetime], *, update_interval: float = 60
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db
        self.clock = clock
        self._chat_seen: OrderedDict[int, str | None] = OrderedDict()
        self._versions: OrderedDict[tuple[str, str], int] = OrderedDict()

    # chat_data: read for every update, written when it changed

    async def get_chat_data(self) -> dict[int, ChatData]:
        return {}  # nothing up front: each chat's data is read when the chat writes

    async def refresh_chat_data(self, chat_id: int, chat_data: ChatData) -> None:
        text = await store.chat_state(self.db, chat_id)
        data: ChatData = {}
        if text is not None:
            try:
                data = decode(json.loads(text))
            except (ValueError, TypeError, ImportError, AttributeError) as error:
                log.warning("chat %s: stored chat_data unreadable, dropped: %s", chat_id, error)
        chat_data.clear()
        chat_data.update(data)
        _remember(self._chat_seen, chat_id, text)

    async def update_chat_data(self, chat_id: int, data: ChatData) -> None:
        text = _dumps(data) if data else None
        if chat_id in self._chat_seen and self._chat_seen[chat_id] == text:
            return
        await store.save_chat_state(self.db, chat_id, text, now=self.clock())
        _remember(self._chat_seen, chat_id, text)

    async def drop_chat_data(self, chat_id: int) -> None:
        await store.save_chat_state(self.db, chat_id, None, now=self.clock())
        _remember(self._chat_seen, chat_id, None)

    # conversations: read by SharedStateApplication before each update, written after

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        return {}  # nothing up front: a conversation is read when its chat writes

    async def load_conversation(
        self, name: str, key: ConversationKey, timeout: timedelta | None
    ) -> object | None:
        """The conversation's state; None when none is under way (or it timed out).

        (None is never a state: python-telegram-bot takes it for "no change".)"""
        key_text = json.dumps(list(key))
        self._versions.pop((name, key_text), None)
        stored = await store.conversation(self.db, name, key_text)
        if stored is None:
            return None
        if timeout is not None and stored.updated_at + timeout <= self.clock():
            await store.end_conversation(self.db, name, key_text, read_version=stored.version)
            return None
        try:
            state = decode(json.loads(stored.state))
        except (ValueError, TypeError, ImportError, AttributeError) as error:
            log.warning("conversation %s %s unreadable, ended: %s", name, key_text, error)
            await store.end_conversation(self.db, name, key_text, read_version=stored.version)
            return None
        _remember(self._versions, (name, key_text), stored.version)
        return state

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        key_text = json.dumps(list(key))
        read_version = self._versions.pop((name, key_text), None)
        if new_state is None:
            if read_version is not None:
                await store.end_conversation(self.db, name, key_text, read_version=read_version)
            return
        chat_id = key[0] if key and isinstance(key[0], int) else None
        version = await store.save_conversation(
            self.db,
            name,
            key_text,
            _dumps(new_state),
            chat_id=chat_id,
            read_version=read_version,
            now=self.clock(),
        )
        if version is None:
            log.info("conversation %s %s moved on in another process; step not kept", name, key)
        else:
            _remember(self._versions, (name, key_text), version)

    # what is not kept

    async def get_user_data(self) -> dict[int, ChatData]:
        return {}

    async def get_bot_data(self) -> ChatData:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_user_data(self, user_id: int, data: ChatData) -> None:
        return None

    async def update_bot_data(self, data: ChatData) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: ChatData) -> None:
        return None

    async def refresh_bot_data(self, bot_data: ChatData) -> None:
        return None

    async def flush(self) -> None:
        return None  # every change is written when its update has been handled


class SharedStateApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application whose conversations and chat_data are the database's, not its own.

    Before an update is handled, the state of each persistent conversation it belongs to
    is read from the database (another process may have moved it on); once handled, what
    changed is written at once, so the chat's next update may go to any process.
    """

    __slots__ = ()

    async def process_update(self, update: object) -> None:
        persistence = self.persistence
        if isinstance(update, Update) and isinstance(persistence, DatabasePersistence):
            try:
                await self._read_conversations(update, persistence)
            except Exception:  # the database is away: the handlers will say so, not silence
                log.exception("could not read the conversations of an update")
        try:
            await super().process_update(update)
        finally:
            if persistence is not None:
                await self.update_persistence()

    async def _read_conversations(self, update: Update, persistence: DatabasePersistence) -> None:
        for handler in self._persistent_conversations():
            try:
                # python-telegram-bot's own key for the update (per chat, user, message).
                key = handler._get_key(update)
            except RuntimeError:  # the update has no chat or user of the kind keyed on
                continue
            timeout = handler.conversation_timeout
            if isinstance(timeout, int | float):
                timeout = timedelta(seconds=timeout)
            state = await persistence.load_conversation(str(handler.name), key, timeout)
            states = self._conversation_handler_conversations[str(handler.name)]
            # Untracked: what was read is not written back unless a handler changes it.
            if state is None:
                states.data.pop(key, None)
            else:
                states.update_no_track({key: state})

    def _persistent_conversations(self) -> Iterator[ConversationHandler[Any]]:
        for handlers in self.handlers.values():
            for handler in handlers:
                if isinstance(handler, ConversationHandler) and handler.persistent:
                    yield handler
