"""Write tools compute the policy's facts by code, from the args as they will be sent and the
service's current state; ``rebuild`` re-derives them for edited args without any I/O."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from policies import ActionKind, PolicyEngine, RiskLevel, SupplierStatus
from tests.agent_tools_support import (
    BAND_BLUE,
    BAND_GREEN,
    BAND_KIT,
    CJ_BANDS,
    RECIPIENT,
    Harness,
    cj_variant,
    in_process,
    open_order,
)
from tools.agent_tools import PreparedWrite, ToolInputError, supplier_ref, write_tool

NEW_VENDOR = "CEFBC456-53A3-53BF-8E0F-9AD3C3871BF6"  # the sandbox's new CJ vendor


@pytest.fixture(scope="module")
def policy() -> PolicyEngine:
    return PolicyEngine.load()


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    statuses = {supplier_ref("cjdropshipping", NEW_VENDOR): SupplierStatus.NEW}
    async with in_process(supplier_status=statuses.get) as harness:
        yield harness


async def prepare(harness: Harness, name: str, args: dict[str, Any]) -> PreparedWrite:
    return await write_tool(name).prepare(args, harness.clients, cluster="product", agent="pricing")


def prices(*changes: tuple[str, str]) -> dict[str, Any]:
    return {
        "product_id": BAND_KIT,
        "variants": [{"variant_id": v, "price": p} for v, p in changes],
    }


async def test_price_change_is_measured_against_current_prices(
    harness: Harness, policy: PolicyEngine
) -> None:
    write = await prepare(harness, "shopify_update_prices", prices((BAND_GREEN, "27.45")))
    action = write.action
    assert action.kind == ActionKind.PRICE_CHANGE
    assert (action.price_before, action.price_after) == (Decimal("24.95"), Decimal("27.45"))
    assert action.price_change_pct is not None
    assert round(action.price_change_pct, 2) == Decimal("10.02")
    assert action.args == prices((BAND_GREEN, "27.45")) | {
        "variants": [
            {
                "variant_id": BAND_GREEN,
                "price": "27.45",
                "compare_at_price": None,
                "clear_compare_at_price": False,
            }
        ]
    }
    assert policy.classify(action).level is RiskLevel.MEDIUM
    assert "24.95 → 27.45 EUR (+10.02%)" in write.description


async def test_the_largest_change_over_variants_decides(
    harness: Harness, policy: PolicyEngine
) -> None:
    write = await prepare(
        harness, "shopify_update_prices", prices((BAND_GREEN, "26.20"), (BAND_BLUE, "17.45"))
    )
    assert (write.action.price_before, write.action.price_after) == (
        Decimal("24.95"),
        Decimal("17.45"),
    )
    assert policy.classify(write.action).level is RiskLevel.HIGH


async def test_a_variant_of_another_product_is_refused(harness: Harness) -> None:
    args = prices(("gid://shopify/ProductVariant/2000001", "99.00"))
    with pytest.raises(ToolInputError, match="is not a variant of"):
        await prepare(harness, "shopify_update_prices", args)


async def test_rebuild_rederives_the_facts_without_io(
    harness: Harness, policy: PolicyEngine
) -> None:
    write = await prepare(harness, "shopify_update_prices", prices((BAND_GREEN, "27.45")))
    requests = harness.transport.requests
    edited = write.rebuild(prices((BAND_GREEN, "32.44")))
    assert (edited.price_before, edited.price_after) == (Decimal("24.95"), Decimal("32.44"))
    assert policy.classify(edited).level is RiskLevel.HIGH
    assert edited.reasoning == write.action.reasoning
    with pytest.raises(ToolInputError, match="is not a variant of"):
        write.rebuild(prices(("gid://shopify/ProductVariant/2000001", "1.00")))
    assert harness.transport.requests == requests


async def test_refund_amount_comes_from_the_args_and_currency_from_the_order(
    harness: Harness, policy: PolicyEngine
) -> None:
    order = await open_order(harness.clients)
    args = {"order_id": order.id, "amount": "75.00", "note": "broken lantern"}
    write = await prepare(harness, "shopify_create_refund", args)
    assert write.action.kind == ActionKind.REFUND_CREATE
    assert (write.action.amount, write.action.currency) == (Decimal("75.00"), "EUR")
    assert write.estimated_cost == Decimal("75.00")
    assert policy.classify(write.action).level is RiskLevel.HIGH
    requests = harness.transport.requests
    smaller = write.rebuild({**args, "amount": "40.00"})
    assert smaller.amount == Decimal("40.00")
    assert policy.classify(smaller).level is RiskLevel.MEDIUM  # under the €50 refund gate
    assert harness.transport.requests == requests


async def test_refund_of_items_not_in_the_order_is_refused(harness: Harness) -> None:
    order = await open_order(harness.clients)
    stranger = {"line_item_id": "gid://shopify/LineItem/1", "quantity": 1}
    with pytest.raises(ToolInputError, match="not a line item"):
        await prepare(
            harness,
            "shopify_create_refund",
            {"order_id": order.id, "amount": "5.00", "line_items": [stranger]},
        )


@pytest.mark.parametrize(
    ("value", "facts", "level"),
    [
        ({"percentage": "15"}, {"discount_pct": Decimal("15"), "amount": None}, RiskLevel.MEDIUM),
        ({"percentage": "35"}, {"discount_pct": Decimal("35"), "amount": None}, RiskLevel.HIGH),
        ({"amount_off": "5.00"}, {"discount_pct": None, "amount": Decimal("5.00")}, None),
    ],
    ids=["15pct", "35pct", "5eur"],
)
async def test_discount_facts(
    harness: Harness,
    policy: PolicyEngine,
    value: dict[str, str],
    facts: dict[str, Any],
    level: RiskLevel | None,
) -> None:
    write = await prepare(harness, "shopify_create_discount", {"code": "SAVE", **value})
    assert write.action.kind == ActionKind.DISCOUNT_CREATE
    assert {name: getattr(write.action, name) for name in facts} == facts
    assert write.action.currency == "EUR"
    assert policy.classify(write.action).level is (level or RiskLevel.MEDIUM)


async def test_supplier_order_amount_vendor_and_status_are_computed(
    harness: Harness, policy: PolicyEngine
) -> None:
    variant, product = await cj_variant(harness.clients)
    other = product.variants[1]
    args: dict[str, Any] = {
        "supplier": "cjdropshipping",
        "lines": [
            {"product_id": CJ_BANDS, "variant_id": variant, "quantity": 3},
            {"product_id": CJ_BANDS, "variant_id": other.variant_id, "quantity": 2},
        ],
        "recipient": RECIPIENT,
    }
    write = await prepare(harness, "supplier_place_order", args)
    action = write.action
    expected = product.variants[0].cost.amount * 3 + other.cost.amount * 2
    assert action.kind == ActionKind.SUPPLIER_ORDER
    assert (action.amount, action.currency) == (expected, "USD")
    assert action.supplier_id == f"cjdropshipping:{NEW_VENDOR}"
    assert action.supplier_status is SupplierStatus.NEW
    classification = policy.classify(action)
    assert classification.level is RiskLevel.HIGH
    assert "supplier-new" in classification.matched_rules

    requests = harness.transport.requests
    fewer = write.rebuild({**args, "lines": [args["lines"][0]]})
    assert fewer.amount == product.variants[0].cost.amount * 3
    with pytest.raises(ToolInputError, match="not part of the proposed order"):
        write.rebuild({**args, "lines": [{**args["lines"][0], "product_id": "other"}]})
    assert harness.transport.requests == requests


async def test_an_unknown_vendor_is_unvetted_and_high(policy: PolicyEngine) -> None:
    async with in_process() as harness:  # no status lookup at all
        variant, _ = await cj_variant(harness.clients)
        line = {"product_id": CJ_BANDS, "variant_id": variant, "quantity": 1}
        write = await prepare(
            harness,
            "supplier_place_order",
            {"supplier": "cjdropshipping", "lines": [line], "recipient": RECIPIENT},
        )
    assert write.action.supplier_status is None
    assert write.action.supplier_id == f"cjdropshipping:{NEW_VENDOR}"
    classification = policy.classify(write.action)
    assert classification.level is RiskLevel.HIGH
    assert "supplier-unvetted" in classification.matched_rules
    assert write.risk_factors == ["The vendor has no vetting scorecard."]


async def test_set_product_creates_with_margin_or_updates_with_price_change(
    harness: Harness, policy: PolicyEngine
) -> None:
    lamp: dict[str, Any] = {
        "handle": "aurora-desk-lamp",
        "title": "Aurora LED Desk Lamp",
        "variants": [{"options": {"Color": "White"}, "price": "40.00", "cost": "14.00"}],
    }
    create = await prepare(harness, "shopify_set_product", lamp)
    assert create.action.kind == ActionKind.PRODUCT_CREATE
    assert create.action.margin_pct == Decimal("65")
    assert policy.classify(create.action).level is RiskLevel.MEDIUM
    thin = create.rebuild({**lamp, "variants": [{**lamp["variants"][0], "cost": "36.00"}]})
    assert thin.margin_pct == Decimal("10")
    assert policy.classify(thin).level is RiskLevel.HIGH

    kit: dict[str, Any] = {
        "handle": "resistance-band-kit",
        "title": "Resistance Band Kit",
        "variants": [
            {"options": {"Color": "Green"}, "price": "24.95"},
            {"options": {"color": "Blue"}, "price": "34.95"},
        ],
    }
    update = await prepare(harness, "shopify_set_product", kit)
    assert update.action.kind == ActionKind.PRODUCT_UPDATE
    assert (update.action.price_before, update.action.price_after) == (
        Decimal("24.95"),
        Decimal("34.95"),
    )
    assert policy.classify(update.action).level is RiskLevel.HIGH
    assert "1 existing variant(s) will be deleted" in update.description
    with pytest.raises(ToolInputError, match="handle cannot be changed"):
        update.rebuild({**kit, "handle": "other-handle"})


async def test_inventory_needs_a_location_when_stocked_at_several(harness: Harness) -> None:
    args = {"product_id": BAND_KIT, "quantities": [{"variant_id": BAND_GREEN, "quantity": 5}]}
    with pytest.raises(ToolInputError, match="stocked at 2 locations"):
        await prepare(harness, "shopify_set_inventory", args)


async def test_fulfillment_allocates_what_remains(harness: Harness) -> None:
    order = await open_order(harness.clients)
    item = next(i for fo in order.fulfillment_orders for i in fo.line_items if i.remaining_quantity)
    assert item.line_item_id is not None
    wanted: dict[str, Any] = {
        "line_item_id": item.line_item_id,
        "quantity": item.remaining_quantity,
    }
    args = {"order_id": order.id, "line_items": [wanted]}
    write = await prepare(harness, "shopify_create_fulfillment", args)
    assert write.action.kind == ActionKind.FULFILLMENT_CREATE
    title = next(li.title for li in order.line_items if li.id == item.line_item_id)
    assert f"{item.remaining_quantity}× {title}" in write.description
    too_many: dict[str, Any] = {**wanted, "quantity": item.remaining_quantity + 1}
    with pytest.raises(ToolInputError, match=f"only {item.remaining_quantity} of"):
        write.rebuild({"order_id": order.id, "line_items": [too_many]})


async def test_rebuild_refuses_invalid_edits_with_a_readable_message(harness: Harness) -> None:
    write = await prepare(harness, "shopify_update_prices", prices((BAND_GREEN, "27.45")))
    with pytest.raises(ToolInputError, match=r"variants\.0\.price"):
        write.rebuild(prices((BAND_GREEN, "-3")))
