"""The runtime context every graph declares (``context_schema``): per-run options and services.

Callers (our server, ``langgraph dev``, tests) pass ``context=Context(...)``. Services are
injected by our server and by tests; under a bare LangGraph runtime they are built once per
process from settings, so the same graphs run everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from langgraph.runtime import Runtime

from nodes.services import Services, default_services


@dataclass(kw_only=True)
class Context:
    """Per-run options (JSON-able, settable through the API) plus the injected services."""

    operator: str = field(
        default="operator", metadata={"description": "Who asked: recorded with goals."}
    )
    kill_switch: bool | None = field(
        default=None,
        metadata={
            "description": "Override ROYAL_KILL_SWITCH for this run (true: every write waits)."
        },
    )
    services: Services | None = field(
        default=None, repr=False, metadata={"description": "Injected by the host; not JSON."}
    )


async def services_of(runtime: Runtime[Context]) -> Services:
    """The run's services: injected ones, or the process-wide defaults built from settings."""
    context = runtime.context
    if context is not None and context.services is not None:
        return context.services
    return await default_services()
