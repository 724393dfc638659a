"""A local HTTP server that answers like the Telegram Bot API, for tests and the demo.

python-telegram-bot talks to it over real HTTP (`base_url=standin.base_url`), so the bot
under test runs exactly as in production. A test plays the users (`user_message`,
`press_button`, ...), breaks things on purpose (`fail_next`, `delay`, `block`) and
reads what the bot did (`sent`, `wait_for`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from http import HTTPStatus
from types import TracebackType
from typing import Any, overload

from aiohttp import web

from bot.standin.methods import BotApi
from bot.standin.params import Params, read_params
from bot.standin.ratelimit import FloodControl, RateLimits, busiest_window
from bot.standin.records import (
    AnsweredCallback,
    ApiError,
    Edit,
    Fault,
    Journal,
    RecordedRequest,
    SentDocument,
    SentMessage,
    TooManyRequests,
)
from bot.standin.users import Users
from bot.standin.world import World

DEFAULT_TOKEN = "123456:TEST-TOKEN"
_MAX_UPLOAD = 60 * 1024 * 1024


class StandIn(Users):
    """The Bot API for one bot token, on 127.0.0.1 and an ephemeral port."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        username: str = "travel_risk_bot",
        bot_name: str = "Travel Risk Bot",
        rate_limits: RateLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.username = username
        self.bot_id = int(token.split(":", 1)[0])
        self._clock = clock
        self._host = host
        self._port = port
        self._world = World(
            {"id": self.bot_id, "is_bot": True, "first_name": bot_name, "username": username}
        )
        self._journal = Journal()
        flood = FloodControl(rate_limits, clock) if rate_limits else None
        self._api = BotApi(self._world, self._journal, token=token, clock=clock, flood=flood)
        self.requests: list[RecordedRequest] = []
        self._faults: list[Fault] = []
        self._delays: dict[str, float] = {}
        self._runner: web.AppRunner | None = None

    # lifecycle

    async def start(self) -> None:
        """Listen on an ephemeral port; `base_url` is valid from here on."""
        app = web.Application(client_max_size=_MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._on_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._on_file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._world.closing = False
        self._runner = runner
        self._port = runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer waiting long polls at once and close the server."""
        self._world.wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> StandIn:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)`: the token and method are appended."""
        return f"{self._root()}/bot"

    @property
    def base_file_url(self) -> str:
        """For `ApplicationBuilder().base_file_url(...)`, so file downloads come here too."""
        return f"{self._root()}/file/bot"

    def _root(self) -> str:
        if self._runner is None:
            raise RuntimeError("the stand-in is not started: await start() first")
        return f"http://{self._host}:{self._port}"

    # HTTP

    async def _on_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = Params({})
        try:
            params = await read_params(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            delay = self._delays.get(method.lower())
            if delay:
                await asyncio.sleep(delay)
            fault = self._take_fault(method, params)
            if fault is not None:
                raise fault
            result = await self._api.call(method, params)
        except ApiError as error:
            self._record(method, params, error.error_code, error.description)
            return web.json_response(error.body(), status=error.error_code)
        self._record(method, params, 200, None)
        return web.json_response({"ok": True, "result": result})

    async def _on_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        stored = self._world.file_by_path(request.match_info["path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    def _record(self, method: str, params: Params, status: int, description: str | None) -> None:
        self.requests.append(
            RecordedRequest(method, params.for_record(), status, self._clock(), description)
        )
        self._journal.changed()

    def _take_fault(self, method: str, params: Params) -> ApiError | None:
        for fault in self._faults:
            if fault.method not in ("*", method.lower()):
                continue
            if fault.chat_id is not None and params.raw.get("chat_id") is not None:
                try:
                    if params.chat_ref() != fault.chat_id:
                        continue
                except ApiError:
                    continue
            elif fault.chat_id is not None:
                continue
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            return fault.error
        return None

    # faults

    def fail_next(
        self,
        method: str = "sendMessage",
        *,
        chat_id: int | None = None,
        error_code: int = 500,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` ("*" for any), to `chat_id` if given,
        with this error instead of doing them."""
        parameters: dict[str, Any] = {}
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if description is None:
            description = _standard_description(error_code, retry_after)
        error = ApiError(error_code, description, parameters)
        self._faults.append(Fault(method.lower(), chat_id, error, times))

    def delay(self, method: str, seconds: float) -> None:
        """Answer every call of `method` `seconds` late (0 to stop); the call still happens,
        as on a slow Telegram, even if the client gave up waiting."""
        if seconds > 0:
            self._delays[method.lower()] = seconds
        else:
            self._delays.pop(method.lower(), None)

    # what the bot did

    @property
    def sent(self) -> list[SentMessage]:
        return self._journal.sent

    @property
    def edits(self) -> list[Edit]:
        return self._journal.edits

    @property
    def documents(self) -> list[SentDocument]:
        return self._journal.documents

    @property
    def deleted(self) -> list[tuple[int, int]]:
        """(chat id, message id) of every message the bot deleted."""
        return self._journal.deleted

    @property
    def answered_callbacks(self) -> list[AnsweredCallback]:
        return self._journal.answered_callbacks

    @property
    def too_many_requests(self) -> list[TooManyRequests]:
        return self._journal.too_many_requests

    @property
    def chat_actions(self) -> list[tuple[int, str]]:
        return self._journal.chat_actions

    @property
    def webhook_url(self) -> str:
        return self._world.webhook_url

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet (by a later getUpdates offset)."""
        return list(self._world.updates)

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """The commands the bot set with setMyCommands for a scope and language."""
        key = Params({"scope": scope, "language_code": language_code})
        return self._api.get_my_commands(key)

    def busiest(self, seconds: float, chat_id: int | None = None) -> int:
        """The most messages the bot got through in any `seconds` (to `chat_id`, if given)."""
        sent = self.sent if chat_id is None else self.messages_to(chat_id)
        return busiest_window([m.at for m in sent], seconds)

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [message for message in self._journal.sent if message.chat_id == chat_id]

    def clear(self) -> None:
        """Forget what the bot did so far (chats, messages and updates stay)."""
        journal = self._journal
        for records in (
            journal.sent,
            journal.edits,
            journal.documents,
            journal.deleted,
            journal.answered_callbacks,
            journal.too_many_requests,
            journal.chat_actions,
            self.requests,
        ):
            records.clear()

    @overload
    async def wait_for(
        self, predicate_or_count: int, *, chat_id: int | None = None, timeout: float = 5.0
    ) -> list[SentMessage]: ...

    @overload
    async def wait_for(
        self,
        predicate_or_count: Callable[[SentMessage], bool],
        *,
        chat_id: int | None = None,
        timeout: float = 5.0,
    ) -> SentMessage: ...

    async def wait_for(
        self,
        predicate_or_count: int | Callable[[SentMessage], bool],
        *,
        chat_id: int | None = None,
        timeout: float = 5.0,
    ) -> list[SentMessage] | SentMessage:
        """Wait until `count` messages were sent (to `chat_id`) and return the first `count`,
        or until one matches the predicate and return it. Fails listing what was sent."""

        def candidates() -> list[SentMessage]:
            return self.sent if chat_id is None else self.messages_to(chat_id)

        if isinstance(predicate_or_count, int):
            count = predicate_or_count
            await self.wait_until(
                lambda: len(candidates()) >= count,
                timeout=timeout,
                waiting_for=f"{count} message(s)" + _to(chat_id),
            )
            return candidates()[:count]
        predicate = predicate_or_count
        await self.wait_until(
            lambda: any(predicate(m) for m in candidates()),
            timeout=timeout,
            waiting_for="a matching message" + _to(chat_id),
        )
        return next(m for m in candidates() if predicate(m))

    async def wait_until(
        self, condition: Callable[[], bool], *, timeout: float = 5.0, waiting_for: str = ""
    ) -> None:
        """Wait until `condition()` holds, re-checking whenever the bot does anything."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(self._timeout_report(timeout, waiting_for))
            change = self._journal.next_change()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(change.wait(), remaining)

    def _timeout_report(self, timeout: float, waiting_for: str) -> str:
        lines = [f"timed out after {timeout}s waiting for {waiting_for or 'a condition'}"]
        lines.append(f"sent so far ({len(self.sent)}):")
        lines += [
            f"  {m.method} #{m.message_id} to {m.chat_id}: {m.plain_text[:300]!r}"
            for m in self.sent
        ]
        failed = [r for r in self.requests if r.status != 200]
        if failed:
            lines.append("failed requests:")
            lines += [f"  {r.method} {r.status}: {r.description}" for r in failed[-20:]]
        return "\n".join(lines)


def _to(chat_id: int | None) -> str:
    return "" if chat_id is None else f" to chat {chat_id}"


def _standard_description(error_code: int, retry_after: int | None) -> str:
    if error_code == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    names = {400: "Bad Request", 403: "Forbidden", 409: "Conflict"}
    if error_code in names:
        return names[error_code]
    try:
        return HTTPStatus(error_code).phrase
    except ValueError:
        return f"Error {error_code}"
