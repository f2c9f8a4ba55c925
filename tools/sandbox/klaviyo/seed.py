"""The demo Klaviyo account: a profile for every customer of the seeded Shopify shop, with the
consent Klaviyo's Shopify integration syncs, plus what only Klaviyo knows — a customer who
clicked "unsubscribe" in an earlier email and an address that hard-bounced."""

from __future__ import annotations

from tools.sandbox.klaviyo.store import KlaviyoStore
from tools.sandbox.shopify.store import ShopifyStore

#: Shopify's consent -> Klaviyo's.
_CONSENT = {"SUBSCRIBED": "SUBSCRIBED", "UNSUBSCRIBED": "UNSUBSCRIBED"}
#: By position among the shop's customers (see tools/sandbox/shopify/marketing_seed.py).
UNSUBSCRIBED_IN_KLAVIYO = 2
HARD_BOUNCED = 8


def seed_store(store: KlaviyoStore, seed: int) -> None:
    customers = sorted(ShopifyStore(seed).customers.values(), key=lambda c: c.number)
    for position, customer in enumerate(customers):
        consent = _CONSENT.get(customer.email_marketing_state, "NEVER_SUBSCRIBED")
        suppression: list[dict[str, str]] = []
        if position == UNSUBSCRIBED_IN_KLAVIYO:
            consent = "UNSUBSCRIBED"
            suppression = [{"reason": "USER_SUPPRESSED", "timestamp": "2026-11-02T09:14:00Z"}]
        if position == HARD_BOUNCED:
            suppression = [{"reason": "HARD_BOUNCE", "timestamp": "2026-10-20T17:40:00Z"}]
        store.add_profile(
            customer.email,
            customer.first_name,
            customer.last_name,
            consent=consent,
            suppression=suppression,
        )
