"""The ``@idempotent(key:)`` directive: one application per key, replays get the first result."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from graphql import FieldNode, GraphQLResolveInfo
from graphql.execution.values import get_directive_values

from tools.sandbox.shopify.errors import ShopifyError

MISMATCH_MESSAGE = (
    "The same idempotency key was already used with different parameters for this mutation."
)


@dataclass(frozen=True)
class _Entry:
    field: str
    fingerprint: str
    payload: Any


def _default(value: Any) -> str:
    if isinstance(value, Decimal | datetime):
        return str(value)
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


def fingerprint(field: str, args: dict[str, Any]) -> str:
    """A canonical form of a mutation call, to tell a true replay from a reused key."""
    return json.dumps([field, args], sort_keys=True, default=_default, separators=(",", ":"))


def idempotency_key(info: GraphQLResolveInfo[Any]) -> str | None:
    """The key of the ``@idempotent`` directive on the field being resolved, if present."""
    directive = info.schema.get_directive("idempotent")
    node: FieldNode = info.field_nodes[0]
    if directive is None or not node.directives:
        return None
    values = get_directive_values(directive, node, info.variable_values)
    if values is None:
        return None
    key = values.get("key")
    if not isinstance(key, str) or not key.strip():
        raise ShopifyError("The idempotency key must be a non-empty string.", "BAD_REQUEST")
    return key


class IdempotencyCache:
    """Results of idempotent mutations by key, for the life of the sandbox (or until reset)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()

    def replay(self, key: str, field: str, call: str) -> tuple[bool, Any]:
        """``(True, payload)`` for a replay; raises when the key was used for another call."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return False, None
        if entry.field != field or entry.fingerprint != call:
            raise ShopifyError(MISMATCH_MESSAGE, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH")
        return True, entry.payload

    def remember(self, key: str, field: str, call: str, payload: Any) -> None:
        with self._lock:
            self._entries[key] = _Entry(field, call, payload)
