"""In-process workers: claim pending runs from the database, execute them, publish their events.

A small pool of asyncio tasks. Each claims the oldest available run of a thread with nothing
running (one running run per thread), keeps its lease renewed while it works, and records what
the run left (run status, thread values, interrupts, status). A run whose lease lapsed (its
worker died) is put back to pending by any pool's reaper and resumed from its last checkpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphRecursionError
from langgraph.types import Command, Send

from nodes.services import Services
from server.api.broker import EventBroker
from server.api.encoding import jsonable
from server.api.graphs import ServedGraph
from server.api.repository import RunRow, Store
from server.api.state import checkpoint_status, thread_interrupts

logger = logging.getLogger(__name__)

RESULT_EVENT = "__result__"
"""Internal broker event carrying the run's final body for ``wait`` and ``join``."""


def _send(spec: Any) -> str | Send:
    if isinstance(spec, dict):
        return Send(spec["node"], spec.get("input"))
    return str(spec)


def build_command(spec: Mapping[str, Any]) -> Command[Any]:
    goto = spec.get("goto")
    gotos: Any = (
        ()
        if goto is None
        else ([_send(item) for item in goto] if isinstance(goto, list) else _send(goto))
    )
    update = spec.get("update")
    if isinstance(update, list):
        update = [tuple(pair) for pair in update]
    return Command(resume=spec.get("resume"), update=update, goto=gotos)


def run_config(run: RunRow, graph_id: str) -> RunnableConfig:
    options = run.options.get("config") or {}
    configurable: dict[str, Any] = {**(options.get("configurable") or {})}
    configurable["thread_id"] = run.thread_id
    checkpoint = run.options.get("checkpoint") or {}
    checkpoint_id = run.options.get("checkpoint_id") or checkpoint.get("checkpoint_id")
    if checkpoint_id:
        configurable["checkpoint_id"] = checkpoint_id
        configurable["checkpoint_ns"] = checkpoint.get("checkpoint_ns", "")
    config: RunnableConfig = {
        "configurable": configurable,
        "metadata": {
            **run.metadata,
            "run_id": run.run_id,
            "thread_id": run.thread_id,
            "assistant_id": run.assistant_id,
            "graph_id": graph_id,
        },
        "run_id": uuid.UUID(run.run_id),
    }
    if options.get("tags"):
        config["tags"] = list(options["tags"])
    if options.get("recursion_limit"):
        config["recursion_limit"] = int(options["recursion_limit"])
    return config


def lg_modes(requested: list[str]) -> list[str]:
    """LangGraph stream modes for the requested API modes (values/updates always, for
    the final result and for interrupts)."""
    modes = {"messages" if mode == "messages-tuple" else mode for mode in requested}
    return sorted(modes | {"values", "updates"})


