"""Request bodies of the LangGraph Server API, validated at the edge (422 on a wrong type).

Unknown fields are ignored, as the reference server does: SDKs send options (e.g.
``feedback_keys``, ``langsmith_tracer``) that change nothing here.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)

StreamMode = Literal[
    "values",
    "updates",
    "messages",
    "messages-tuple",
    "events",
    "custom",
    "debug",
    "tasks",
    "checkpoints",
]
SUPPORTED_STREAM_MODES: frozenset[str] = frozenset(get_args(StreamMode))
ThreadStatus = Literal["idle", "busy", "interrupted", "error"]
RunStatus = Literal["pending", "running", "success", "error", "timeout", "interrupted"]
MultitaskStrategy = Literal["reject", "interrupt", "rollback", "enqueue"]
SUPPORTED_STRATEGIES: frozenset[str] = frozenset(get_args(MultitaskStrategy))
CancelAction = Literal["interrupt", "rollback"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


MAX_OFFSET = 1_000_000_000
"""Deeper pages than this are refused (422) rather than overflowing the database's integers."""


class Pagination(_Body):
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class AssistantSearch(Pagination):
    metadata: dict[str, JsonValue] | None = None
    graph_id: str | None = None
    name: str | None = None
    sort_by: Literal["assistant_id", "graph_id", "name", "created_at", "updated_at"] = "created_at"
    sort_order: Literal["asc", "desc"] = "desc"
    select: list[str] | None = None


class AssistantCreate(_Body):
    graph_id: str = Field(min_length=1, max_length=255)
    assistant_id: str | None = Field(default=None, min_length=1, max_length=255)
    config: dict[str, JsonValue] | None = None
    context: dict[str, JsonValue] | None = None
    metadata: dict[str, JsonValue] | None = None
    if_exists: Literal["raise", "do_nothing"] = "raise"
    name: str | None = Field(default=None, max_length=255)
    description: str | None = None


class AssistantPatch(_Body):
    graph_id: str | None = Field(default=None, min_length=1, max_length=255)
    config: dict[str, JsonValue] | None = None
    context: dict[str, JsonValue] | None = None
    metadata: dict[str, JsonValue] | None = None
    name: str | None = Field(default=None, max_length=255)
    description: str | None = None


class AssistantVersionsSearch(Pagination):
    metadata: dict[str, JsonValue] | None = None


class AssistantLatest(_Body):
    version: int = Field(ge=1)


class ThreadCreate(_Body):
    thread_id: str | None = Field(default=None, min_length=1, max_length=255)
    metadata: dict[str, JsonValue] | None = None
    if_exists: Literal["raise", "do_nothing"] = "raise"


class ThreadPrune(_Body):
    thread_ids: list[str] = Field(min_length=1, max_length=1000)
    strategy: Literal["delete", "keep_latest"] = "delete"


class ThreadPatch(_Body):
    metadata: dict[str, JsonValue]


class ThreadSearch(Pagination):
    metadata: dict[str, JsonValue] | None = None
    values: dict[str, JsonValue] | None = None
    ids: list[str] | None = None
    status: ThreadStatus | None = None
    sort_by: Literal["thread_id", "status", "created_at", "updated_at"] = "created_at"
    sort_order: Literal["asc", "desc"] = "desc"


class CheckpointRef(_Body):
    thread_id: str | None = None
    checkpoint_ns: str = ""
    checkpoint_id: str | None = None
    checkpoint_map: dict[str, JsonValue] | None = None


class ThreadStateUpdate(_Body):
    values: dict[str, JsonValue] | list[JsonValue] | None = None
    as_node: str | None = None
    checkpoint: CheckpointRef | None = None
    checkpoint_id: str | None = None


class HistoryRequest(_Body):
    limit: int = Field(default=10, ge=1, le=1000)
    before: CheckpointRef | str | None = None
    metadata: dict[str, JsonValue] | None = None
    checkpoint: CheckpointRef | None = None


class SendSpec(_Body):
    node: str
    input: JsonValue = None


class CommandSpec(_Body):
    resume: JsonValue = None
    update: dict[str, JsonValue] | list[tuple[str, JsonValue]] | None = None
    goto: str | SendSpec | list[str | SendSpec] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> CommandSpec:
        if not self.model_fields_set & {"resume", "update", "goto"}:
            raise ValueError("a command needs resume, update or goto")
        return self


class RunConfig(_Body):
    tags: list[str] | None = None
    recursion_limit: int | None = Field(default=None, ge=1)
    configurable: dict[str, JsonValue] | None = None


