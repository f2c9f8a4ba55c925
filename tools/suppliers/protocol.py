"""The one interface every supplier adapter implements; nodes depend on it, not on adapters."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol, runtime_checkable

from tools.suppliers.models import (
    Address,
    CatalogItem,
    OrderLine,
    ShippingQuote,
    StockLevel,
    SupplierKey,
    SupplierOrder,
    SupplierOrderRequest,
    SupplierProduct,
    SupplierProfile,
)

DEFAULT_SEARCH_LIMIT = 20


@runtime_checkable
class Supplier(Protocol):
    """A dropshipping supplier: catalog, stock, freight, and orders that are placed once."""

    key: SupplierKey

    @property
    def base_url(self) -> str:
        """Where requests go: the real API or the sandbox."""
        ...

    async def search_catalog(
        self, query: str, *, max_price: Decimal | None = None, limit: int = DEFAULT_SEARCH_LIMIT
    ) -> list[CatalogItem]:
        """Products matching ``query`` whose lowest variant cost is at most ``max_price``."""
        ...

    async def get_product(self, product_id: str) -> SupplierProduct:
        """The product with its variants; ``SupplierNotFoundError`` for an unknown id."""
        ...

    async def get_stock(self, variant_id: str) -> StockLevel:
        """Stock of one variant per warehouse."""
        ...

    async def quote_shipping(
        self, items: Sequence[OrderLine], destination: Address
    ) -> list[ShippingQuote]:
        """Every shipping method the supplier offers for ``items`` to ``destination``."""
        ...

    async def place_order(
        self, order: SupplierOrderRequest, *, idempotency_key: str
    ) -> SupplierOrder:
        """Place ``order`` once: repeating the call with the same key returns the same order."""
        ...

    async def get_order(self, order_id: str) -> SupplierOrder:
        """Status and tracking of an order placed with this supplier."""
        ...

    async def find_order(self, idempotency_key: str) -> SupplierOrder | None:
        """The order ``place_order`` placed with ``idempotency_key``, or None: a read, for
        telling whether a placement whose answer was lost reached the supplier."""
        ...

    async def profile(self) -> SupplierProfile:
        """Which platform this adapter talks to, in which mode and limits, and whether it answers.

        The probe is one cheap call with no retries; it raises when the supplier does not answer
        or refuses the credential, and never spends CJ's once-per-5-minutes token call.
        """
        ...

    async def aclose(self) -> None:
        """Release the HTTP connections."""
        ...
