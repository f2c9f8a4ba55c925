"""The CJ sandbox's state: the seeded catalog with stock per warehouse, and orders.

Orders move one step per ``getOrderDetail`` read (CREATED, IN_CART, UNSHIPPED, then SHIPPED
with a tracking number), so a test can walk an order to delivery deterministically; an order
created with ``payType`` 3 ("create only") stays CREATED.
"""

from __future__ import annotations

import json
import random
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tools.sandbox.cj.catalog import (
    FAILING_SUPPLIER,
    IMAGE_BASE,
    PRODUCTS,
    ProductSeed,
    Route,
    category_id,
)
from tools.sandbox.cj.errors import (
    LOGISTIC_NOT_FOUND,
    ORDER_CREATE_FAIL,
    ORDER_NOT_FOUND,
    PRODUCT_NOT_FOUND,
    VARIANT_NOT_FOUND,
    CJError,
)
from tools.sandbox.cj.gate import CHINA
from tools.sandbox.cj.inputs import CreateOrder, Freight, OrderProduct
from tools.sandbox.clock import EmulatorClock
from tools.sandbox.ledger import MutationLedger

PROGRESSION = ("CREATED", "IN_CART", "UNSHIPPED", "SHIPPED")
SIZED_OPTIONS = frozenset({"Size", "Model"})
SIZE_STEP = Decimal("0.60")
WAREHOUSE_NAMES = {"CN": "China Warehouse", "US": "US Warehouse"}
LAST_MILE = {"US": "USPS", "GB": "Royal Mail", "DE": "DHL Paket", "FR": "La Poste", "NL": "PostNL"}
TRACKING_PREFIX = {
    "CJPacket Ordinary": "CJPKL",
    "DHL Official": "JD0146",
    "USPS+": "9400111",
    "China Post Registered Air Mail": "LY",
    "Cainiao Super Economy Global": "LP00",
}
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Variant:
    product: ProductSeed
    values: tuple[str, ...]
    index: int

    @property
    def vid(self) -> str:
        return self.product.vid(self.values)

    @property
    def sku(self) -> str:
        return f"{product_sku(self.product)}{self.index + 1:02d}"

    @property
    def price(self) -> Decimal:
        steps = sum(
            values.index(value)
            for (name, values), value in zip(self.product.options, self.values, strict=True)
            if name in SIZED_OPTIONS
        )
        return self.product.price + SIZE_STEP * steps


@dataclass
class Order:
    order_id: str
    order_number: str
    request: CreateOrder
    lines: list[tuple[Variant, int]]
    route: Route
    postage: Decimal
    created: datetime
    step: int = 0
    track_number: str | None = None
    paid: datetime | None = field(default=None)

    @property
    def status(self) -> str:
        return PROGRESSION[self.step]

    @property
    def product_amount(self) -> Decimal:
        return sum((variant.price * quantity for variant, quantity in self.lines), Decimal("0"))