class Workers:
    def __init__(
        self,
        *,
        store: Store,
        broker: EventBroker,
        graphs: Mapping[str, ServedGraph],
        services: Services | None,
        concurrency: int = 4,
        lease: timedelta = timedelta(seconds=30),
        poll_interval: float = 1.0,
    ) -> None:
        self.store = store
        self.broker = broker
        self.graphs = graphs
        self.services = services
        self.concurrency = concurrency
        self.lease = lease
        self.poll_interval = poll_interval
        self.worker_id = f"royal-{uuid.uuid4().hex[:12]}"
        self._wake = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []
        self._running: dict[str, asyncio.Task[None]] = {}
        self._cancel_reasons: dict[str, str] = {}
        self._stopping = False

    # --- life cycle --------------------------------------------------------------------------
    def start(self) -> None:
        self._loops = [
            asyncio.create_task(self._loop(), name=f"{self.worker_id}-{i}")
            for i in range(self.concurrency)
        ]
        self._loops.append(asyncio.create_task(self._reaper(), name=f"{self.worker_id}-reaper"))

    async def stop(self, grace: float = 10.0) -> None:
        """Stop claiming; give in-flight runs ``grace`` seconds, then cancel them (re-queued
        by the lease reaper of whichever process runs next)."""
        self._stopping = True
        self._wake.set()
        running = list(self._running.values())
        if running:
            _, late = await asyncio.wait(running, timeout=grace)
            for task in late:
                task.cancel()
        for loop in self._loops:
            loop.cancel()
        await asyncio.gather(*self._loops, *running, return_exceptions=True)

    def wake(self) -> None:
        self._wake.set()

    def cancel(self, run_id: str) -> bool:
        """Cancel a run executing in this process; False if it is not running here."""
        task = self._running.get(run_id)
        if task is None:
            return False
        self._cancel_reasons[run_id] = "cancelled"
        task.cancel()
        return True

    def is_running(self, run_id: str) -> bool:
        return run_id in self._running

    async def settle_cancelled(self, run: RunRow) -> None:
        """Record a run cancelled before it started (its waiters get the thread's values)."""
        await self._record(run, self.graphs.get(run.assistant_id), "interrupted", None, None)

    # --- loops -----------------------------------------------------------------------------
    async def _loop(self) -> None:
        while not self._stopping:
            try:
                run = await self.store.claim_run(self.worker_id, self.lease)
            except Exception:
                logger.exception("claiming a run failed")
                run = None
            if run is None:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval)
                continue
            self._wake.set()  # there may be more: let another loop look
            task = asyncio.create_task(self._execute(run), name=f"run-{run.run_id}")
            self._running[run.run_id] = task
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:
                if not task.done():
                    raise
            finally:
                self._running.pop(run.run_id, None)

    async def _reaper(self) -> None:
        while not self._stopping:
            await asyncio.sleep(max(self.lease.total_seconds() / 2, 0.5))
            try:
                if await self.store.requeue_expired():
                    self.wake()
            except Exception:
                logger.exception("re-queueing expired runs failed")

    async def _heartbeat(self, run: RunRow) -> None:
        while True:
            await asyncio.sleep(max(self.lease.total_seconds() / 3, 0.2))
            await self.store.extend_lease(run.run_id, self.worker_id, self.lease)

    # --- one run ---------------------------------------------------------------------------
    async def _execute(self, run: RunRow) -> None:
        served = self.graphs.get(run.assistant_id)
        heartbeat = asyncio.create_task(self._heartbeat(run))
        status, error, result = "success", None, None
        try:
            if served is None:
                raise LookupError(f"assistant {run.assistant_id} is no longer served")
            await self.broker.publish(
                run.run_id, "metadata", {"run_id": run.run_id, "attempt": run.attempt}
            )
            result, interrupted = await self._stream(run, served)
            status = "interrupted" if interrupted else "success"
        except asyncio.CancelledError:
            status = "interrupted"
            error = None
            if self._cancel_reasons.pop(run.run_id, None) is None:
                heartbeat.cancel()
                raise  # shutting down: the lease lapses and the run is resumed elsewhere
        except Exception as exc:
            logger.exception("run %s failed", run.run_id)
            status = "error"
            error = {"error": type(exc).__name__, "message": _message(exc)}
            await self.broker.publish(run.run_id, "error", error)
        finally:
            heartbeat.cancel()
        await self._record(run, served, status, error, result)

    async def _stream(self, run: RunRow, served: ServedGraph) -> tuple[Any, bool]:
        kwargs = run.options
        requested: list[str] = kwargs.get("stream_mode") or ["values"]
        subgraphs = bool(kwargs.get("stream_subgraphs"))
        config = run_config(run, served.graph_id)
        graph = served.graph
        if kwargs.get("command") is not None:
            graph_input: Any = build_command(kwargs["command"])
        else:
            graph_input = kwargs.get("input")
        if run.attempt > 1 and await self._started_before(run, served, config):
            graph_input = None  # a retried run resumes from its last checkpoint
        last_values: Any = None
        interrupted = False
        options: dict[str, Any] = {}
        for name in ("interrupt_before", "interrupt_after", "durability"):
            if kwargs.get(name) is not None:
                options[name] = kwargs[name]
        stream: AsyncIterator[Any] = graph.astream(
            graph_input,
            config,
            context=served.context(kwargs.get("context"), self.services),
            stream_mode=lg_modes(requested),  # type: ignore[arg-type]
            subgraphs=True,
            **options,
        )
        async for item in stream:
            namespace: tuple[str, ...] = item[0]
            mode: str = item[1]
            chunk: Any = item[2]
            root = not namespace
            if root and mode == "values":
                last_values = chunk
            if root and mode == "updates" and isinstance(chunk, dict) and "__interrupt__" in chunk:
                interrupted = True
                if "values" not in requested:
                    await self.broker.publish(
                        run.run_id, "values", jsonable({"__interrupt__": chunk["__interrupt__"]})
                    )
            api_mode = "messages-tuple" if mode == "messages" else mode
            if api_mode not in requested or (namespace and not subgraphs and mode != "messages"):
                continue
            suffix = "|" + "|".join(namespace) if namespace and subgraphs else ""
            name = ("messages" if mode == "messages" else mode) + suffix
            await self.broker.publish(run.run_id, name, jsonable(chunk))
        if last_values is None:
            snapshot = await graph.aget_state({"configurable": {"thread_id": run.thread_id}})
            last_values = snapshot.values
        return jsonable(last_values), interrupted

    async def _started_before(
        self, run: RunRow, served: ServedGraph, config: RunnableConfig
    ) -> bool:
        snapshot = await served.graph.aget_state({"configurable": config["configurable"]})
        return bool(snapshot.metadata and snapshot.metadata.get("run_id") == run.run_id)

    async def _record(
        self,
        run: RunRow,
        served: ServedGraph | None,
        status: str,
        error: Any,
        result: Any,
    ) -> None:
        """Persist the outcome, then close the stream (so a join sees the final state)."""
        try:
            await self.store.finish_run(run.run_id, status, error)
            values: Any = None
            interrupts: dict[str, Any] = {}
            thread_status = "error" if error is not None else "idle"
            if served is not None:
                snapshot = await served.graph.aget_state(
                    {"configurable": {"thread_id": run.thread_id}}
                )
                values = jsonable(snapshot.values) if snapshot.values else None
                interrupts = thread_interrupts(snapshot)
                if error is None:
                    thread_status = checkpoint_status(snapshot)
            await self.store.set_thread_state(
                run.thread_id,
                status=thread_status,
                values=values,
                interrupts=interrupts,
                error=error,
            )
            body = {"__error__": error} if error is not None else result
            if body is None:
                body = values
            await self.broker.publish(run.run_id, RESULT_EVENT, body)
            if run.options.get("temporary") and run.options.get("on_completion") == "delete":
                await self.store.delete_thread(run.thread_id)
                if served is not None and served.graph.checkpointer:
                    await served.graph.checkpointer.adelete_thread(run.thread_id)  # type: ignore[union-attr]
        except Exception:
            logger.exception("recording the outcome of run %s failed", run.run_id)
        finally:
            if self.services is not None:
                self.services.end_run(run.run_id)
            await self.broker.close(run.run_id)
            self.wake()  # the thread's next queued run may start now


def _message(exc: BaseException) -> str:
    if isinstance(exc, GraphRecursionError):
        return "the graph hit its recursion limit"
    text = str(exc) or type(exc).__name__
    return text[:2000]
