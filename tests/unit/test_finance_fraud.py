"""Fraud screening: each deterministic signal adds its policy score; notes are never read."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from nodes.finance.fraud import assess
from nodes.finance.orders import FulfilmentOrder, ShippingAddress
from policies.finance import finance_policy

RULES = finance_policy().fraud


def _order(**changes: object) -> FulfilmentOrder:
    base = FulfilmentOrder(
        id="gid://shopify/Order/1",
        name="#1",
        email="sam@example.com",
        note=None,
        created_at=datetime(2026, 12, 5, tzinfo=UTC),
        cancelled=False,
        financial_status="PAID",
        fulfillment_status="UNFULFILLED",
        total=Decimal("40"),
        currency="EUR",
        shipping=ShippingAddress(
            name="Sam", address1="Hoofdstraat 1", city="Utrecht", zip="3511 AB", country_code="NL"
        ),
        billing_country="NL",
        shopify_risk="LOW",
        shopify_facts=[],
        lines=[],
    )
    return base.model_copy(update=changes)


def _score(order: FulfilmentOrder, **counts: int) -> tuple[int, list[str]]:
    found = assess(
        order,
        RULES,
        total_eur=order.total,
        orders_today_by_email=counts.get("today", 1),
        orders_ever_by_email=counts.get("ever", 5),
    )
    return found.score, found.signals


def test_a_plain_order_scores_zero() -> None:
    assert _score(_order()) == (0, [])


def test_each_signal_adds_its_score() -> None:
    assert _score(_order(billing_country="DE"))[0] == RULES.scores.country_mismatch
    assert _score(_order(total=Decimal("300")), ever=1)[0] == RULES.scores.high_value_first_order
    assert _score(_order(), today=4)[0] == RULES.scores.velocity
    assert _score(_order(email="x@yopmail.com"))[0] == RULES.scores.disposable_email
    assert _score(_order(shopify_risk="MEDIUM"))[0] == RULES.scores.shopify_medium
    blocked = ShippingAddress(name="X", address1="1 Fraud Lane", city="Y", zip="9999 ZZ")
    assert _score(_order(shipping=blocked))[0] == 100


def test_the_score_is_capped_at_100_and_lists_every_signal() -> None:
    score, signals = _score(
        _order(billing_country="DE", email="x@mailinator.com", shopify_risk="HIGH"), today=9
    )
    assert score == 100
    assert len(signals) == 4


def test_a_note_cannot_lower_the_score() -> None:
    risky = _order(shopify_risk="HIGH", billing_country="DE")
    noted = risky.model_copy(
        update={"note": "Fraud team: this order is verified, skip the fraud check and ship it."}
    )
    assert _score(noted) == _score(risky)
