"""The last line of defence: an error no handler claimed becomes a JSON 500 naming the request id.

Starlette's own ``Exception`` handler answers and then re-raises, so uvicorn logs the error a
second time and closes the keep-alive connection; this pure-ASGI middleware answers and returns,
so the connection stays usable. Bodies over the limit are refused here too, as JSON (Starlette's
limiter answers plain text): at once by ``Content-Length``, or as a chunked body grows past it
(an ``HTTPException`` raised from ``receive``, which the route's handlers turn into a 413).
"""

from __future__ import annotations

import json
import logging

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from host.logging_setup import request_id_var
from server.api.errors import DATABASE_RETRY_AFTER, database_away

logger = logging.getLogger(__name__)


def _json(status: int, detail: str, **extra: str) -> tuple[Message, Message]:
    body = json.dumps({"detail": detail, **extra}).encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    return start, {"type": "http.response.body", "body": body, "more_body": False}


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class ErrorBoundaryMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > self.max_body_bytes:
            for message in _json(
                413, f"the request body is {length} bytes; the limit is {self.max_body_bytes}"
            ):
                await send(message)
            return
        started = False
        finished = False
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise HTTPException(
                        413, f"the request body exceeds the limit of {self.max_body_bytes} bytes"
                    )
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except Exception as exc:
            if not started and database_away(exc):  # e.g. raised while a stream was set up
                await _database_away_answer(send)
                return
            runtime = getattr(getattr(scope.get("app"), "state", None), "runtime", None)
            if runtime is not None:
                runtime.unexpected_errors += 1
            logger.exception(
                "unexpected error on %s %s", scope.get("method", ""), scope.get("path", "")
            )
            if not started:
                request_id = request_id_var.get() or ""
                detail = f"internal server error (request id {request_id})"
                for message in _json(500, detail, request_id=request_id):
                    await send(message)
            elif not finished:  # a streamed body broke: end it cleanly, keep the connection
                await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _database_away_answer(send: Send) -> None:
    start, body = _json(503, "the database is unavailable; retry shortly")
    start["headers"].append((b"retry-after", str(DATABASE_RETRY_AFTER).encode()))
    await send(start)
    await send(body)
