"""Thread streaming (v3) commands: ``POST /threads/{id}/commands``.

Runs are created exactly as the classic API creates them (``host.runs.create``), marked so the
workers stream them into the thread's event log. A protocol failure is an answer, not an HTTP
error: ``{"type": "error", "id", "error": <code>, "message"}`` with status 200, as the SDKs
expect; HTTP errors are kept for what the caller may not do (401/403) and malformed bodies.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from host import runs
from host.errors import ConflictError, InvalidRequestError, NotFoundError
from host.models import CommandSpec, RunCreate
from host.runtime import Runtime
from host.state import thread_state
from host.v3_protocol import lifecycle

ErrorCode = Literal[
    "invalid_argument",
    "unknown_command",
    "unknown_error",
    "no_such_run",
    "no_such_subscription",
    "no_such_namespace",
    "no_such_interrupt",
    "no_such_checkpoint",
    "permission_denied",
    "not_supported",
]

NOT_SUPPORTED = {
    "subscription.subscribe": "subscribe by opening POST /threads/{id}/stream/events or the "
    "WebSocket on the same path",
    "subscription.unsubscribe": "close the stream's connection to unsubscribe",
    "subscription.reconnect": "reopen the stream with `since` to resume it",
    "input.inject": "injecting input into a running graph is not supported",
    "state.fork": "fork with POST /threads/{id}/runs and a checkpoint",
    "agent.getTree": "read GET /assistants/{id}/graph",
}


class Command(BaseModel):
    """``{"id", "method", "params"}`` as the SDKs send it."""

    model_config = ConfigDict(extra="allow")

    id: int = Field(ge=0)
    method: str = Field(min_length=1, max_length=64)
    params: dict[str, Any] = Field(default_factory=dict)


class ProtocolError(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


class RunStart(BaseModel):
    model_config = ConfigDict(extra="ignore")

    assistant_id: str = Field(min_length=1)
    input: JsonValue = None
    config: dict[str, Any] | None = None
    context: dict[str, JsonValue] | None = None
    metadata: dict[str, JsonValue] | None = None


class Response(BaseModel):
    namespace: list[str] = Field(default_factory=list)
    interrupt_id: str = Field(min_length=1)
    response: JsonValue = None


class InputRespond(BaseModel):
    model_config = ConfigDict(extra="ignore")

    interrupt_id: str | None = Field(default=None, min_length=1)
    namespace: list[str] = Field(default_factory=list)
    response: JsonValue = None
    responses: list[Response] | None = None

    def answers(self) -> dict[str, JsonValue]:
        if self.responses:
            return {item.interrupt_id: item.response for item in self.responses}
        if self.interrupt_id is None:
            raise ProtocolError("invalid_argument", "input.respond needs an interrupt_id")
        return {self.interrupt_id: self.response}


class RunCancel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    run_id: str | None = None
    action: Literal["interrupt", "rollback"] = "interrupt"


async def execute(runtime: Runtime, thread_id: str, command: Command) -> dict[str, Any]:
    """The response envelope to ``command`` (success or protocol error)."""
    try:
        result, meta = await _dispatch(runtime, thread_id, command)
    except ProtocolError as exc:
        return _error(command.id, exc.code, str(exc))
    except ValidationError as exc:
        return _error(command.id, "invalid_argument", _first_error(exc))
    except NotFoundError as exc:
        return _error(command.id, "invalid_argument", str(exc))
    except (InvalidRequestError, ConflictError) as exc:
        return _error(command.id, "invalid_argument", str(exc))
    body: dict[str, Any] = {"type": "success", "id": command.id, "result": result}
    if meta is not None:
        body["meta"] = meta
    return body


def _error(command_id: int | None, code: ErrorCode, message: str) -> dict[str, Any]:
    return {"type": "error", "id": command_id, "error": code, "message": message}


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "params"
    return f"{where}: {error['msg']}"


async def _dispatch(
    runtime: Runtime, thread_id: str, command: Command
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    method = command.method
    if method == "run.start":
        return await _run_start(runtime, thread_id, RunStart.model_validate(command.params))
    if method == "input.respond":
        return await _respond(runtime, thread_id, InputRespond.model_validate(command.params))
    if method == "run.cancel":
        return await _cancel(runtime, thread_id, RunCancel.model_validate(command.params))
    if method == "state.get":
        return await _state(runtime, thread_id, command.params), None
    if method in NOT_SUPPORTED:
        raise ProtocolError("not_supported", NOT_SUPPORTED[method])
    raise ProtocolError("unknown_command", f"unknown command {method!r}")


async def _begin(
    runtime: Runtime, thread_id: str, body: RunCreate
) -> tuple[str, dict[str, Any] | None]:
    """Create the run as the classic API does and open it in the thread's log; returns its id
    and ``applied_through_seq``: the log's last event before this run."""
    log = runtime.thread_events
    if log is None:
        raise ProtocolError("not_supported", "thread streaming is not available here")
    before = await log.last_seq(thread_id)
    run = await runs.create(runtime, thread_id, body, options={"protocol": "v3"})
    log.enable(thread_id)
    # The run's first event, before the answer: a stream opened next replays from here.
    await log.append(
        thread_id,
        run.run_id,
        [lifecycle("running", graph_name=run.assistant_id, run_id=run.run_id)],
    )
    return run.run_id, {"thread_id": thread_id, "applied_through_seq": before}


