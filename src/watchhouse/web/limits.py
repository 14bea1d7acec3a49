"""How much the web accepts: the request body and each text field (documented in
docs/operations.md). A body over the limit is refused with 413 before it is read whole; a
field over its limit is refused with 422 naming the field."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_REQUEST_BYTES = 1024 * 1024  # 1 MiB: the largest form or JSON body the app needs is a few KB
MAX_FREE_TEXT_CHARS = 4000  # a summary, note, reason or finding
MAX_SHORT_TEXT_CHARS = 200  # a name, code, unit or label

FreeText = Annotated[str, Field(max_length=MAX_FREE_TEXT_CHARS)]
ShortText = Annotated[str, Field(max_length=MAX_SHORT_TEXT_CHARS)]


def _whole_number_only(value: object) -> object:
    """A number or level must be sent as a JSON number: true, false and "2" are refused, not
    read as 1, 0 and 2."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("a whole number is needed here")
    return value


WholeNumber = BeforeValidator(_whole_number_only)
ThriveNoteKey = Literal["threat", "harm", "risk", "investigation", "vulnerability", "engagement"]


class _TooLarge(Exception):
    """The body grew past the limit while it was being read."""


class BodySizeLimit:
    """Refuse (413) a request whose body is larger than `limit` bytes, by its Content-Length
    or, when it has none, as it arrives."""

    def __init__(self, app: ASGIApp, limit: int = MAX_REQUEST_BYTES) -> None:
        """Wrap the app."""
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting its body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, send)
            return
        seen = 0
        too_large = False
        replaced = False

        async def counted() -> Message:
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    too_large = True
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            # Whatever the app answers to a body cut short (FastAPI says 400), the answer is 413.
            nonlocal replaced
            if too_large:
                if not replaced:
                    replaced = True
                    await self._refuse(scope, send)
                return
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not replaced:
                replaced = True
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        message = f"the request body is larger than {self.limit // 1024} KiB"
        body = json.dumps({"message": message, "problems": []}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
