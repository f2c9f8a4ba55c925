"""Order Fulfilment, tracking: a shipped supplier order becomes the Shopify fulfilment.

One task per supplier order we placed: read its status; once it is shipped with a tracking
number, ``fulfillmentCreate`` the lines it carries with the number, carrier and link, notifying
the customer (``shopify_create_fulfillment`` through the gate, LOW). A repeat finds nothing left
to fulfil on Shopify and records the lines as shipped without writing again.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from nodes.approval import GateStatus
from nodes.approval.tool_gate import proposal_of
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.finance.gating import decision_reasons, gated
from nodes.finance.models import FinanceItem, ItemStatus, Shipment
from nodes.finance.state import ShipmentInput
from storage.order_lines import OrderLineRepository
from tools.agent_tools import ToolClients
from tools.agent_tools.errors import ToolInputError
from tools.agent_tools.shopify_orders import CREATE_FULFILLMENT, FulfillmentArgs, ItemQuantity
from tools.shopify import ShopifyError
from tools.suppliers import SupplierError, SupplierOrderStatus, TrackingInfo

AGENT = "order_fulfillment"
SHIPPED = frozenset({SupplierOrderStatus.SHIPPED, SupplierOrderStatus.DELIVERED})
#: Where customers follow a parcel when the supplier gives no link.
CARRIER_LINKS = {
    "cjpacket": "https://www.cjpacket.com/?trackingNumber=",
    "dhl": "https://www.dhl.com/en/express/tracking.html?AWB=",
}
DEFAULT_LINK = "https://t.17track.net/en#nums="


def tracking_url(info: TrackingInfo) -> str:
    if info.url:
        return info.url
    carrier = (info.carrier or "").lower()
    base = next((url for name, url in CARRIER_LINKS.items() if name in carrier), DEFAULT_LINK)
    return base + info.number


async def sync_tracking(state: ShipmentInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    shipment: Shipment = state["shipment"]
    order_name = shipment.lines[0].order_name
    try:
        status = await services.suppliers[shipment.supplier].get_order(shipment.supplier_order_id)
    except (SupplierError, KeyError) as exc:
        failure = ServiceFailure.of(
            shipment.supplier,
            f"read supplier order {shipment.supplier_order_id}",
            exc,
            f"tracking of order {order_name} was not synced",
        )
        return {"failures": [failure]}
    if status.status not in SHIPPED or not status.tracking:
        return {}
    info = status.tracking[0]
    url = tracking_url(info)
    args = FulfillmentArgs(
        order_id=shipment.lines[0].order_id,
        line_items=[
            ItemQuantity(line_item_id=line.line_item_id, quantity=line.quantity)
            for line in shipment.lines
        ],
        tracking_company=info.carrier,
        tracking_number=info.number,
        tracking_url=url,
        notify_customer=True,
        reasoning=f"{shipment.supplier} shipped order {shipment.supplier_order_id}.",
    )
    clients = ToolClients(
        shopify=services.shopify, github=services.github, suppliers=services.suppliers
    )
    repository = OrderLineRepository(services.database, clock=services.clock)
    try:
        write = await CREATE_FULFILLMENT.prepare(args, clients, cluster="finance", agent=AGENT)
        outcome = await gated(services, runtime, proposal_of(write), write.execute)
    except ToolInputError as exc:
        if "remain to be fulfilled" not in str(exc) and "nothing left" not in str(exc):
            raise
        # Already fulfilled on Shopify (a repeat after a crash): record it, write nothing.
        await repository.mark_shipped(
            shipment.supplier_order_id,
            number=info.number,
            company=info.carrier,
            url=url,
            fulfillment_id=None,
        )
        return {}
    except ShopifyError as exc:
        failure = ServiceFailure.of(
            "Shopify", f"fulfil order {order_name}", exc, "the customer was not notified yet"
        )
        return {"failures": [failure]}
    if outcome.status is not GateStatus.EXECUTED:
        return {}
    result = outcome.result if isinstance(outcome.result, dict) else {}
    await repository.mark_shipped(
        shipment.supplier_order_id,
        number=info.number,
        company=info.carrier,
        url=url,
        fulfillment_id=str(result.get("id") or ""),
    )
    item = FinanceItem(
        title=f"Order {order_name}",
        status=ItemStatus.SHIPPED,
        detail=f"tracking {info.carrier or ''} {info.number} synced to Shopify; customer notified",
        reasons=decision_reasons(outcome),
        risk_level=str(outcome.classification.level),
    )
    return {"items": [item]}
