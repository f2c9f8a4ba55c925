"""Thread streaming (v3): ``POST /threads/{id}/commands``, the thread's event stream over SSE
(``POST /threads/{id}/stream/events``, also ``/stream``) and over a WebSocket on the same paths.

One connection is one filtered subscription: it replays the thread's log after ``since`` (or
from the start of its latest run), then follows it live until the client leaves; runs that
end or stop at an interrupt never close it. See docs/api.md ("Thread streaming (v3)").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import ValidationError

from host import thread_commands
from host.identity import Principal, set_principal
from host.runtime import Runtime
from host.v3_protocol import StreamFilter
from policies.risk import Role
from server.api.auth import Authenticator
from server.api.deps import RuntimeDep

router = APIRouter()
"""The HTTP routes (guarded by the LangGraph API's router-level authorization)."""
ws_router = APIRouter()
"""The WebSocket routes (they authenticate the handshake themselves)."""

STREAM_PATHS = ("/threads/{thread_id}/stream/events", "/threads/{thread_id}/stream")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def _matching(
    runtime: Runtime, thread_id: str, body: StreamFilter
) -> AsyncIterator[dict[str, Any]]:
    log = runtime.thread_events
    if log is None:
        raise HTTPException(status_code=503, detail="thread streaming is not available here")
    async for event in log.follow(thread_id, body.since):
        if body.matches(event):
            yield event


@router.post("/threads/{thread_id}/commands")
async def command(
    thread_id: str, body: thread_commands.Command, runtime: RuntimeDep
) -> dict[str, Any]:
    """One protocol command; protocol failures answer 200 with an error envelope."""
    return await thread_commands.execute(runtime, thread_id, body)


async def stream_events(
    thread_id: str, body: StreamFilter, runtime: RuntimeDep
) -> AsyncIterator[ServerSentEvent]:
    """The thread's events matching ``body`` (channels, namespaces, depth), after ``since``.
    Served at ``/stream/events`` (what the SDKs call) and ``/stream`` (the spec's path)."""
    yield ServerSentEvent(comment="connected")  # headers and a first byte at once
    async for event in _matching(runtime, thread_id, body):
        yield ServerSentEvent(
            raw_data=_json(event), id=str(event["event_id"]), event=event["method"]
        )


for _path in STREAM_PATHS:
    router.add_api_route(_path, stream_events, methods=["POST"], response_class=EventSourceResponse)


# --- WebSocket ---------------------------------------------------------------------------------
def _principal(websocket: WebSocket, runtime: Runtime) -> Principal:
    authenticator = Authenticator.from_settings(runtime.settings)
    authorization = websocket.headers.get("authorization", "")
    bearer = authorization[7:] if authorization.lower().startswith("bearer ") else None
    return authenticator.authenticate(websocket.headers.get("x-api-key"), bearer)


class _Socket:
    """One WebSocket: a subscription (its first frame) plus commands in-band (JS clients)."""

    def __init__(self, websocket: WebSocket, runtime: Runtime, thread_id: str) -> None:
        self.websocket = websocket
        self.runtime = runtime
        self.thread_id = thread_id
        self._sending = asyncio.Lock()

    async def send(self, body: dict[str, Any]) -> None:
        async with self._sending:
            await self.websocket.send_text(_json(body))

    async def serve(self, principal: Principal) -> None:
        first = await self.websocket.receive_text()
        try:
            subscribe = thread_commands.Command.model_validate_json(first)
            if subscribe.method != "subscription.subscribe":
                raise ValueError("the first frame must be subscription.subscribe")
            body = StreamFilter.model_validate(subscribe.params)
        except (ValidationError, ValueError) as exc:
            message = str(exc).splitlines()[0]
            await self.send(_error(None, "invalid_argument", message))
            await self.websocket.close(code=4400, reason="invalid subscription")
            return
        subscription = str(uuid.uuid4())
        await self.send(
            {"type": "success", "id": subscribe.id, "result": {"subscription_id": subscription}}
        )
        sender = asyncio.ensure_future(self._forward(body))
        try:
            await self._commands(principal)
        finally:
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)

    async def _forward(self, body: StreamFilter) -> None:
        async for event in _matching(self.runtime, self.thread_id, body):
            await self.send(event)

    async def _commands(self, principal: Principal) -> None:
        while True:
            frame = await self.websocket.receive_text()
            try:
                command = thread_commands.Command.model_validate_json(frame)
            except ValidationError:
                await self.send(
                    _error(None, "invalid_argument", "Protocol commands must be valid JSON.")
                )
                continue
            if command.method == "subscription.subscribe":
                await self.send(
                    _error(command.id, "not_supported", "one subscription per WebSocket")
                )
            elif not principal.has(Role.OPERATOR):
                message = f"{principal.subject} ({principal.role}) may not send commands"
                await self.send(_error(command.id, "permission_denied", message))
            else:
                await self.send(
                    await thread_commands.execute(self.runtime, self.thread_id, command)
                )


def _error(command_id: int | None, code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "id": command_id, "error": code, "message": message}


async def _websocket(websocket: WebSocket, thread_id: str) -> None:
    runtime: Runtime = websocket.app.state.runtime
    try:
        principal = _principal(websocket, runtime)
    except HTTPException as exc:  # accepted, then closed with 4000 + the HTTP status
        await websocket.accept()
        await websocket.close(code=4000 + exc.status_code, reason=str(exc.detail)[:120])
        return
    set_principal(principal)
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect):
        await _Socket(websocket, runtime, thread_id).serve(principal)


for _path in STREAM_PATHS:
    ws_router.add_api_websocket_route(_path, _websocket)
