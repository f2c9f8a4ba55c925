"""What a run's graph emits, as ``(namespace, mode, chunk)``, and the legacy ``messages`` mode.

With the ``events`` stream mode the graph runs under ``astream_events`` (v2): the root run's
``on_chain_stream`` events carry the ordinary ``astream`` chunks, every other event is an
``events`` part of its own (Agent Inbox watches ``on_chain_start`` for the running node).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any, cast

from langchain_core.messages import BaseMessage, BaseMessageChunk
from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel
from langgraph.types import StreamMode

from host.encoding import jsonable

Part = tuple[tuple[str, ...], str, Any]


async def graph_parts(
    graph: Pregel[Any, Any, Any, Any],
    graph_input: Any,
    config: RunnableConfig,
    *,
    modes: list[str],
    events: bool,
    **options: Any,
) -> AsyncIterator[Part]:
    """``graph.astream(..., subgraphs=True)``, or the same parts interleaved with ``events``."""
    stream_mode = cast(list[StreamMode], modes)
    if not events:
        parts: AsyncIterator[Any] = graph.astream(
            graph_input, config, stream_mode=stream_mode, subgraphs=True, **options
        )
        async for namespace, mode, chunk in parts:
            yield namespace, mode, chunk
        return
    root = str(config.get("run_id"))
    async for event in graph.astream_events(
        graph_input, config, version="v2", stream_mode=stream_mode, subgraphs=True, **options
    ):
        if event["event"] == "on_chain_stream" and event["run_id"] == root:
            namespace, mode, chunk = event["data"]["chunk"]
            yield namespace, mode, chunk
        else:
            yield (), "events", event


class LegacyMessages:
    """``stream_mode="messages"``: ``messages/metadata`` ``{id: {"metadata": ...}}`` once per
    message, then ``messages/partial`` ``[message so far]`` per chunk, or
    ``messages/complete`` ``[message]`` for a message that arrived whole."""

    def __init__(self) -> None:
        self._messages: dict[str, BaseMessage] = {}

    def feed(self, message: Any, metadata: Any) -> list[tuple[str, Any]]:
        if not isinstance(message, BaseMessage):
            return []
        message_id = message.id or f"run-{uuid.uuid4()}"
        parts: list[tuple[str, Any]] = []
        seen = self._messages.get(message_id)
        if seen is None:
            parts.append(("messages/metadata", {message_id: {"metadata": jsonable(metadata)}}))
        if isinstance(message, BaseMessageChunk):
            whole = message if not isinstance(seen, BaseMessageChunk) else seen + message
            self._messages[message_id] = whole
            parts.append(("messages/partial", [jsonable(whole)]))
        else:
            self._messages[message_id] = message
            parts.append(("messages/complete", [jsonable(message)]))
        return parts
