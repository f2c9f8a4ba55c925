"""Who a flow is for, from the store's own data (never from text): new sign-ups, open
abandoned checkouts, recent orders, customers at churn risk. Each candidate carries Shopify's
``emailMarketingConsent``; the consent checks happen in ``email_flows``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, ValidationError

from nodes.customer_service.email_models import Flow, Recipient
from nodes.customer_service.loyalty import ChurnRisk, segment
from tools.customer_service.marketing import (
    AbandonedCheckout,
    MarketingCustomer,
    abandoned_checkouts,
    marketing_customers,
)
from tools.shopify import ShopifyClient
from tools.shopify.models.orders import OrderSummary

#: A welcome series goes to customers who signed up this recently.
WELCOME_DAYS = 14
#: A checkout is reminded once it is this old (the customer may still be buying)...
CART_MIN_AGE = timedelta(hours=1)
#: ...and no longer once it is this old.
CART_MAX_AGE = timedelta(days=7)
#: The post-purchase upsell follows an order after this many days, up to the second bound.
UPSELL_AFTER_DAYS = (3, 14)
MAX_ORDERS = 2000


class SkipReason(StrEnum):
    NO_CONSENT = "no email marketing consent in Shopify"
    UNSUBSCRIBED = "unsubscribed in Klaviyo"
    SUPPRESSED = "suppressed in Klaviyo"
    ALREADY_SENT = "already sent for this trigger"
    NO_EMAIL = "no email address"
    BAD_EMAIL = "email address not valid"
    TOO_EARLY = "checkout left less than an hour ago"
    TOO_LATE = "checkout older than 7 days"


class Skip(BaseModel):
    model_config = ConfigDict(frozen=True)

    who: str
    reason: SkipReason
    detail: str = ""


class Candidate(BaseModel):
    model_config = ConfigDict(frozen=True)

    recipient: Recipient
    shopify_consent: str


class Audience(BaseModel):
    model_config = ConfigDict(frozen=True)

    candidates: list[Candidate]
    skipped: list[Skip]


def _candidate(
    customer: MarketingCustomer, trigger: str, properties: dict[str, object]
) -> Candidate | Skip:
    if not customer.email:
        return Skip(who=customer.id, reason=SkipReason.NO_EMAIL)
    try:
        recipient = Recipient.model_validate(
            {
                "email": customer.email.strip().lower(),
                "first_name": (customer.first_name or "")[:200] or None,
                "trigger": trigger,
                "properties": properties,
            }
        )
    except ValidationError:
        return Skip(who=customer.id, reason=SkipReason.BAD_EMAIL)
    return Candidate(recipient=recipient, shopify_consent=customer.marketing_state)


def _split(found: list[Candidate | Skip]) -> Audience:
    candidates: dict[str, Candidate] = {}
    for item in found:
        if isinstance(item, Candidate):  # one message per customer per run: the latest trigger
            candidates[item.recipient.email] = item
    return Audience(
        candidates=sorted(candidates.values(), key=lambda c: c.recipient.email),
        skipped=[s for s in found if isinstance(s, Skip)],
    )


def welcome(customers: list[MarketingCustomer], now: datetime) -> Audience:
    since = now - timedelta(days=WELCOME_DAYS)
    fresh = sorted((c for c in customers if c.created_at >= since), key=lambda c: c.created_at)
    return _split([_candidate(c, c.id, {"signed_up_at": c.created_at.isoformat()}) for c in fresh])


def abandoned_cart(checkouts: list[AbandonedCheckout], now: datetime) -> Audience:
    found: list[Candidate | Skip] = []
    for checkout in sorted(checkouts, key=lambda c: c.created_at):
        if checkout.completed_at is not None:
            continue
        age = now - checkout.created_at
        customer = checkout.customer
        who = customer.email if customer and customer.email else checkout.name
        if age < CART_MIN_AGE:
            found.append(Skip(who=who or checkout.id, reason=SkipReason.TOO_EARLY))
        elif age > CART_MAX_AGE:
            found.append(Skip(who=who or checkout.id, reason=SkipReason.TOO_LATE))
        elif customer is None:
            found.append(Skip(who=checkout.name, reason=SkipReason.NO_EMAIL))
        else:
            properties: dict[str, object] = {
                "checkout": checkout.name,
                "recover_url": checkout.url,
                "items": list(checkout.items),
                "total": str(checkout.total),
                "currency": checkout.currency,
            }
            found.append(_candidate(customer, checkout.id, properties))
    return _split(found)


def _by_email(customers: list[MarketingCustomer]) -> dict[str, MarketingCustomer]:
    return {c.email.lower(): c for c in customers if c.email}


def _paid(order: OrderSummary) -> bool:
    status = (order.display_financial_status or "").upper()
    return (
        bool(order.email)
        and order.cancelled_at is None
        and status in {"PAID", "PARTIALLY_REFUNDED"}
    )


def _unknown(email: str) -> MarketingCustomer:
    """An order's address that is no Shopify customer: no consent on record."""
    return MarketingCustomer(
        id=f"email:{email}", email=email, created_at=datetime.min, marketing_state="NOT_SUBSCRIBED"
    )


def post_purchase(
    orders: list[OrderSummary], customers: list[MarketingCustomer], now: datetime
) -> Audience:
    low, high = (now - timedelta(days=d) for d in UPSELL_AFTER_DAYS)
    known = _by_email(customers)
    found: list[Candidate | Skip] = []
    for order in sorted((o for o in orders if _paid(o)), key=lambda o: o.created_at):
        if high <= order.created_at <= low and order.email:
            email = order.email.lower()
            properties: dict[str, object] = {"order": order.name}
            found.append(_candidate(known.get(email) or _unknown(email), order.id, properties))
    return _split(found)


def win_back(
    orders: list[OrderSummary], customers: list[MarketingCustomer], now: datetime
) -> Audience:
    known = _by_email(customers)
    latest: dict[str, OrderSummary] = {}
    for order in sorted((o for o in orders if _paid(o)), key=lambda o: o.created_at):
        latest[(order.email or "").lower()] = order
    found: list[Candidate | Skip] = []
    for value in segment(orders, now):
        if value.churn_risk is not ChurnRisk.HIGH:
            continue
        last = latest.get(value.email)
        if last is None:
            continue
        properties: dict[str, object] = {
            "last_order": last.name,
            "days_since_last_order": value.days_since_last_order,
        }
        customer = known.get(value.email) or _unknown(value.email)
        found.append(_candidate(customer, f"{last.id}:win_back", properties))
    return _split(found)


async def audience(shopify: ShopifyClient, flow: Flow, now: datetime) -> Audience:
    """Read what the flow needs from Shopify (raises ``ShopifyError``) and pick its audience."""
    if flow is Flow.ABANDONED_CART:
        return abandoned_cart(await abandoned_checkouts(shopify), now)
    customers = await marketing_customers(shopify)
    if flow is Flow.WELCOME:
        return welcome(customers, now)
    orders = [o async for o in shopify.iter_orders(limit=MAX_ORDERS)]
    if flow is Flow.POST_PURCHASE:
        return post_purchase(orders, customers, now)
    return win_back(orders, customers, now)