class RunCreate(_Body):
    """``RunCreateStateful`` / ``RunCreateStateless`` of the reference OpenAPI document."""

    assistant_id: str = Field(min_length=1)
    input: JsonValue = None
    command: CommandSpec | None = None
    config: RunConfig | None = None
    context: dict[str, JsonValue] | None = None
    metadata: dict[str, JsonValue] | None = None
    stream_mode: StreamMode | list[StreamMode] = "values"
    stream_subgraphs: bool = False
    stream_resumable: bool = False
    interrupt_before: Literal["*"] | list[str] | None = None
    interrupt_after: Literal["*"] | list[str] | None = None
    checkpoint: CheckpointRef | None = None
    checkpoint_id: str | None = None
    multitask_strategy: MultitaskStrategy = "enqueue"
    if_not_exists: Literal["reject", "create"] = "reject"
    on_disconnect: Literal["cancel", "continue"] = "continue"
    on_completion: Literal["delete", "keep"] = "delete"
    after_seconds: float | None = Field(default=None, ge=0, le=86_400)
    durability: Literal["sync", "async", "exit"] | None = None
    webhook: str | None = Field(default=None, min_length=1, max_length=2048)

    @model_validator(mode="after")
    def _input_or_command(self) -> RunCreate:
        # agent-chat-ui resumes with `input: {}` next to its command; the command is the run
        # (as on the reference server), an input that says something as well is ambiguous.
        if self.command is not None and self.input is not None:
            if self.input != {}:
                raise ValueError("send either input or command, not both")
            self.input = None
        return self

    @field_validator("stream_mode")
    @classmethod
    def _supported_modes(
        cls, value: StreamMode | list[StreamMode]
    ) -> StreamMode | list[StreamMode]:
        modes = [value] if isinstance(value, str) else value
        unsupported = sorted(set(modes) - SUPPORTED_STREAM_MODES)
        if unsupported:
            raise ValueError(f"stream mode(s) not supported by this server yet: {unsupported}")
        return value

    @field_validator("multitask_strategy")
    @classmethod
    def _supported_strategy(cls, value: MultitaskStrategy) -> MultitaskStrategy:
        if value not in SUPPORTED_STRATEGIES:
            raise ValueError(f"multitask_strategy {value!r} is not supported by this server yet")
        return value

    def modes(self) -> list[str]:
        modes = [self.stream_mode] if isinstance(self.stream_mode, str) else self.stream_mode
        return list(dict.fromkeys(modes)) or ["values"]

    def run_kwargs(self, *, temporary: bool = False) -> dict[str, Any]:
        """What the worker needs to execute the run, as stored in ``runs.kwargs``."""
        kwargs = self.model_dump(
            mode="json",
            exclude={"assistant_id", "metadata", "multitask_strategy", "if_not_exists"},
            exclude_none=True,
        )
        if self.command is not None:
            kwargs["command"] = self.command.model_dump(mode="json", exclude_unset=True)
        kwargs["stream_mode"] = self.modes()
        kwargs["temporary"] = temporary
        return kwargs


class RunsCancel(_Body):
    """``POST /runs/cancel``: the runs of ``thread_id`` (all in flight, or ``run_ids``), or every
    run in flight with ``status``."""

    thread_id: str | None = Field(default=None, min_length=1)
    run_ids: list[str] | None = Field(default=None, min_length=1, max_length=1000)
    status: Literal["pending", "running", "all"] | None = None

    @model_validator(mode="after")
    def _one_selection(self) -> RunsCancel:
        if self.status is not None and (self.thread_id is not None or self.run_ids):
            raise ValueError("send either status, or thread_id with run_ids, not both")
        if self.status is None and self.thread_id is None:
            raise ValueError("send status, or thread_id (with run_ids)")
        return self


class _CronRun(_Body):
    """What a cron's runs are made of (and what a PATCH may change of it)."""

    input: JsonValue = None
    config: RunConfig | None = None
    context: dict[str, JsonValue] | None = None
    metadata: dict[str, JsonValue] | None = None
    interrupt_before: Literal["*"] | list[str] | None = None
    interrupt_after: Literal["*"] | list[str] | None = None
    webhook: str | None = Field(default=None, min_length=1, max_length=2048)
    stream_mode: StreamMode | list[StreamMode] | None = None
    stream_subgraphs: bool | None = None
    durability: Literal["sync", "async", "exit"] | None = None
    timezone: str | None = Field(default=None, max_length=64)
    end_time: AwareDatetime | None = None
    on_run_completed: Literal["delete", "keep"] | None = None


class CronCreate(_CronRun):
    """``POST /runs/crons`` and ``POST /threads/{id}/runs/crons``: a schedule and the run it
    creates at each tick."""

    assistant_id: str = Field(min_length=1)
    schedule: str = Field(min_length=1, max_length=255)
    enabled: bool = True
    multitask_strategy: MultitaskStrategy | None = None


class CronPatch(_CronRun):
    schedule: str | None = Field(default=None, min_length=1, max_length=255)
    enabled: bool | None = None


class CronSearch(Pagination):
    assistant_id: str | None = None
    thread_id: str | None = None
    enabled: bool | None = None
    metadata: dict[str, JsonValue] | None = None
    sort_by: Literal[
        "cron_id",
        "assistant_id",
        "thread_id",
        "next_run_date",
        "end_time",
        "created_at",
        "updated_at",
    ] = "created_at"
    sort_order: Literal["asc", "desc"] = "desc"
    select: list[str] | None = None