class CJStore:
    def __init__(self, seed: int, ledger: MutationLedger, clock: EmulatorClock) -> None:
        self._seed = seed
        self._ledger = ledger
        self._clock = clock
        self._lock = threading.Lock()
        self.products = {product.pid: product for product in PRODUCTS}
        self.variants = {
            variant.vid: variant
            for product in PRODUCTS
            for index, values in enumerate(product.variant_values())
            for variant in [Variant(product, values, index)]
        }
        self.reset()

    def reset(self) -> None:
        with self._lock:
            rng = random.Random(f"cj:{self._seed}")
            self.stock: dict[str, dict[str, int]] = {}
            for vid, variant in self.variants.items():
                self.stock[vid] = {
                    country: 0
                    if variant.values in variant.product.sold_out
                    else _seeded(rng, country, variant)
                    for country in variant.product.warehouses
                }
            self.orders: dict[str, Order] = {}
            self._by_number: dict[str, str] = {}
            self._next_order = 2_600_000_000_000_000 + (self._seed % 1000) * 10_000

    # --- catalog ---------------------------------------------------------------------------
    def search(
        self,
        *,
        keyword: str,
        category: str | None,
        start_price: Decimal | None,
        end_price: Decimal | None,
        country: str | None,
    ) -> list[ProductSeed]:
        wanted = _words(keyword)
        hits = []
        for product in PRODUCTS:
            low = min(v.price for v in self._variants_of(product))
            if wanted and not wanted <= _words(" ".join((product.name, *product.category))):
                continue
            if category and category not in _category_ids(product):
                continue
            if start_price is not None and low < start_price:
                continue
            if end_price is not None and low > end_price:
                continue
            if country and country not in product.warehouses:
                continue
            hits.append(product)
        return hits

    def list_record(self, product: ProductSeed, *, with_description: bool) -> dict[str, Any]:
        """One ``listV2`` entry."""
        one, two, three = product.category
        vendor = product.vendor
        record: dict[str, Any] = {
            "id": product.pid,
            "nameEn": product.name,
            "sku": product_sku(product),
            "bigImage": f"{IMAGE_BASE}/{product.slug}.jpg",
            "sellPrice": self._sell_price(product),
            "nowPrice": None,
            "listedNum": product.review_count * 3,
            "categoryId": category_id(one, two, three),
            "oneCategoryName": one,
            "twoCategoryName": two,
            "threeCategoryName": three,
            "warehouseInventoryNum": sum(
                sum(self.stock[v.vid].values()) for v in self._variants_of(product)
            ),
            "deliveryCycle": f"{vendor.shipping_days_min}-{vendor.shipping_days_max}",
            "productType": "SUPPLIER_PRODUCT",
            **self._supplier_fields(product),
        }
        if with_description:
            record["description"] = product.description
        return record

    def find_product(
        self, *, pid: str | None, sku: str | None, variant_sku: str | None
    ) -> ProductSeed:
        for product in PRODUCTS:
            if (
                (pid and product.pid == pid)
                or (sku and product_sku(product) == sku)
                or (variant_sku and any(v.sku == variant_sku for v in self._variants_of(product)))
            ):
                return product
        raise CJError(404, PRODUCT_NOT_FOUND, "Product not found")

    def product_record(self, product: ProductSeed) -> dict[str, Any]:
        """``product/query``."""
        images = [f"{IMAGE_BASE}/{product.slug}.jpg", f"{IMAGE_BASE}/{product.slug}-2.jpg"]
        return {
            "pid": product.pid,
            "productNameEn": product.name,
            "productSku": product_sku(product),
            "productImage": json.dumps(images),
            "bigImage": images[0],
            "productWeight": str(product.weight_grams),
            "productUnit": "unit(s)",
            "productType": "SUPPLIER_PRODUCT",
            "categoryId": category_id(*product.category),
            "categoryName": product.category[2],
            "productKeyEn": "-".join(name for name, _ in product.options),
            "sellPrice": self._sell_price(product),
            "suggestSellPrice": str(
                (min(v.price for v in self._variants_of(product)) * 3).quantize(Decimal("0.01"))
            ),
            "listedNum": product.review_count * 3,
            "status": "3",
            "description": product.description,
            "variants": [self.variant_record(v) for v in self._variants_of(product)],
            **self._supplier_fields(product),
        }

    def variant(self, vid: str) -> Variant:
        variant = self.variants.get(vid)
        if variant is None:
            raise CJError(404, VARIANT_NOT_FOUND, "Variant not found")
        return variant

    def variant_record(self, variant: Variant) -> dict[str, Any]:
        return {
            "vid": variant.vid,
            "pid": variant.product.pid,
            "variantNameEn": f"{variant.product.name} {' '.join(variant.values)}",
            "variantSku": variant.sku,
            "variantUnit": "unit(s)",
            "variantKey": "-".join(variant.values),
            "variantImage": f"{IMAGE_BASE}/{variant.product.slug}-{variant.index + 1}.jpg",
            "variantWeight": variant.product.weight_grams,
            "variantSellPrice": variant.price,
            "variantSugSellPrice": (variant.price * 3).quantize(Decimal("0.01")),
        }

    def variants_of(self, product: ProductSeed) -> list[dict[str, Any]]:
        return [self.variant_record(v) for v in self._variants_of(product)]

    def stock_rows(self, vid: str) -> list[dict[str, Any]]:
        """``product/stock/queryByVid``: per-warehouse counts."""
        self.variant(vid)
        with self._lock:
            counts = dict(self.stock[vid])
        return [
            {
                "vid": vid,
                "areaId": {"CN": 2, "US": 4}.get(country, 9),
                "areaEn": WAREHOUSE_NAMES.get(country, f"{country} Warehouse"),
                "countryCode": country,
                "totalInventoryNum": count,
                "cjInventoryNum": 0,
                "factoryInventoryNum": count,
                "storageNum": count,
            }
            for country, count in counts.items()
        ]

    def categories(self) -> list[dict[str, Any]]:
        tree: dict[str, dict[str, list[str]]] = {}
        for product in PRODUCTS:
            one, two, three = product.category
            leaves = tree.setdefault(one, {}).setdefault(two, [])
            if three not in leaves:
                leaves.append(three)
        return [
            {
                "categoryFirstName": one,
                "categoryFirstList": [
                    {
                        "categorySecondName": two,
                        "categorySecondList": [
                            {"categoryId": category_id(one, two, three), "categoryName": three}
                            for three in leaves
                        ],
                    }
                    for two, leaves in seconds.items()
                ],
            }
            for one, seconds in tree.items()
        ]

    # --- freight ---------------------------------------------------------------------------
    def freight(self, request: Freight) -> list[dict[str, Any]]:
        """``logistic/freightCalculate``: the routes every product's supplier offers."""
        return [
            {
                "logisticAging": f"{route.min_days}-{route.max_days}",
                "logisticPrice": price,
                "logisticPriceCn": (price * Decimal("7.2")).quantize(Decimal("0.01")),
                "logisticName": route.name,
            }
            for route, price in self._routes(
                request.startCountryCode, request.endCountryCode, request.products
            )
        ]

    def _routes(
        self, origin: str, destination: str, lines: list[OrderProduct]
    ) -> list[tuple[Route, Decimal]]:
        variants = [(self.variant(line.vid), line.quantity) for line in lines]
        if any(origin not in variant.product.warehouses for variant, _ in variants):
            return []
        grams = sum(variant.product.weight_grams * quantity for variant, quantity in variants)
        vendors = {variant.product.vendor for variant, _ in variants}
        if len(vendors) != 1:
            return []  # different suppliers ship separately; quote them one by one
        (vendor,) = vendors
        return [
            (route, route.price(grams, destination))
            for route in vendor.routes
            if route.serves(origin, destination)
        ]

    # --- orders ----------------------------------------------------------------------------
    def create_order(self, request: CreateOrder) -> tuple[dict[str, Any], bool]:
        """``shopping/order/createOrderV2``; a repeated ``orderNumber`` returns the first order."""
        with self._lock:
            existing = self._by_number.get(request.orderNumber)
            if existing is not None:
                return self._created_record(self.orders[existing]), False
            routes = {
                route.name: (route, price)
                for route, price in self._routes(
                    request.fromCountryCode, request.shippingCountryCode, request.products
                )
            }
            if request.logisticName not in routes:
                raise CJError(
                    400,
                    LOGISTIC_NOT_FOUND,
                    f"Logistic not found: {request.logisticName} from "
                    f"{request.fromCountryCode} to {request.shippingCountryCode}",
                )
            lines = [(self.variant(line.vid), line.quantity) for line in request.products]
            for variant, quantity in lines:
                available = self.stock[variant.vid].get(request.fromCountryCode, 0)
                if available < quantity:
                    raise CJError(
                        400,
                        ORDER_CREATE_FAIL,
                        f"Order create fail: insufficient inventory for {variant.sku} "
                        f"in {request.fromCountryCode} ({available} left)",
                    )
            for variant, quantity in lines:
                self.stock[variant.vid][request.fromCountryCode] -= quantity
            route, postage = routes[request.logisticName]
            self._next_order += 1
            order = Order(
                order_id=str(self._next_order),
                order_number=request.orderNumber,
                request=request,
                lines=lines,
                route=route,
                postage=postage,
                created=self._clock.now().astimezone(CHINA).replace(microsecond=0),
            )
            self.orders[order.order_id] = order
            self._by_number[order.order_number] = order.order_id
            self._ledger.record("cj", "createOrderV2", order.order_number)
            return self._created_record(order), True

    def read_order(self, order_id: str) -> dict[str, Any]:
        """``shopping/order/getOrderDetail``: each read moves a paid order one step on."""
        with self._lock:
            order = self._order(order_id)
            if order.request.payType != 3 and order.step < len(PROGRESSION) - 1:
                order.step += 1
                if order.status == "IN_CART":
                    order.paid = self._clock.now().astimezone(CHINA).replace(microsecond=0)
                if order.status == "SHIPPED":
                    order.track_number = self._tracking_number(order)
            return self._detail_record(order)

    def list_orders(self, page: int, size: int) -> dict[str, Any]:
        with self._lock:
            orders = list(self.orders.values())
            chunk = orders[(page - 1) * size : page * size]
            return {
                "pageNum": page,
                "pageSize": size,
                "total": len(orders),
                "list": [self._detail_record(order) for order in chunk],
            }

    def track(self, track_number: str) -> list[dict[str, Any]]:
        """``logistic/getTrackInfo``."""
        with self._lock:
            order = next((o for o in self.orders.values() if o.track_number == track_number), None)
            if order is None:
                return []
            destination = order.request.shippingCountryCode
            return [
                {
                    "trackingNumber": track_number,
                    "logisticName": order.route.name,
                    "trackingFrom": order.request.fromCountryCode,
                    "trackingTo": destination,
                    "deliveryDay": f"{order.route.min_days}-{order.route.max_days}",
                    "deliveryTime": "",
                    "trackingStatus": "In transit",
                    "lastMileCarrier": LAST_MILE.get(destination, "Local Post"),
                    "lastTrackNumber": track_number,
                }
            ]

    def _order(self, order_id: str) -> Order:
        key = order_id if order_id in self.orders else self._by_number.get(order_id)
        if key is None:
            raise CJError(404, ORDER_NOT_FOUND, "Order not found, Please check the CJ order id")
        return self.orders[key]

    def _created_record(self, order: Order) -> dict[str, Any]:
        return {
            "orderId": order.order_id,
            "orderNumber": order.order_number,
            "shippingTotal": order.postage,
            "productAmount": order.product_amount,
            "postageAmount": order.postage,
            "orderAmount": order.product_amount + order.postage,
            "orderStatus": order.status,
            "cjPayUrl": (
                f"https://cj-sandbox.example/pay/{order.order_id}"
                if order.request.payType in (None, 1)
                else None
            ),
            "productInfoList": [
                {"vid": variant.vid, "quantity": quantity, "sellPrice": variant.price}
                for variant, quantity in order.lines
            ],
        }

    def _detail_record(self, order: Order) -> dict[str, Any]:
        request = order.request
        return {
            "orderId": order.order_id,
            "orderNum": order.order_number,
            "cjOrderId": order.order_id,
            "shippingCountryCode": request.shippingCountryCode,
            "shippingProvince": request.shippingProvince or "",
            "shippingCity": request.shippingCity,
            "shippingAddress": request.shippingAddress,
            "shippingCustomerName": request.shippingCustomerName,
            "shippingPhone": request.shippingPhone or "",
            "remark": request.remark or "",
            "logisticName": order.route.name,
            "trackNumber": order.track_number,
            "orderWeight": sum(v.product.weight_grams * q for v, q in order.lines),
            "productAmount": order.product_amount,
            "postageAmount": order.postage,
            "orderAmount": order.product_amount + order.postage,
            "orderStatus": order.status,
            "createDate": order.created.isoformat(),
            "paymentDate": order.paid.isoformat() if order.paid else None,
            "productList": [
                {"vid": variant.vid, "quantity": quantity, "sellPrice": variant.price}
                for variant, quantity in order.lines
            ],
        }

    def _tracking_number(self, order: Order) -> str:
        prefix = TRACKING_PREFIX.get(order.route.name, "CJ")
        digits = f"{(int(order.order_id) * 7919) % 10**10:010d}"
        suffix = "CN" if prefix in {"LY", "LP00"} else ""
        return f"{prefix}{digits}{suffix}"

    def _variants_of(self, product: ProductSeed) -> list[Variant]:
        return [self.variants[product.vid(values)] for values in product.variant_values()]

    def _sell_price(self, product: ProductSeed) -> str:
        prices = [v.price for v in self._variants_of(product)]
        low, high = min(prices), max(prices)
        return f"{low:.2f}" if low == high else f"{low:.2f} -- {high:.2f}"

    def _supplier_fields(self, product: ProductSeed) -> dict[str, Any]:
        return {
            "supplierName": product.vendor.name,
            "supplierId": product.vendor.supplier_id,
            "supplierInfo": product.vendor.info(),
            "reviewScore": product.review_score,
            "reviewCount": product.review_count,
        }


def product_sku(product: ProductSeed) -> str:
    return f"CJSB{PRODUCTS.index(product) + 1:04d}"


def _category_ids(product: ProductSeed) -> set[str]:
    one, two, three = product.category
    return {category_id(one), category_id(one, two), category_id(one, two, three)}


def _seeded(rng: random.Random, country: str, variant: Variant) -> int:
    low, high = (300, 4000) if country == "CN" else (25, 400)
    if variant.product.vendor is FAILING_SUPPLIER:
        low, high = low * 3, high * 5
    return rng.randint(low, high)


def _words(text: str) -> set[str]:
    return {w.removesuffix("s") if len(w) > 3 else w for w in _WORD.findall(text.lower())}
