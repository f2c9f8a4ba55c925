"""Order Fulfilment: place one supplier order for the lines of one order that one supplier
ships, through the approval gate (``supplier_place_order``), exactly once.

Once per line across webhook redeliveries, crashes and re-execution: the sweep skips lines
already placed; the supplier's order reference (CJ ``orderNumber``, Printful ``external_id``)
is derived from the Shopify order and its lines, not from the run, so two runs for the same
order reach the same supplier order; and the gate's effects ledger replays within a thread.
Exceptions (out of stock, supplier error, invalid address, a price that rose at the supplier)
hold the lines with a reason and a proposed resolution.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime

from nodes.approval import GateStatus
from nodes.approval.tool_gate import proposal_of
from nodes.context import Context, services_of
from nodes.finance.gating import NOT_EXECUTED, decision_reasons, gated
from nodes.finance.models import FinanceItem, ItemStatus, OrderPlan, SupplierBatch
from nodes.finance.state import BatchInput
from nodes.services import Services
from policies import Action, SupplierStatus
from policies.finance import finance_policy
from storage import idempotency_key
from storage.order_lines import LineStatus, OrderLineRepository
from storage.product_suppliers import SupplierRegistry
from tools.agent_tools import ToolClients
from tools.agent_tools.clients import supplier_ref
from tools.agent_tools.errors import ToolInputError
from tools.agent_tools.supplier_tools import PLACE_ORDER, OrderItem, PlaceOrderArgs
from tools.suppliers import SupplierError

AGENT = "order_fulfillment"
NAMES = {"cjdropshipping": "CJdropshipping", "printful": "Printful"}


def order_reference(plan: OrderPlan, batch: SupplierBatch) -> str:
    """The supplier order's key: the same for every run that places these lines."""
    lines = sorted(line.line.line_item_id for line in batch.lines)
    return idempotency_key("supplier-order", plan.order_id, batch.supplier, *lines)


async def _clients(services: Services) -> ToolClients:
    onboarded = {
        supplier_ref(entry.platform, entry.vendor_id)
        for entry in await SupplierRegistry(services.database).list()
    }
    return ToolClients(
        shopify=services.shopify,
        github=services.github,
        suppliers=services.suppliers,
        supplier_status=lambda ref: SupplierStatus.PROVEN if ref in onboarded else None,
    )


def _args(plan: OrderPlan, batch: SupplierBatch) -> PlaceOrderArgs:
    return PlaceOrderArgs(
        supplier=batch.supplier,
        lines=[
            OrderItem(product_id=line.product_id, variant_id=line.variant_id, quantity=q)
            for line in batch.lines
            if (q := line.line.quantity) > 0
        ],
        recipient=plan.recipient,
        note=f"Shopify order {plan.order_name}",
        reference=order_reference(plan, batch),
        reasoning=f"Paid Shopify order {plan.order_name}: dropship its lines from "
        f"{NAMES.get(batch.supplier, batch.supplier)} to the customer.",
    )


async def place(state: BatchInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    plan, batch = state["plan"], state["batch"]
    repository = OrderLineRepository(services.database, clock=services.clock)
    refs = [line.line for line in batch.lines]
    supplier = NAMES.get(batch.supplier, batch.supplier)
    try:
        write = await PLACE_ORDER.prepare(
            _args(plan, batch), await _clients(services), cluster="finance", agent=AGENT
        )
        rise = _price_rise(services, write.action, batch)
        if rise is not None:
            return await _hold(repository, plan, batch, *rise)
        outcome = await gated(services, runtime, proposal_of(write), write.execute)
    except (SupplierError, ToolInputError) as exc:
        message = str(exc).splitlines()[0][:300]
        stock = any(word in message.lower() for word in ("stock", "inventory"))
        resolution = (
            "choose another variant or supplier for these items, or refund the customer"
            if stock
            else f"retry when {supplier} answers, or place the order by hand"
        )
        why = "out of stock at " + supplier if stock else f"{supplier} refused the order"
        return await _hold(repository, plan, batch, f"{why}: {message}", resolution)
    if outcome.status is not GateStatus.EXECUTED:
        reason = f"the supplier order was {outcome.status}"
        await repository.set_status(refs, LineStatus.HELD, reason=reason, resolution="")
        return {"items": [_item(plan, batch, NOT_EXECUTED[outcome.status], reason, outcome)]}
    result = outcome.result if isinstance(outcome.result, dict) else {}
    total = result.get("total")
    money = total if isinstance(total, dict) else {}
    amount = Decimal(str(money.get("amount") or 0))
    currency = str(money.get("currency") or "EUR")
    units = sum(ref.quantity for ref in refs) or 1
    costs = {ref.line_item_id: amount * ref.quantity / units for ref in refs}
    await repository.set_status(
        refs,
        LineStatus.PLACED,
        supplier=batch.supplier,
        supplier_order_id=str(result.get("order_id") or ""),
        cost_by_line=costs,
        currency=currency,
    )
    detail = f"{supplier} order {result.get('order_id')} for {amount} {currency}"
    return {"items": [_item(plan, batch, ItemStatus.PLACED, detail, outcome)]}


def _price_rise(services: Services, action: Action, batch: SupplierBatch) -> tuple[str, str] | None:
    """A hold reason when the supplier now charges more than the store's recorded cost."""
    known = [line.unit_cost_eur for line in batch.lines]
    if action.amount is None or any(cost is None for cost in known):
        return None
    expected = sum(
        (Decimal(str(c)) * line.line.quantity for c, line in zip(known, batch.lines, strict=True)),
        Decimal(0),
    )
    charged = services.policy.policy.to_eur(action.amount, action.currency)
    tolerance = finance_policy().fulfilment.supplier_price_tolerance_pct
    if charged is None or not expected or charged <= expected * (1 + tolerance / 100):
        return None
    return (
        f"price changed at the supplier: €{charged.quantize(Decimal('0.01'))} for these items "
        f"against a recorded cost of €{expected} (more than {tolerance}% higher)",
        "approve the higher cost, reprice the product, or choose another supplier",
    )


async def _hold(
    repository: OrderLineRepository,
    plan: OrderPlan,
    batch: SupplierBatch,
    reason: str,
    resolution: str,
) -> dict[str, Any]:
    await repository.set_status(
        [line.line for line in batch.lines],
        LineStatus.HELD,
        reason=reason,
        resolution=resolution,
    )
    alert = f"Order {plan.order_name} is on hold: {reason}. Proposed resolution: {resolution}."
    item = FinanceItem(
        title=f"Order {plan.order_name}",
        status=ItemStatus.HELD,
        detail=f"on hold: {reason}",
        reasons=[reason, f"proposed resolution: {resolution}"],
    )
    return {"items": [item], "alerts": [alert]}


def _item(
    plan: OrderPlan, batch: SupplierBatch, status: ItemStatus, detail: str, outcome: Any
) -> FinanceItem:
    return FinanceItem(
        title=f"Order {plan.order_name} ({len(batch.lines)} line(s))",
        status=status,
        detail=detail,
        reasons=decision_reasons(outcome),
        risk_level=str(outcome.classification.level),
        approval_id=outcome.approval_id,
    )
