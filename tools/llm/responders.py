"""Pluggable behaviour of the offline model: responders keyed by schema or tool name.

A responder is a plain function. It receives an :class:`OfflineRequest` (the conversation and
the JSON schema the answer must satisfy) and returns the answer's data — a mapping or a pydantic
instance for structured output and tool arguments, a string for a chat reply — or ``None`` to
decline (a tool is then not called; a structured answer falls back to the generic filler).

Register globally, next to the schema it serves::

    @offline_responder("Plan")
    def plan(request: OfflineRequest) -> Plan: ...

or per model instance with ``OfflineChatModel(responders={"Plan": plan})``; the instance's
responders win over the registry's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel

#: The key of the responder for plain chat (no tools, no schema).
CHAT: Final = "__chat__"

RequestKind = Literal["structured_output", "tool_call", "chat"]
ResponderResult = Mapping[str, Any] | BaseModel | str | None


@dataclass(frozen=True, slots=True)
class OfflineRequest:
    """What a responder sees: who is asked for what, and the whole conversation."""

    kind: RequestKind
    name: str
    """The schema's or tool's name (``CHAT`` for plain chat)."""
    messages: tuple[BaseMessage, ...]
    schema: Mapping[str, Any]
    """JSON schema the answer must satisfy (empty for chat)."""
    description: str = ""
    tool_names: tuple[str, ...] = ()
    """Every tool bound to the model, in order (tool calls only)."""

    @property
    def last_human_text(self) -> str:
        """Text of the most recent human message ('' if there is none)."""
        for message in reversed(self.messages):
            if isinstance(message, HumanMessage):
                return message.text
        return ""

    @property
    def system_text(self) -> str:
        return "\n\n".join(m.text for m in self.messages if isinstance(m, SystemMessage))

    @property
    def tool_results(self) -> tuple[ToolMessage, ...]:
        """Tool messages that arrived after the last human message."""
        results: list[ToolMessage] = []
        for message in reversed(self.messages):
            if isinstance(message, HumanMessage):
                break
            if isinstance(message, ToolMessage):
                results.append(message)
        return tuple(reversed(results))


Responder = Callable[[OfflineRequest], ResponderResult]


class ResponderRegistry:
    """Name -> responder. Registering a name twice is an error unless ``replace=True``."""

    def __init__(self, responders: Mapping[str, Responder] | None = None) -> None:
        self._lock = threading.Lock()
        self._responders: dict[str, Responder] = dict(responders or {})

    def register(self, name: str, responder: Responder, *, replace: bool = False) -> None:
        with self._lock:
            existing = self._responders.get(name)
            if existing is not None and existing is not responder and not replace:
                raise ValueError(
                    f"an offline responder for {name!r} is already registered "
                    f"({getattr(existing, '__qualname__', existing)!s}); pass replace=True"
                )
            self._responders[name] = responder

    def unregister(self, name: str) -> None:
        with self._lock:
            self._responders.pop(name, None)

    def get(self, name: str) -> Responder | None:
        with self._lock:
            return self._responders.get(name)

    def names(self) -> Sequence[str]:
        with self._lock:
            return sorted(self._responders)


#: The process-wide registry the offline model consults after its own responders.
default_registry = ResponderRegistry()


def offline_responder(
    name: str, *, registry: ResponderRegistry | None = None, replace: bool = False
) -> Callable[[Responder], Responder]:
    """Decorator: make ``fn`` answer requests for schema or tool ``name`` offline."""

    def decorate(fn: Responder) -> Responder:
        (registry or default_registry).register(name, fn, replace=replace)
        return fn

    return decorate
