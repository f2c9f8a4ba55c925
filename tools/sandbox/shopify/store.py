"""The emulated shop: its records, their indexes, and the Python API tests use to inspect it.

Everything that changes state goes through this object under ``lock``, which the HTTP endpoint
also holds while executing a request, so a test reading state never sees half a mutation.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tools.sandbox.shopify.ids import parse_gid
from tools.sandbox.shopify.marketing_seed import seed_marketing
from tools.sandbox.shopify.models import (
    DEFAULT_VARIANT_TITLE,
    ON_HAND_PARTS,
    QUANTITY_NAMES,
    AbandonedCheckout,
    AutomaticDiscount,
    Customer,
    Discount,
    Fulfillment,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryItem,
    InventoryLevel,
    LineItem,
    Location,
    Order,
    OrderTransaction,
    Product,
    ProductOption,
    ProductOptionValue,
    ProductVariant,
    Publication,
    Refund,
    Shop,
    VariantSpec,
)
from tools.sandbox.shopify.online_store import Collection, OnlineStoreTheme, seed_online_store
from tools.sandbox.shopify.seed import seed_store

#: First number handed out per resource type, so ids read like Shopify's and never collide.
_ID_BASES = {
    "Product": 1_000_001,
    "ProductVariant": 2_000_001,
    "InventoryItem": 3_000_001,
    "Customer": 4_000_001,
    "Order": 5_000_001,
    "LineItem": 6_000_001,
    "FulfillmentOrder": 7_000_001,
    "FulfillmentOrderLineItem": 7_500_001,
    "Fulfillment": 8_000_001,
    "FulfillmentLineItem": 8_500_001,
    "Refund": 9_000_001,
    "RefundLineItem": 9_500_001,
    "OrderTransaction": 10_000_001,
    "DiscountCodeNode": 11_000_001,
    "DiscountRedeemCode": 11_500_001,
    "DiscountAutomaticNode": 11_700_001,
    "MediaImage": 12_000_001,
    "ProductOption": 13_000_001,
    "ProductOptionValue": 13_500_001,
    "Metafield": 14_000_001,
    "InventoryAdjustmentGroup": 15_000_001,
    "ProductSetOperation": 16_000_001,
    "OnlineStoreTheme": 17_000_001,
    "Collection": 18_000_001,
    "AbandonedCheckout": 19_000_001,
    "AbandonedCheckoutLineItem": 19_500_001,
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def slugify(text: str) -> str:
    """Shopify's handle form of a title: lowercase words joined by hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "product"


