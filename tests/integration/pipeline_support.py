"""The CEO graph on the runtime (services + persistence) over the sandbox, per storage
back-end, for tests that drive the graph step by step (``Engine``) — the run path itself is
tested through ``host.runs`` in the API and CLI tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command, StateSnapshot

from host import approvals, runs
from host.identity import SYSTEM
from host.runtime import Runtime
from nodes.context import Context
from nodes.services import Services
from settings import Settings, reset_settings_cache
from storage import ApprovalRecord
from storage.langgraph import Persistence
from tools.sandbox import SandboxServer
from tools.sandbox.shopify import ShopifyEmulator


def thread_config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id}}


@dataclass
class Engine:
    """A runtime's CEO graph with its services, for step-by-step graph tests."""

    runtime: Runtime

    @property
    def services(self) -> Services:
        return self.runtime.require_services()

    @property
    def persistence(self) -> Persistence:
        assert self.runtime.persistence is not None
        return self.runtime.persistence

    @property
    def graph(self) -> Any:
        return self.runtime.served("ceo").graph

    def context(self, operator: str = "operator") -> Context:
        return Context(operator=operator, services=self.services)

    async def state(self, thread_id: str) -> StateSnapshot:
        snapshot: StateSnapshot = await self.graph.aget_state(thread_config(thread_id))
        return snapshot

    async def pending_approval(self, approval_id: str) -> ApprovalRecord:
        return await approvals.decidable(self.runtime, SYSTEM, approval_id)

    async def decide(self, thread_id: str, result: dict[str, Any], **decision: Any) -> str:
        """Decide the turn's first pending approval as ada@example.com; the CEO's reply."""
        request = result["__interrupt__"][0].value
        record = await self.pending_approval(request["approval_id"])
        resume = self.decision_resume(record, decision, decided_by="ada@example.com")
        done = await self.graph.ainvoke(
            Command(resume=resume), thread_config(thread_id), context=self.context()
        )
        return str(done["messages"][-1].content)

    @staticmethod
    def decision_resume(
        record: ApprovalRecord, decision: dict[str, Any], *, decided_by: str
    ) -> dict[str, Any]:
        return {record.interrupt_id: {**decision, "decided_by": decided_by}}

    async def expire_due(self, now: datetime) -> list[ApprovalRecord]:
        """Expire what is overdue at ``now`` and wait for the runs that resume those threads."""
        swept = await approvals.sweep_once(self.runtime, now)
        for item in swept:
            if item.run_id is not None:
                self.runtime.workers.follow(item.approval.thread_id)
                await runs.result(
                    self.runtime, await runs.existing(self.runtime, None, item.run_id)
                )
        return [item.approval for item in swept]


@asynccontextmanager
async def open_engine(settings: Settings) -> AsyncIterator[Engine]:
    async with Runtime.open(settings, workers=1, threads=set()) as runtime:
        yield Engine(runtime)


def point_at(
    monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer, database_url: str | None
) -> Settings:
    monkeypatch.setenv("ROYAL_SANDBOX_HOST", sandbox.host)
    monkeypatch.setenv("ROYAL_SANDBOX_PORT", str(sandbox.port))
    if database_url is not None:
        monkeypatch.setenv("DATABASE_URL", database_url)
    reset_settings_cache()
    return Settings()


def database_for(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """None (embedded SQLite in the data dir) or a fresh Postgres database."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return None


@pytest.fixture
async def engine(
    request: pytest.FixtureRequest,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Engine]:
    settings = point_at(monkeypatch, sandbox, database_for(request, tmp_path))
    async with open_engine(settings) as opened:
        yield opened


async def turn(engine: Engine, thread_id: str, text: str) -> dict[str, Any]:
    """One chat turn as every front end makes it (a run, executed by a worker), to completion
    or to an interrupt; returns the thread's values with ``__interrupt__`` as a graph would."""
    engine.runtime.workers.follow(thread_id)
    message = {"role": "human", "content": text}
    run = await runs.start(engine.runtime, thread_id, "ceo", input={"messages": [message]})
    await runs.result(engine.runtime, run)
    finished = await runs.existing(engine.runtime, thread_id, run.run_id)
    if finished.status == "error":
        raise RuntimeError(f"the turn failed: {finished.error}")
    state = await engine.state(thread_id)
    values: dict[str, Any] = dict(state.values)
    if state.interrupts:
        values["__interrupt__"] = list(state.interrupts)
    return values


async def graph_turn(engine: Engine, thread_id: str, text: str) -> dict[str, Any]:
    """One chat turn straight through the graph, in this task (a crash raises here)."""
    result: dict[str, Any] = await engine.graph.ainvoke(
        {"messages": [HumanMessage(text)]}, thread_config(thread_id), context=engine.context()
    )
    return result


def shop(sandbox: SandboxServer) -> ShopifyEmulator:
    emulator = sandbox.sandbox.emulators["shopify"]
    assert isinstance(emulator, ShopifyEmulator)
    return emulator


def writes(sandbox: SandboxServer) -> dict[str, int]:
    return {k: v for k, v in sandbox.sandbox.ledger.counts().items() if k.startswith("shopify.")}
