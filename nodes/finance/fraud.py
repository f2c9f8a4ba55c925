"""Fraud Detection: a deterministic score per order from Shopify's own risk assessment and
the finance policy's signals. The score never decides alone: it becomes the ``confidence`` of
the ``order.release`` action, which the risk policy rates (a risky release waits for a human).

The customer's note is never read here: text cannot lower (or raise) an order's risk.
"""

from __future__ import annotations

from decimal import Decimal

from nodes.finance.models import FraudAssessment
from nodes.finance.orders import FulfilmentOrder
from policies.finance import FraudRules


def assess(
    order: FulfilmentOrder,
    rules: FraudRules,
    *,
    total_eur: Decimal,
    orders_today_by_email: int,
    orders_ever_by_email: int,
) -> FraudAssessment:
    scores = rules.scores
    signals: list[tuple[int, str]] = []
    shipping = order.shipping
    ship_country = (shipping.country_code if shipping else None) or ""
    if order.billing_country and ship_country and order.billing_country != ship_country:
        signals.append(
            (
                scores.country_mismatch,
                f"billing country {order.billing_country} differs from shipping country "
                f"{ship_country}",
            )
        )
    if orders_ever_by_email <= 1 and total_eur > rules.high_value_eur:
        signals.append(
            (
                scores.high_value_first_order,
                f"first order of this customer and worth €{total_eur} (over "
                f"€{rules.high_value_eur})",
            )
        )
    if orders_today_by_email > rules.max_orders_per_day:
        signals.append(
            (
                scores.velocity,
                f"{orders_today_by_email} orders from {order.email} today (more than "
                f"{rules.max_orders_per_day})",
            )
        )
    domain = (order.email or "").rpartition("@")[2].lower()
    if domain and domain in {d.lower() for d in rules.disposable_domains}:
        signals.append((scores.disposable_email, f"disposable email domain {domain}"))
    if shipping is not None:
        key = f"{shipping.address1 or ''}, {shipping.zip or ''}".strip().lower()
        if key in {a.lower() for a in rules.blocked_addresses}:
            signals.append((scores.blocked_address, "shipping address is on the block list"))
    if order.shopify_risk == "HIGH":
        signals.append((scores.shopify_high, "Shopify rates the order HIGH risk"))
    elif order.shopify_risk == "MEDIUM":
        signals.append((scores.shopify_medium, "Shopify rates the order MEDIUM risk"))
    signals.extend((0, f"Shopify: {fact}") for fact in order.shopify_facts)
    score = min(100, sum(points for points, _ in signals))
    return FraudAssessment(
        score=score,
        flagged=score >= rules.flag_at_score,
        signals=[text for _, text in signals],
        shopify_risk=order.shopify_risk,
    )
