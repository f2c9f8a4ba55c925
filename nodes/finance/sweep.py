"""Order Fulfilment, first step: find the work and plan it, one ``Send`` per unit of work.

- supplier orders we placed and that are not shipped yet: one ``sync_tracking`` task each;
- paid orders with unfulfilled lines (one order from a webhook, or the sweep's window): lines
  already placed, shipped or under review are skipped (a redelivered webhook plans nothing);
  a line without a supplier mapping, or an order without a deliverable address, is held with
  a proposed resolution; the rest is screened for fraud and sent to ``review`` (one task per
  order: its release is one gated action).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send
from pydantic import ValidationError

from nodes.clusters import ClusterTask, ServiceFailure
from nodes.context import Context, services_of
from nodes.finance.fraud import assess
from nodes.finance.jobs import params_of
from nodes.finance.models import (
    FinanceItem,
    ItemStatus,
    OrderPlan,
    PlannedLine,
    Shipment,
    SupplierBatch,
)
from nodes.finance.orders import FulfilmentOrder, orders_by_email, paid_unfulfilled, read_order
from nodes.finance.state import FinanceState
from nodes.services import Services
from policies.finance import finance_policy
from storage.order_lines import LineRef, LineStatus, OrderLineRecord, OrderLineRepository
from storage.order_sweeps import claim_for_run
from tools.shopify import ShopifyError
from tools.suppliers import Recipient

#: Lines in these states are not planned again.
SETTLED = frozenset(
    {LineStatus.PLACED, LineStatus.SHIPPED, LineStatus.FRAUD_REVIEW, LineStatus.CANCELLED}
)


def line_ref(order: FulfilmentOrder, line_id: str) -> LineRef:
    line = next(item for item in order.lines if item.id == line_id)
    return LineRef(
        line_item_id=line.id,
        order_id=order.id,
        order_name=order.name,
        ordered_at=order.created_at,
        title=line.title,
        sku=line.sku,
        quantity=line.quantity,
    )


async def sweep(state: FinanceState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    task = ClusterTask.model_validate(state["task"])
    params = params_of(task)
    repository = OrderLineRepository(services.database, clock=services.clock)
    placed = await repository.with_status(LineStatus.PLACED)
    by_supplier_order: dict[tuple[str, str], list[OrderLineRecord]] = defaultdict(list)
    for record in placed:
        if record.supplier and record.supplier_order_id:
            by_supplier_order[(record.supplier, record.supplier_order_id)].append(record)
    try:
        if params.order_id:
            order_ids = [params.order_id]
        else:
            today = services.clock().astimezone(UTC).date()
            since = datetime.combine(today - timedelta(days=params.since_days - 1), time(0), UTC)
            order_ids = await paid_unfulfilled(services.shopify, since)
        orders = [o for o in [await read_order(services.shopify, i) for i in order_ids] if o]
    except ShopifyError as exc:
        failure = ServiceFailure.of(
            "Shopify", "read the paid orders", exc, "no new order was fulfilled"
        )
        return {"failures": [failure], "plans": [], "tracking": _tracking(by_supplier_order)}
    plans, items = await _plan(services, repository, orders)
    await _claim(services, runtime, plans)
    return {"plans": plans, "items": items, "tracking": _tracking(by_supplier_order)}


async def _claim(services: Services, runtime: Runtime[Context], plans: list[OrderPlan]) -> None:
    """Tell the periodic order sweep these lines are this run's (``storage.order_sweeps``)."""
    info = runtime.execution_info
    run_id = (info.run_id if info else None) or "unknown"
    for plan in plans:
        lines = [line.line.line_item_id for batch in plan.batches for line in batch.lines]
        await claim_for_run(services.database, plan.order_id, lines, run_id, services.clock())


def _tracking(groups: dict[tuple[str, str], list[OrderLineRecord]]) -> list[Shipment]:
    return [
        Shipment(supplier=supplier, supplier_order_id=ref, lines=lines)
        for (supplier, ref), lines in groups.items()
    ]


