"""The store's orders as the books need them: one Shopify read per page of five orders.

Each order comes with its money (total, refunded), destination country (for VAT), processing
fees (``OrderTransaction.fees``), and per line the units, unit price and Shopify's unit cost
(the cost of goods when no supplier order was placed through us).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict

from tools.shopify import ShopifyClient
from tools.shopify.filters import OrderFilter
from tools.shopify.pagination import connection

PAGE = 5
_BOOKS = """
query Books($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query) {
    nodes {
      id
      name
      createdAt
      cancelledAt
      displayFinancialStatus
      totalPriceSet { shopMoney { amount currencyCode } }
      totalRefundedSet { shopMoney { amount } }
      shippingAddress { countryCodeV2 }
      transactions(first: 5) { kind status fees { amount { amount } } }
      lineItems(first: 10) {
        nodes {
          id
          title
          sku
          quantity
          originalUnitPriceSet { shopMoney { amount } }
          variant { inventoryItem { unitCost { amount } } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

#: Financial statuses whose money was captured (what counts as a sale).
CAPTURED = frozenset({"PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "REFUNDED"})


class BookLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    sku: str | None
    quantity: int
    unit_price: Decimal
    unit_cost: Decimal | None


class BookOrder(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    created_at: AwareDatetime
    cancelled: bool
    financial_status: str
    currency: str
    total: Decimal
    refunded: Decimal
    country: str | None
    fees: Decimal
    lines: list[BookLine]

    @property
    def captured(self) -> bool:
        return not self.cancelled and self.financial_status in CAPTURED


def _amount(value: Any, *path: str) -> Decimal | None:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return None if value is None else Decimal(str(value))


def _order(raw: dict[str, Any]) -> BookOrder:
    fees = sum(
        (
            _amount(fee, "amount", "amount") or Decimal(0)
            for transaction in raw.get("transactions") or []
            for fee in transaction.get("fees") or []
        ),
        Decimal(0),
    )
    lines = [
        BookLine(
            id=line["id"],
            title=line["title"],
            sku=line.get("sku"),
            quantity=int(line["quantity"]),
            unit_price=_amount(line, "originalUnitPriceSet", "shopMoney", "amount") or Decimal(0),
            unit_cost=_amount(line, "variant", "inventoryItem", "unitCost", "amount"),
        )
        for line in (raw.get("lineItems") or {}).get("nodes") or []
    ]
    money = raw["totalPriceSet"]["shopMoney"]
    return BookOrder(
        id=raw["id"],
        name=raw["name"],
        created_at=raw["createdAt"],
        cancelled=raw.get("cancelledAt") is not None,
        financial_status=raw.get("displayFinancialStatus") or "",
        currency=money["currencyCode"],
        total=Decimal(str(money["amount"])),
        refunded=_amount(raw, "totalRefundedSet", "shopMoney", "amount") or Decimal(0),
        country=(raw.get("shippingAddress") or {}).get("countryCodeV2"),
        fees=fees,
        lines=lines,
    )


async def read_books(shopify: ShopifyClient, start: datetime, end: datetime) -> list[BookOrder]:
    """Every order created in ``[start, end)``, oldest first."""
    search = OrderFilter(created_from=start, created_until=end).to_query()
    orders: list[BookOrder] = []
    cursor: str | None = None
    while True:
        variables: dict[str, Any] = {"first": PAGE, "query": search}
        if cursor:
            variables["after"] = cursor
        data = await shopify.execute(_BOOKS, variables)
        nodes, page = connection(data, ["orders"])
        orders.extend(_order(node) for node in nodes)
        if not page.has_next_page or not page.end_cursor or not nodes:
            break
        cursor = page.end_cursor
    return sorted(orders, key=lambda order: order.created_at)
