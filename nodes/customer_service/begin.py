"""The first step: which operation the task asks for, with its parameters validated."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send

from nodes.catalog.state import RESET
from nodes.clusters import ClusterTask, ServiceFailure
from nodes.context import Context, services_of
from nodes.customer_service.email_models import Flow, email_flow_of
from nodes.customer_service.models import Operation, RefundRequest
from nodes.customer_service.state import CustomerServiceState
from tools.helpdesk import HelpdeskError

_ACCUMULATED = ("outcomes", "notes", "alerts", "failures")
MAX_TICKETS = 50
#: Operations on the whole store, each one node (``route`` sends the task to it by name).
_WHOLE_STORE = frozenset(
    {
        Operation.RETENTION,
        Operation.REQUEST_REVIEWS,
        Operation.CHECK_REVIEWS,
        Operation.RETENTION_OFFER,
    }
)


def _fresh(task: ClusterTask, operation: str, **values: Any) -> dict[str, Any]:
    return {
        "task": task,
        "operation": operation,
        "ticket_ids": [],
        "refund": None,
        "review_replies": [],
        "email_flow": None,
        **{name: [RESET] for name in _ACCUMULATED},
        **values,
    }


def _refund(task: ClusterTask) -> RefundRequest | str:
    params = task.parameters
    try:
        amount = Decimal(str(params.get("amount_eur"))).quantize(Decimal("0.01"))
        return RefundRequest(
            order_number=int(str(params.get("order")).lstrip("#")),
            amount=amount,
            reason=str(params.get("reason") or task.instructions)[:500],
        )
    except (ValueError, InvalidOperation, TypeError) as exc:
        return (
            "A refund needs an order number, an amount in euros and a reason "
            f"(got order={params.get('order')!r}, amount_eur={params.get('amount_eur')!r}): "
            f"{str(exc).splitlines()[0]}"
        )


async def begin(state: CustomerServiceState, runtime: Runtime[Context]) -> dict[str, Any]:
    """The task arrives as JSON when the graph runs on its own (API, webhooks): validated here."""
    task = ClusterTask.model_validate(state["task"])
    raw = str(task.parameters.get("operation", Operation.ANSWER_TICKETS.value))
    if raw not in set(Operation):
        known = ", ".join(o.value for o in Operation)
        return _fresh(task, "unknown", notes=[RESET, f"Unknown operation {raw!r}; known: {known}"])
    operation = Operation(raw)
    if operation is Operation.REFUND:
        refund = _refund(task)
        if isinstance(refund, str):
            return _fresh(task, "unknown", notes=[RESET, refund])
        return _fresh(task, operation.value, refund=refund)
    if operation in _WHOLE_STORE:
        return _fresh(task, operation.value)
    if operation is Operation.EMAIL_FLOWS:
        flow = email_flow_of(task)
        if flow not in set(Flow):
            known = ", ".join(f.value for f in Flow)
            return _fresh(
                task, "unknown", notes=[RESET, f"Unknown email flow {flow!r}; known: {known}"]
            )
        return _fresh(task, operation.value, email_flow=flow)
    one = task.parameters.get("ticket_id")
    if one is not None:
        try:
            return _fresh(task, operation.value, ticket_ids=[int(str(one).lstrip("#"))])
        except ValueError:
            return _fresh(task, "unknown", notes=[RESET, f"Ticket id {one!r} is not a number."])
    services = await services_of(runtime)
    try:
        tickets = await services.helpdesk.open_tickets(limit=MAX_TICKETS)
    except HelpdeskError as exc:
        failure = ServiceFailure.of(
            services.helpdesk.name, "list open tickets", exc, "no ticket was answered"
        )
        return _fresh(task, operation.value, failures=[RESET, failure])
    return _fresh(task, operation.value, ticket_ids=[t.id for t in tickets])


def route(state: CustomerServiceState) -> list[Send] | str:
    operation = state.get("operation")
    if operation == Operation.ANSWER_TICKETS.value and state.get("ticket_ids"):
        return [Send("answer_ticket", {"ticket_id": t}) for t in state["ticket_ids"]]
    refund = state.get("refund")
    if operation == Operation.REFUND.value and refund is not None:
        return [Send("refund", {"refund": refund})]
    if operation in {o.value for o in _WHOLE_STORE}:
        return str(operation)
    if operation == Operation.EMAIL_FLOWS.value and state.get("email_flow"):
        return "email_flow"
    return "report"
