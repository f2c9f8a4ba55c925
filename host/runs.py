"""Runs, the one way every front end makes a graph work: create, cancel, follow, wait.

A run is a row in the runs table, executed by the workers (``host.worker``) wherever they are;
its events go through the broker, so the process that created it, any API process and any CLI
can follow it. The HTTP routes, the console, the CLI, evals and benchmarks all call these.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from host import assistants
from host.broker import RunEvent
from host.errors import ConflictError, InvalidRequestError, NotFoundError
from host.models import CancelAction, CommandSpec, RunCreate
from host.resume import authorize_resume
from host.runtime import Runtime
from host.webhooks_out import WebhookRefusedError, check_url
from host.worker import RESULT_EVENT
from storage import run_results
from storage.runs import ConflictError as ThreadBusyError
from storage.runs import RunRow

TERMINAL = frozenset({"success", "error", "timeout", "interrupted", "dead"})
#: What the console and the CLI show of a run: steps inside the clusters and answer tokens.
PROGRESS_MODES = ["values", "updates", "messages-tuple", "custom"]


async def create(
    runtime: Runtime,
    thread_id: str | None,
    body: RunCreate,
    *,
    stateless: bool = False,
    options: dict[str, Any] | None = None,
) -> RunRow:
    """Create a run (on a thread, or on a temporary one) and hand it to the workers.

    ``options``: stored with the run for its worker (``protocol: v3``: thread streaming).

    A resume that answers a pending approval is checked and rewritten as the caller's decision
    (``host.approvals.authorize_resume``) before anything is stored.
    """
    assistant = await assistants.resolve(runtime, body.assistant_id)
    served, body = assistant.served, assistant.run_body(body)
    served.context(body.context, None)  # a context that does not fit is refused now, not later
    if body.webhook is not None:
        await _check_webhook(runtime, body.webhook)
    body = await authorize_resume(runtime, thread_id, body)
    workers = runtime.workers
    worker_id = workers.reserve()  # a free slot here: the run starts without a claim
    try:
        run, superseded = await runtime.store.create_run(
            thread_id=thread_id,
            assistant_id=assistant.assistant_id,
            graph_id=served.graph_id,
            kwargs={
                **body.run_kwargs(temporary=stateless),
                "graph_id": served.graph_id,
                **(options or {}),
            },
            metadata=body.metadata or {},
            multitask_strategy=body.multitask_strategy,
            if_not_exists=body.if_not_exists,
            after_seconds=body.after_seconds,
            temporary=stateless,
            lease_to=None if worker_id is None else (worker_id, workers.lease),
        )
    except BaseException as exc:
        if worker_id is not None:
            workers.unreserve()
        if isinstance(exc, LookupError):
            raise NotFoundError("thread", str(thread_id)) from None
        if isinstance(exc, ThreadBusyError):
            raise ConflictError(str(exc)) from None
        raise
    if run.worker_id is not None:
        workers.start_reserved(run)
    elif worker_id is not None:
        workers.unreserve()
    action: CancelAction = "rollback" if body.multitask_strategy == "rollback" else "interrupt"
    for previous in superseded:
        await cancel(runtime, previous, action)
    if run.worker_id is None:
        workers.wake()
        return run
    # As the reference server answers: a run is created pending (this one already started).
    return run.model_copy(update={"status": "pending"})


async def start(
    runtime: Runtime,
    thread_id: str,
    assistant_id: str,
    *,
    input: Any = None,
    resume: Any = None,
    context: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    strategy: str = "enqueue",
) -> RunRow:
    """A background run streaming the progress modes, created like any other: what the
    console, the CLI and approval decisions start."""
    body = RunCreate.model_validate(
        {
            "assistant_id": assistant_id,
            "input": input,
            "context": context,
            "metadata": metadata,
            "multitask_strategy": strategy,
            "if_not_exists": "create",
            "stream_mode": PROGRESS_MODES,
            "stream_subgraphs": True,
        }
    )
    if resume is not None:
        body = body.model_copy(update={"command": CommandSpec(resume=resume)})
    return await create(runtime, thread_id, body)


async def _check_webhook(runtime: Runtime, url: str) -> None:
    sender = runtime.workers.webhooks
    try:
        if sender is not None:
            await sender.check(url)
        else:
            await check_url(url, allow_private=False)
    except WebhookRefusedError as exc:
        raise InvalidRequestError(str(exc)) from None


async def cancel(runtime: Runtime, run: RunRow, action: CancelAction = "interrupt") -> None:
    """Cancel a run wherever it is: executing here, still queued, or executing elsewhere.

    ``rollback`` also deletes the run and the checkpoints it wrote (see ``worker._record``)."""
    if runtime.workers.cancel(run.run_id, action):
        return
    if await runtime.store.cancel_pending(run.run_id):
        await runtime.workers.settle_cancelled(run, action)
        return
    # Running in another process (or just claimed): its worker acts on the request.
    await runtime.workers.cancel_elsewhere(run.run_id, action)


def events(runtime: Runtime, run: RunRow, after: int | None = None) -> AsyncIterator[RunEvent]:
    """The broker's events of ``run`` (after event id ``after``), live; none for a run that
    finished long enough ago that its events are gone. When the broker's events end without
    the run's outcome (Redis was down, or restarted empty), the outcome is replayed from the
    database: the final ``values`` (or ``error``) and the result event."""
    if run.status in TERMINAL and not runtime.broker.known(run.run_id):
        return _nothing()
    live = runtime.broker.subscribe(run.run_id, after, in_flight=run.status not in TERMINAL)
    return _with_outcome(runtime, run, live, after or 0)


async def _with_outcome(
    runtime: Runtime, run: RunRow, live: AsyncIterator[RunEvent], after: int
) -> AsyncIterator[RunEvent]:
    last = after
    async for event in live:
        last = max(last, event.id)
        yield event
        if event.event == RESULT_EVENT:
            return
    found, outcome = await run_results.load(runtime.store.database, run.run_id)
    if not found:
        return
    modes = run.options.get("stream_mode") or ["values"]
    modes = [modes] if isinstance(modes, str) else modes
    if isinstance(outcome, dict) and "__error__" in outcome:
        yield RunEvent(last + 1, "error", outcome["__error__"])
    elif "values" in modes and isinstance(outcome, dict):
        yield RunEvent(last + 1, "values", outcome)
    yield RunEvent(last + 2, RESULT_EVENT, outcome)


async def _nothing() -> AsyncIterator[RunEvent]:
    return
    yield  # pragma: no cover - makes this an async generator


async def result(runtime: Runtime, run: RunRow) -> Any:
    """What a run left: final values, ``__interrupt__`` or ``__error__`` (``wait``/``join``)."""
    async for event in events(runtime, run):
        if event.event == RESULT_EVENT:
            return event.data
    thread = await runtime.store.get_thread(run.thread_id)
    finished = await runtime.store.get_run(run.run_id)
    if finished is not None and finished.error is not None:
        return {"__error__": finished.error}
    return None if thread is None else thread.values


async def existing(runtime: Runtime, thread_id: str | None, run_id: str) -> RunRow:
    run = await runtime.store.get_run(run_id, thread_id)
    if run is None:
        raise NotFoundError("run", run_id)
    return run
