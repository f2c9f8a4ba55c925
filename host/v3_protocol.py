"""The thread streaming (v3) wire format: events from LangGraph's in-process stream, filters.

LangGraph's ``astream_events(version="v3")`` yields protocol events that need fixing before
they go on the wire (numbered per thread elsewhere): messages that are whole LangChain messages
are dropped (only the chat-model protocol events are streamed), interrupts leave ``values`` and
become ``input.requested``, a subgraph's lifecycle moves to its own namespace (otherwise its
``completed`` would end the root's projections), named custom channels become ``custom``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from host.encoding import jsonable

CHANNELS = (
    "values",
    "updates",
    "messages",
    "tools",
    "lifecycle",
    "input",
    "checkpoints",
    "tasks",
    "custom",
)


class StreamFilter(BaseModel):
    """The body of ``POST /threads/{id}/stream/events`` (and of ``subscription.subscribe``)."""

    model_config = ConfigDict(extra="forbid")

    channels: list[str] = Field(min_length=1, max_length=64)
    namespaces: list[list[str]] | None = None
    depth: int | None = Field(default=None, ge=0)
    since: int | None = Field(default=None, ge=0, le=2**31 - 1)  # the log's seq column

    def matches(self, event: dict[str, Any]) -> bool:
        channel = channel_of(event)
        if channel is None or not _channel_wanted(channel, self.channels):
            return False
        namespace = list(event.get("params", {}).get("namespace") or [])
        if not self.namespaces:
            return self.depth is None or len(namespace) <= self.depth
        return any(
            _is_prefix(prefix, namespace)
            and (self.depth is None or len(namespace) - len(prefix) <= self.depth)
            for prefix in self.namespaces
        )


def channel_of(event: dict[str, Any]) -> str | None:
    method = event.get("method")
    if method == "input.requested":
        return "input"
    if method == "custom":
        data = event.get("params", {}).get("data")
        name = data.get("name") if isinstance(data, dict) else None
        return f"custom:{name}" if isinstance(name, str) and name else "custom"
    return method if method in CHANNELS else None


def _channel_wanted(channel: str, wanted: Sequence[str]) -> bool:
    if channel in wanted:
        return True
    return channel.startswith("custom:") and "custom" in wanted


def _is_prefix(prefix: Sequence[str], namespace: Sequence[str]) -> bool:
    """A filter segment without ``:`` matches any ``<segment>:<task id>``."""
    if len(prefix) > len(namespace):
        return False
    for want, have in zip(prefix, namespace, strict=False):
        if want != have and not (":" not in want and have.split(":", 1)[0] == want):
            return False
    return True


def event(
    method: str, namespace: Iterable[str], data: Any, *, node: str | None = None
) -> dict[str, Any]:
    """An unnumbered wire event (the log adds ``seq`` and ``event_id``)."""
    params: dict[str, Any] = {
        "namespace": list(namespace),
        "timestamp": int(time.time() * 1000),
        "data": data,
    }
    if node is not None:
        params["node"] = node
    return {"type": "event", "method": method, "params": params}


def lifecycle(status: str, namespace: Iterable[str] = (), **data: Any) -> dict[str, Any]:
    return event("lifecycle", namespace, {"event": status, **data})


def input_requested(interrupt_id: str, value: Any, namespace: Iterable[str]) -> dict[str, Any]:
    """``payload`` as the protocol names it, ``value`` as the Python SDK reads it."""
    return event(
        "input.requested",
        namespace,
        {"interrupt_id": interrupt_id, "payload": value, "value": value},
    )


class Translator:
    """In-process protocol events of one run → wire events; remembers where interrupts were."""

    def __init__(self) -> None:
        self.interrupt_namespaces: dict[str, list[str]] = {}
        self.interrupted = False
        """The root stopped at an interrupt or a breakpoint."""
        self._open_messages: dict[tuple[str, ...], str] = {}

    def translate(self, raw: dict[str, Any]) -> list[dict[str, Any]]:
        method = str(raw.get("method"))
        params = raw.get("params") or {}
        namespace = [str(part) for part in params.get("namespace") or []]
        data = params.get("data")
        for item in params.get("interrupts") or ():
            self.interrupted = self.interrupted or not namespace
            interrupt_id = getattr(item, "id", None)
            if isinstance(interrupt_id, str):
                self.interrupt_namespaces.setdefault(interrupt_id, namespace)
        if method == "values":
            values = jsonable(data)
            if isinstance(values, dict):
                values.pop("__interrupt__", None)
            return [event("values", namespace, values)]
        if method == "updates":
            return self._updates(namespace, data)
        if method == "messages":
            return self._messages(namespace, data)
        if method == "lifecycle" and isinstance(data, dict):
            body = {key: jsonable(value) for key, value in data.items() if key != "namespace"}
            where = data.get("namespace")
            return [event("lifecycle", where if isinstance(where, list) else namespace, body)]
        if method.startswith("custom:"):
            name = method.split(":", 1)[1]
            return [event("custom", namespace, {"name": name, "payload": jsonable(data)})]
        if method in ("custom", "tools", "tasks", "checkpoints"):
            return [event(method, namespace, jsonable(data))]
        return []

    def _updates(self, namespace: list[str], data: Any) -> list[dict[str, Any]]:
        if not isinstance(data, dict):
            return []
        out: list[dict[str, Any]] = []
        for node, values in data.items():
            if node == "__interrupt__":
                self.interrupted = self.interrupted or not namespace
                for item in values or ():
                    interrupt_id = getattr(item, "id", None)
                    if isinstance(interrupt_id, str):
                        self.interrupt_namespaces.setdefault(interrupt_id, namespace)
                continue
            body = {"node": str(node), "values": jsonable(values)}
            out.append(event("updates", namespace, body, node=str(node)))
        return out

    def _messages(self, namespace: list[str], data: Any) -> list[dict[str, Any]]:
        """Only the chat models' protocol events: a node's returned messages are in ``values``."""
        payload, metadata = (
            data if isinstance(data, tuple | list) and len(data) == 2 else (data, {})
        )
        if not isinstance(payload, dict) or "event" not in payload:
            return []
        body = jsonable(payload)
        key = tuple(namespace)
        kind = body.get("event")
        if kind == "message-start":
            message_id = body.get("id") or body.get("message_id")
            if isinstance(message_id, str):
                self._open_messages[key] = message_id
            if isinstance(metadata, dict) and "metadata" not in body:
                node = metadata.get("langgraph_node")
                body["metadata"] = {"langgraph_node": node} if node else {}
        elif "id" not in body and "message_id" not in body and key in self._open_messages:
            body["id"] = self._open_messages[key]
        if kind in ("message-finish", "error"):
            self._open_messages.pop(key, None)
        return [event("messages", namespace, body)]
