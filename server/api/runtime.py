"""What the API serves, opened once per process: graphs, persistence, services, workers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver

from nodes.serde import checkpoint_serializer
from nodes.services import Services
from server.api.broker import MemoryBroker
from server.api.graphs import DEFAULT_CONFIG, ServedGraph, load_graphs
from server.api.repository import Store
from server.api.worker import Workers
from settings import Settings, get_settings
from storage.langgraph import open_persistence


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class ApiRuntime:
    graphs: dict[str, ServedGraph]
    store: Store
    broker: MemoryBroker
    workers: Workers
    checkpointer: BaseCheckpointSaver[str]
    services: Services | None
    started_at: datetime = field(default_factory=utcnow)
    unexpected_errors: int = 0
    """Requests that ended in a 500: tests assert bad input never gets here."""

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        settings: Settings | None = None,
        *,
        config_path: Path = DEFAULT_CONFIG,
        workers: int = 4,
    ) -> AsyncIterator[ApiRuntime]:
        settings = settings or get_settings()
        async with AsyncExitStack() as stack:
            persistence = await stack.enter_async_context(
                open_persistence(settings, serde=checkpoint_serializer())
            )
            graphs = load_graphs(
                config_path, checkpointer=persistence.checkpointer, store=persistence.store
            )
            services: Services | None = None
            if any(served.ours for served in graphs.values()):
                services = await stack.enter_async_context(
                    Services.open(settings, database=persistence.database)
                )
            store = Store(persistence.database, clock=utcnow)
            broker = MemoryBroker()
            stack.callback(broker.shutdown)
            pool = Workers(
                store=store,
                broker=broker,
                graphs=graphs,
                services=services,
                concurrency=workers,
            )
            pool.start()
            stack.push_async_callback(pool.stop)
            yield cls(
                graphs=graphs,
                store=store,
                broker=broker,
                workers=pool,
                checkpointer=persistence.checkpointer,
                services=services,
            )
