"""A LangGraph-Server-compatible HTTP API: assistants, threads, durable runs and SSE streams.

``create_app(runtime)`` builds the FastAPI app; ``ApiRuntime.open(...)`` opens what it serves
(graphs from a ``langgraph.json``, persistence, services, workers). ``royal serve`` wires both.
"""

from server.api.app import create_app
from server.api.runtime import ApiRuntime

__all__ = ["ApiRuntime", "create_app"]
