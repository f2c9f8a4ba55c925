"""Wire records of CJ and Printful to the supplier-neutral models."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tools.suppliers.cj import mapping as cj
from tools.suppliers.models import SupplierOrderStatus
from tools.suppliers.printful import mapping as pf


@pytest.mark.parametrize(
    ("raw", "low"),
    [("11.09 -- 17.07", "11.09"), ("9.5", "9.5"), (Decimal("4.2"), "4.2"), ("3.10-2.90", "2.90")],
)
def test_cj_sell_price_ranges_give_the_lowest(raw: object, low: str) -> None:
    assert cj.lowest_price(raw) == Decimal(low)


def test_cj_rejects_a_price_that_is_not_one() -> None:
    with pytest.raises(ValueError, match="not a"):
        cj.lowest_price("n/a")


@pytest.mark.parametrize(("aging", "days"), [("2-5", (2, 5)), ("7", (7, 7)), ("20 - 35", (20, 35))])
def test_cj_logistic_aging(aging: str, days: tuple[int, int]) -> None:
    assert cj.day_range(aging) == days


def test_cj_money_is_to_the_cent() -> None:
    assert str(cj.usd(Decimal("9.6")).amount) == "9.60"


def test_cj_own_listings_are_fulfilled_by_cj() -> None:
    assert cj.vendor({"supplierName": None, "supplierId": None}) is cj.CJ_SELF


def test_cj_supplier_without_published_metrics_leaves_them_unknown() -> None:
    vendor = cj.vendor({"supplierName": "Acme", "supplierId": "S1"})
    assert (vendor.id, vendor.name, vendor.platform) == ("S1", "Acme", "cjdropshipping")
    assert vendor.rating is None
    assert vendor.verified is None


def test_cj_variant_options_follow_the_product_keys() -> None:
    record: dict[str, Any] = {
        "vid": "V1",
        "variantKey": "Black-L",
        "variantSellPrice": Decimal("5.8"),
        "variantWeight": 210,
    }
    variant = cj.variant(record, ["Color", "Size"])
    assert variant.options == {"Color": "Black", "Size": "L"}
    assert variant.cost.amount == Decimal("5.80")
    assert cj.variant(record, ["Color"]).options == {"variant": "Black-L"}


def test_cj_images_may_be_json_encoded() -> None:
    record = {"pid": "P", "productImage": '["a.jpg","b.jpg"]', "variants": []}
    assert cj.product(record).image_urls == ["a.jpg", "b.jpg"]
    assert cj.product({**record, "productImage": "c.jpg"}).image_urls == ["c.jpg"]


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("CREATED", SupplierOrderStatus.PENDING),
        ("UNSHIPPED", SupplierOrderStatus.PROCESSING),
        ("SHIPPED", SupplierOrderStatus.SHIPPED),
        ("CANCELLED", SupplierOrderStatus.CANCELLED),
        ("SOMETHING_NEW", SupplierOrderStatus.PENDING),
    ],
)
def test_cj_order_status(raw: str, status: SupplierOrderStatus) -> None:
    order = cj.order({"orderId": "1", "orderStatus": raw})
    assert (order.status, order.raw_status) == (status, raw)


def test_cj_tracking_prefers_the_last_mile_carrier() -> None:
    order = cj.order(
        {"orderId": "1", "orderStatus": "SHIPPED", "trackNumber": "T1", "logisticName": "CJPacket"},
        {"lastMileCarrier": "USPS", "trackingStatus": "In transit"},
    )
    assert [(t.number, t.carrier, t.status) for t in order.tracking] == [
        ("T1", "USPS", "In transit")
    ]


@pytest.mark.parametrize(
    ("query", "hit"),
    [("mugs", True), ("white mug", True), ("MUG", True), ("", True), ("blue mug", False)],
)
def test_printful_search_needs_every_word(query: str, hit: bool) -> None:
    product = {"title": "White Glossy Mug", "type_name": "Mug", "description": "Ceramic."}
    assert pf.matches(query, product) is hit


def test_printful_stock_is_availability_per_region() -> None:
    stock = pf.stock(
        "60101",
        {
            "in_stock": True,
            "availability_status": [
                {"region": "US", "status": "in_stock"},
                {"region": "EU", "status": "temporary_out_of_stock"},
            ],
        },
    )
    assert stock.available is True
    assert stock.quantity is None
    assert [(w.warehouse, w.country_code, w.available) for w in stock.warehouses] == [
        ("US", "US", True),
        ("EU", None, False),
    ]


def test_printful_fulfilled_order_carries_its_shipments() -> None:
    order = pf.order(
        {
            "id": 7,
            "external_id": "k",
            "status": "fulfilled",
            "created": 1_700_000_000,
            "costs": {"currency": "EUR", "total": "12.50", "shipping": "4.00"},
            "items": [{"variant_id": 60101, "quantity": 2, "retail_price": "9.00"}],
            "shipments": [
                {"tracking_number": "N1", "carrier": "DHL", "tracking_url": "https://t/N1"},
                {"tracking_number": None},
            ],
        }
    )
    assert order.status is SupplierOrderStatus.SHIPPED
    assert order.total is not None
    assert str(order.total) == "12.50 EUR"
    assert order.lines[0].retail_price is not None
    assert [(t.number, t.url) for t in order.tracking] == [("N1", "https://t/N1")]
    assert order.created_at is not None
    assert order.created_at.year == 2023


def test_printful_items_without_vendor_metrics_are_printful_itself() -> None:
    assert pf.vendor({"id": 1}) is pf.PRINTFUL_SELF
