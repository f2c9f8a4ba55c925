"""The Shopify resolvers after a real crash window, against the Shopify emulator over HTTP: each
write is claimed in the ledger and made (or not) through the real tool and client, the process
"dies" before the ledger hears, and the sweeper records APPLIED with what the shop shows, or
FAILED "not applied" — only reading. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import JsonValue
from sqlalchemy import update

from host.effects_sweep import sweep_once
from nodes.customer_service.actions import REFUND_TOOL, RefundArgs
from nodes.marketing.seo import TOOL as BULK_SEO_TOOL
from nodes.marketing.seo import SeoBulkArgs, apply_changes
from nodes.marketing.seo_plan import SeoParams, plan_seo
from policies import ActionKind
from storage import EffectStatus
from storage.schema import effects
from tests.agent_tools_support import BAND_GREEN, BAND_KIT, WAREHOUSE, open_order
from tests.integration.effects_support import NOW, SimulatedCrash, left_started
from tests.integration.pipeline_support import Engine, engine, writes
from tests.integration.storage_support import BACKENDS
from tools.agent_tools import ToolClients
from tools.agent_tools.definition import WriteTool
from tools.agent_tools.shopify_automatic_discounts import CREATE_AUTOMATIC_DISCOUNT
from tools.agent_tools.shopify_discounts import CREATE_DISCOUNT
from tools.agent_tools.shopify_inventory import SET_INVENTORY
from tools.agent_tools.shopify_orders import CREATE_FULFILLMENT, CREATE_REFUND
from tools.agent_tools.shopify_pricing import UPDATE_PRICES
from tools.agent_tools.shopify_products import PUBLISH_PRODUCT, SET_PRODUCT, UPDATE_PRODUCT
from tools.customer_service.shopify import create_refund
from tools.sandbox import SandboxServer
from tools.shopify.models import (
    DiscountCodeBasicInput,
    DiscountCustomerGetsInput,
    DiscountValueInput,
    RefundInput,
    RefundTransactionInput,
    VariantUpdate,
)

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)

HAMMOCK = "gid://shopify/Product/1000008"  # on the Online Store only


@dataclass(frozen=True)
class Write:
    """One write as the gate runs it: its ledger row, and how to make it at the shop."""

    tool: str
    kind: str
    args: dict[str, JsonValue]
    make: Callable[[str], Awaitable[JsonValue]]


Build = Callable[[Engine], Awaitable[Write]]


def _clients(engine: Engine) -> ToolClients:
    services = engine.services
    return ToolClients(
        shopify=services.shopify, github=services.github, suppliers=services.suppliers
    )


async def _tool_write(engine: Engine, tool: WriteTool[Any, Any], args: dict[str, Any]) -> Write:
    """The agent tool's own write, prepared against the shop (its lookups are real reads)."""
    write = await tool.prepare(args, _clients(engine), cluster="test", agent="tester")
    action = write.action
    return Write(action.tool, str(action.kind), action.args, lambda key: write.execute(action, key))


async def _left_started(engine: Engine, key: str, write: Write, *, landed: bool) -> None:
    """Claim the write, make it at the shop (or not), and die before the ledger hears."""
    await left_started(
        engine,
        key,
        tool=write.tool,
        args=write.args,
        action_kind=write.kind,
        write=(lambda: write.make(key)) if landed else None,
    )


# --- the writes -------------------------------------------------------------------------------


async def _discount(engine: Engine) -> Write:
    return await _tool_write(
        engine,
        CREATE_DISCOUNT,
        {"code": "SWEPT15", "percentage": "15", "usage_limit": 50},
    )


async def _automatic(engine: Engine) -> Write:
    return await _tool_write(
        engine,
        CREATE_AUTOMATIC_DISCOUNT,
        {
            "title": "Swept sale 10% off",
            "percentage": "10",
            "starts_at": "2026-12-01T00:00:00Z",
            "ends_at": "2026-12-24T00:00:00Z",
        },
    )


async def _inventory(engine: Engine) -> Write:
    return await _tool_write(
        engine,
        SET_INVENTORY,
        {
            "product_id": BAND_KIT,
            "quantities": [{"variant_id": BAND_GREEN, "location_id": WAREHOUSE, "quantity": 77}],
        },
    )


async def _fulfillment(engine: Engine) -> Write:
    order = await open_order(_clients(engine))
    return await _tool_write(
        engine,
        CREATE_FULFILLMENT,
        {"order_id": order.id, "tracking_company": "DHL", "tracking_number": "SWEPT-1"},
    )


async def _refund(engine: Engine) -> Write:
    order = await open_order(_clients(engine))
    item = order.line_items[0]
    return await _tool_write(
        engine,
        CREATE_REFUND,
        {
            "order_id": order.id,
            "amount": "4.50",
            "note": "Scratched lid",
            "line_items": [{"line_item_id": item.id, "quantity": 1}],
        },
    )


async def _prices(engine: Engine) -> Write:
    return await _tool_write(
        engine,
        UPDATE_PRICES,
        {
            "product_id": BAND_KIT,
            "variants": [{"variant_id": BAND_GREEN, "price": "26.45", "compare_at_price": "29.95"}],
        },
    )


