"""Read and write tool definitions, and how each becomes a LangChain ``StructuredTool``.

A definition is independent of clients and gates: the registry lists them for ``tool_specs()``
and nodes may ``prepare`` a write directly, without an LLM in between. ``build`` binds one to
clients (and, for writes, a gate and the proposing cluster and agent).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError
from pydantic_core import to_jsonable_python

from policies import Action, ActionKind, SupplierStatus
from tools.agent_tools.clients import ToolClients
from tools.agent_tools.errors import ToolInputError, client_errors, validation_message
from tools.agent_tools.spec import ToolSpec
from tools.agent_tools.writes import PreparedWrite, WriteGate


class ToolArgs(BaseModel):
    """Arguments of an agent tool: unknown fields are refused, so a typo is an error."""

    model_config = ConfigDict(extra="forbid")


class WriteArgs(ToolArgs):
    """Arguments of a write tool. ``reasoning`` goes to the approver, never to the service."""

    reasoning: str = Field(
        default="",
        max_length=2000,
        description="Why you propose this change, in a sentence or two. Shown to the human "
        "approver; it does not change the risk level.",
    )


A = TypeVar("A", bound=ToolArgs)
W = TypeVar("W", bound=WriteArgs)
L = TypeVar("L")


@dataclass(frozen=True)
class Facts:
    """The typed facts of one write, computed by code from its args and the lookups."""

    kind: ActionKind
    amount: Decimal | None = None
    currency: str = "EUR"
    price_before: Decimal | None = None
    price_after: Decimal | None = None
    supplier_id: str | None = None
    supplier_name: str | None = None
    supplier_status: SupplierStatus | None = None
    margin_pct: Decimal | None = None
    discount_pct: Decimal | None = None


@dataclass(frozen=True)
class Summary:
    """How the write reads to a human approver."""

    title: str
    description: str
    data_sources: tuple[str, ...] = ()
    estimated_cost: Decimal | None = None
    risk_factors: tuple[str, ...] = ()


def to_json(value: Any) -> JsonValue:
    """Models as snake_case JSON without nulls; Decimals and datetimes as strings."""
    result: JsonValue = to_jsonable_python(value, by_alias=False, exclude_none=True)
    return result


def _structured(
    spec: ToolSpec, args_model: type[ToolArgs], call: Callable[..., Awaitable[JsonValue]]
) -> StructuredTool:
    return StructuredTool.from_function(
        coroutine=call,
        name=spec.name,
        description=spec.description,
        args_schema=args_model,
        metadata=spec.metadata(),
        handle_tool_error=True,
        handle_validation_error=_invalid_arguments,
    )


def _invalid_arguments(error: Any) -> str:
    if isinstance(error, ValidationError):
        return validation_message(error)
    return f"invalid arguments: {error}"


@dataclass(frozen=True)
class ReadTool(Generic[A]):
    """A tool that only reads: it calls the client and returns JSON."""

    spec: ToolSpec
    args_model: type[A]
    run: Callable[[A, ToolClients], Awaitable[Any]]

    async def call(self, args: A | Mapping[str, Any], clients: ToolClients) -> JsonValue:
        validated = self.args_model.model_validate(args)
        with client_errors(self.spec.name):
            return to_json(await self.run(validated, clients))

    def build(self, clients: ToolClients) -> BaseTool:
        async def call(**kwargs: Any) -> JsonValue:
            return await self.call(kwargs, clients)

        return _structured(self.spec, self.args_model, call)


@dataclass(frozen=True)
class WriteTool(Generic[W, L]):
    """A tool that writes, in four parts that keep the write behind the gate.

    - ``lookup``: the reads needed to know the facts (current prices, the order's currency…);
    - ``facts`` and ``summary``: pure functions of the args and what the lookup found, so the
      action can be re-derived from an approver's edited args without I/O;
    - ``perform``: the write itself, only ever called by the gate through ``execute``.
    """

    spec: ToolSpec
    args_model: type[W]
    lookup: Callable[[W, ToolClients], Awaitable[L]]
    facts: Callable[[W, L], Facts]
    summary: Callable[[W, L], Summary]
    perform: Callable[[W, L, ToolClients, str], Awaitable[Any]]

    async def prepare(
        self,
        args: W | Mapping[str, Any],
        clients: ToolClients,
        *,
        cluster: str,
        agent: str,
    ) -> PreparedWrite:
        """Validate ``args``, do the lookups, and return the write for the gate to decide on."""
        proposed = self.args_model.model_validate(args)
        found = await self.lookup(proposed, clients)

        def action_of(args: W) -> Action:
            facts = dataclasses.asdict(self.facts(args, found))
            return Action(
                cluster=cluster,
                agent=agent,
                tool=self.spec.name,
                args=self.action_args(args),
                reasoning=args.reasoning or proposed.reasoning,
                **facts,
            )

        def rebuild(edited: dict[str, JsonValue]) -> Action:
            try:
                return action_of(self.args_model.model_validate(edited))
            except ValidationError as exc:
                raise ToolInputError(f"{self.spec.name}: {validation_message(exc)}") from exc

        async def execute(action: Action, key: str) -> JsonValue:
            args = self.args_model.model_validate(action.args)
            return to_json(await self.perform(args, found, clients, key))

        try:
            action = action_of(proposed)
        except ValidationError as exc:
            raise ToolInputError(f"{self.spec.name}: {validation_message(exc)}") from exc
        summary = self.summary(proposed, found)
        return PreparedWrite(
            action=action,
            args_model=self.args_model,
            execute=execute,
            rebuild=rebuild,
            title=summary.title,
            description=summary.description,
            reasoning=proposed.reasoning,
            data_sources=list(summary.data_sources),
            estimated_cost=summary.estimated_cost,
            risk_factors=list(summary.risk_factors),
        )

    @staticmethod
    def action_args(args: WriteArgs) -> dict[str, JsonValue]:
        """The args exactly as the service will receive them (the reasoning travels apart)."""
        data: dict[str, JsonValue] = args.model_dump(mode="json", exclude={"reasoning"})
        return data

    def build(self, clients: ToolClients, *, gate: WriteGate, cluster: str, agent: str) -> BaseTool:
        async def call(**kwargs: Any) -> JsonValue:
            with client_errors(self.spec.name):
                write = await self.prepare(kwargs, clients, cluster=cluster, agent=agent)
                return await gate(write)

        return _structured(self.spec, self.args_model, call)


async def no_lookup(_args: Any, _clients: ToolClients) -> None:
    """For writes whose facts come from their args alone."""
    return None
