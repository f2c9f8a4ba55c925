"""A LangGraph-Server-compatible HTTP API: assistants, threads, durable runs and SSE streams.

``create_app(open_runtime)`` builds the FastAPI app over the runtime (``host.Runtime``: graphs,
persistence, services, workers) it opens in its lifespan. ``royal serve`` wires both.
"""

from server.api.app import create_app

__all__ = ["create_app"]
