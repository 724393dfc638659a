"""Reading Bot API parameters the way Telegram does, whatever the encoding.

A client may send a query string, a form, JSON or multipart. In a form every value is a
string and structured values (reply_markup, allowed_updates, ...) are JSON inside it, so a
value is only decoded when the method asks for it as a number, a flag or an object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from bot.standin.records import ApiError


@dataclass(frozen=True, slots=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str | None


class Params:
    """One request's parameters with typed getters that raise Telegram's 400s."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def string(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, Upload):
            raise ApiError(400, f"Bad Request: {name} must be a string")
        return str(value)

    def integer(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise ApiError(400, f"Bad Request: invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.raw.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def json(self, name: str) -> Any:
        value = self.raw.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None

    def chat_ref(self, name: str = "chat_id") -> int | str:
        """A chat id, or a "@username" for public chats."""
        value = self.raw.get(name)
        if value is None or value == "":
            raise ApiError(400, f"Bad Request: {name} is empty")
        if isinstance(value, str) and value.strip().startswith("@"):
            return value.strip()
        number = self.integer(name)
        assert number is not None
        return number

    def upload(self, name: str) -> Upload | None:
        value = self.raw.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.raw.get(value.removeprefix("attach://"))
        return value if isinstance(value, Upload) else None

    def for_record(self) -> dict[str, Any]:
        """The parameters with uploads summarised, for `StandIn.requests`."""
        return {
            key: f"<file {value.filename}, {len(value.content)} bytes>"
            if isinstance(value, Upload)
            else value
            for key, value in self.raw.items()
        }


async def read_params(request: web.Request) -> Params:
    """All parameters of a request: query string first, then the body."""
    raw: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return Params(raw)
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON request body must be an object")
        raw.update(body)
    elif content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content = bytes(await part.read())
                raw[part.name] = Upload(part.filename, content, part.headers.get("Content-Type"))
            else:
                raw[part.name] = await part.text()
    else:
        raw.update(await request.post())
    return Params(raw)
