"""A LangChain callback handler that feeds every chat model call's usage into a tracker.

Attach it through ``config={"callbacks": [UsageCallbackHandler(tracker)]}`` (or let
:func:`tools.llm.guard.guarded_invoke` do it): it sees streamed and non-streamed calls alike,
including calls made inside structured-output chains and LangGraph nodes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, LLMResult

from tools.llm.usage import UsageTracker, count_completion_tokens, count_tokens

#: Metadata key the model factory sets on every model it builds (``ceo``, ``cluster``, …).
ROLE_METADATA_KEY = "royal_role"


@dataclass(slots=True)
class _Started:
    role: str | None
    model: str | None
    messages: list[BaseMessage]
    tools: list[Any] = field(default_factory=list)


class UsageCallbackHandler(BaseCallbackHandler):
    """Records each finished chat model call in a :class:`UsageTracker`.

    The provider's ``usage_metadata`` is used when present. Some OpenAI-compatible servers
    report none (notably when streaming); the call is then counted with tiktoken and marked as
    estimated, so the budget still holds.
    """

    raise_error = True  # an accounting failure must not pass silently
    run_inline = True  # cheap and lock-protected: no need for an executor hop

    def __init__(self, tracker: UsageTracker) -> None:
        super().__init__()
        self.tracker = tracker
        self._lock = threading.Lock()
        self._started: dict[UUID, _Started] = {}

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        meta = metadata or {}
        params = kwargs.get("invocation_params") or {}
        tools = list(params.get("tools") or [])
        response_format = params.get("response_format")
        if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
            tools.append(response_format)
        started = _Started(
            role=meta.get(ROLE_METADATA_KEY),
            model=meta.get("ls_model_name"),
            messages=messages[0] if messages else [],
            tools=tools,
        )
        with self._lock:
            self._started[run_id] = started

    def on_llm_end(
        self,
        response: LLMResult,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        with self._lock:
            started = self._started.pop(run_id, None)
        message = _first_message(response)
        if message is None:
            return
        model = (
            message.response_metadata.get("model_name")
            or (started.model if started else None)
            or "unknown"
        )
        usage = message.usage_metadata
        estimated = usage is None
        if usage is None:
            prompt = started.messages if started else []
            tools = started.tools if started else []
            input_tokens = count_tokens(prompt, model, tools=tools)
            output_tokens = count_completion_tokens(message, model)
            usage = UsageMetadata(
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                total_tokens=input_tokens + output_tokens,
            )
        self.tracker.record(
            model=model,
            usage=usage,
            role=started.role if started else None,
            call_id=str(run_id),
            estimated=estimated,
        )

    def on_llm_error(
        self,
        error: BaseException,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        with self._lock:
            self._started.pop(run_id, None)


def _first_message(response: LLMResult) -> AIMessage | None:
    for generations in response.generations:
        for generation in generations:
            if isinstance(generation, ChatGeneration) and isinstance(generation.message, AIMessage):
                return generation.message
    return None
