"""JSON for whatever a graph emits: messages, pydantic models, interrupts, dataclasses.

One encoder for SSE data, wait/join bodies and stored thread values, so a message looks the
same whether it arrives streamed, joined or read from the thread.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from langgraph.types import Interrupt, Send
from pydantic import BaseModel
from pydantic_core import to_jsonable_python


def _fallback(value: Any) -> Any:
    if isinstance(value, Interrupt):
        return {"value": jsonable(value.value), "id": value.id}
    if isinstance(value, Send):
        return {"node": value.node, "arg": jsonable(value.arg)}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", errors="replace")
    return repr(value)


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (unknown objects become their ``repr``, never an error)."""
    if isinstance(value, Interrupt):
        return _fallback(value)
    return to_jsonable_python(value, fallback=_fallback, serialize_unknown=False)


def dumps(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, separators=(",", ":"))
