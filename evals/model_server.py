"""A local OpenAI-compatible chat server that answers with the project's offline responders.

It also answers ``POST /v1/images/generations`` in OpenAI's wire format (``b64_json``): a
deterministic PNG whose colours come from the prompt, so generated ad backgrounds can be
tested over real HTTP; the prompts it received are kept in ``image_prompts``.

Evals record every model call as HTTP, like a real provider's. Without a key, ``royal eval
--record`` points ``ChatOpenAI`` here: the same deterministic answers the offline model gives,
served over ``/v1/chat/completions`` (tools, ``tool_choice``, ``response_format`` json_schema,
SSE streaming with usage), so the cassettes look like real OpenAI traffic.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from langchain_core.messages import AIMessage, BaseMessage, convert_to_messages
from PIL import Image

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


#: Sizes OpenAI's images API accepts (gpt-image-1 and DALL·E 3).
IMAGE_SIZES = frozenset({"1024x1024", "1024x1536", "1536x1024", "1792x1024", "1024x1792"})


def _error(message: str, status: int = 400) -> JSONResponse:
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    return JSONResponse({"error": error}, status_code=status)


def scripted_image(prompt: str, size: str) -> bytes:
    """A PNG of ``size`` in two colours derived from ``prompt``: same prompt, same image."""
    width, height = (int(n) for n in size.split("x"))
    digest = hashlib.sha256(prompt.encode()).digest()
    image = Image.new("RGB", (width, height), (digest[0], digest[1], digest[2]))
    image.paste((digest[3], digest[4], digest[5]), (0, height // 2, width, height))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def create_model_app(image_prompts: list[str] | None = None) -> FastAPI:
    app = FastAPI(title="Royal scripted model server")
    model = OfflineChatModel(registry=offline_registry())
    prompts = image_prompts if image_prompts is not None else []

    @app.post("/v1/images/generations")
    async def images_generations(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _error("the body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("prompt"), str):
            return _error("prompt (a string) is required")
        size = body.get("size", "1024x1024")
        if size not in IMAGE_SIZES:
            return _error(f"Invalid value: '{size}'. Supported values are: {sorted(IMAGE_SIZES)}")
        if body.get("response_format") not in (None, "b64_json"):
            return _error("only response_format b64_json is served here")
        prompts.append(body["prompt"])
        png = scripted_image(body["prompt"], size)
        data = [{"b64_json": base64.b64encode(png).decode(), "revised_prompt": None}]
        return JSONResponse({"created": CREATED, "data": data})

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
        self.image_prompts: list[str] = []
        super().__init__(create_model_app(self.image_prompts), host=host, port=port)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"
