"""A local OpenAI-compatible chat server that answers with the project's offline responders.

Evals record every model call as HTTP, like a real provider's. Without a key, ``royal eval
--record`` points ``ChatOpenAI`` here: the same deterministic answers the offline model gives,
served over ``/v1/chat/completions`` (tools, ``tool_choice``, ``response_format`` json_schema,
SSE streaming with usage), so the cassettes look like real OpenAI traffic.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from langchain_core.messages import AIMessage, BaseMessage, convert_to_messages

from nodes.offline import offline_registry
from tools.llm import OfflineChatModel
from tools.sandbox.runner import LoopbackServer

#: ``created`` in every answer: a constant keeps re-recorded cassettes byte-comparable.
CREATED = 1_700_000_000


def _completion_id(body: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    return f"chatcmpl-{digest[:24]}"


def _messages(raw: list[dict[str, Any]]) -> list[BaseMessage]:
    converted: list[dict[str, Any]] = []
    for message in raw:
        item = dict(message)
        if item.get("role") == "developer":
            item["role"] = "system"
        if isinstance(item.get("content"), list):  # content parts: keep the text ones
            item["content"] = "".join(
                str(p.get("text", "")) for p in item["content"] if isinstance(p, dict)
            )
        converted.append(item)
    return convert_to_messages(converted)


def _answer(model: OfflineChatModel, body: dict[str, Any]) -> AIMessage:
    kwargs: dict[str, Any] = {}
    for key in ("tools", "tool_choice", "response_format", "stop"):
        if body.get(key) is not None:
            kwargs[key] = body[key]
    if "tools" in kwargs and "tool_choice" in kwargs:
        choice = kwargs["tool_choice"]
        if isinstance(choice, dict) and choice.get("type") == "function":
            kwargs["offline_structured_output"] = False
    reply = model.invoke(_messages(body.get("messages") or []), **kwargs)
    assert isinstance(reply, AIMessage)
    return reply


def _tool_calls(reply: AIMessage) -> list[dict[str, Any]]:
    return [
        {
            "id": call["id"],
            "type": "function",
            "function": {"name": call["name"], "arguments": json.dumps(call["args"])},
        }
        for call in reply.tool_calls
    ]


def _usage(reply: AIMessage) -> dict[str, int]:
    usage = reply.usage_metadata or {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
    return {
        "prompt_tokens": usage["input_tokens"],
        "completion_tokens": usage["output_tokens"],
        "total_tokens": usage["total_tokens"],
    }


def _finish(reply: AIMessage) -> str:
    return "tool_calls" if reply.tool_calls else "stop"


def completion(body: dict[str, Any], reply: AIMessage) -> dict[str, Any]:
    """The non-streaming ``chat.completion`` object."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None, "refusal": None}
    if reply.tool_calls:
        message["tool_calls"] = _tool_calls(reply)
    return {
        "id": _completion_id(body),
        "object": "chat.completion",
        "created": CREATED,
        "model": body.get("model", "scripted"),
        "choices": [{"index": 0, "message": message, "finish_reason": _finish(reply)}],
        "usage": _usage(reply),
    }


def chunks(body: dict[str, Any], reply: AIMessage) -> Iterator[dict[str, Any]]:
    """The ``chat.completion.chunk`` stream: role, text pieces, tool calls, finish, usage."""
    base = {
        "id": _completion_id(body),
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": body.get("model", "scripted"),
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    yield chunk({"role": "assistant", "content": ""})
    text = reply.text
    size = 24
    for start in range(0, len(text), size):
        yield chunk({"content": text[start : start + size]})
    for index, call in enumerate(_tool_calls(reply)):
        yield chunk({"tool_calls": [{"index": index, **call}]})
    yield chunk({}, _finish(reply))
    options = body.get("stream_options") or {}
    if options.get("include_usage"):
        yield {**base, "choices": [], "usage": _usage(reply)}


def create_model_app() -> FastAPI:
    app = FastAPI(title="Royal scripted model server")
    model = OfflineChatModel(registry=offline_registry())

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, "the body is not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            raise HTTPException(400, "messages (a list) is required")
        try:
            reply = _answer(model, body)
        except (ValueError, TypeError) as exc:
            error = {"message": str(exc), "type": "invalid_request_error", "code": None}
            return JSONResponse({"error": error}, status_code=400)
        if not body.get("stream"):
            return JSONResponse(completion(body, reply))

        def events() -> Iterator[str]:
            for item in chunks(body, reply):
                yield f"data: {json.dumps(item)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": "scripted", "object": "model"}]}

    return app


class ModelServer(LoopbackServer):
    """The scripted model server on a loopback port; ``base_url`` is the OpenAI base URL."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(create_model_app(), host=host, port=port)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"