async def _run_start(
    runtime: Runtime, thread_id: str, params: RunStart
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A new run; on a thread waiting at an interrupt, ``input`` resumes it instead."""
    served = runtime.served(params.assistant_id)
    thread = await runtime.store.get_thread(thread_id)
    create: dict[str, Any] = {
        "assistant_id": served.graph_id,
        "config": params.config or None,
        "context": params.context,
        "metadata": params.metadata,
        "if_not_exists": "create",
        "multitask_strategy": "enqueue",
    }
    if thread is not None and thread.interrupts and params.input is not None:
        create["command"] = CommandSpec(resume=params.input)
    else:
        create["input"] = params.input
    run_id, meta = await _begin(runtime, thread_id, RunCreate.model_validate(create))
    return {"run_id": run_id}, meta


async def _respond(
    runtime: Runtime, thread_id: str, params: InputRespond
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Resume the interrupted thread with the answers, by interrupt id (our approval gate
    checks and rewrites them as for any resume: ``host.resume``)."""
    answers = params.answers()
    thread = await runtime.store.get_thread(thread_id)
    if thread is None:
        raise ProtocolError("no_such_run", f"thread {thread_id} has no run: call run.start first")
    pending = {
        item["id"]
        for items in thread.interrupts.values()
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    }
    if not pending:
        raise ProtocolError(
            "invalid_argument", "input.respond can only be used while the run is interrupted"
        )
    unknown = sorted(set(answers) - pending)
    if unknown:
        raise ProtocolError("no_such_interrupt", f"no pending interrupt {unknown[0]}")
    graph_id = thread.metadata.get("graph_id") or thread.metadata.get("assistant_id")
    if not isinstance(graph_id, str):
        raise ProtocolError("no_such_run", f"thread {thread_id} has no graph: call run.start")
    body = RunCreate.model_validate(
        {
            "assistant_id": graph_id,
            "command": {"resume": answers},
            "multitask_strategy": "enqueue",
        }
    )
    run_id, _ = await _begin(runtime, thread_id, body)
    return {"run_id": run_id}, None


async def _cancel(
    runtime: Runtime, thread_id: str, params: RunCancel
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Our extension: cancel the thread's runs in flight (or one of them)."""
    if params.run_id is not None:
        targets = [await runs.existing(runtime, thread_id, params.run_id)]
    else:
        targets = await runtime.store.inflight_runs(thread_id=thread_id)
    for run in targets:
        if run.status in ("pending", "running"):
            await runs.cancel(runtime, run, params.action)
    if params.run_id is not None and not targets:
        raise ProtocolError("no_such_run", f"no run {params.run_id}")
    return {"cancelled": [run.run_id for run in targets]}, None


async def _state(runtime: Runtime, thread_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """``state.get`` at the root namespace: values (optionally only ``keys``) and checkpoint."""
    if params.get("namespace"):
        raise ProtocolError("no_such_namespace", "state.get reads the root namespace only")
    thread = await runtime.store.get_thread(thread_id)
    graph_id = None if thread is None else thread.metadata.get("graph_id")
    served = runtime.graphs.get(graph_id) if isinstance(graph_id, str) else None
    if served is None:
        return {"values": {}}
    snapshot = await served.graph.aget_state({"configurable": {"thread_id": thread_id}})
    state = thread_state(snapshot)
    values = state["values"]
    keys = params.get("keys")
    if isinstance(keys, list) and isinstance(values, dict):
        values = {key: values[key] for key in keys if key in values}
    result: dict[str, Any] = {"values": values}
    if state["checkpoint_id"] is not None:
        result["checkpoint"] = {"id": state["checkpoint_id"], "ns": ""}
    return result
