"""What the graph factories of ``factory_graphs`` were called with, in one list however the
server loaded that file (the server imports each langgraph.json entry under its own name)."""

from __future__ import annotations

from typing import Any

CALLS: list[tuple[str, dict[str, Any]]] = []
