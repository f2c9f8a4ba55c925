"""In-process workers: claim pending runs from the database, execute them, publish their events.

A pool of ``concurrency`` slots. A run created here while a slot is free and its thread idle is
inserted already leased to this pool and starts at once (``reserve``/``start_reserved``); other
runs queue, and one dispatcher task claims the oldest available run of a thread with nothing
running (one running run per thread) whenever a slot is free and a run may be ready. Each run
keeps its lease renewed while it works and records what it left (run status, thread values,
interrupts, status) in one transaction. A run whose lease lapsed (its worker died) is put back
to pending by any pool's reaper and resumed from its last checkpoint; so is a run whose attempt
failed here (``host.failures``), after a jittered backoff. After ``ROYAL_RUN_MAX_ATTEMPTS``
failed attempts it is dead-lettered instead (status ``dead``, its last error kept) and its
thread's next run starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import socket
import time
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from langchain_core._api.beta_decorator import LangChainBetaWarning
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.errors import GraphRecursionError
from langgraph.prebuilt import ToolCallTransformer
from langgraph.pregel import Pregel
from langgraph.stream.transformers import CustomTransformer, UpdatesTransformer
from langgraph.types import Command, Send
from sqlalchemy import text

from host.broker import EventBroker, WorkerSignals
from host.encoding import jsonable
from host.failures import (
    OUTAGE_ATTEMPTS_FACTOR,
    RetryPolicy,
    is_attempt_failure,
    is_connection_loss,
)
from host.graphs import ServedGraph
from host.logging_setup import bind_run
from host.state import checkpoint_status, thread_interrupts
from host.stream_parts import LegacyMessages, graph_parts
from host.thread_events import ThreadEventLog
from host.v3_protocol import Translator, input_requested, lifecycle
from host.webhooks_out import WebhookSender
from nodes.services import Services
from storage import checkpoints, run_results
from storage.audit import AuditEntry, AuditLog
from storage.enums import ActorKind
from storage.runs import DEAD, RunRow, RunStore

logger = logging.getLogger(__name__)
# Thread streaming (v3) runs on LangGraph's v3 event stream, which warns that it is beta on
# every run: said once here (docs/api.md) instead.
warnings.filterwarnings(
    "ignore", message="The v3 streaming protocol", category=LangChainBetaWarning
)

RESULT_EVENT = "__result__"
RESULT_KEEP_SECONDS = 86_400
"""How long a finished run's outcome stays in ``run_results`` (events expire sooner)."""
"""Internal broker event carrying the run's final body for ``wait`` and ``join``."""
USAGE_EVENT = "__usage__"
"""Internal broker event: the model usage of a run that stopped before its answer reported it."""
PERSIST_PATIENCE_SECONDS = 300.0
"""How long a worker keeps retrying to record a run's outcome or failure while the database is
away, before leaving the run to its lease (another worker's reaper then re-queues it)."""
PROBE_SECONDS = 5.0
"""Time given to ``SELECT 1`` when asking whether the database answers."""
T = TypeVar("T")


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


def graph_of(run: RunRow) -> str:
    """The graph a run executes (its assistant may be a created one, named by its own id)."""
    graph_id = run.options.get("graph_id")
    return graph_id if isinstance(graph_id, str) else run.assistant_id


def run_config(
    run: RunRow, graph_id: str, callbacks: Sequence[BaseCallbackHandler] = ()
) -> RunnableConfig:
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
    if callbacks:
        config["callbacks"] = list(callbacks)
    return config


def lg_modes(requested: list[str]) -> list[str]:
    """LangGraph stream modes for the requested API modes (values/updates always, for
    the final result and for interrupts; ``events`` is not a LangGraph mode but a way of
    running the graph, see ``stream_parts``)."""
    modes = {"messages" if mode == "messages-tuple" else mode for mode in requested}
    return sorted((modes - {"events"}) | {"values", "updates"})