async def _publish(engine: Engine) -> Write:
    return await _tool_write(
        engine, PUBLISH_PRODUCT, {"product_id": HAMMOCK, "publications": ["Point of Sale"]}
    )


async def _set_product(engine: Engine) -> Write:
    return await _tool_write(
        engine,
        SET_PRODUCT,
        {
            "handle": "swept-desk-lamp",
            "title": "Swept Desk Lamp",
            "tags": ["lighting", "desk"],
            "seo_title": "Swept Desk Lamp | Royal",
            "variants": [
                {"options": {"Color": "White"}, "price": "39.95", "sku": "SDL-W"},
                {"options": {"Color": "Black"}, "price": "41.95", "compare_at_price": "49.95"},
            ],
        },
    )


async def _update_product(engine: Engine) -> Write:
    return await _tool_write(
        engine,
        UPDATE_PRODUCT,
        {
            "product_id": BAND_KIT,
            "title": "Resistance Band Kit (5 bands)",
            "tags": ["fitness", "sale"],
            "seo_description": "Five bands, one kit.",
        },
    )


async def _support_refund(engine: Engine) -> Write:
    order = await open_order(_clients(engine))
    payment = next(t for t in order.transactions if t.kind in {"SALE", "CAPTURE"})
    args = RefundArgs(
        order_id=order.id,
        order_name=order.name,
        amount=Decimal("6.00"),
        currency=order.currency_code,
        reason="Late delivery",
        payment_id=payment.id,
        gateway=payment.gateway or "manual",
    )

    async def make(key: str) -> JsonValue:
        refund = await create_refund(
            engine.services.shopify,
            order_id=args.order_id,
            amount=args.amount,
            payment_id=args.payment_id,
            gateway=args.gateway,
            note=args.reason,
            idempotency_key=key,
        )
        return {"refund_id": refund.id}

    return Write(REFUND_TOOL, str(ActionKind.REFUND_CREATE), args.model_dump(mode="json"), make)


async def _bulk_seo(engine: Engine) -> Write:
    plan = await plan_seo(engine.services, SeoParams())
    args = SeoBulkArgs(changes=plan.changes[:3], collections=plan.collections[:2])

    async def make(key: str) -> JsonValue:
        return await apply_changes(engine.services, args, key)

    return Write(
        BULK_SEO_TOOL,
        str(ActionKind.SEO_UPDATE),
        args.model_dump(mode="json", exclude_none=True),
        make,
    )


WRITES: dict[str, Build] = {
    "shopify_create_discount": _discount,
    "shopify_create_automatic_discount": _automatic,
    "shopify_set_inventory": _inventory,
    "shopify_create_fulfillment": _fulfillment,
    "shopify_create_refund": _refund,
    "shopify_update_prices": _prices,
    "shopify_publish_product": _publish,
    "shopify_set_product": _set_product,
    "shopify_update_product": _update_product,
    "shopify_refund_create": _support_refund,
    "shopify_bulk_seo": _bulk_seo,
}


def _expected_result(tool: str, result: Any, made: Any) -> None:
    """What the sweeper records is what the shop shows of the write."""
    assert isinstance(result, dict)
    if tool == "shopify_create_discount":
        assert result["codes"] == ["SWEPT15"]
        assert result["id"] == made["id"]
    elif tool == "shopify_create_automatic_discount":
        assert result["id"] == made["id"]
        assert result["title"] == "Swept sale 10% off"
    elif tool == "shopify_set_inventory":
        assert result["levels"] == [
            {"variant_id": BAND_GREEN, "location_id": WAREHOUSE, "available": 77}
        ]
    elif tool == "shopify_create_fulfillment":
        assert result["id"] == made["id"]
        assert result["tracking_info"] == [{"company": "DHL", "number": "SWEPT-1"}]
    elif tool == "shopify_create_refund":
        assert result["id"] == made["id"]
        assert result["note"] == "Scratched lid"
        assert Decimal(result["total_refunded"]["shop_money"]["amount"]) == Decimal("4.50")
    elif tool == "shopify_update_prices":
        (variant,) = result["variants"]
        assert (variant["price"], variant["compare_at_price"]) == ("26.45", "29.95")
    elif tool == "shopify_publish_product":
        assert result == {"publishable_id": HAMMOCK, "publication_ids": made["publication_ids"]}
    elif tool in {"shopify_set_product", "shopify_update_product"}:
        assert result["id"] == made["id"]
        assert result["title"] == made["title"]
    elif tool == "shopify_refund_create":
        assert result == {"refund_id": made["refund_id"], "amount": "6.00"}
    else:
        assert result == made


@pytest.mark.parametrize("tool", list(WRITES))
async def test_a_write_that_landed_is_recorded_applied_with_what_the_shop_shows(
    engine: Engine, sandbox: SandboxServer, tool: str
) -> None:
    write = await WRITES[tool](engine)
    assert write.tool == tool
    made: list[JsonValue] = []
    original = write.make

    async def keep(key: str) -> JsonValue:
        made.append(await original(key))
        return made[-1]

    key = f"landed-{tool}"
    await _left_started(engine, key, Write(write.tool, write.kind, write.args, keep), landed=True)
    before = writes(sandbox)
    assert before  # the write reached the shop

    report = await sweep_once(engine.runtime, grace=NOW)

    assert report.applied == [key], report
    effect = await engine.services.effects.get(key)
    assert effect is not None
    assert effect.status is EffectStatus.APPLIED
    _expected_result(tool, effect.result, made[0])
    assert writes(sandbox) == before  # the sweeper only reads


