"""Prometheus metrics of one API process: a registry per app, so tests and apps never share.

Three sources: the HTTP middleware (requests, latency), a LangChain callback handler the
workers pass into every run (node and tool latency, LLM tokens and cost), and the database,
read when Prometheus scrapes (runs by status, queue depth, approvals waiting) so the figures
are the cluster's, not this process's guess.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import and_, func, select

from storage import ApprovalRepository, Database, EffectsLedger
from storage.runs import RunRow
from storage.runs_schema import RUN_STATUSES, runs
from tools.llm import PriceTable

#: Seconds; from a fast node (a few ms) to a slow model call or supplier search (a minute).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class Metrics:
    """Every metric family the server exposes, on its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter(
            "royal_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_latency = Histogram(
            "royal_http_request_duration_seconds",
            "Time to the response's first byte (a stream counts until its headers).",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.runs = Gauge("royal_runs", "Runs in the database by status.", ["status"], registry=r)
        self.queue_depth = Gauge(
            "royal_run_queue_depth", "Pending runs whose start time has come.", registry=r
        )
        self.queue_oldest = Gauge(
            "royal_run_queue_oldest_age_seconds",
            "How long the oldest startable pending run has waited (0 when none waits).",
            registry=r,
        )
        self.run_start_delay = Histogram(
            "royal_run_start_delay_seconds",
            "From a run becoming startable to a worker claiming it (first attempts only).",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.effects_started = Gauge(
            "royal_effects_started",
            "External writes claimed and never recorded (STARTED), by tool: the effects sweeper "
            "resolves them; one that stays has no resolver and needs an operator.",
            ["tool"],
            registry=r,
        )
        self.approvals_pending = Gauge(
            "royal_approvals_pending", "Approvals waiting for a decision.", registry=r
        )
        self.approval_oldest = Gauge(
            "royal_approval_oldest_pending_age_seconds",
            "How long the oldest pending approval has waited (0 when none waits).",
            registry=r,
        )
        self.node_latency = Histogram(
            "royal_node_duration_seconds",
            "Graph node executions by graph, node path and outcome.",
            ["graph", "node", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.tool_latency = Histogram(
            "royal_tool_duration_seconds",
            "LangChain tool calls by tool and outcome.",
            ["tool", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.llm_tokens = Counter(
            "royal_llm_tokens",
            "Model tokens by model and kind (input, output).",
            ["model", "kind"],
            registry=r,
        )
        self.llm_cost = Counter(
            "royal_llm_cost_eur",
            "Model spend in EUR by model (list prices).",
            ["model"],
            registry=r,
        )
        self.webhooks = Counter(
            "royal_webhook_deliveries",
            "Webhook deliveries by source and outcome (started, ignored, duplicate, rejected).",
            ["source", "outcome"],
            registry=r,
        )
        self.webhook_latency = Histogram(
            "royal_webhook_ack_seconds",
            "Time to acknowledge a webhook delivery.",
            ["source"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )

    def run_started(self, run: RunRow) -> None:
        """Worker hook: a claimed run's wait (``updated_at`` is the claim time)."""
        if run.attempt == 1:
            self.run_start_delay.observe(
                max(0.0, (run.updated_at - run.available_at).total_seconds())
            )

    async def refresh(self, database: Database, now: datetime) -> None:
        """Read the database figures (called on each scrape)."""
        startable = and_(runs.c.status == "pending", runs.c.available_at <= now)
        async with database.read() as connection:
            by_status = select(runs.c.status, func.count()).group_by(runs.c.status)
            counts: dict[str, int] = {
                str(status): int(total)
                for status, total in (await connection.execute(by_status)).all()
            }
            depth, oldest = (
                await connection.execute(
                    select(func.count(), func.min(runs.c.available_at)).where(startable)
                )
            ).one()
        for status in RUN_STATUSES:
            self.runs.labels(status=status).set(counts.get(status, 0))
        self.queue_depth.set(depth)
        self.queue_oldest.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        self.effects_started.clear()
        for tool, started in (await EffectsLedger(database).started_by_tool()).items():
            self.effects_started.labels(tool=tool).set(started)
        approvals = ApprovalRepository(database, clock=lambda: now)
        self.approvals_pending.set(await approvals.count_pending())
        age = await approvals.oldest_pending_age(now)
        self.approval_oldest.set(age.total_seconds() if age is not None else 0.0)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def _node_path(metadata: Mapping[str, Any], node: str) -> str:
    """``product/scout`` for a subgraph's node: the names along ``langgraph_checkpoint_ns``."""
    namespace = str(metadata.get("langgraph_checkpoint_ns") or "")
    parts = [part.split(":", 1)[0] for part in namespace.split("|") if part]
    return "/".join(parts) if parts else node


class MetricsCallback(BaseCallbackHandler):
    """Times graph nodes and tools and counts model usage, for every run a worker executes.

    A node is the chain whose name is its ``langgraph_node`` metadata (nested runnables inside a
    node inherit the metadata but carry their own names). Never raises: metrics must not fail
    a run.
    """

    run_inline = True

    def __init__(self, metrics: Metrics, prices: PriceTable | None = None) -> None:
        super().__init__()
        self.metrics = metrics
        self.prices = prices or PriceTable()
        self._lock = threading.Lock()
        self._nodes: dict[UUID, tuple[float, str, str]] = {}
        self._tools: dict[UUID, tuple[float, str]] = {}

    # --- nodes -------------------------------------------------------------------------------
    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        meta = metadata or {}
        node = meta.get("langgraph_node")
        if node is None or kwargs.get("name") != node:
            return
        graph = str(meta.get("graph_id") or meta.get("assistant_id") or "unknown")
        with self._lock:
            self._nodes[run_id] = (time.perf_counter(), graph, _node_path(meta, str(node)))

    def _end_node(self, run_id: UUID, outcome: str) -> None:
        with self._lock:
            started = self._nodes.pop(run_id, None)
        if started is not None:
            began, graph, node = started
            self.metrics.node_latency.labels(graph=graph, node=node, outcome=outcome).observe(
                time.perf_counter() - began
            )

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._end_node(run_id, "ok")

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        # LangGraph's interrupt() surfaces as GraphInterrupt: a pause, not a failure.
        self._end_node(run_id, "interrupt" if type(error).__name__ == "GraphInterrupt" else "error")

    # --- tools -------------------------------------------------------------------------------
    def on_tool_start(
        self,
        serialized: dict[str, Any] | None,
        input_str: str,
        *,
        run_id: UUID,
        **kwargs: Any,
    ) -> None:
        name = kwargs.get("name") or (serialized or {}).get("name") or "unknown"
        with self._lock:
            self._tools[run_id] = (time.perf_counter(), str(name))

    def _end_tool(self, run_id: UUID, outcome: str) -> None:
        with self._lock:
            started = self._tools.pop(run_id, None)
        if started is not None:
            self.metrics.tool_latency.labels(tool=started[1], outcome=outcome).observe(
                time.perf_counter() - started[0]
            )

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._end_tool(run_id, "ok")

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end_tool(run_id, "error")

    # --- models ------------------------------------------------------------------------------
    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                if isinstance(generation, ChatGeneration) and isinstance(
                    generation.message, AIMessage
                ):
                    self._count(generation.message)

    def _count(self, message: AIMessage) -> None:
        usage = message.usage_metadata
        if usage is None:
            return
        model = str(message.response_metadata.get("model_name") or "unknown")
        input_tokens = int(usage.get("input_tokens", 0))
        output_tokens = int(usage.get("output_tokens", 0))
        cached = int((usage.get("input_token_details") or {}).get("cache_read", 0) or 0)
        self.metrics.llm_tokens.labels(model=model, kind="input").inc(input_tokens)
        self.metrics.llm_tokens.labels(model=model, kind="output").inc(output_tokens)
        cost = self.prices.cost(model, input_tokens, output_tokens, cached)
        self.metrics.llm_cost.labels(model=model).inc(float(cost))
