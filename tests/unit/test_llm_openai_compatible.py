"""ChatOpenAI through OPENAI_BASE_URL against a local OpenAI-compatible server over real HTTP.

A tiny FastAPI app on loopback answers ``/v1/chat/completions`` the way vLLM, Ollama or LM
Studio do (JSON, and SSE with a final usage chunk), so the factory's ChatOpenAI is exercised
end to end — request shape, auth header, streaming and usage accounting — with no network.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, SecretStr

from tools.llm import (
    ModelConfig,
    UsageTracker,
    aguarded_invoke,
    chat_model,
    guarded_invoke,
    with_usage_callback,
)

REPLY = "Two products found under €30."
SERVED_MODEL = "gpt-4o-2024-08-06"
PROMPT_TOKENS = 17
COMPLETION_TOKENS = 6


@dataclass
class _Seen:
    bodies: list[dict[str, Any]] = field(default_factory=list)
    authorization: list[str] = field(default_factory=list)


def _completion_app(seen: _Seen) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions", response_model=None)
    async def completions(request: Request) -> JSONResponse | StreamingResponse:
        body = await request.json()
        seen.bodies.append(body)
        seen.authorization.append(request.headers.get("authorization", ""))
        content = REPLY
        if (body.get("response_format") or {}).get("type") == "json_schema":
            content = json.dumps({"title": "Desk lamp", "price_eur": 29.5})
        usage = {
            "prompt_tokens": PROMPT_TOKENS,
            "completion_tokens": COMPLETION_TOKENS,
            "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
        }
        if body.get("stream"):
            include_usage = (body.get("stream_options") or {}).get("include_usage", False)
            return StreamingResponse(
                _sse(content, usage if include_usage else None), media_type="text/event-stream"
            )
        return JSONResponse(
            {
                "id": "chatcmpl-local-1",
                "object": "chat.completion",
                "created": 1_700_000_000,
                "model": SERVED_MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": usage,
            }
        )

    return app


async def _sse(content: str, usage: dict[str, int] | None) -> AsyncIterator[str]:
    base = {
        "id": "chatcmpl-local-2",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": SERVED_MODEL,
    }

    def event(choices: list[dict[str, Any]], **extra: Any) -> str:
        return f"data: {json.dumps({**base, 'choices': choices, **extra})}\n\n"

    yield event([{"index": 0, "delta": {"role": "assistant", "content": ""}}])
    for word in content.split(" "):
        piece = word if word == content.split(" ")[0] else f" {word}"
        yield event([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
    yield event([{"index": 0, "delta": {}, "finish_reason": "stop"}])
    if usage is not None:
        yield event([], usage=usage)
    yield "data: [DONE]\n\n"


class _LoopbackServer:
    def __init__(self, app: FastAPI) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> _LoopbackServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("local OpenAI-compatible server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, _Seen]]:
    seen = _Seen()
    with _LoopbackServer(_completion_app(seen)) as running:
        yield f"http://127.0.0.1:{running.port}/v1", seen


@pytest.fixture
def seen(server: tuple[str, _Seen]) -> _Seen:
    server[1].bodies.clear()
    server[1].authorization.clear()
    return server[1]


@pytest.fixture
def config(server: tuple[str, _Seen]) -> ModelConfig:
    return ModelConfig(api_key=SecretStr("sk-local-test"), base_url=server[0], max_retries=0)


MESSAGES = [SystemMessage("You are the CEO."), HumanMessage("Find two products under €30")]


def test_invoke_over_http_records_usage(config: ModelConfig, seen: _Seen) -> None:
    model = chat_model("ceo", config)
    assert isinstance(model, ChatOpenAI)
    tracker = UsageTracker.from_config(config)
    reply = guarded_invoke(model, MESSAGES, tracker)
    assert isinstance(reply, AIMessage)
    assert reply.content == REPLY
    [body] = seen.bodies
    assert body["model"] == "gpt-4o"  # the CEO role's model
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert seen.authorization == ["Bearer sk-local-test"]
    summary = tracker.summary()
    assert summary.by_role["ceo"].input_tokens == PROMPT_TOKENS
    assert summary.by_role["ceo"].output_tokens == COMPLETION_TOKENS
    assert summary.by_model[SERVED_MODEL].cost_eur == tracker.prices.cost(
        "gpt-4o", PROMPT_TOKENS, COMPLETION_TOKENS
    )
    assert summary.estimated_calls == 0


def test_streaming_over_sse_reports_usage(config: ModelConfig, seen: _Seen) -> None:
    model = chat_model("cluster", config)
    tracker = UsageTracker.from_config(config)
    chunks = list(model.stream(MESSAGES, config=with_usage_callback(None, tracker)))
    assert len(chunks) > 3
    joined = chunks[0]
    for chunk in chunks[1:]:
        joined = joined + chunk
    assert isinstance(joined, AIMessageChunk)
    assert joined.content == REPLY
    assert joined.usage_metadata is not None
    assert joined.usage_metadata["input_tokens"] == PROMPT_TOKENS
    [body] = seen.bodies
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["model"] == "gpt-4o-mini"
    assert tracker.summary().by_role["cluster"].total_tokens == PROMPT_TOKENS + COMPLETION_TOKENS


async def test_async_structured_output_over_http(config: ModelConfig, seen: _Seen) -> None:
    class Listing(BaseModel):
        title: str
        price_eur: float

    model = chat_model("copywriting", config)
    tracker = UsageTracker.from_config(config)
    listing = await aguarded_invoke(model.with_structured_output(Listing), MESSAGES, tracker)
    assert listing == Listing(title="Desk lamp", price_eur=29.5)
    [body] = seen.bodies
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "Listing"
    assert tracker.summary().by_role["copywriting"].calls == 1
