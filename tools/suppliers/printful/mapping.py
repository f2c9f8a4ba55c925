"""Printful v1 records to the supplier-neutral models.

Printful fulfils its own catalog, so the vendor of every item is Printful itself. The sandbox
adds ``supplier_info`` (vendor metrics) and ``rating`` / ``review_count`` to catalog products;
the real API publishes none of them, and then they stay ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tools.suppliers._vendor import vendor_metrics
from tools.suppliers.models import (
    CatalogItem,
    Money,
    OrderLine,
    ShippingQuote,
    StockLevel,
    SupplierOrder,
    SupplierOrderStatus,
    SupplierProduct,
    SupplierVariant,
    TrackingInfo,
    VendorProfile,
    WarehouseStock,
)

DEFAULT_CURRENCY = "USD"
PRINTFUL_SELF = VendorProfile(id="printful", name="Printful", platform="printful")

_STATUS = {
    "draft": SupplierOrderStatus.DRAFT,
    "pending": SupplierOrderStatus.PENDING,
    "failed": SupplierOrderStatus.FAILED,
    "canceled": SupplierOrderStatus.CANCELLED,
    "inreview": SupplierOrderStatus.ON_HOLD,
    "onhold": SupplierOrderStatus.ON_HOLD,
    "inprocess": SupplierOrderStatus.PROCESSING,
    "partial": SupplierOrderStatus.PARTIALLY_SHIPPED,
    "fulfilled": SupplierOrderStatus.SHIPPED,
}
_REGION_COUNTRIES = {"US": "US", "CA": "CA", "AU": "AU", "UK": "GB", "JP": "JP", "MX": "MX"}
"""Printful regions that are one country ("EU" and "EU_LV" are not)."""
_WORD = re.compile(r"[a-z0-9]+")

Record = Mapping[str, Any]


def matches(query: str, product: Record) -> bool:
    """Printful's catalog has no keyword search: every query word must appear in the product."""
    haystack = _words(
        " ".join(
            str(product.get(field) or "")
            for field in ("title", "type_name", "brand", "model", "description")
        )
    )
    return _words(query) <= haystack


def vendor(product: Record) -> VendorProfile:
    info = product.get("supplier_info")
    if not isinstance(info, Mapping):
        return PRINTFUL_SELF
    return VendorProfile(
        id=str(info.get("id") or PRINTFUL_SELF.id),
        name=str(info.get("name") or PRINTFUL_SELF.name),
        platform="printful",
        **vendor_metrics(info, number=_decimal),
    )


def variant(record: Record, currency: str) -> SupplierVariant:
    options = {
        key: str(record[key]) for key in ("color", "size") if record.get(key) not in (None, "")
    }
    return SupplierVariant(
        variant_id=str(record["id"]),
        sku=None,
        name=str(record.get("name") or record["id"]),
        cost=Money(amount=Decimal(str(record["price"])), currency=currency),
        options=options,
        in_stock=record.get("in_stock"),
    )


def product(record: Record, variants: list[Record]) -> SupplierProduct:
    """``GET /products/{id}``: ``{product, variants}``."""
    currency = str(record.get("currency") or DEFAULT_CURRENCY)
    image = record.get("image")
    return SupplierProduct(
        supplier="printful",
        product_id=str(record["id"]),
        sku=record.get("model"),
        title=str(record.get("title") or ""),
        description=str(record.get("description") or ""),
        category=record.get("type_name"),
        image_urls=[str(image)] if image else [],
        rating=_decimal(record.get("rating")),
        review_count=record.get("review_count"),
        variants=[variant(item, currency) for item in variants],
        vendor=vendor(record),
    )


def catalog_item(detail: SupplierProduct) -> CatalogItem:
    cost = detail.lowest_cost
    if cost is None:
        raise ValueError(f"printful product {detail.product_id} has no variants")
    return CatalogItem(
        supplier="printful",
        product_id=detail.product_id,
        sku=detail.sku,
        title=detail.title,
        category=detail.category,
        cost=cost,
        image_url=detail.image_urls[0] if detail.image_urls else None,
        rating=detail.rating,
        review_count=detail.review_count,
        vendor=detail.vendor,
    )


def stock(variant_id: str, record: Record) -> StockLevel:
    """``GET /products/variant/{id}``: print-on-demand, so availability per region, no counts."""
    warehouses = [
        WarehouseStock(
            warehouse=str(row.get("region")),
            country_code=_REGION_COUNTRIES.get(str(row.get("region"))),
            available=row.get("status") == "in_stock",
        )
        for row in record.get("availability_status") or []
    ]
    return StockLevel(
        supplier="printful",
        variant_id=variant_id,
        available=bool(record.get("in_stock")),
        quantity=None,
        warehouses=warehouses,
    )


def shipping_quote(record: Record) -> ShippingQuote:
    return ShippingQuote(
        method=str(record["id"]),
        name=str(record.get("name") or record["id"]),
        price=Money(amount=Decimal(str(record["rate"])), currency=str(record["currency"])),
        min_days=int(record["minDeliveryDays"]),
        max_days=int(record["maxDeliveryDays"]),
    )


def order(record: Record) -> SupplierOrder:
    raw_status = str(record.get("status") or "draft")
    costs = record.get("costs") or {}
    currency = str(costs.get("currency") or DEFAULT_CURRENCY)
    lines = [
        OrderLine(
            variant_id=str(item.get("variant_id") or item.get("sync_variant_id")),
            quantity=int(item["quantity"]),
            retail_price=(
                Money(amount=Decimal(str(item["retail_price"])), currency=currency)
                if item.get("retail_price") is not None
                else None
            ),
        )
        for item in record.get("items") or []
    ]
    tracking = [
        TrackingInfo(
            number=str(shipment["tracking_number"]),
            carrier=shipment.get("carrier"),
            url=shipment.get("tracking_url"),
            status=shipment.get("status"),
        )
        for shipment in record.get("shipments") or []
        if shipment.get("tracking_number")
    ]
    created = record.get("created")
    return SupplierOrder(
        supplier="printful",
        order_id=str(record["id"]),
        external_id=record.get("external_id"),
        status=_STATUS.get(raw_status, SupplierOrderStatus.PENDING),
        raw_status=raw_status,
        lines=lines,
        total=_money(costs.get("total"), currency),
        shipping_cost=_money(costs.get("shipping"), currency),
        tracking=tracking,
        created_at=datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None,
    )


def _money(value: object, currency: str) -> Money | None:
    return None if value is None else Money(amount=Decimal(str(value)), currency=currency)


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _words(text: str) -> set[str]:
    """Lower-cased words with a plural ``s`` dropped, so "mugs" finds "Mug"."""
    return {
        word.removesuffix("s") if len(word) > 3 else word for word in _WORD.findall(text.lower())
    }