class ShopifyStore:
    """State of the one emulated shop, seeded deterministically from ``seed``."""

    def __init__(self, seed: int, clock: Callable[[], datetime] = utc_now) -> None:
        self.lock = threading.RLock()
        self._seed = seed
        self._clock = clock
        self.reset()

    # --- lifecycle -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every change and rebuild the seeded demo shop."""
        with self.lock:
            self._counters = dict(_ID_BASES)
            self._order_numbers = 1001
            self.shop = Shop(
                number=1,
                name="Royal Equips Demo",
                email="owner@royal-demo.example.com",
                myshopify_domain="royal-demo.myshopify.com",
                currency_code="EUR",
                iana_timezone="Etc/UTC",
            )
            self.locations: dict[int, Location] = {}
            self.publications: dict[int, Publication] = {}
            self.products: dict[int, Product] = {}
            self.variants: dict[int, ProductVariant] = {}
            self.inventory_items: dict[int, InventoryItem] = {}
            self.customers: dict[int, Customer] = {}
            self.orders: dict[int, Order] = {}
            self.line_items: dict[int, LineItem] = {}
            self.fulfillment_orders: dict[int, FulfillmentOrder] = {}
            self.fulfillment_order_line_items: dict[int, FulfillmentOrderLineItem] = {}
            self.fulfillments: dict[int, Fulfillment] = {}
            self.refunds: dict[int, Refund] = {}
            self.transactions: dict[int, OrderTransaction] = {}
            self.discounts: dict[int, Discount] = {}
            self.automatic_discounts: dict[int, AutomaticDiscount] = {}
            self.product_operations: dict[str, dict[str, Any]] = {}
            self.themes: dict[int, OnlineStoreTheme] = {}
            self.collections: dict[int, Collection] = {}
            self.abandoned_checkouts: dict[int, AbandonedCheckout] = {}
            self._generated = 0
            seed_store(self, self._seed, self.now())
            seed_online_store(self, self.now())
            seed_marketing(self, self.now())

    def now(self) -> datetime:
        return self._clock().replace(microsecond=0)

    def next_number(self, kind: str) -> int:
        number = self._counters.get(kind, 1)
        self._counters[kind] = number + 1
        return number

    def next_order_number(self) -> int:
        number = self._order_numbers
        self._order_numbers += 1
        return number

    # --- well-known records --------------------------------------------------------------------

    @property
    def primary_location(self) -> Location:
        return next(iter(self.locations.values()))

    @property
    def online_store(self) -> Publication:
        return next(p for p in self.publications.values() if p.name == "Online Store")

    # --- products ------------------------------------------------------------------------------

    def handle_owner(self, handle: str) -> Product | None:
        return next((p for p in self.products.values() if p.handle == handle), None)

    def unique_handle(self, base: str, exclude: Product | None = None) -> str:
        """``base`` or, when taken, ``base-1``, ``base-2`` ... as Shopify numbers duplicates."""
        candidate, suffix = base, 0
        while (owner := self.handle_owner(candidate)) is not None and owner is not exclude:
            suffix += 1
            candidate = f"{base}-{suffix}"
        return candidate

    def create_product(
        self,
        *,
        title: str,
        handle: str | None = None,
        description_html: str = "",
        status: str = "ACTIVE",
        vendor: str = "",
        product_type: str = "",
        tags: Iterable[str] = (),
        options: list[tuple[str, list[str]]] | None = None,
        variants: list[VariantSpec] | None = None,
        created_at: datetime | None = None,
    ) -> Product:
        """Register a product; without variants it gets Shopify's single default variant."""
        at = created_at or self.now()
        product = Product(
            number=self.next_number("Product"),
            title=title,
            handle=handle or self.unique_handle(slugify(title)),
            description_html=description_html,
            status=status,
            vendor=vendor,
            product_type=product_type,
            tags=sorted(set(tags)),
            created_at=at,
            updated_at=at,
            options=[],
            variants=[],
        )
        self.products[product.number] = product
        self.set_options(product, options or [("Title", [DEFAULT_VARIANT_TITLE])])
        specs = variants or [
            VariantSpec(
                option_values=[(o.name, o.values[0].name) for o in product.options],
                price=Decimal("0.00"),
            )
        ]
        for spec in specs:
            self.add_variant(product, spec, at)
        return product

    def set_options(self, product: Product, options: list[tuple[str, list[str]]]) -> None:
        """Replace the product's options, keeping the ids of names and values that survive."""
        old = {o.name: o for o in product.options}
        result: list[ProductOption] = []
        for position, (name, values) in enumerate(options, start=1):
            previous = old.get(name)
            old_values = {v.name: v for v in previous.values} if previous else {}
            option_values = [
                old_values.get(v) or ProductOptionValue(self.next_number("ProductOptionValue"), v)
                for v in values
            ]
            number = previous.number if previous else self.next_number("ProductOption")
            result.append(ProductOption(number, name, position, option_values))
        product.options = result

    def add_variant(
        self, product: Product, spec: VariantSpec, at: datetime | None = None
    ) -> ProductVariant:
        at = at or self.now()
        variant_number = self.next_number("ProductVariant")
        item = InventoryItem(
            number=self.next_number("InventoryItem"),
            variant_number=variant_number,
            sku=spec.sku,
            unit_cost=spec.cost,
            created_at=at,
            updated_at=at,
            tracked=spec.tracked,
            requires_shipping=spec.requires_shipping,
        )
        locations = spec.quantities or {self.primary_location.number: 0}
        for location_number, available in locations.items():
            item.levels[location_number] = self.new_level(item, location_number, available, at)
        variant = ProductVariant(
            number=variant_number,
            product_number=product.number,
            price=spec.price,
            compare_at_price=spec.compare_at_price,
            position=len(product.variants) + 1,
            selected_options=list(spec.option_values),
            inventory_item=item,
            created_at=at,
            updated_at=at,
            barcode=spec.barcode,
            taxable=spec.taxable,
            inventory_policy=spec.inventory_policy,
        )
        product.variants.append(variant)
        self.variants[variant.number] = variant
        self.inventory_items[item.number] = item
        return variant

    def remove_variant(self, product: Product, variant: ProductVariant) -> None:
        product.variants.remove(variant)
        self.variants.pop(variant.number, None)
        self.inventory_items.pop(variant.inventory_item.number, None)
        for position, remaining in enumerate(product.variants, start=1):
            remaining.position = position

    @staticmethod
    def new_level(
        item: InventoryItem, location_number: int, available: int, at: datetime
    ) -> InventoryLevel:
        quantities = dict.fromkeys(QUANTITY_NAMES, 0)
        quantities["available"] = available
        quantities["on_hand"] = available
        return InventoryLevel(item.number, location_number, quantities, at)

    def set_quantity(
        self, level: InventoryLevel, name: str, quantity: int
    ) -> list[tuple[str, int, int]]:
        """Set ``available`` or ``on_hand``; the other moves by the same delta, as in Shopify."""
        other = "on_hand" if name == "available" else "available"
        delta = quantity - level.quantities[name]
        level.quantities[name] = quantity
        level.quantities[other] += delta
        level.updated_at = self.now()
        return [(name, delta, quantity), (other, delta, level.quantities[other])]

    def adjust_quantity(self, level: InventoryLevel, name: str, delta: int) -> None:
        """Move one quantity state; ``on_hand`` follows the states it is made of."""
        level.quantities[name] += delta
        if name in ON_HAND_PARTS:
            level.quantities["on_hand"] += delta
        level.updated_at = self.now()

    def product_of(self, variant: ProductVariant) -> Product:
        return self.products[variant.product_number]

    # --- orders --------------------------------------------------------------------------------

    def register_order(self, order: Order) -> None:
        self.orders[order.number] = order
        for line_item in order.line_items:
            self.line_items[line_item.number] = line_item
        for fulfillment_order in order.fulfillment_orders:
            self.fulfillment_orders[fulfillment_order.number] = fulfillment_order
            for fo_line in fulfillment_order.line_items:
                self.fulfillment_order_line_items[fo_line.number] = fo_line
        for fulfillment in order.fulfillments:
            self.fulfillments[fulfillment.number] = fulfillment
        for transaction in order.transactions:
            self.transactions[transaction.number] = transaction
        for refund in order.refunds:
            self.refunds[refund.number] = refund

    def orders_of(self, customer: Customer) -> list[Order]:
        return [o for o in self.orders.values() if o.customer_number == customer.number]

    # --- Python API for tests ------------------------------------------------------------------

    def add_generated_products(self, n: int) -> list[str]:
        """Add ``n`` simple ACTIVE products (one variant each) and return their ids."""
        with self.lock:
            created: list[str] = []
            base = self.now() - timedelta(days=30)
            for _ in range(n):
                self._generated += 1
                index = self._generated
                product = self.create_product(
                    title=f"Generated Product {index:04d}",
                    description_html=f"<p>Bulk catalog item {index}.</p>",
                    vendor="Royal Generated",
                    product_type="Generated",
                    tags=["generated"],
                    variants=[
                        VariantSpec(
                            option_values=[("Title", DEFAULT_VARIANT_TITLE)],
                            price=Decimal(10 + index % 90) + Decimal("0.99"),
                            sku=f"GEN-{index:05d}",
                            cost=Decimal(4 + index % 40),
                            quantities={self.primary_location.number: index % 50},
                        )
                    ],
                    created_at=base + timedelta(seconds=index),
                )
                product.publications[self.online_store.number] = product.created_at
                created.append(product.id)
            return created

    def product(self, product_id: str) -> Product | None:
        """The product with this global id, if any."""
        with self.lock:
            kind, number = parse_gid(product_id)
            return self.products.get(number) if kind == "Product" else None

    def product_by_handle(self, handle: str) -> Product | None:
        with self.lock:
            return self.handle_owner(handle)

    def variant(self, variant_id: str) -> ProductVariant | None:
        with self.lock:
            kind, number = parse_gid(variant_id)
            return self.variants.get(number) if kind == "ProductVariant" else None

    def order(self, order_id: str) -> Order | None:
        with self.lock:
            kind, number = parse_gid(order_id)
            return self.orders.get(number) if kind == "Order" else None

    def order_by_name(self, name: str) -> Order | None:
        with self.lock:
            return next((o for o in self.orders.values() if o.name == name), None)

    def published_publications(self, product_id: str) -> list[str]:
        """Names of the publications (sales channels) the product is published on."""
        with self.lock:
            product = self.product(product_id)
            if product is None:
                raise KeyError(product_id)
            return [self.publications[n].name for n in sorted(product.publications)]

    def inventory_quantity(
        self, inventory_item_id: str, location_id: str, name: str = "available"
    ) -> int | None:
        """A quantity of an item at a location; ``None`` when the item is not stocked there."""
        with self.lock:
            _, item_number = parse_gid(inventory_item_id)
            _, location_number = parse_gid(location_id)
            item = self.inventory_items.get(item_number)
            if item is None:
                raise KeyError(inventory_item_id)
            level = item.levels.get(location_number)
            return None if level is None else level.quantities[name]

    def refunds_for_order(self, order_id: str) -> list[Refund]:
        with self.lock:
            order = self.order(order_id)
            if order is None:
                raise KeyError(order_id)
            return list(order.refunds)

    def fulfillments_for_order(self, order_id: str) -> list[Fulfillment]:
        with self.lock:
            order = self.order(order_id)
            if order is None:
                raise KeyError(order_id)
            return list(order.fulfillments)

    def discount_by_code(self, code: str) -> Discount | None:
        with self.lock:
            wanted = code.casefold()
            return next((d for d in self.discounts.values() if d.code.casefold() == wanted), None)

    def summary(self) -> dict[str, int]:
        """Record counts, for the admin endpoint and quick sanity checks."""
        with self.lock:
            return {
                "products": len(self.products),
                "activeProducts": sum(p.status == "ACTIVE" for p in self.products.values()),
                "variants": len(self.variants),
                "customers": len(self.customers),
                "orders": len(self.orders),
                "locations": len(self.locations),
                "publications": len(self.publications),
                "refunds": len(self.refunds),
                "fulfillments": len(self.fulfillments),
                "discounts": len(self.discounts),
                "automaticDiscounts": len(self.automatic_discounts),
            }
