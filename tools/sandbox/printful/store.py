"""The Printful sandbox's state: catalog availability, the merchant's store products, orders.

A confirmed order moves one step per read (``pending``, ``inprocess``, then ``fulfilled`` with a
shipment and tracking link); a draft waits for ``POST /orders/{id}/confirm``.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tools.sandbox.clock import EmulatorClock
from tools.sandbox.ledger import MutationLedger
from tools.sandbox.printful.catalog import (
    IMAGE_BASE,
    PRODUCTS,
    PRODUCTS_BY_ID,
    REGIONS,
    STORE_ID,
    SUPPLIER_INFO,
    SYNC_PRODUCTS,
    VARIANTS,
    CatalogProduct,
    CatalogVariant,
    SyncProduct,
)
from tools.sandbox.printful.errors import bad_request, not_found
from tools.sandbox.printful.inputs import NewOrder, Rates

EU = frozenset({"AT", "BE", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "NL", "PL", "PT", "SE"})
PROGRESSION = ("pending", "inprocess", "fulfilled")
CARRIERS = {
    "US": (
        "USPS",
        "USPS First Class Package",
        "https://tools.usps.com/go/TrackConfirmAction?tLabels=",
    ),
    "EU": ("DHL", "DHL Packet International", "https://www.dhl.com/en/express/tracking.html?AWB="),
    "ANY": ("Asendia", "Asendia e-PAQ Plus", "https://a1.asendiausa.com/tracking/?trackingnumber="),
}


@dataclass(frozen=True)
class Method:
    id: str
    label: str
    min_days: int
    max_days: int
    factor: Decimal


@dataclass
class Order:
    id: int
    external_id: str | None
    status: str
    method: Method
    recipient: dict[str, Any]
    items: list[dict[str, Any]]
    subtotal: Decimal
    shipping: Decimal
    retail_subtotal: Decimal | None
    created: int
    updated: int
    packing_slip: dict[str, Any] | None = None
    shipments: list[dict[str, Any]] = field(default_factory=list)


class PrintfulStore:
    def __init__(self, seed: int, ledger: MutationLedger, clock: EmulatorClock) -> None:
        self._seed = seed
        self._ledger = ledger
        self._clock = clock
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            rng = random.Random(f"printful:{self._seed}")
            # A few variants are temporarily out of stock in one region, as in the real catalog.
            self.out_of_stock: set[tuple[int, str]] = {
                (variant_id, "EU") for variant_id in VARIANTS if rng.random() < 0.06
            }
            self.orders: dict[int, Order] = {}
            self._by_external: dict[str, int] = {}
            self._next_id = 90_000_000 + (self._seed % 1000) * 1000

    # --- catalog ---------------------------------------------------------------------------
    def product_record(self, product: CatalogProduct) -> dict[str, Any]:
        return {
            "id": product.id,
            "main_category_id": product.main_category_id,
            "type": product.type,
            "type_name": product.type_name,
            "title": product.title,
            "brand": product.brand,
            "model": product.model,
            "image": f"{IMAGE_BASE}/products/{product.id}.jpg",
            "variant_count": len(product.variants()),
            "currency": "USD",
            "options": [],
            "dimensions": None,
            "is_discontinued": False,
            "avg_fulfillment_time": product.avg_fulfillment_time,
            "description": product.description,
            "techniques": [
                {
                    "key": product.technique[0],
                    "display_name": product.technique[1],
                    "is_default": True,
                }
            ],
            "files": [],
            "origin_country": "US",
            "rating": float(product.rating),
            "review_count": product.review_count,
            "supplier_info": SUPPLIER_INFO,
        }

    def variant_record(self, variant: CatalogVariant) -> dict[str, Any]:
        status = [
            {
                "region": region,
                "status": (
                    "temporary_out_of_stock"
                    if (variant.id, region) in self.out_of_stock
                    else "in_stock"
                ),
            }
            for region in REGIONS
        ]
        return {
            "id": variant.id,
            "product_id": variant.product.id,
            "name": variant.name,
            "size": variant.size or None,
            "color": variant.color or None,
            "color_code": variant.color_code,
            "color_code2": None,
            "image": f"{IMAGE_BASE}/variants/{variant.id}.jpg",
            "price": variant.price,
            "in_stock": any(row["status"] == "in_stock" for row in status),
            "availability_regions": REGIONS,
            "availability_status": status,
            "material": [],
        }

    def catalog(self, category_id: int | None) -> list[dict[str, Any]]:
        return [
            self.product_record(product)
            for product in PRODUCTS
            if category_id is None or product.main_category_id == category_id
        ]

    def product(self, product_id: int) -> dict[str, Any]:
        product = PRODUCTS_BY_ID.get(product_id)
        if product is None:
            raise not_found("Product not found")
        return {
            "product": self.product_record(product),
            "variants": [self.variant_record(v) for v in product.variants()],
        }

    def variant(self, variant_id: int) -> dict[str, Any]:
        variant = VARIANTS.get(variant_id)
        if variant is None:
            raise not_found("Variant not found")
        return {
            "variant": self.variant_record(variant),
            "product": self.product_record(variant.product),
        }

    # --- the merchant's store --------------------------------------------------------------
    def sync_products(self) -> list[dict[str, Any]]:
        return [
            {
                "id": sync.id,
                "external_id": sync.external_id,
                "name": sync.name,
                "variants": len(sync.catalog_variant_ids),
                "synced": len(sync.catalog_variant_ids),
                "thumbnail_url": f"{IMAGE_BASE}/store/{sync.id}.jpg",
                "is_ignored": False,
            }
            for sync in SYNC_PRODUCTS
        ]

    def sync_product(self, ref: str) -> dict[str, Any]:
        sync = _find_sync(ref)
        variants = []
        for sync_variant_id, variant_id in zip(
            sync.sync_variant_ids(), sync.catalog_variant_ids, strict=True
        ):
            variant = VARIANTS[variant_id]
            variants.append(
                {
                    "id": sync_variant_id,
                    "external_id": f"{sync.external_id}-{variant_id}",
                    "sync_product_id": sync.id,
                    "name": f"{sync.name} - {variant.color} / {variant.size}".rstrip(" /-"),
                    "synced": True,
                    "variant_id": variant_id,
                    "retail_price": sync.retail_price,
                    "currency": "USD",
                    "is_ignored": False,
                    "sku": f"{sync.external_id.upper()}-{variant_id}",
                    "product": {
                        "variant_id": variant_id,
                        "product_id": variant.product.id,
                        "image": f"{IMAGE_BASE}/variants/{variant_id}.jpg",
                        "name": variant.name,
                    },
                    "files": [
                        {"type": "default", "url": f"{IMAGE_BASE}/designs/{sync.external_id}.png"}
                    ],
                }
            )
        return {
            "sync_product": self.sync_products()[SYNC_PRODUCTS.index(sync)],
            "sync_variants": variants,
        }

    # --- shipping ----------------------------------------------------------------------------
    def rates(self, request: Rates) -> list[dict[str, Any]]:
        variants = [
            (self._catalog_variant(item.variant_id), item.quantity) for item in request.items
        ]
        country = request.recipient.country_code
        return [
            {
                "id": method.id,
                "name": method.label,
                "rate": self._shipping(variants, method),
                "currency": "USD",
                "minDeliveryDays": method.min_days,
                "maxDeliveryDays": method.max_days,
            }
            for method in _methods(country)
        ]

    def _shipping(self, lines: list[tuple[CatalogVariant, int]], method: Method) -> Decimal:
        first = max(variant.product.shipping[0] for variant, _ in lines)
        additional = sum(
            (variant.product.shipping[1] * quantity for variant, quantity in lines), Decimal("0")
        ) - max(variant.product.shipping[1] for variant, _ in lines)
        return ((first + additional) * method.factor).quantize(Decimal("0.01"))

    def _catalog_variant(self, variant_id: int | None) -> CatalogVariant:
        variant = VARIANTS.get(variant_id) if variant_id is not None else None
        if variant is None:
            raise bad_request(f"Invalid request: variant {variant_id} not found")
        return variant

    # --- orders ------------------------------------------------------------------------------
    def create_order(self, request: NewOrder, *, confirm: bool) -> dict[str, Any]:
        with self._lock:
            if request.external_id is not None and request.external_id in self._by_external:
                raise bad_request(f"Order with external_id {request.external_id!r} already exists")
            country = request.recipient.country_code
            methods = {method.id: method for method in _methods(country)}
            method_id = (request.shipping or "STANDARD").upper()
            if method_id not in methods:
                raise bad_request(f"Shipping method {method_id} is not available to {country}")
            lines: list[tuple[CatalogVariant, int]] = []
            items = []
            for index, item in enumerate(request.items):
                variant_id = item.variant_id or _sync_to_catalog(item.sync_variant_id)
                variant = VARIANTS.get(variant_id) if variant_id is not None else None
                if variant is None:
                    raise bad_request(f"Item {index}: variant not found")
                lines.append((variant, item.quantity))
                items.append(self._item_record(index, item.sync_variant_id, variant, item))
            now = int(self._clock.now().timestamp())
            self._next_id += 1
            retail = [
                item.retail_price * item.quantity
                for item in request.items
                if item.retail_price is not None
            ]
            order = Order(
                id=self._next_id,
                external_id=request.external_id,
                status="pending" if confirm else "draft",
                method=methods[method_id],
                recipient=request.recipient.model_dump(exclude_none=True),
                items=items,
                subtotal=sum((v.price * q for v, q in lines), Decimal("0")),
                shipping=self._shipping(lines, methods[method_id]),
                retail_subtotal=sum(retail, Decimal("0")) if retail else None,
                created=now,
                updated=now,
                packing_slip=request.packing_slip.model_dump() if request.packing_slip else None,
            )
            self.orders[order.id] = order
            if order.external_id is not None:
                self._by_external[order.external_id] = order.id
            self._ledger.record("printful", "createOrder", order.external_id or str(order.id))
            return self._order_record(order)

    def confirm(self, ref: str) -> dict[str, Any]:
        with self._lock:
            order = self._order(ref)
            if order.status != "draft":
                raise bad_request(f"Order {order.id} is {order.status}; only drafts are confirmed")
            order.status = "pending"
            order.updated = int(self._clock.now().timestamp())
            self._ledger.record("printful", "confirmOrder", str(order.id))
            return self._order_record(order)

    def read_order(self, ref: str) -> dict[str, Any]:
        with self._lock:
            order = self._order(ref)
            if order.status in PROGRESSION[:-1]:
                order.status = PROGRESSION[PROGRESSION.index(order.status) + 1]
                order.updated = int(self._clock.now().timestamp())
                if order.status == "fulfilled":
                    order.shipments.append(self._shipment(order))
            return self._order_record(order)

    def list_orders(self, status: str | None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                self._order_record(order)
                for order in self.orders.values()
                if status is None or order.status == status
            ]

    def _order(self, ref: str) -> Order:
        if ref.startswith("@"):
            order_id = self._by_external.get(ref[1:])
        elif ref.isdigit():
            order_id = int(ref)
        else:
            order_id = None
        if order_id is None or order_id not in self.orders:
            raise not_found("Order not found")
        return self.orders[order_id]

    def _item_record(
        self, index: int, sync_variant_id: int | None, variant: CatalogVariant, item: Any
    ) -> dict[str, Any]:
        return {
            "id": index + 1,
            "external_id": None,
            "variant_id": variant.id,
            "sync_variant_id": sync_variant_id,
            "quantity": item.quantity,
            "price": variant.price,
            "retail_price": item.retail_price,
            "name": variant.name,
            "product": {
                "variant_id": variant.id,
                "product_id": variant.product.id,
                "image": f"{IMAGE_BASE}/variants/{variant.id}.jpg",
                "name": variant.name,
            },
            "files": [{"type": "default", "url": f.url} for f in item.files],
        }

    def _order_record(self, order: Order) -> dict[str, Any]:
        total = order.subtotal + order.shipping
        return {
            "id": order.id,
            "external_id": order.external_id,
            "store": STORE_ID,
            "status": order.status,
            "shipping": order.method.id,
            "shipping_service_name": order.method.label,
            "created": order.created,
            "updated": order.updated,
            "recipient": order.recipient,
            "items": order.items,
            "costs": {
                "currency": "USD",
                "subtotal": order.subtotal,
                "discount": Decimal("0"),
                "shipping": order.shipping,
                "digitization": Decimal("0"),
                "additional_fee": Decimal("0"),
                "fulfillment_fee": Decimal("0"),
                "tax": Decimal("0"),
                "vat": Decimal("0"),
                "total": total,
            },
            "retail_costs": {
                "currency": "USD",
                "subtotal": order.retail_subtotal,
                "total": order.retail_subtotal,
            },
            "shipments": order.shipments,
            "gift": None,
            "packing_slip": order.packing_slip,
        }

    def _shipment(self, order: Order) -> dict[str, Any]:
        country = str(order.recipient.get("country_code"))
        zone = "US" if country == "US" else "EU" if country in EU else "ANY"
        carrier, service, url = CARRIERS[zone]
        number = (
            f"9400{(order.id * 104_729) % 10**18:018d}"
            if zone == "US"
            else f"LX{order.id:09d}{country}"
        )
        return {
            "id": order.id * 10 + 1,
            "carrier": carrier,
            "service": service,
            "tracking_number": number,
            "tracking_url": url + number,
            "created": order.updated,
            "ship_date": self._clock.now().date().isoformat(),
            "shipped_at": order.updated,
            "reshipment": False,
            "items": [
                {"item_id": item["id"], "quantity": item["quantity"]} for item in order.items
            ],
        }


def _methods(country: str) -> list[Method]:
    """Printful's flat rates: 5-8 days to the US and EU, slower elsewhere; express where fast."""
    if country == "US":
        return [
            Method(
                "STANDARD", "Flat Rate (Estimated delivery: 5-8 business days)", 5, 8, Decimal("1")
            ),
            Method(
                "EXPRESS", "Express (Estimated delivery: 2-3 business days)", 2, 3, Decimal("2.6")
            ),
        ]
    if country in EU:
        return [
            Method(
                "STANDARD",
                "Flat Rate (Estimated delivery: 5-8 business days)",
                5,
                8,
                Decimal("1.15"),
            ),
            Method(
                "EXPRESS", "Express (Estimated delivery: 3-4 business days)", 3, 4, Decimal("3")
            ),
        ]
    if country in {"CA", "GB", "AU"}:
        return [
            Method(
                "STANDARD",
                "Flat Rate (Estimated delivery: 7-12 business days)",
                7,
                12,
                Decimal("1.45"),
            )
        ]
    return [
        Method(
            "STANDARD", "Flat Rate (Estimated delivery: 10-20 business days)", 10, 20, Decimal("2")
        )
    ]


def _find_sync(ref: str) -> SyncProduct:
    for sync in SYNC_PRODUCTS:
        if ref == str(sync.id) or ref == f"@{sync.external_id}":
            return sync
    raise not_found("Sync product not found")


def _sync_to_catalog(sync_variant_id: int | None) -> int | None:
    for sync in SYNC_PRODUCTS:
        for sync_id, variant_id in zip(
            sync.sync_variant_ids(), sync.catalog_variant_ids, strict=True
        ):
            if sync_id == sync_variant_id:
                return variant_id
    return None
