"""Shopify reads the email marketing agent needs: customers with their
``emailMarketingConsent`` and the store's open abandoned checkouts.

Both are paged through in full (up to ``limit``) and filtered by code; no customer text is
ever spliced into a search query.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools.shopify import ShopifyClient

PAGE = 100
#: Checkouts carry their lines and customer: smaller pages stay under the query cost limit.
CHECKOUT_PAGE = 25

_CUSTOMER_FIELDS = """
      id
      firstName
      lastName
      email
      createdAt
      emailMarketingConsent { marketingState }
"""

_CUSTOMERS = f"""
query MarketingCustomers($first: Int!, $after: String) {{
  customers(first: $first, after: $after, sortKey: ID) {{
    nodes {{ {_CUSTOMER_FIELDS} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

_CHECKOUTS = f"""
query AbandonedCheckouts($first: Int!, $after: String) {{
  abandonedCheckouts(first: $first, after: $after, query: "status:open", sortKey: CREATED_AT) {{
    nodes {{
      id
      name
      abandonedCheckoutUrl
      createdAt
      completedAt
      totalPriceSet {{ shopMoney {{ amount currencyCode }} }}
      lineItems(first: 5) {{ nodes {{ title variantTitle quantity }} }}
      customer {{ {_CUSTOMER_FIELDS} }}
    }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""


class MarketingCustomer(BaseModel):
    """A customer as the email agent sees them: address, name, and Shopify's consent."""

    model_config = ConfigDict(frozen=True)

    id: str
    email: str | None
    first_name: str | None = None
    created_at: datetime
    marketing_state: str = Field(description="emailMarketingConsent.marketingState")


class AbandonedCheckout(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    url: str
    created_at: datetime
    completed_at: datetime | None
    total: Decimal
    currency: str
    items: list[str]
    customer: MarketingCustomer | None


def _customer(raw: dict[str, Any] | None) -> MarketingCustomer | None:
    if not raw:
        return None
    consent = raw.get("emailMarketingConsent") or {}
    return MarketingCustomer(
        id=raw["id"],
        email=(raw.get("email") or None),
        first_name=raw.get("firstName"),
        created_at=raw["createdAt"],
        marketing_state=str(consent.get("marketingState") or "NOT_SUBSCRIBED"),
    )


def _checkout(raw: dict[str, Any]) -> AbandonedCheckout:
    money = (raw.get("totalPriceSet") or {}).get("shopMoney") or {}
    lines = (raw.get("lineItems") or {}).get("nodes") or []
    return AbandonedCheckout(
        id=raw["id"],
        name=raw.get("name") or raw["id"],
        url=raw["abandonedCheckoutUrl"],
        created_at=raw["createdAt"],
        completed_at=raw.get("completedAt"),
        total=Decimal(str(money.get("amount") or "0")),
        currency=str(money.get("currencyCode") or "EUR"),
        items=[
            f"{line['quantity']} × {line['title']}"
            + (
                f" ({line['variantTitle']})"
                if line.get("variantTitle") not in (None, "", "Default Title")
                else ""
            )
            for line in lines
        ],
        customer=_customer(raw.get("customer")),
    )


async def _pages(
    client: ShopifyClient, document: str, root: str, limit: int, page_size: int = PAGE
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after: str | None = None
    while len(found) < limit:
        data = await client.execute(
            document, {"first": min(page_size, limit - len(found)), "after": after}
        )
        connection = data.get(root) or {}
        found.extend(connection.get("nodes") or [])
        page = connection.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            break
        after = page.get("endCursor")
    return found


async def marketing_customers(client: ShopifyClient, limit: int = 5000) -> list[MarketingCustomer]:
    """Every customer (up to ``limit``) with their email marketing consent."""
    raw = await _pages(client, _CUSTOMERS, "customers", limit)
    return [c for c in (_customer(r) for r in raw) if c is not None]


async def abandoned_checkouts(client: ShopifyClient, limit: int = 1000) -> list[AbandonedCheckout]:
    """Open (not completed) abandoned checkouts, oldest first."""
    raw = await _pages(client, _CHECKOUTS, "abandonedCheckouts", limit, CHECKOUT_PAGE)
    return [_checkout(r) for r in raw]