@pytest.mark.parametrize("tool", list(WRITES))
async def test_a_write_that_never_landed_is_failed_not_applied(
    engine: Engine, sandbox: SandboxServer, tool: str
) -> None:
    write = await WRITES[tool](engine)
    key = f"lost-{tool}"
    await _left_started(engine, key, write, landed=False)
    assert writes(sandbox) == {}

    report = await sweep_once(engine.runtime, grace=NOW)

    assert report.not_applied == [key], report
    effect = await engine.services.effects.get(key)
    assert effect is not None
    assert effect.status is EffectStatus.FAILED
    assert effect.error is not None
    assert effect.error.startswith("swept: not applied"), effect.error
    assert writes(sandbox) == {}


async def test_a_code_held_by_another_discount_is_not_the_write(
    engine: Engine, sandbox: SandboxServer
) -> None:
    write = await _discount(engine)
    await _left_started(engine, "taken-code", write, landed=False)
    # Someone else made a discount with that code (a different title and no usage limit).
    await engine.services.shopify.create_discount_code(
        DiscountCodeBasicInput(
            title="Staff discount",
            code="SWEPT15",
            starts_at=datetime.now(UTC),
            customer_gets=DiscountCustomerGetsInput(value=DiscountValueInput(percentage=0.15)),
        )
    )

    report = await sweep_once(engine.runtime, grace=NOW)

    assert report.not_applied == ["taken-code"]
    effect = await engine.services.effects.get("taken-code")
    assert effect is not None
    assert effect.error is not None
    assert "belongs to another discount" in effect.error


async def test_an_earlier_refund_on_the_order_is_not_the_write(
    engine: Engine, sandbox: SandboxServer
) -> None:
    write = await _support_refund(engine)
    args = RefundArgs.model_validate(write.args)
    # The same amount was refunded on the order before, for another reason.
    await engine.services.shopify.create_refund(
        RefundInput(
            order_id=args.order_id,
            note="Goodwill",
            transactions=[
                RefundTransactionInput(
                    order_id=args.order_id,
                    parent_id=args.payment_id,
                    amount=args.amount,
                    gateway=args.gateway,
                )
            ],
        )
    )
    await _left_started(engine, "other-refund", write, landed=False)

    report = await sweep_once(engine.runtime, grace=NOW)

    assert report.not_applied == ["other-refund"]


async def test_a_price_set_half_way_is_not_applied(engine: Engine, sandbox: SandboxServer) -> None:
    write = await _prices(engine)
    await _left_started(engine, "half-price", write, landed=False)
    # Only the price moved (by hand, say); the compare-at price the write set is not there.
    await engine.services.shopify.update_variants(
        BAND_KIT,
        [VariantUpdate(id=BAND_GREEN, price=Decimal("26.45"))],
    )

    report = await sweep_once(engine.runtime, grace=NOW)

    assert report.not_applied == ["half-price"]
    effect = await engine.services.effects.get("half-price")
    assert effect is not None
    assert effect.error is not None
    assert "compare-at" in effect.error


async def test_a_bulk_seo_stopped_half_way_is_partly_applied(
    engine: Engine, sandbox: SandboxServer
) -> None:
    write = await _bulk_seo(engine)
    args = SeoBulkArgs.model_validate(write.args)
    await _left_started(engine, "half-seo", write, landed=False)
    # The crashed attempt wrote the first product only.
    await apply_changes(engine.services, SeoBulkArgs(changes=args.changes[:1]), "half-seo")

    report = await sweep_once(engine.runtime, grace=NOW)

    assert report.not_applied == ["half-seo"]
    effect = await engine.services.effects.get("half-seo")
    assert effect is not None
    assert effect.error is not None
    assert effect.error.startswith("swept: partly applied: 1 of the 3 product(s)")


async def test_a_row_without_its_arguments_stays_started(engine: Engine) -> None:
    async def die() -> JsonValue:
        raise SimulatedCrash

    with pytest.raises(SimulatedCrash):
        await engine.services.effects.run_once(
            "no-args",
            thread_id="no-args",
            task_id="task",
            action_kind=str(ActionKind.PRICE_CHANGE),
            tool=UPDATE_PRICES.spec.name,
            args={},
            apply=die,
        )
    # A row written before the ledger kept arguments.
    async with engine.runtime.store.database.transaction() as connection:
        await connection.execute(
            update(effects).where(effects.c.idempotency_key == "no-args").values(args=None)
        )

    report = await sweep_once(engine.runtime, grace=NOW)

    assert report.unresolved == ["no-args"]
    effect = await engine.services.effects.get("no-args")
    assert effect is not None
    assert effect.status is EffectStatus.STARTED
