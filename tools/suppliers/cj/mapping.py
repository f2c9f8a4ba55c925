"""CJ wire records to the supplier-neutral models.

CJ's own listings carry no supplier; third-party ("supplier") listings carry ``supplierName`` and
``supplierId``. The sandbox adds ``supplierInfo`` (vendor metrics) and ``reviewScore`` /
``reviewCount``, which the real API does not publish: absent, they stay ``None``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
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

CURRENCY = "USD"
"""CJ prices and freight (``logisticPrice``) are in US dollars."""
CENT = Decimal("0.01")
CJ_SELF = VendorProfile(id="cjdropshipping", name="CJdropshipping", platform="cjdropshipping")

_STATUS = {
    "CREATED": SupplierOrderStatus.PENDING,
    "IN_CART": SupplierOrderStatus.PENDING,
    "UNPAID": SupplierOrderStatus.PENDING,
    "UNSHIPPED": SupplierOrderStatus.PROCESSING,
    "SHIPPED": SupplierOrderStatus.SHIPPED,
    "DELIVERED": SupplierOrderStatus.DELIVERED,
    "CANCELLED": SupplierOrderStatus.CANCELLED,
}

Record = Mapping[str, Any]


def usd(value: object) -> Money:
    """CJ quotes US dollars to the cent (JSON numbers lose the trailing zero: 9.6 is 9.60)."""
    return Money(amount=decimal(value).quantize(CENT), currency=CURRENCY)


def decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def lowest_price(sell_price: object) -> Decimal:
    """CJ's ``sellPrice`` is a number or a range such as ``"11.09 -- 17.07"``."""
    parts = [part for part in str(sell_price).replace("--", "-").split("-") if part.strip()]
    if not parts:
        raise ValueError(f"not a price: {sell_price!r}")
    return min(decimal(part) for part in parts)


def day_range(aging: object) -> tuple[int, int]:
    """``logisticAging`` such as ``"2-5"`` (or a single ``"7"``) as (min, max) days."""
    parts = [int(part) for part in str(aging).replace(" ", "").split("-") if part]
    if not parts:
        raise ValueError(f"not a delivery time: {aging!r}")
    return min(parts), max(parts)


def vendor(record: Record) -> VendorProfile:
    info = record.get("supplierInfo")
    supplier_id = record.get("supplierId") or (info or {}).get("supplierId")
    name = record.get("supplierName") or (info or {}).get("supplierName")
    if not supplier_id and not name:
        return CJ_SELF
    base = VendorProfile(
        id=str(supplier_id or name), name=str(name or supplier_id), platform="cjdropshipping"
    )
    if not isinstance(info, Mapping):
        return base
    return base.model_copy(update=vendor_metrics(info, number=_optional_decimal, camel_case=True))


def catalog_item(record: Record) -> CatalogItem:
    """One ``listV2`` product (``data.content[].productList[]``)."""
    return CatalogItem(
        supplier="cjdropshipping",
        product_id=str(record["id"]),
        sku=record.get("sku"),
        title=str(record.get("nameEn") or record.get("productNameEn") or ""),
        category=record.get("threeCategoryName") or record.get("categoryName"),
        cost=usd(lowest_price(record["sellPrice"])),
        image_url=record.get("bigImage"),
        rating=_optional_decimal(record.get("reviewScore")),
        review_count=record.get("reviewCount"),
        vendor=vendor(record),
    )


def product(record: Record) -> SupplierProduct:
    """A ``product/query`` answer, variants included."""
    keys = str(record.get("productKeyEn") or "").split("-")
    return SupplierProduct(
        supplier="cjdropshipping",
        product_id=str(record["pid"]),
        sku=record.get("productSku"),
        title=str(record.get("productNameEn") or ""),
        description=str(record.get("description") or ""),
        category=record.get("categoryName"),
        image_urls=_images(record.get("productImage")),
        rating=_optional_decimal(record.get("reviewScore")),
        review_count=record.get("reviewCount"),
        variants=[variant(item, keys) for item in record.get("variants") or []],
        vendor=vendor(record),
    )


def variant(record: Record, keys: list[str]) -> SupplierVariant:
    values = str(record.get("variantKey") or "").split("-")
    options = (
        dict(zip(keys, values, strict=True))
        if keys and len(keys) == len(values) and all(keys)
        else ({"variant": str(record["variantKey"])} if record.get("variantKey") else {})
    )
    weight = record.get("variantWeight")
    return SupplierVariant(
        variant_id=str(record["vid"]),
        sku=record.get("variantSku"),
        name=str(record.get("variantNameEn") or record.get("variantKey") or record["vid"]),
        cost=usd(record["variantSellPrice"]),
        weight_grams=decimal(weight) if weight is not None else None,
        options=options,
    )


def stock(variant_id: str, rows: list[Record]) -> StockLevel:
    warehouses = []
    for row in rows:
        quantity = int(row.get("totalInventoryNum") or row.get("storageNum") or 0)
        warehouses.append(
            WarehouseStock(
                warehouse=str(row.get("areaEn") or row.get("countryCode") or "CJ warehouse"),
                country_code=row.get("countryCode"),
                quantity=quantity,
                available=quantity > 0,
            )
        )
    total = sum(w.quantity or 0 for w in warehouses)
    return StockLevel(
        supplier="cjdropshipping",
        variant_id=variant_id,
        available=total > 0,
        quantity=total,
        warehouses=warehouses,
    )


def shipping_quote(record: Record, origin: str) -> ShippingQuote:
    low, high = day_range(record["logisticAging"])
    name = str(record["logisticName"])
    return ShippingQuote(
        method=name,
        name=name,
        carrier=name,
        price=usd(record["logisticPrice"]),
        min_days=low,
        max_days=high,
        origin_country=origin,
    )


def order(record: Record, tracking: Record | None = None) -> SupplierOrder:
    """A ``createOrderV2`` or ``getOrderDetail`` answer; ``tracking`` from ``getTrackInfo``."""
    raw_status = str(record.get("orderStatus") or "CREATED")
    lines = [
        OrderLine(variant_id=str(item["vid"]), quantity=int(item["quantity"]))
        for item in record.get("productList") or record.get("productInfoList") or []
    ]
    track_number = record.get("trackNumber")
    infos = []
    if track_number:
        infos.append(
            TrackingInfo(
                number=str(track_number),
                carrier=(tracking or {}).get("lastMileCarrier") or record.get("logisticName"),
                status=(tracking or {}).get("trackingStatus"),
            )
        )
    postage = record.get("postageAmount")
    total = record.get("orderAmount")
    return SupplierOrder(
        supplier="cjdropshipping",
        order_id=str(record["orderId"]),
        external_id=record.get("orderNum") or record.get("orderNumber"),
        status=_STATUS.get(raw_status, SupplierOrderStatus.PENDING),
        raw_status=raw_status,
        lines=lines,
        total=usd(total) if total is not None else None,
        shipping_cost=usd(postage) if postage is not None else None,
        tracking=infos,
        created_at=_created(record.get("createDate")),
    )


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else decimal(value)


def _images(value: object) -> list[str]:
    """``productImage`` is a URL, a list, or a JSON-encoded list of URLs."""
    if isinstance(value, list):
        return [str(url) for url in value]
    if isinstance(value, str) and value.startswith("["):
        try:
            decoded = json.loads(value)
        except ValueError:
            return [value]
        return [str(url) for url in decoded] if isinstance(decoded, list) else [value]
    return [value] if isinstance(value, str) and value else []


def _created(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
