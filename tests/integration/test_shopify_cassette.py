"""The Shopify client replayed from a recorded cassette: no sandbox, no network.

Re-record by deleting the YAML, then
``ROYAL_RECORD_CASSETTES=1 uv run pytest tests/integration/test_shopify_cassette.py``
(recording mode "all" keeps the interactions already in the file).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.vcr_support import (
    CASSETTE_ROOT,
    REPLAY_BASE_URL,
    assert_fully_played,
    make_vcr,
    recording,
    use_cassette,
)
from tools.sandbox import SandboxServer
from tools.shopify import SANDBOX_ACCESS_TOKEN, OrderFilter, ShopifyClient, ShopifyConfig
from tools.shopify.models import InventoryQuantityInput, InventorySetQuantitiesInput, VariantUpdate

CASSETTE = "shopify/catalog_reprice_restock.yaml"


async def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"a replayed cassette should need no waiting (asked for {seconds}s)")


async def test_catalog_reprice_and_restock_replay_from_cassette(
    request: pytest.FixtureRequest,
) -> None:
    # The sandbox only runs while recording; a replay needs nothing but the YAML.
    sandbox_url: str | None = None
    if recording():
        sandbox: SandboxServer = request.getfixturevalue("sandbox")
        sandbox_url = sandbox.url
    base = sandbox_url or REPLAY_BASE_URL
    recorder = make_vcr(sandbox_url)
    config = ShopifyConfig(shop_url=f"{base}/shopify", access_token=SecretStr(SANDBOX_ACCESS_TOKEN))
    with use_cassette(recorder, CASSETTE) as cassette:
        async with ShopifyClient(config, sleep=_no_sleep) as client:
            shop = await client.get_shop()
            listed = [p async for p in client.iter_products(page_size=8, limit=12)]
            product = await client.get_product(listed[0].id)
            assert product is not None
            variant = product.variants[0]
            repriced = await client.update_variants(
                product.id, [VariantUpdate(id=variant.id, price=variant.price + Decimal("2.00"))]
            )
            assert variant.inventory_item is not None
            level = variant.inventory_item.inventory_levels[0]
            adjustment = await client.set_inventory_quantities(
                InventorySetQuantitiesInput(
                    reason="received",
                    reference_document_uri="royal://runs/cassette/restock",
                    quantities=[
                        InventoryQuantityInput(
                            inventory_item_id=variant.inventory_item.id,
                            location_id=level.location_id,
                            quantity=level.quantities["available"] + 10,
                            change_from_quantity=level.quantities["available"],
                        )
                    ],
                ),
                idempotency_key="cassette-restock-1",
            )
            paid = [o async for o in client.iter_orders(OrderFilter(financial_status="paid"))]
        assert_fully_played(cassette)

    assert shop.myshopify_domain == "royal-demo.myshopify.com"
    assert len(listed) == 12
    assert repriced[0].price == variant.price + Decimal("2.00")
    assert adjustment is not None
    assert [c.delta for c in adjustment.changes if c.name == "available"] == [10]
    assert paid
    assert {o.display_financial_status for o in paid} == {"PAID"}
    text = (Path(CASSETTE_ROOT) / CASSETTE).read_text()
    assert SANDBOX_ACCESS_TOKEN not in text
    assert "127.0.0.1" not in text
    assert "x-shopify-access-token:\n      - REDACTED" in text
