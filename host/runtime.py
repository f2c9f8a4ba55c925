"""What the API serves, opened once per process: graphs, persistence, services, workers."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.pregel import Pregel

from host.broker import MemoryBroker
from host.broker_redis import RedisBroker
from host.demo_store import map_demo_store
from host.errors import NotFoundError, UnavailableError
from host.failures import RetryPolicy
from host.graphs import DEFAULT_CONFIG, GraphSpec, ServedGraph, load_graphs
from host.thread_events import ThreadEventLog
from host.webhooks_out import WebhookSender
from host.worker import Workers
from nodes.serde import checkpoint_serializer
from nodes.services import Services
from settings import Settings, get_settings
from storage.assistants import AssistantStore
from storage.crons import CronStore
from storage.langgraph import Persistence, open_persistence
from storage.runs import INFLIGHT, RunStore, ThreadRow


def utcnow() -> datetime:
    return datetime.now(UTC)


def open_broker(settings: Settings, store: RunStore) -> MemoryBroker | RedisBroker:
    """Redis when configured (API and worker processes share runs' events and signals), else
    this process's memory (one process serves and executes)."""
    retention = settings.royal_event_retention_seconds
    if settings.redis_url is None:
        return MemoryBroker(retention=retention)

    async def finished(run_id: str) -> bool:
        run = await store.get_run(run_id)
        return run is None or run.status not in INFLIGHT

    return RedisBroker.from_url(
        settings.redis_url.get_secret_value(), finished, retention=retention
    )


@dataclass
class Runtime:
    graphs: dict[str, ServedGraph]
    store: RunStore
    broker: MemoryBroker | RedisBroker
    workers: Workers
    checkpointer: BaseCheckpointSaver[str]
    services: Services | None
    assistants: AssistantStore
    crons: CronStore
    settings: Settings = field(default_factory=get_settings)
    persistence: Persistence | None = None
    """Checkpointer, LangGraph store and app database the graphs persist to."""
    """What the process was opened with (webhook secrets, Redis URL for readiness)."""
    thread_events: ThreadEventLog | None = None
    """Per-thread event logs of thread streaming (v3)."""
    started_at: datetime = field(default_factory=utcnow)
    unexpected_errors: int = 0
    """Requests that ended in a 500: tests assert bad input never gets here."""

    def served(self, assistant_id: str) -> ServedGraph:
        """The graph an assistant id names, or ``NotFoundError``."""
        served = self.graphs.get(assistant_id)
        if served is None:
            raise NotFoundError("assistant", assistant_id)
        return served

    async def thread(self, thread_id: str) -> ThreadRow:
        """The thread's row, or ``NotFoundError``."""
        thread = await self.store.get_thread(thread_id)
        if thread is None:
            raise NotFoundError("thread", thread_id)
        return thread

    def add_graph(self, graph_id: str, graph: Pregel[Any, Any, Any, Any]) -> ServedGraph:
        """Serve one more graph on this runtime's persistence (an eval's probe graph)."""
        store = None if self.persistence is None else self.persistence.store
        bound = graph.copy(update={"checkpointer": self.checkpointer, "store": store})
        spec = GraphSpec(graph_id, Path(inspect.getfile(type(graph))), graph_id)
        self.graphs[graph_id] = served = ServedGraph(graph_id, bound, spec)
        return served

    def require_services(self) -> Services:
        """This project's services (approvals, audit, models...): only when its own graphs are
        served; a foreign ``langgraph.json`` has none, and what needs them is unavailable."""
        if self.services is None:
            raise UnavailableError("this needs the project's own graphs to be served")
        return self.services

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        settings: Settings | None = None,
        *,
        config_path: Path = DEFAULT_CONFIG,
        workers: int = 4,
        threads: set[str] | None = None,
    ) -> AsyncIterator[Runtime]:
        """Open graphs, persistence, services, the broker and ``workers`` run slots.

        ``threads``: the workers claim only runs of these threads (a CLI adds each thread it
        drives with ``workers.follow``); ``None``: any run, as a server's workers do."""
        settings = settings or get_settings()
        async with AsyncExitStack() as stack:
            persistence = await stack.enter_async_context(
                open_persistence(settings, serde=checkpoint_serializer())
            )
            graphs = await load_graphs(
                config_path, checkpointer=persistence.checkpointer, store=persistence.store
            )
            services: Services | None = None
            if any(served.ours for served in graphs.values()):
                services = await stack.enter_async_context(
                    Services.open(settings, database=persistence.database)
                )
                await map_demo_store(services)
            store = RunStore(persistence.database, clock=utcnow)
            broker = open_broker(settings, store)
            stack.push_async_callback(broker.aclose)
            pool = Workers(
                store=store,
                broker=broker,
                graphs=graphs,
                services=services,
                concurrency=workers,
                lease=timedelta(seconds=settings.royal_run_lease_seconds),
                grace=settings.royal_shutdown_grace_seconds,
                signals=broker if isinstance(broker, RedisBroker) else None,
                threads=threads,
                retry=RetryPolicy(
                    max_attempts=settings.royal_run_max_attempts,
                    base_seconds=settings.royal_run_retry_base_seconds,
                    max_seconds=settings.royal_run_retry_max_seconds,
                ),
            )
            redis_url = None if settings.redis_url is None else settings.redis_url
            thread_events = ThreadEventLog(
                persistence.database,
                None if redis_url is None else redis_url.get_secret_value(),
            )
            stack.push_async_callback(thread_events.aclose)
            pool.thread_events = thread_events
            pool.webhooks = WebhookSender(allow_private=settings.royal_webhook_allow_private)
            stack.push_async_callback(pool.webhooks.aclose)  # after the pool stops
            pool.start()
            stack.push_async_callback(pool.stop)
            yield cls(
                graphs=graphs,
                store=store,
                broker=broker,
                workers=pool,
                checkpointer=persistence.checkpointer,
                services=services,
                assistants=AssistantStore(persistence.database, clock=utcnow),
                crons=CronStore(persistence.database, clock=utcnow),
                settings=settings,
                persistence=persistence,
                thread_events=thread_events,
            )
