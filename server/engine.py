"""The CEO graph hosted with its services and persistence: what the CLI (and, later, the server
workers) drive. One engine per process; every method is safe to call from a fresh process,
because all state lives in the checkpointer and the app database."""

from __future__ import annotations

import getpass
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from jsonschema import Draft202012Validator
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, StateSnapshot

from graphs.ceo import build_ceo_graph
from nodes.approval.args import args_errors
from nodes.context import Context
from nodes.serde import checkpoint_serializer
from nodes.services import Services
from settings import Settings, get_settings
from storage import ApprovalRecord, ApprovalStatus, NotFoundError
from storage.langgraph import Persistence, open_persistence

StreamMode = Literal["updates", "custom", "messages"]
STREAM_MODES: list[StreamMode] = ["updates", "custom", "messages"]
Event = tuple[tuple[str, ...], str, Any]


class ApprovalNotPendingError(RuntimeError):
    """The approval was already decided or has expired (the API answers 409)."""

    def __init__(self, record: ApprovalRecord) -> None:
        self.record = record
        who = f" by {record.decided_by}" if record.decided_by else ""
        super().__init__(f"approval {record.id} is {record.status.value}{who}; nothing to decide")


def local_identity() -> str:
    """Who is deciding from this shell: local access to the CLI is the authentication."""
    return f"cli:{getpass.getuser()}"


def thread_config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id}}


@dataclass
class Engine:
    services: Services
    persistence: Persistence
    graph: CompiledStateGraph[Any, Any, Any, Any]

    def context(self, operator: str = "operator") -> Context:
        return Context(operator=operator, services=self.services)

    async def stream_turn(
        self, thread_id: str, text: str, *, operator: str = "operator"
    ) -> AsyncIterator[Event]:
        """Run one chat turn; yields (namespace, mode, chunk) as the graph works."""
        async for namespace, mode, chunk in self.graph.astream(
            {"messages": [HumanMessage(text)]},
            thread_config(thread_id),
            context=self.context(operator),
            stream_mode=STREAM_MODES,
            subgraphs=True,
        ):
            yield cast(Event, (namespace, mode, chunk))

    async def stream_resume(self, thread_id: str, resume: dict[str, Any]) -> AsyncIterator[Event]:
        async for namespace, mode, chunk in self.graph.astream(
            Command(resume=resume),
            thread_config(thread_id),
            context=self.context(),
            stream_mode=STREAM_MODES,
            subgraphs=True,
        ):
            yield cast(Event, (namespace, mode, chunk))

    async def stream_continue(self, thread_id: str) -> AsyncIterator[Event]:
        """Re-run whatever the thread's last checkpoint left pending (after a crash)."""
        async for namespace, mode, chunk in self.graph.astream(
            None,
            thread_config(thread_id),
            context=self.context(),
            stream_mode=STREAM_MODES,
            subgraphs=True,
        ):
            yield cast(Event, (namespace, mode, chunk))

    async def state(self, thread_id: str) -> StateSnapshot:
        return await self.graph.aget_state(thread_config(thread_id))

    async def history(self, thread_id: str, limit: int = 50) -> list[StateSnapshot]:
        return [
            snapshot
            async for snapshot in self.graph.aget_state_history(
                thread_config(thread_id), limit=limit
            )
        ]

    async def pending_approval(self, approval_id: str) -> ApprovalRecord:
        """The approval if it can still be decided; a clear error otherwise."""
        record = await self.services.approvals.get(approval_id)
        if record is None:
            raise NotFoundError("approval", approval_id)
        if record.status is not ApprovalStatus.PENDING:
            raise ApprovalNotPendingError(record)
        if record.deadline is not None and record.deadline <= self.services.clock():
            raise ApprovalNotPendingError(
                record.model_copy(update={"status": ApprovalStatus.EXPIRED})
            )
        return record

    @staticmethod
    def args_schema(record: ApprovalRecord) -> dict[str, Any] | None:
        """The JSON schema of the action's arguments, as the request declares it."""
        configs = record.request.get("review_configs")
        if isinstance(configs, list) and configs and isinstance(configs[0], dict):
            schema = configs[0].get("args_schema")
            if isinstance(schema, dict):
                return schema
        return None

    @classmethod
    def coerce_edits(cls, record: ApprovalRecord, edits: dict[str, str]) -> dict[str, Any]:
        """Typed values for text edits: JSON numbers/booleans where a field takes no text."""
        properties = (cls.args_schema(record) or {}).get("properties", {})
        coerced: dict[str, Any] = {}
        for name, text in edits.items():
            accepts_text = "string" in json.dumps(properties.get(name, {"type": "string"}))
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = text
            coerced[name] = text if accepts_text else parsed
        return coerced

    @classmethod
    def edit_errors(cls, record: ApprovalRecord, args: dict[str, Any]) -> list[str]:
        """Problems with edited args against the request's schema (empty when they fit).

        Checked before resuming: a resume value that cannot be acted on rejects the request.
        """
        exact = args_errors(record.tool, args)
        if exact is not None:
            return exact
        schema = cls.args_schema(record)
        if schema is None:
            return []
        validator = Draft202012Validator(schema)
        return [
            f"{'.'.join(str(p) for p in error.absolute_path) or 'args'}: {error.message}"
            for error in validator.iter_errors(args)
        ]

    def decision_resume(
        self, record: ApprovalRecord, decision: dict[str, Any], *, decided_by: str
    ) -> dict[str, Any]:
        """The resume map for one approval; the identity is the caller's, never the body's."""
        return {record.interrupt_id: {**decision, "decided_by": decided_by}}

    async def expire_due(self, now: datetime | None = None) -> list[ApprovalRecord]:
        """Expire every overdue approval and resume its thread down the reject path."""
        expired = await self.services.approvals.expire_due(now)
        for record in expired:
            resume = {record.interrupt_id: {"decision": "expire"}}
            async for _ in self.stream_resume(record.thread_id, resume):
                pass
        return expired


@asynccontextmanager
async def open_engine(settings: Settings | None = None) -> AsyncIterator[Engine]:
    settings = settings or get_settings()
    async with (
        open_persistence(settings, serde=checkpoint_serializer()) as persistence,
        Services.open(settings, database=persistence.database) as services,
    ):
        graph = build_ceo_graph().compile(
            checkpointer=persistence.checkpointer, store=persistence.store
        )
        yield Engine(services=services, persistence=persistence, graph=graph)