class Workers:
    webhooks: WebhookSender | None = None
    """Sends run webhooks; set by the runtime (none: webhooks are not sent)."""
    thread_events: ThreadEventLog | None = None
    """The per-thread logs of thread streaming (v3); set by the runtime."""

    def __init__(
        self,
        *,
        store: RunStore,
        broker: EventBroker,
        graphs: Mapping[str, ServedGraph],
        services: Services | None,
        concurrency: int = 4,
        lease: timedelta = timedelta(seconds=30),
        poll_interval: float = 1.0,
        grace: float = 10.0,
        signals: WorkerSignals | None = None,
        threads: set[str] | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.store = store
        self.broker = broker
        self.graphs = graphs
        self.services = services
        self.concurrency = concurrency
        """Runs executed at once; 0 for an API process that only enqueues (``--no-workers``)."""
        self.lease = lease
        self.poll_interval = poll_interval
        self.grace = grace
        self.retry = retry or RetryPolicy()
        """Attempts a run gets, and the backoff between them (``ROYAL_RUN_MAX_ATTEMPTS``)."""
        self.signals = signals
        """Wake-ups and cancel requests to and from other processes (Redis), if scaled out."""
        self.threads = threads
        """Only runs of these threads are claimed (``None``: any): a CLI process executes the
        runs of the threads it drives, never another front end's."""
        self.worker_id = f"royal-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._wake = asyncio.Event()
        """Set when a run may be ready or a slot was freed: the dispatcher claims once."""
        self._free = concurrency
        """Slots not executing a run (nor reserved for one being created here)."""
        self._backlog = False
        """Runs may be queued here: new runs queue behind them instead of taking a slot."""
        self._loops: list[asyncio.Task[None]] = []
        self._handoffs: set[asyncio.Task[None]] = set()
        self._context = contextvars.copy_context()
        """The context runs execute in: the pool's, never a request's (log ids)."""
        self._running: dict[str, asyncio.Task[None]] = {}
        self._cancel_reasons: dict[str, str] = {}
        self._stopping = False
        self.callbacks: list[BaseCallbackHandler] = []
        """LangChain callbacks passed into every run (the API's metrics)."""
        self.on_start: list[Callable[[RunRow], None]] = []
        """Called with each claimed run before it executes (the start-delay metric)."""

    # --- life cycle --------------------------------------------------------------------------
    def start(self) -> None:
        if self.concurrency <= 0:
            return  # an API-only process: runs execute in `royal worker` processes
        self._context = contextvars.copy_context()
        self._loops = [asyncio.create_task(self._dispatch(), name=f"{self.worker_id}-dispatch")]
        self._loops.append(asyncio.create_task(self._reaper(), name=f"{self.worker_id}-reaper"))
        if self.signals is not None:
            listener = self.signals.listen(self._wake.set, self.cancel)
            self._loops.append(asyncio.create_task(listener, name=f"{self.worker_id}-signals"))

    async def stop(self, grace: float | None = None) -> None:
        """Stop claiming; give in-flight runs ``grace`` seconds (default: the pool's), then
        cancel them and put them back to pending at once for another worker to resume."""
        self._stopping = True
        self._wake.set()
        if self._running:
            await asyncio.wait(
                list(self._running.values()), timeout=self.grace if grace is None else grace
            )
        late = {run_id: task for run_id, task in self._running.items() if not task.done()}
        for task in late.values():
            task.cancel()
        await asyncio.gather(*late.values(), return_exceptions=True)
        for run_id in late:
            await self._release(run_id)
        if late and self.signals is not None:
            self.signals.wake_all()
        for loop in self._loops:
            loop.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)

    def _stop_requested(self) -> bool:
        return self._stopping

    async def _release(self, run_id: str) -> None:
        """Hand a run this process gives up back to the queue (a no-op if it finished)."""
        try:
            if await self.store.release_run(run_id, self.worker_id):
                logger.warning("run %s stopped by shutdown: re-queued", run_id)
        except Exception:
            logger.exception("re-queueing run %s failed (its lease will lapse)", run_id)

    def follow(self, thread_id: str) -> None:
        """Claim this thread's runs from now on (a pool restricted to some threads)."""
        if self.threads is not None:
            self.threads.add(thread_id)
            self._wake.set()

    def wake(self) -> None:
        """A run may be ready: look now, here and (scaled out) in every worker process."""
        self._wake.set()
        if self.signals is not None:
            self.signals.wake_all()

    def cancel(self, run_id: str, action: str = "interrupt") -> bool:
        """Cancel a run executing in this process; False if it is not running here."""
        task = self._running.get(run_id)
        if task is None:
            return False
        self._cancel_reasons[run_id] = action
        task.cancel()
        return True

    async def cancel_elsewhere(self, run_id: str, action: str = "interrupt") -> bool:
        """Ask whichever process executes ``run_id`` to cancel it: recorded in the database
        (seen at that worker's next heartbeat) and announced over Redis (seen at once)."""
        if not await self.store.request_cancel(run_id, action):
            return False
        if self.signals is not None:
            await self.signals.cancel_run(run_id, action)
        return True

    def is_running(self, run_id: str) -> bool:
        return run_id in self._running

    @property
    def alive(self) -> bool:
        """Claim loops are running, or this process runs none (readiness asks)."""
        if self.concurrency <= 0:
            return not self._stopping
        return not self._stopping and any(not loop.done() for loop in self._loops)

    async def settle_cancelled(self, run: RunRow, action: str = "interrupt") -> None:
        """Record a run cancelled before it started (its waiters get the thread's values);
        ``rollback`` deletes it."""
        status = "rollback" if action == "rollback" else "interrupted"
        await self._record(run, self.graphs.get(graph_of(run)), status, None, None, cancelled=True)

    # --- loops -----------------------------------------------------------------------------
    async def _dispatch(self) -> None:
        """Claim a run while a slot is free; otherwise wait for a wake-up (a new run, a freed
        slot, another process's signal) or the poll interval. One claimer per pool, so a
        wake-up costs one claim, not one per slot."""
        while not self._stopping:
            self._wake.clear()  # a wake-up during the claim below is not lost
            if self._free > 0:
                try:
                    run = await self.store.claim_run(
                        self.worker_id,
                        self.lease,
                        thread_ids=None if self.threads is None else sorted(self.threads),
                    )
                except Exception:
                    logger.exception("claiming a run failed")
                    run = None
                if run is not None and self._stop_requested():
                    await self._release(run.run_id)  # stop() began while this claim was made
                    return
                self._backlog = run is not None
                if run is not None:
                    self._free -= 1
                    self._launch(run)
                    continue  # there may be more, and a slot may still be free
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    def _launch(self, run: RunRow) -> None:
        """Execute a run leased to this worker in a slot already taken for it."""
        task = asyncio.create_task(  # not in the creating request's context: its ids stay there
            self._execute(run), name=f"run-{run.run_id}", context=self._context.copy()
        )
        self._running[run.run_id] = task
        if run.cancel_action is not None:  # cancelled while its previous worker had it
            self.cancel(run.run_id, run.cancel_action)

        def done(_: asyncio.Task[None]) -> None:
            self._running.pop(run.run_id, None)
            self._free += 1
            if self._backlog:  # runs queued here: the freed slot is theirs
                self._wake.set()

        task.add_done_callback(done)

    # --- hand-off at creation ----------------------------------------------------------------
    def reserve(self) -> str | None:
        """Take a free slot for a run about to be created here, so that it is inserted
        already leased to this worker and starts without a claim; returns the worker id, or
        ``None`` (no free slot, runs queued, or an API-only process): queue it instead."""
        if self._free <= 0:
            self._backlog = True  # the run queues: the next freed slot is the queue's
        if self.concurrency <= 0 or self._stopping or self._backlog or self._free <= 0:
            return None
        self._free -= 1
        return self.worker_id

    def unreserve(self) -> None:
        """Give back a slot reserved for a run that was not leased here after all."""
        self._free += 1
        self._wake.set()

    def start_reserved(self, run: RunRow) -> None:
        """Execute a run that ``create_run`` leased to this worker in its reserved slot."""
        if self._stopping:  # stop() began meanwhile: hand it back to the queue
            self._free += 1
            task = asyncio.create_task(self._release(run.run_id))
            self._handoffs.add(task)
            task.add_done_callback(self._handoffs.discard)
            return
        self._launch(run)

    async def _reaper(self) -> None:
        while not self._stopping:
            await asyncio.sleep(max(self.lease.total_seconds() / 2, 0.5))
            try:
                failed = await self.store.requeue_expired(
                    max_attempts=self.retry.max_attempts, delay=self.retry.delay
                )
            except Exception:
                logger.exception("re-queueing expired runs failed")
                continue
            for run in failed:
                await self._attempt_failed(run)
            if failed:
                self.wake()

    async def _heartbeat(self, run: RunRow) -> None:
        """Renew the lease; act on a cancel request from another process; stop the run if
        the lease was lost (it was re-queued: another worker may be resuming it)."""
        while True:
            await asyncio.sleep(max(self.lease.total_seconds() / 3, 0.2))
            try:
                lease = await self.store.extend_lease(run.run_id, self.worker_id, self.lease)
            except Exception:
                logger.exception("renewing the lease of run %s failed", run.run_id)
                continue
            task = self._running.get(run.run_id)
            if not lease.held:
                logger.warning("run %s lost its lease: stopping it here", run.run_id)
                if task is not None:
                    task.cancel()
                return
            if lease.cancel_action is not None and run.run_id not in self._cancel_reasons:
                self.cancel(run.run_id, lease.cancel_action)

    # --- one run ---------------------------------------------------------------------------
    async def _execute(self, run: RunRow) -> None:
        served = self.graphs.get(graph_of(run))
        bind_run(run.run_id, run.thread_id)
        logger.info("run started", extra={"assistant_id": run.assistant_id, "attempt": run.attempt})
        for hook in self.on_start:
            hook(run)
        heartbeat = asyncio.create_task(self._heartbeat(run))
        status, error, result = "success", None, None
        crash: Exception | None = None
        before: checkpoints.ThreadSnapshot | None = None
        started_at = datetime.now(UTC)
        translator: Translator | None = None
        v3: bool | None = None  # not decided yet
        cancelled = False
        try:
            if served is None:
                raise LookupError(f"assistant {run.assistant_id} is no longer served")
            await self.broker.publish(
                run.run_id, "metadata", {"run_id": run.run_id, "attempt": run.attempt}
            )
            before = await _before(run, served)
            v3 = await self._streams_v3(run)
            if v3:
                translator = Translator()
                result, interrupted = await self._stream_v3(run, served, translator)
            else:
                result, interrupted = await self._stream(run, served)
            status = "interrupted" if interrupted else "success"
        except asyncio.CancelledError:
            error = None
            action = self._cancel_reasons.pop(run.run_id, None)
            if action is None:
                heartbeat.cancel()
                raise  # shutting down: the lease lapses and the run is resumed elsewhere
            status = "rollback" if action == "rollback" else "interrupted"
            cancelled = True
        except Exception as exc:
            # A connection error a step reported as its own, or any error while the database
            # is away: the attempt failed, the run did not (retried from its last checkpoint).
            if is_attempt_failure(exc) or not await self._database_answers():
                crash = exc
            else:
                logger.exception("run %s failed", run.run_id)
                status = "error"
                error = {"error": type(exc).__name__, "message": _message(exc)}
                await self.broker.publish(run.run_id, "error", error)
        finally:
            heartbeat.cancel()
        if crash is not None:
            await self._fail(run, crash)
            return
        await self._record(
            run,
            served,
            status,
            error,
            result,
            before,
            started_at,
            cancelled=cancelled,
            v3=v3,
            namespaces=None if translator is None else translator.interrupt_namespaces,
        )

    async def _fail(self, run: RunRow, exc: Exception) -> None:
        """An attempt of ``run`` failed here: retried after a backoff, or dead-lettered."""
        logger.error("run %s: attempt %d failed", run.run_id, run.failed_attempts + 1, exc_info=exc)
        error = {"error": type(exc).__name__, "message": _message(exc)}
        if self.services is not None:
            self.services.end_run(run.run_id)
        # The database went away under the run: not the run's failure (within a bound).
        lost = is_connection_loss(exc) or not await self._database_answers()
        counted = not lost or run.attempt >= self.retry.max_attempts * OUTAGE_ATTEMPTS_FACTOR
        try:
            failed = await self._persisting(
                f"recording the failure of run {run.run_id}",
                lambda: self.store.fail_run(
                    run.run_id,
                    self.worker_id,
                    error,
                    max_attempts=self.retry.max_attempts,
                    delay=self.retry.delay,
                    counted=counted,
                ),
            )
        except Exception:
            logger.exception(
                "recording the failure of run %s failed (its lease will lapse)", run.run_id
            )
            return
        if failed is not None:  # else its lease was lost: another worker has it
            await self._attempt_failed(failed, counted=counted)

    async def _database_answers(self) -> bool:
        """Whether the database answers ``SELECT 1`` now (within ``PROBE_SECONDS``)."""
        try:
            async with asyncio.timeout(PROBE_SECONDS), self.store.database.read() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def _persisting(self, what: str, write: Callable[[], Awaitable[T]]) -> T:
        """``write()``, retried with backoff while the database is away (a connection loss),
        so that a restart delays recording a run instead of leaving it to its lease."""
        deadline = time.monotonic() + PERSIST_PATIENCE_SECONDS
        pause = 0.5
        while True:
            try:
                return await write()
            except Exception as exc:
                if not is_connection_loss(exc) or self._stopping or time.monotonic() > deadline:
                    raise
                logger.warning(
                    "%s: the database is away (%s); retrying in %.1f s",
                    what, type(exc).__name__, pause,
                )  # fmt: skip
            await asyncio.sleep(pause)
            pause = min(pause * 2, 5.0)

    async def _attempt_failed(self, run: RunRow, *, counted: bool = True) -> None:
        """Announce a failed attempt (``run`` as recorded after it): a retry is logged; a dead
        run's waiters get its error, the audit log a line, its thread's next run a worker."""
        if run.status != DEAD:
            delay = (run.available_at - run.updated_at).total_seconds()
            if not counted:
                logger.warning(
                    "run %s lost the database (%s): resuming from its last checkpoint in %.1fs "
                    "(not counted as a failed attempt)",
                    run.run_id, run.error, delay,
                )  # fmt: skip
                return
            logger.warning(
                "run %s failed %d time(s) (%s): retrying in %.1fs",
                run.run_id, run.failed_attempts, run.error, delay,
            )  # fmt: skip
            return
        logger.error(
            "run %s is dead after %d failed attempts: %s",
            run.run_id, run.failed_attempts, run.error,
        )  # fmt: skip
        try:
            await self.broker.publish(run.run_id, "error", run.error)
            await self.broker.publish(run.run_id, RESULT_EVENT, {"__error__": run.error})
            await self.broker.close(run.run_id)
            await AuditLog(self.store.database, clock=self.store.clock).append(
                AuditEntry(
                    event="run.dead",
                    actor=self.worker_id,
                    actor_kind=ActorKind.SYSTEM,
                    thread_id=run.thread_id,
                    run_id=run.run_id,
                    payload={"error": run.error, "failed_attempts": run.failed_attempts},
                    reasoning=f"failed {run.failed_attempts} attempts: dead-lettered",
                    dedupe_key=f"run.dead:{run.run_id}:{run.updated_at.isoformat()}",
                )
            )
            webhook = run.options.get("webhook")
            if webhook and self.webhooks is not None:
                self.webhooks.send_later(str(webhook), {**run.to_api(), "error": run.error})
        except Exception:
            logger.exception("announcing dead run %s failed", run.run_id)
        self.wake()  # the thread's next run may start now

    @asynccontextmanager
    async def _built(
        self, run: RunRow, served: ServedGraph, context: Any
    ) -> AsyncIterator[Pregel[Any, Any, Any, Any]]:
        """The graph ``run`` executes: a factory's is built for this run (its config and
        ``context``), a compiled graph is itself."""
        factory_config = run_config(run, served.graph_id)
        async with served.build("threads.create_run", factory_config, context) as graph:
            yield graph

    async def _stream(self, run: RunRow, served: ServedGraph) -> tuple[Any, bool]:
        """Run the graph and publish its parts."""
        context = served.context(run.options.get("context"), self.services)
        async with self._built(run, served, context) as graph:
            return await self._stream_graph(run, served, graph, context)

    async def _stream_graph(
        self, run: RunRow, served: ServedGraph, graph: Pregel[Any, Any, Any, Any], context: Any
    ) -> tuple[Any, bool]:
        requested, subgraphs, graph_input, options = await self._input(run, served, graph, context)
        config = options.pop("config")
        last_values: Any = None
        interrupted = False
        legacy = LegacyMessages()
        stream = graph_parts(
            graph,
            graph_input,
            config,
            modes=lg_modes(requested),
            events="events" in requested,
            **options,
        )
        async for namespace, mode, chunk in stream:
            root = not namespace
            if root and mode == "values":
                last_values = chunk
            if root and mode == "updates" and isinstance(chunk, dict) and "__interrupt__" in chunk:
                interrupted = True
                if "values" not in requested:
                    await self.broker.publish(
                        run.run_id, "values", jsonable({"__interrupt__": chunk["__interrupt__"]})
                    )
            suffix = "|" + "|".join(namespace) if namespace and subgraphs else ""
            if mode == "messages":  # a subgraph's messages stream even without subgraphs
                if "messages-tuple" in requested:
                    await self.broker.publish(run.run_id, "messages" + suffix, jsonable(chunk))
                if "messages" in requested:
                    for name, data in legacy.feed(*chunk):
                        await self.broker.publish(run.run_id, name + suffix, data)
                continue
            if mode not in requested or (namespace and not subgraphs):
                continue
            await self.broker.publish(run.run_id, mode + suffix, jsonable(chunk))
        if last_values is None:
            snapshot = await graph.aget_state({"configurable": {"thread_id": run.thread_id}})
            last_values = snapshot.values
        return jsonable(last_values), interrupted

    async def _input(
        self, run: RunRow, served: ServedGraph, graph: Pregel[Any, Any, Any, Any], context: Any
    ) -> tuple[list[str], bool, Any, dict[str, Any]]:
        """The modes asked for, whether with subgraphs, the graph's input (a command, or
        ``None`` to resume a retried run) and the options to run it with (``config`` and the
        run's ``context`` too)."""
        kwargs = run.options
        config = run_config(run, served.graph_id, self.callbacks)
        if kwargs.get("command") is not None:
            graph_input: Any = build_command(kwargs["command"])
        else:
            graph_input = kwargs.get("input")
        if run.attempt > 1 and await _started_before(run, graph, config):
            graph_input = None  # a retried run resumes from its last checkpoint
        options: dict[str, Any] = {}
        for name in ("interrupt_before", "interrupt_after", "durability"):
            if kwargs.get(name) is not None:
                options[name] = kwargs[name]
        options["context"] = context
        options["config"] = config
        requested: list[str] = kwargs.get("stream_mode") or ["values"]
        return requested, bool(kwargs.get("stream_subgraphs")), graph_input, options

    # --- thread streaming (v3) -------------------------------------------------------------
    async def _streams_v3(self, run: RunRow) -> bool:
        """Runs of a thread that is streamed with the v3 protocol (it has an event log)."""
        log = self.thread_events
        if log is None:
            return False
        if run.options.get("protocol") == "v3":
            return True
        return not run.new_thread and await log.enabled(run.thread_id)  # a new one has no log

    async def _stream_v3(
        self, run: RunRow, served: ServedGraph, translator: Translator
    ) -> tuple[Any, bool]:
        """Run the graph under LangGraph's v3 event stream, appending to the thread's log
        (and publishing the classic modes the run asked for to the broker)."""
        context = served.context(run.options.get("context"), self.services)
        async with self._built(run, served, context) as graph:
            return await self._stream_v3_graph(run, served, graph, context, translator)

    async def _stream_v3_graph(
        self,
        run: RunRow,
        served: ServedGraph,
        graph: Pregel[Any, Any, Any, Any],
        context: Any,
        translator: Translator,
    ) -> tuple[Any, bool]:
        log = self.thread_events
        assert log is not None
        requested, subgraphs, graph_input, options = await self._input(run, served, graph, context)
        config = options.pop("config")
        if run.options.get("protocol") != "v3" or run.attempt > 1:  # else its creator did
            await log.append(
                run.thread_id,
                run.run_id,
                [lifecycle("running", graph_name=served.graph_id, run_id=run.run_id)],
            )
        own = set(graph.stream_transformers)
        extra = [
            t for t in (UpdatesTransformer, CustomTransformer, ToolCallTransformer) if t not in own
        ]
        stream = await graph.astream_events(
            graph_input, config, version="v3", transformers=extra, **options
        )
        last_values: Any = None
        async for raw in stream:
            params = raw["params"]
            namespace = tuple(params.get("namespace") or ())
            method = raw["method"]
            if not namespace and method == "values":
                last_values = params.get("data")
            await log.append(run.thread_id, run.run_id, translator.translate(dict(raw)))
            if (
                method in requested
                and method in ("values", "updates", "custom")
                and (subgraphs or not namespace)
            ):
                suffix = "|" + "|".join(namespace) if namespace else ""
                await self.broker.publish(run.run_id, method + suffix, jsonable(params.get("data")))
        if last_values is None:
            snapshot = await graph.aget_state({"configurable": {"thread_id": run.thread_id}})
            last_values = snapshot.values
        values = jsonable(last_values)
        if isinstance(values, dict):
            values.pop("__interrupt__", None)
        return values, translator.interrupted

    async def _v3_end(
        self,
        run: RunRow,
        status: str,
        error: Any,
        interrupts: dict[str, Any],
        *,
        cancelled: bool,
        v3: bool | None,
        namespaces: dict[str, list[str]] | None,
    ) -> None:
        """The run's last v3 events, once its outcome is recorded: an ``input.requested`` per
        pending interrupt, then the root's terminal lifecycle event."""
        if v3 is False or (v3 is None and not await self._streams_v3(run)):
            return
        assert self.thread_events is not None
        events: list[dict[str, Any]] = []
        if cancelled or status == "rollback":
            events.append(lifecycle("failed", error="cancelled", run_id=run.run_id))
        elif error is not None:
            message = error.get("message") if isinstance(error, dict) else str(error)
            events.append(lifecycle("failed", error=message, run_id=run.run_id))
        else:
            for items in interrupts.values():
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        where = (namespaces or {}).get(item["id"], [])
                        events.append(input_requested(item["id"], item.get("value"), where))
            waiting = bool(events) or status == "interrupted"
            events.append(lifecycle("interrupted" if waiting else "completed", run_id=run.run_id))
        await self.thread_events.append(run.thread_id, run.run_id, events)

    async def _record(
        self,
        run: RunRow,
        served: ServedGraph | None,
        status: str,
        error: Any,
        result: Any,
        before: checkpoints.ThreadSnapshot | None = None,
        started_at: datetime | None = None,
        *,
        cancelled: bool = False,
        v3: bool | None = None,
        namespaces: dict[str, list[str]] | None = None,
    ) -> None:
        """Persist the outcome, then close the stream (so a join sees the final state).

        ``rollback``: the run's checkpoints and the run itself are deleted, leaving the thread
        as it was before the run (``before``: its checkpoints then)."""
        queued = True  # unless known otherwise: wake the workers, as the thread may have more
        try:
            if status == "rollback":
                saver = None if served is None else served.graph.checkpointer
                try:
                    if isinstance(saver, BaseCheckpointSaver):
                        await checkpoints.roll_back(saver, run.thread_id, run.run_id, before)
                except Exception:  # still delete the run: a re-queued rollback would re-run it
                    logger.exception("rolling back the checkpoints of run %s failed", run.run_id)
            values: Any = None
            interrupts: dict[str, Any] = {}
            thread_status = "error" if error is not None else "idle"
            if status == "success" and isinstance(result, dict):
                # Ran to its end: the final values were streamed; nothing is pending.
                values = result or None
            elif served is not None:
                graph = served.graph
                try:
                    snapshot = await self._persisting(
                        f"reading the state of run {run.run_id}",
                        lambda: graph.aget_state({"configurable": {"thread_id": run.thread_id}}),
                    )
                except Exception:  # still end the run: a re-queued run would execute again
                    await self._end_without_state(run, status, error)
                    raise
                values = jsonable(snapshot.values) if snapshot.values else None
                interrupts = thread_interrupts(snapshot)
                if error is None:
                    thread_status = checkpoint_status(snapshot)
            queued = await self._persisting(
                f"recording the outcome of run {run.run_id}",
                lambda: self.store.finish_run_with_state(
                    run,
                    status,
                    error,
                    thread_status=thread_status,
                    values=values,
                    interrupts=interrupts,
                ),
            )
            try:
                await self._v3_end(
                    run,
                    status,
                    error,
                    interrupts,
                    cancelled=cancelled,
                    v3=v3,
                    namespaces=namespaces,
                )
            except Exception:
                logger.exception("ending the v3 event stream of run %s failed", run.run_id)
            if self.services is not None:
                leftover = self.services.take_usage(run.run_id)
                if leftover is not None:  # stopped before the answer reported it (an interrupt)
                    await self.broker.publish(
                        run.run_id, USAGE_EVENT, leftover.model_dump(mode="json")
                    )
            body = {"__error__": error} if error is not None else result
            if body is None:
                body = values
            # Kept in the database too: Redis may lose the event (host.runs replays this).
            await run_results.save(
                self.store.database, run.run_id, body, self.store.clock(), RESULT_KEEP_SECONDS
            )
            await self.broker.publish(run.run_id, RESULT_EVENT, body)
            webhook = run.options.get("webhook")
            if webhook and status != "rollback" and self.webhooks is not None:
                finished = await self.store.get_run(run.run_id)
                payload = {
                    **(finished or run).to_api(),
                    "run_started_at": (started_at or run.updated_at).isoformat(),
                    "run_ended_at": datetime.now(UTC).isoformat(),
                    "values": values,
                }
                if error is not None:
                    payload["error"] = error
                self.webhooks.send_later(str(webhook), payload)
            waiting = status == "interrupted" or bool(interrupts)
            if waiting and run.options.get("temporary"):
                # A stateless run that stopped at an interrupt (an approval) keeps its thread:
                # deleting it would leave a request nobody can ever decide.
                logger.info("stateless run %s waits at an interrupt: thread kept", run.run_id)
            elif run.options.get("temporary") and run.options.get("on_completion") == "delete":
                await self.store.delete_thread(run.thread_id)
                if served is not None and served.graph.checkpointer:
                    await served.graph.checkpointer.adelete_thread(run.thread_id)  # type: ignore[union-attr]
        except Exception:
            logger.exception("recording the outcome of run %s failed", run.run_id)
        finally:
            if self.services is not None:
                self.services.end_run(run.run_id)
            await self.broker.close(run.run_id)
            if queued:
                self.wake()  # the thread's next queued run may start now

    async def _end_without_state(self, run: RunRow, status: str, error: Any) -> None:
        if status == "rollback":
            await self.store.delete_run(run.run_id)
        else:
            await self.store.finish_run(run.run_id, status, error)


async def _started_before(
    run: RunRow, graph: Pregel[Any, Any, Any, Any], config: RunnableConfig
) -> bool:
    snapshot = await graph.aget_state({"configurable": config["configurable"]})
    return bool(snapshot.metadata and snapshot.metadata.get("run_id") == run.run_id)


async def _before(run: RunRow, served: ServedGraph) -> checkpoints.ThreadSnapshot | None:
    """The thread's checkpoints before ``run`` writes any (what a rollback returns to)."""
    saver = served.graph.checkpointer
    if not isinstance(saver, BaseCheckpointSaver):
        return None
    if run.new_thread and run.attempt <= 1:  # nothing else writes while it runs: no query
        return checkpoints.ThreadSnapshot(frozenset(), frozenset())
    try:
        return await checkpoints.snapshot(saver, run.thread_id)
    except checkpoints.UnsupportedSaverError:
        return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, GraphRecursionError):
        return "the graph hit its recursion limit"
    text = str(exc) or type(exc).__name__
    return text[:2000]
