"""Gate probes: one write put through the real approval gate inside a one-node graph.

Some thresholds (budget adjustments at €99/€100/€1000/€1001, price changes at 19 % and 21 %)
have no cluster that proposes them yet. A probe case hands the gate exactly that action — or a
call of one of the agent write tools, which then really writes to Shopify — so classification,
the interrupt, the human decision, the audit log and the effects ledger are exercised for real.
Only the proposer is scripted; the suites say so in each such case.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, JsonValue
from typing_extensions import TypedDict

from evals.case import ProbeAction, ProbeTool
from nodes.approval import GateStatus, Proposal, ProposalContext, run_gated
from nodes.approval.tool_gate import gate_for_runtime
from nodes.context import Context, services_of
from policies import Action, SupplierStatus
from tools.agent_tools import ToolClients
from tools.agent_tools.registry import write_tool

PROBE_CLUSTER = "eval"
PROBE_AGENT = "eval_probe"


class ProbeState(TypedDict, total=False):
    outcome: dict[str, Any]


class ProbeArgs(BaseModel):
    """A probe's arguments: whatever the case gives (an approver may edit any of it)."""

    model_config = ConfigDict(extra="allow")


def probe_args(spec: ProbeAction) -> dict[str, JsonValue]:
    """The arguments the proposed tool would receive: the case's, with its amount (so an
    approver edits the amount as an argument, like any tool's)."""
    amount: dict[str, JsonValue] = {} if spec.amount is None else {"amount": str(spec.amount)}
    return {**amount, **spec.args}


def probe_action(spec: ProbeAction, args: dict[str, JsonValue] | None = None) -> Action:
    return Action(
        cluster=PROBE_CLUSTER,
        agent=PROBE_AGENT,
        tool=spec.tool,
        kind=spec.kind,
        args=probe_args(spec) if args is None else args,
        amount=_amount(spec, args),
        currency=spec.currency,
        supplier_id=spec.supplier_id,
        supplier_status=SupplierStatus(spec.supplier_status) if spec.supplier_status else None,
        reasoning=spec.reasoning,
        source_text=spec.source_text,
    )


def _amount(spec: ProbeAction, args: dict[str, JsonValue] | None) -> Any:
    """An edited ``amount`` argument re-derives the action's amount (as a tool would)."""
    if args is not None and isinstance(args.get("amount"), str | int | float):
        return args["amount"]
    return spec.amount


def build_probe_graph(spec: ProbeAction | ProbeTool) -> StateGraph[Any, Context, Any, Any]:
    async def act(state: ProbeState, runtime: Runtime[Context]) -> dict[str, Any]:
        services = await services_of(runtime)
        context = runtime.context
        gate_services = services.gate(kill_switch=context.kill_switch if context else None)
        if isinstance(spec, ProbeTool):
            clients = ToolClients(
                shopify=services.shopify, github=services.github, suppliers=services.suppliers
            )
            write = await write_tool(spec.name).prepare(
                spec.args, clients, cluster=PROBE_CLUSTER, agent=PROBE_AGENT
            )
            gate = gate_for_runtime(gate_services, runtime.execution_info, runtime.stream_writer)
            result = await gate(write)
            return {"outcome": result if isinstance(result, dict) else {"result": result}}

        async def execute(action: Action, key: str) -> JsonValue:
            # No service adjusts budgets yet: the probe's effect is the ledger entry itself.
            return {"applied": action.args, "amount_eur": str(action.amount)}

        proposal = Proposal(
            action=probe_action(spec),
            context=ProposalContext(
                title=f"{spec.kind} (eval probe)",
                description=f"Eval probe of the approval gate with a {spec.kind} action.",
                reasoning=spec.reasoning or "eval probe",
            ),
            args_model=ProbeArgs,
            rebuild=lambda edited: probe_action(spec, edited),
        )
        outcome = await run_gated(
            proposal,
            execute,
            services=gate_services,
            info=runtime.execution_info,
            writer=runtime.stream_writer,
        )
        return {
            "outcome": {
                "status": str(outcome.status),
                "executed": outcome.status is GateStatus.EXECUTED,
                "risk_level": str(outcome.classification.level),
            }
        }

    builder: StateGraph[Any, Context, Any, Any] = StateGraph(ProbeState, context_schema=Context)
    builder.add_node("probe", act)
    builder.add_edge(START, "probe")
    builder.add_edge("probe", END)
    return builder


def compile_probe(spec: ProbeAction | ProbeTool, checkpointer: Any) -> CompiledStateGraph[Any, Any]:
    return build_probe_graph(spec).compile(checkpointer=checkpointer, name="probe")
