"""Both supplier adapters replayed from recorded cassettes: no sandbox, no network.

Re-record with
``ROYAL_RECORD_CASSETTES=1 uv run pytest tests/integration/test_suppliers_cassette.py``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from tests.integration.supplier_helpers import RECIPIENT
from tests.vcr_support import (
    CASSETTE_ROOT,
    REDACTED,
    REPLAY_BASE_URL,
    assert_fully_played,
    make_vcr,
    recording,
    use_cassette,
)
from tools.sandbox import SandboxServer
from tools.suppliers import (
    CJSupplier,
    OrderLine,
    PrintfulSupplier,
    Supplier,
    SupplierOrder,
    SupplierOrderRequest,
    SupplierOrderStatus,
)
from tools.suppliers.cj import SANDBOX_API_KEY
from tools.suppliers.printful import SANDBOX_STORE_ID, SANDBOX_TOKEN

SECRET_FIELDS = ("apiKey", "accessToken", "refreshToken")


async def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"a replayed cassette should need no retries (asked to wait {seconds}s)")


def _sandbox_url(request: pytest.FixtureRequest) -> str | None:
    """The sandbox is started only to record; a replay needs nothing but the YAML."""
    if not recording():
        return None
    sandbox: SandboxServer = request.getfixturevalue("sandbox")
    return sandbox.url


async def _order_flow(supplier: Supplier, query: str, key: str) -> list[SupplierOrder]:
    (item,) = await supplier.search_catalog(query, max_price=Decimal("40"), limit=1)
    product = await supplier.get_product(item.product_id)
    variant = product.variants[0]
    assert (await supplier.get_stock(variant.variant_id)).available
    line = OrderLine(variant_id=variant.variant_id, quantity=1)
    (cheapest, *_) = await supplier.quote_shipping([line], RECIPIENT)
    request = SupplierOrderRequest(
        lines=[line], recipient=RECIPIENT, shipping_method=cheapest.method
    )
    orders = [await supplier.place_order(request, idempotency_key=key)]
    for _ in range(3):
        orders.append(await supplier.get_order(orders[0].order_id))
    return orders


def _assert_no_secrets(cassette: str, *secrets: str) -> None:
    text = (Path(CASSETTE_ROOT) / cassette).read_text()
    assert "127.0.0.1" not in text
    for secret in secrets:
        assert secret not in text
    for interaction in yaml.safe_load(text)["interactions"]:
        for name, values in interaction["request"]["headers"].items():
            if name.lower() in {"cj-access-token", "authorization", "x-pf-store-id"}:
                assert values == [REDACTED], name
        for body in (interaction["request"]["body"], interaction["response"]["body"]["string"]):
            for field in SECRET_FIELDS:
                if body and f'"{field}"' in body:
                    assert f'"{field}":"{REDACTED}"' in body.replace(" ", ""), field


async def test_cj_order_flow_replays(request: pytest.FixtureRequest) -> None:
    cassette_name = "suppliers/cj_order_flow.yaml"
    sandbox_url = _sandbox_url(request)
    recorder = make_vcr(sandbox_url)
    with use_cassette(recorder, cassette_name) as cassette:
        async with CJSupplier(
            SANDBOX_API_KEY,
            base_url=f"{sandbox_url or REPLAY_BASE_URL}/cj/api2.0/v1",
            mode="sandbox",
            requests_per_second=None,
            sleep=_no_sleep,
        ) as cj:
            orders = await _order_flow(cj, "camping lantern", "cassette-cj-1")
        assert_fully_played(cassette)

    assert [o.raw_status for o in orders] == ["CREATED", "IN_CART", "UNSHIPPED", "SHIPPED"]
    assert orders[-1].status is SupplierOrderStatus.SHIPPED
    assert orders[-1].tracking[0].carrier == "USPS"
    assert orders[0].external_id == "cassette-cj-1"
    _assert_no_secrets(cassette_name, SANDBOX_API_KEY, "API@CJ")


async def test_printful_order_flow_replays(request: pytest.FixtureRequest) -> None:
    cassette_name = "suppliers/printful_order_flow.yaml"
    sandbox_url = _sandbox_url(request)
    recorder = make_vcr(sandbox_url)
    with use_cassette(recorder, cassette_name) as cassette:
        async with PrintfulSupplier(
            SANDBOX_TOKEN,
            base_url=f"{sandbox_url or REPLAY_BASE_URL}/printful",
            store_id=SANDBOX_STORE_ID,
            mode="sandbox",
            sleep=_no_sleep,
        ) as printful:
            orders = await _order_flow(printful, "mug", "cassette-pf-1")
        assert_fully_played(cassette)

    assert [o.raw_status for o in orders] == ["pending", "inprocess", "fulfilled", "fulfilled"]
    shipped = orders[-1]
    assert shipped.tracking[0].url is not None
    assert shipped.tracking[0].url.endswith(shipped.tracking[0].number)
    _assert_no_secrets(cassette_name, SANDBOX_TOKEN)