async def _plan(
    services: Services, repository: OrderLineRepository, orders: list[FulfilmentOrder]
) -> tuple[list[OrderPlan], list[FinanceItem]]:
    recorded = await repository.of_orders(o.id for o in orders)
    wanted = [o for o in orders if not o.cancelled and o.financial_status == "PAID"]
    skus = {line.sku for o in wanted for line in o.lines if line.sku}
    mapping = await repository.suppliers_of(skus)
    rules = finance_policy().fraud
    plans: list[OrderPlan] = []
    items: list[FinanceItem] = []
    for order in wanted:
        open_lines = [
            line
            for line in order.lines
            if line.unfulfilled > 0
            and (line.id not in recorded or recorded[line.id].status not in SETTLED)
        ]
        if not open_lines:
            continue
        unmapped = [line for line in open_lines if not line.sku or line.sku not in mapping]
        if unmapped:
            names = ", ".join(line.sku or f"{line.title} (no SKU)" for line in unmapped)
            reason = f"no supplier mapping for {names}"
            resolution = (
                "map each SKU to a CJdropshipping or Printful variant (variant_suppliers), then "
                "fulfil the order again"
            )
            await repository.set_status(
                [line_ref(order, line.id) for line in unmapped],
                LineStatus.HELD,
                reason=reason,
                resolution=resolution,
            )
            items.append(_held(order, reason, resolution))
            open_lines = [line for line in open_lines if line not in unmapped]
            if not open_lines:
                continue
        try:
            recipient = _recipient(order)
        except (ValidationError, ValueError) as exc:
            reason = f"invalid shipping address ({str(exc).splitlines()[0][:120]})"
            resolution = "ask the customer to confirm a complete shipping address"
            await repository.set_status(
                [line_ref(order, line.id) for line in open_lines],
                LineStatus.HELD,
                reason=reason,
                resolution=resolution,
            )
            items.append(_held(order, reason, resolution))
            continue
        total_eur = services.policy.policy.to_eur(order.total, order.currency) or order.total
        today = datetime.combine(services.clock().astimezone(UTC).date(), time(0), UTC)
        email = order.email or ""
        fraud = assess(
            order,
            rules,
            total_eur=total_eur,
            orders_today_by_email=await orders_by_email(services.shopify, email, today)
            if email
            else 0,
            orders_ever_by_email=await orders_by_email(services.shopify, email, None)
            if email
            else 0,
        )
        batches: dict[str, list[PlannedLine]] = defaultdict(list)
        for line in open_lines:
            target = mapping[line.sku or ""]
            batches[target.supplier].append(
                PlannedLine(
                    line=line_ref(order, line.id),
                    product_id=target.product_id,
                    variant_id=target.variant_id,
                    unit_cost_eur=line.unit_cost,
                )
            )
        plans.append(
            OrderPlan(
                order_id=order.id,
                order_name=order.name,
                total_eur=total_eur,
                recipient=recipient,
                batches=[SupplierBatch(supplier=s, lines=ls) for s, ls in sorted(batches.items())],
                fraud=fraud,
                note=order.note,
            )
        )
    return plans, items


def _recipient(order: FulfilmentOrder) -> Recipient:
    address = order.shipping
    if address is None:
        raise ValueError("the order has no shipping address")
    return Recipient(
        name=address.name or "",
        address1=address.address1 or "",
        address2=address.address2,
        city=address.city or "",
        zip=address.zip or "",
        country_code=address.country_code or "",
        phone=address.phone,
        email=order.email,
    )


def _held(order: FulfilmentOrder, reason: str, resolution: str) -> FinanceItem:
    return FinanceItem(
        title=f"Order {order.name}",
        status=ItemStatus.HELD,
        detail=f"on hold: {reason}",
        reasons=[reason, f"proposed resolution: {resolution}"],
    )


def route_work(state: FinanceState) -> list[Send] | str:
    """One ``review`` task per planned order and one ``sync_tracking`` per supplier order."""
    task = state["task"]
    sends = [Send("review", {"task": task, "plan": plan}) for plan in state.get("plans") or []]
    sends.extend(
        Send("sync_tracking", {"task": task, "shipment": shipment})
        for shipment in state.get("tracking") or []
    )
    return sends or "report"
