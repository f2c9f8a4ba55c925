"""A paid order arriving by signed webhook is placed with its supplier once and its tracking
reaches the Shopify fulfilment, over real HTTP on SQLite and Postgres against the sandbox."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from nodes.clusters import ClusterTask
from storage.order_lines import LineStatus, OrderLineRepository
from tests.api.server_support import LiveServer
from tests.integration.finance_support import map_to_cj, paid_webhook, place_shop_order
from tools.sandbox import SandboxServer
from tools.sandbox.shopify import ShopifyEmulator


def _shop(sandbox: SandboxServer) -> ShopifyEmulator:
    emulator = sandbox.sandbox.emulators["shopify"]
    assert isinstance(emulator, ShopifyEmulator)
    return emulator


async def _join(http: httpx.AsyncClient, ack: dict[str, Any]) -> None:
    joined = await http.get(f"/threads/{ack['thread_id']}/runs/{ack['run_id']}/join", timeout=120)
    assert joined.status_code == 200, joined.text


async def _fulfil(http: httpx.AsyncClient, order_id: str) -> dict[str, Any]:
    """A finance run for one order (what a periodic sweep does), waited for."""
    task = ClusterTask(
        cluster="finance",
        title="Fulfil order",
        instructions="Sync tracking and place what is unplaced.",
        parameters={"action": "fulfil", "order_id": order_id},
    )
    thread = (await http.post("/threads", json={})).json()["thread_id"]
    response = await http.post(
        f"/threads/{thread}/runs/wait",
        json={
            "assistant_id": "finance",
            "input": {"task": task.model_dump(mode="json"), "goal": "sweep"},
        },
        timeout=120,
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_paid_order_webhook_three_times_places_one_supplier_order_then_ships(
    api: LiveServer, sandbox: SandboxServer
) -> None:
    services = api.runtime.require_services()
    await map_to_cj(services, "RE-RBK-GREEN", "resistance bands")
    order = place_shop_order(sandbox)
    first_id, second_id = f"d-{uuid.uuid4()}", f"d-{uuid.uuid4()}"
    deliveries = [
        paid_webhook(order, first_id),
        paid_webhook(order, first_id),  # Shopify retrying the same delivery
        paid_webhook(order, second_id, topic="orders/create"),  # the other topic, same order
    ]
    async with httpx.AsyncClient(base_url=api.url, timeout=30) as http:
        acks = []
        for body, headers in deliveries:
            response = await http.post("/webhooks/shopify", content=body, headers=headers)
            assert response.status_code == 200, response.text
            acks.append(response.json())
        assert [a["status"] for a in acks] == ["started", "duplicate", "started"]
        for ack in (acks[0], acks[2]):
            await _join(http, ack)
        counts = sandbox.sandbox.ledger.counts()
        assert counts.get("cj.createOrderV2") == 1
        lines = await OrderLineRepository(services.database).of_orders([order["id"]])
        (line,) = lines.values()
        assert line.status is LineStatus.PLACED
        assert line.supplier == "cjdropshipping"
        assert line.cost is not None
        assert line.cost > 0

        # Later sweeps read the supplier order until it ships, then fulfil on Shopify once.
        for _ in range(5):
            await _fulfil(http, order["id"])
            if sandbox.sandbox.ledger.counts().get("shopify.fulfillmentCreate"):
                break
        await _fulfil(http, order["id"])  # once more: nothing left to do
    counts = sandbox.sandbox.ledger.counts()
    assert counts.get("shopify.fulfillmentCreate") == 1
    assert counts.get("cj.createOrderV2") == 1
    shop_order = _shop(sandbox).store.order(order["id"])
    assert shop_order is not None
    (fulfillment,) = shop_order.fulfillments
    assert fulfillment.notify_customer is True
    (tracking,) = fulfillment.tracking
    assert tracking.number
    assert tracking.company
    assert tracking.url
    assert tracking.url.endswith(tracking.number)
    lines = await OrderLineRepository(services.database).of_orders([order["id"]])
    (line,) = lines.values()
    assert line.status is LineStatus.SHIPPED
    assert line.tracking_number == tracking.number
