"""Price-change arithmetic, the task's parameters, and best-seller ranking (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from nodes.clusters import ClusterTask
from nodes.product.jobs import ProductJob, RepriceParams, UnknownJobError, job_of
from nodes.product.repricing import RepriceError, largest, new_price, variant_prices
from nodes.product.sales import rank_sales, why_best
from tools.shopify.models import OrderSales, Product


def params(**fields: Any) -> RepriceParams:
    return RepriceParams.model_validate({"product": "mug", **fields})


@pytest.mark.parametrize(
    ("before", "change", "after"),
    [
        ("19.95", {"change_pct": "19"}, "23.74"),  # 23.7405: rounded down, toward the old price
        ("19.95", {"change_pct": "21"}, "24.13"),  # 24.1395 -> 24.13 (+20.95 %)
        ("24.95", {"change_pct": "20"}, "29.94"),  # exactly 20 %: stays 20 %
        ("39.95", {"change_pct": "30"}, "51.93"),
        ("24.99", {"change_pct": "-15"}, "21.25"),  # 21.2415: rounded up, toward the old price
        ("24.99", {"change_eur": "-2"}, "22.99"),
        ("24.99", {"new_price_eur": "12.99"}, "12.99"),
    ],
)
def test_new_price_never_moves_further_than_asked(
    before: str, change: dict[str, str], after: str
) -> None:
    old = Decimal(before)
    wanted = params(**change)
    result = new_price(old, wanted)
    assert result == Decimal(after)
    if wanted.change_pct is not None:
        assert abs(result - old) * 100 / old <= abs(wanted.change_pct)


def test_a_price_cannot_drop_to_zero() -> None:
    with pytest.raises(RepriceError, match=r"would take €1\.00 to €0\.00"):
        new_price(Decimal("1.00"), params(change_eur="-1"))


def _product(*variants: tuple[str, str | None]) -> Product:
    return Product.model_validate(
        {
            "id": "gid://shopify/Product/1",
            "title": "Mug",
            "handle": "mug",
            "status": "ACTIVE",
            "vendor": "v",
            "productType": "",
            "tags": [],
            "totalInventory": 0,
            "createdAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z",
            "descriptionHtml": "",
            "variants": {
                "nodes": [
                    {
                        "id": f"gid://shopify/ProductVariant/{n}",
                        "title": f"V{n}",
                        "price": price,
                        "compareAtPrice": compare_at,
                        "inventoryPolicy": "DENY",
                    }
                    for n, (price, compare_at) in enumerate(variants, start=1)
                ]
            },
        }
    )


def test_every_variant_changes_and_a_was_price_the_new_price_reaches_is_cleared() -> None:
    product = _product(("10.00", "12.00"), ("20.00", "30.00"), ("30.00", None))
    changes = variant_prices(product, params(change_pct="25"))
    assert [(c.after, c.clear_compare_at) for c in changes] == [
        (Decimal("12.50"), True),
        (Decimal("25.00"), False),
        (Decimal("37.50"), False),
    ]
    assert largest(changes).variant_id == "gid://shopify/ProductVariant/1"


def test_a_new_price_equal_to_every_current_price_is_refused() -> None:
    with pytest.raises(RepriceError, match="leaves every variant at its current price"):
        variant_prices(_product(("12.99", None)), params(new_price_eur="12.99"))


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"change_pct": "10"}, "name the product"),
        ({"product": "mug"}, "exactly one of"),
        ({"product": "mug", "change_pct": "10", "new_price_eur": "9.99"}, "exactly one of"),
        ({"product": "mug", "change_pct": "0"}, "changes nothing"),
        ({"product": "mug", "change_pct": "-95"}, "greater than or equal to -90"),
    ],
)
def test_reprice_params_refuse_what_cannot_be_done(fields: dict[str, str], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        RepriceParams.model_validate(fields)


def test_a_product_named_best_seller_means_the_best_seller() -> None:
    wanted = RepriceParams.model_validate({"product": "our best-selling item", "change_pct": 5})
    assert wanted.best_seller
    assert wanted.product == ""
    assert wanted.asked() == "raise the price by 5%"


def _order(number: int, lines: list[tuple[str, int, int]], cancelled: bool = False) -> OrderSales:
    return OrderSales.model_validate(
        {
            "id": f"gid://shopify/Order/{number}",
            "createdAt": datetime(2026, 1, number, tzinfo=UTC).isoformat(),
            "cancelledAt": datetime(2026, 1, 20, tzinfo=UTC).isoformat() if cancelled else None,
            "lineItems": {
                "nodes": [
                    {
                        "quantity": quantity,
                        "currentQuantity": kept,
                        "product": {"id": f"gid://shopify/Product/{title}", "title": title},
                        "originalUnitPriceSet": {
                            "shopMoney": {"amount": "10.00", "currencyCode": "EUR"}
                        },
                    }
                    for title, quantity, kept in lines
                ],
                "pageInfo": {"hasNextPage": False},
            },
        }
    )


def test_best_sellers_count_kept_units_of_orders_not_cancelled() -> None:
    ranked = rank_sales(
        [
            _order(1, [("Mug", 3, 1), ("Mat", 2, 2)]),  # two mugs refunded
            _order(2, [("Mug", 1, 1)]),
            _order(3, [("Rope", 9, 9)], cancelled=True),
        ]
    )
    assert [(s.title, s.units, s.orders) for s in ranked] == [("Mat", 2, 1), ("Mug", 2, 2)]
    assert ranked[0].revenue_eur == Decimal("20.00")
    assert why_best(ranked, 30) == (
        "best seller of the last 30 days: 2 units kept in 1 order (€20.00); next is Mug with 2 "
        "units"
    )


@pytest.mark.parametrize(
    ("parameters", "job"),
    [
        ({}, ProductJob.SOURCE),
        ({"query": "mug", "count": 2}, ProductJob.SOURCE),
        ({"product": "mug", "change_pct": 10}, ProductJob.REPRICE),  # a model left out "action"
        ({"best_seller": True, "new_price_eur": "9.99"}, ProductJob.REPRICE),
        ({"action": "onboard_supplier", "count": 0}, ProductJob.ONBOARD_SUPPLIER),
        ({"action": " Reprice "}, ProductJob.REPRICE),
    ],
)
def test_the_job_of_a_task(parameters: dict[str, Any], job: ProductJob) -> None:
    task = ClusterTask(cluster="product", title="t", instructions="i", parameters=parameters)
    assert job_of(task) is job


def test_a_job_the_cluster_does_not_do_is_named_in_the_error() -> None:
    task = ClusterTask(
        cluster="product", title="t", instructions="i", parameters={"action": "discount"}
    )
    with pytest.raises(UnknownJobError, match="does not do 'discount'"):
        job_of(task)
