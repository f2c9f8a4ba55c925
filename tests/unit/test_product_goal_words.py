"""Reading amounts, percentages and number words in goals, the way people write them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nodes.product.goal_words import decimal_of, money, normalize, percentages


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("under €30", "30"),
        ("under € 30", "30"),
        ("under 30€", "30"),
        ("to 12,99 €", "12.99"),
        ("to 12.99 euro", "12.99"),
        ("for 25 euros", "25"),
        ("below eur 25", "25"),
        ("below 25 eur", "25"),
        ("at €1,299.00", "1299.00"),
        ("at 1.299,00 €", "1299.00"),
        ("at €30,000", "30000"),
    ],
)
def test_money_in_every_usual_notation(text: str, amount: str) -> None:
    (found,) = money(normalize(text))
    assert found.value == Decimal(amount)


def test_words_that_only_look_like_euros_are_not_money() -> None:
    assert money(normalize("ship 30 parcels to europe")) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("by 30%", "30"),
        ("by 30 %", "30"),
        ("by 30 percent", "30"),
        ("by 30 per cent", "30"),
        ("by thirty percent", "30"),
        ("by twenty-five pct", "25"),
        ("by 12.5%", "12.5"),
        ("by -10%", "-10"),
    ],
)
def test_percentages(text: str, expected: str) -> None:
    (found,) = percentages(normalize(text))
    assert found.value == Decimal(expected)


@pytest.mark.parametrize(
    ("goal", "normalized"),
    [
        ("Find two products", "find 2 products"),
        ("publish seventeen products", "publish 17 products"),
        ("twenty one items", "21 items"),
        ("publsh a smart jump rope", "publish a smart jump rope"),
        ("onbaord a new suplier", "onboard a new supplier"),
        ("the Solar Power Bank", "the solar power bank"),  # not "lower": too far from it
        ("someone often", "someone often"),  # number words only as whole words
    ],
)
def test_normalize(goal: str, normalized: str) -> None:
    assert normalize(goal) == normalized


@pytest.mark.parametrize(("text", "value"), [("12", "12"), ("12,5", "12.5"), ("1,000", "1000")])
def test_decimal_of(text: str, value: str) -> None:
    assert decimal_of(text) == Decimal(value)
