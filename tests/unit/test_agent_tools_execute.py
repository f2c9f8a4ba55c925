"""What a gate executes: the action's args (edited ones included), with the gate's key where
the service takes one; and how failures reach the agent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from pydantic import JsonValue

from tests.agent_tools_support import (
    BAND_GREEN,
    BAND_KIT,
    WAREHOUSE,
    Harness,
    in_process,
    open_order,
    write_samples,
)
from tools.agent_tools import (
    PreparedWrite,
    WriteGate,
    build_agent_tools,
    tools_for,
    write_tool,
)
from tools.shopify import ShopifyUserError


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    async with in_process() as harness:
        yield harness


async def prepare(harness: Harness, name: str, args: dict[str, Any]) -> PreparedWrite:
    return await write_tool(name).prepare(args, harness.clients, cluster="ops", agent="tester")


async def execute_now(write: PreparedWrite) -> JsonValue:
    """A test gate that executes at once (the real one classifies and may wait first)."""
    return await write.execute(write.action, "key-1")


def tool(harness: Harness, name: str, gate: WriteGate = execute_now) -> BaseTool:
    clients = harness.clients
    built = build_agent_tools(
        shopify=clients.shopify,
        github=clients.github,
        suppliers=clients.suppliers,
        gate=gate,
        cluster="ops",
        agent="tester",
    )
    (found,) = tools_for(built, names=[name])
    return found


async def call(harness: Harness, name: str, args: dict[str, Any]) -> ToolMessage:
    message = await tool(harness, name).ainvoke(
        {"type": "tool_call", "id": "call-1", "name": name, "args": args}
    )
    assert isinstance(message, ToolMessage)
    return message


@pytest.mark.parametrize(
    ("name", "operation"),
    [
        ("shopify_set_product", "shopify.productSet"),
        ("shopify_update_product", "shopify.productUpdate"),
        ("shopify_publish_product", "shopify.publishablePublish"),
        ("shopify_update_prices", "shopify.productVariantsBulkUpdate"),
        ("shopify_set_inventory", "shopify.inventorySetQuantities"),
        ("shopify_create_fulfillment", "shopify.fulfillmentCreate"),
        ("shopify_create_refund", "shopify.refundCreate"),
        ("shopify_create_discount", "shopify.discountCodeBasicCreate"),
        ("shopify_create_automatic_discount", "shopify.discountAutomaticBasicCreate"),
        ("github_create_branch", "github.createRef"),
        ("github_comment", "github.createIssueComment"),
        ("supplier_place_order", "cj.createOrderV2"),
    ],
)
async def test_each_write_applies_exactly_its_mutation(
    harness: Harness, name: str, operation: str
) -> None:
    args = (await write_samples(harness.clients))[name]
    message = await call(harness, name, args)
    assert message.status == "success", message.content
    assert harness.sandbox.ledger.counts() == {operation: 1}


async def test_the_key_makes_a_repeated_refund_a_replay(harness: Harness) -> None:
    order = await open_order(harness.clients)
    write = await prepare(
        harness, "shopify_create_refund", {"order_id": order.id, "amount": "12.50"}
    )
    first = await write.execute(write.action, "refund-key")
    again = await write.execute(write.action, "refund-key")
    assert first == again
    assert harness.sandbox.ledger.counts() == {"shopify.refundCreate": 1}
    (record,) = harness.sandbox.ledger.records()
    assert record.key == "refund-key"


async def test_the_key_makes_a_repeated_supplier_order_a_replay(harness: Harness) -> None:
    args = (await write_samples(harness.clients))["supplier_place_order"]
    write = await prepare(harness, "supplier_place_order", args)
    first = await write.execute(write.action, "order-key")
    again = await write.execute(write.action, "order-key")
    assert isinstance(first, dict)
    assert isinstance(again, dict)
    assert first["order_id"] == again["order_id"]
    assert harness.sandbox.ledger.counts() == {"cj.createOrderV2": 1}


async def test_an_edited_action_executes_with_the_edited_args(harness: Harness) -> None:
    args: dict[str, Any] = {
        "product_id": BAND_KIT,
        "variants": [{"variant_id": BAND_GREEN, "price": "27.45"}],
    }
    write = await prepare(harness, "shopify_update_prices", args)
    edited = write.rebuild({**args, "variants": [{"variant_id": BAND_GREEN, "price": "26.00"}]})
    await write.execute(edited, "price-key")
    product = await harness.clients.shopify.get_product(BAND_KIT)
    assert product is not None
    prices = {v.id: v.price for v in product.variants}
    assert prices[BAND_GREEN] == Decimal("26.00")


async def test_set_product_by_handle_creates_once_and_starts_as_draft(harness: Harness) -> None:
    args = (await write_samples(harness.clients))["shopify_set_product"]
    write = await prepare(harness, "shopify_set_product", args)
    await write.execute(write.action, "k")
    await write.execute(write.action, "k")  # a re-execution: the handle finds the product
    product = await harness.clients.shopify.get_product_by_handle("aurora-desk-lamp")
    assert product is not None
    assert product.status == "DRAFT"
    assert [(v.title, v.price) for v in product.variants] == [("White", Decimal("39.95"))]
    same = [p async for p in harness.clients.shopify.iter_products(query="title:Aurora*")]
    assert len(same) == 1


async def test_a_stale_inventory_read_is_refused_not_overwritten(harness: Harness) -> None:
    place = {"variant_id": BAND_GREEN, "location_id": WAREHOUSE}
    args = {"product_id": BAND_KIT, "quantities": [{**place, "quantity": 50}]}
    write = await prepare(harness, "shopify_set_inventory", args)
    meanwhile = await prepare(
        harness, "shopify_set_inventory", {**args, "quantities": [{**place, "quantity": 7}]}
    )
    await meanwhile.execute(meanwhile.action, "k-1")
    with pytest.raises(ShopifyUserError, match="CHANGE_FROM_QUANTITY_STALE"):
        await write.execute(write.action, "k-2")

    message = await call(harness, "shopify_set_inventory", args)  # prepares afresh: succeeds
    assert message.status == "success", message.content


async def test_client_failures_become_one_line_tool_errors(harness: Harness) -> None:
    missing = await call(harness, "github_get_file", {"path": "nope/missing.txt"})
    assert missing.status == "error"
    assert str(missing.content).startswith("github_get_file: ")
    assert "\n" not in str(missing.content)

    refused = await call(harness, "shopify_create_discount", {"code": "DUP10", "percentage": "10"})
    assert refused.status == "success"
    duplicate = await call(
        harness, "shopify_create_discount", {"code": "DUP10", "percentage": "10"}
    )
    assert duplicate.status == "error"
    assert "discountCodeBasicCreate failed" in str(duplicate.content)


async def test_bad_arguments_are_explained_to_the_model(harness: Harness) -> None:
    message = await call(
        harness,
        "shopify_update_prices",
        {
            "product_id": "gid://shopify/Order/1",
            "variants": [{"variant_id": BAND_GREEN, "price": "-1"}],
        },
    )
    assert message.status == "error"
    text = str(message.content)
    assert text.startswith("invalid arguments: ")
    assert "product_id" in text
    assert "variants.0.price" in text
    assert harness.sandbox.ledger.counts() == {}
