"""Lifetime value, VIPs and churn risk from orders: recency against each customer's own rhythm."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from nodes.customer_service.loyalty import ChurnRisk, segment
from tools.shopify.models.orders import OrderSummary

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def _order(email: str, days_ago: float, amount: str, status: str = "PAID") -> OrderSummary:
    raw: dict[str, Any] = {
        "id": "gid://shopify/Order/1",
        "name": "#1",
        "email": email,
        "createdAt": (NOW - timedelta(days=days_ago)).isoformat(),
        "currencyCode": "EUR",
        "displayFinancialStatus": status,
        "displayFulfillmentStatus": "FULFILLED",
        "totalPriceSet": {"shopMoney": {"amount": amount, "currencyCode": "EUR"}},
    }
    return OrderSummary.model_validate(raw)


def test_vips_are_the_top_spenders_above_the_floor_and_churn_follows_the_rhythm() -> None:
    orders = [
        # weekly buyer, quiet for 40 days: at risk
        *(_order("weekly@example.com", 40 + 7 * i, "80.00") for i in range(4)),
        # monthly buyer, last order 20 days ago: fine
        *(_order("monthly@example.com", 20 + 30 * i, "30.00") for i in range(3)),
        _order("once-old@example.com", 60, "20.00"),
        _order("once-new@example.com", 3, "500.00", status="REFUNDED"),  # refunded: not counted
        _order("small@example.com", 2, "15.00"),
    ]
    values = {v.email: v for v in segment(orders, NOW)}
    assert set(values) == {
        "weekly@example.com",
        "monthly@example.com",
        "once-old@example.com",
        "small@example.com",
    }
    weekly = values["weekly@example.com"]
    assert weekly.lifetime_value == 320
    assert weekly.vip
    assert weekly.churn_risk is ChurnRisk.HIGH
    assert weekly.usual_gap_days == 7
    assert values["monthly@example.com"].churn_risk is ChurnRisk.LOW
    assert not values["monthly@example.com"].vip  # second by value: only the top fifth
    assert values["once-old@example.com"].churn_risk is ChurnRisk.HIGH
    assert values["small@example.com"].churn_risk is ChurnRisk.LOW
