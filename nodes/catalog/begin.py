"""The first step: which operation the task asks for, and the id of this sync."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from nodes.catalog.common import parameter, sync_id_of
from nodes.catalog.models import Operation
from nodes.catalog.state import RESET, CatalogState
from nodes.clusters import ClusterTask
from nodes.context import Context

_ACCUMULATED = ("staged", "outcomes", "proposed", "notes", "alerts", "failures")
ENTRY = {
    Operation.EXPORT: "from_shopify",
    Operation.SHOPIFY_CHANGED: "from_shopify",
    Operation.PULL_REQUEST_MERGED: "from_github",
    Operation.ROLLBACK: "rollback",
    Operation.RESOLVE: "resolve",
    Operation.INVENTORY_CHECK: "inventory",
    Operation.THEME_EXPORT: "theme_export",
    Operation.THEME_IMPORT: "theme_import",
}


def begin(state: CatalogState, runtime: Runtime[Context]) -> dict[str, Any]:
    """The task arrives as JSON when the graph runs on its own (API, webhooks): validated here
    and handed on typed."""
    task = ClusterTask.model_validate(state["task"])
    raw = str(parameter(task, "operation", Operation.EXPORT.value))
    try:
        operation = Operation(raw)
    except ValueError:
        return {
            "task": task,
            "operation": "unknown",
            "sync_id": sync_id_of(runtime),
            **{name: [RESET] for name in _ACCUMULATED},
            "notes": [
                RESET,
                f"Unknown catalog operation {raw!r}; known: "
                + ", ".join(o.value for o in Operation),
            ],
        }
    return {
        "task": task,
        "operation": operation.value,
        "sync_id": sync_id_of(runtime),
        "plans": [],
        "proposal": None,
        "drift": [],
        "theme": None,
        **{name: [RESET] for name in _ACCUMULATED},
    }


def route_operation(state: CatalogState) -> str:
    operation = state.get("operation", "unknown")
    return ENTRY[Operation(operation)] if operation in set(Operation) else "report"
