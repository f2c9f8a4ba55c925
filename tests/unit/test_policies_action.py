"""An Action is typed and self-consistent: classification can trust every field it reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from policies import Access, Action, ActionKind, SupplierStatus
from policies.action import REQUIRED_FIELDS


def action(**fields: Any) -> Action:
    base: dict[str, Any] = {"cluster": "product", "agent": "publisher", "tool": "shopify"}
    return Action.model_validate(base | fields)


def test_builtin_kinds_become_the_enum_and_custom_kinds_stay_strings() -> None:
    assert action(kind="customer.reply").kind is ActionKind.CUSTOMER_REPLY
    custom = action(kind="email.send_campaign")
    assert custom.kind == "email.send_campaign"
    assert not isinstance(custom.kind, ActionKind)


@pytest.mark.parametrize("kind", ["refund", "Refund.Create", "refund.", ".create", "refund create"])
def test_malformed_kinds_are_rejected(kind: str) -> None:
    with pytest.raises(ValidationError, match="kind"):
        action(kind=kind)


def test_negative_amounts_are_rejected() -> None:
    with pytest.raises(ValidationError, match="amount"):
        action(kind="refund.create", amount=Decimal("-1"))


@pytest.mark.parametrize(("kind", "needed"), sorted(REQUIRED_FIELDS.items()))
def test_kinds_with_thresholds_need_their_typed_fields(kind: str, needed: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError, match=needed[0]):
        action(kind=kind)


def test_price_change_needs_both_prices() -> None:
    with pytest.raises(ValidationError, match="price_before"):
        action(kind="price.change", price_after=Decimal("12"))
    with pytest.raises(ValidationError, match="price_after"):
        action(kind="price.change", price_before=Decimal("10"))


def test_a_price_without_its_old_value_cannot_hide_a_change() -> None:
    with pytest.raises(ValidationError, match="price_after without price_before"):
        action(kind="product.update", price_after=Decimal("99"))
    first_price = action(kind="product.create", price_after=Decimal("29.90"))
    assert first_price.price_change_pct is None


def test_prices_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="price_before"):
        action(kind="price.change", price_before=Decimal("0"), price_after=Decimal("1"))


def test_supplier_status_needs_the_supplier() -> None:
    with pytest.raises(ValidationError, match="supplier_id"):
        action(kind="product.create", supplier_status="new")


def test_discount_needs_a_size() -> None:
    with pytest.raises(ValidationError, match="discount_pct or amount"):
        action(kind="discount.create")
    assert action(kind="discount.create", discount_pct=Decimal("10")).discount_pct == 10


@pytest.mark.parametrize(
    ("field", "value"),
    [("confidence", 1.5), ("confidence", -0.1), ("discount_pct", 0), ("discount_pct", 101)],
)
def test_ranges(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=field):
        action(kind="discount.create", amount=Decimal("5"), **{field: value})


def test_currency_is_normalised_and_checked() -> None:
    assert action(kind="refund.create", amount=Decimal("5"), currency="usd").currency == "USD"
    with pytest.raises(ValidationError, match="currency"):
        action(kind="refund.create", amount=Decimal("5"), currency="dollars")


def test_actions_are_frozen_closed_and_json_only() -> None:
    proposed = action(kind="customer.reply", args={"body": "Thanks!", "tags": ["a", 1, None]})
    with pytest.raises(ValidationError, match="frozen"):
        proposed.agent = "someone else"  # type: ignore[misc]  # the point of the test
    with pytest.raises(ValidationError, match="risk"):
        action(kind="customer.reply", risk="LOW")
    with pytest.raises(ValidationError, match="JSON"):
        action(kind="customer.reply", args={"amount": Decimal("1")})


def test_reads_skip_write_consistency_checks() -> None:
    read = action(kind="refund.create", access="read")
    assert read.access is Access.READ


@pytest.mark.parametrize(
    ("before", "after", "pct"),
    [
        ("10", "12.10", Decimal("21")),
        ("10", "8", Decimal("20")),
        ("100", "100", Decimal("0")),
        ("19.99", "23.99", Decimal("4") * 100 / Decimal("19.99")),
    ],
)
def test_price_change_pct_is_the_exact_absolute_change(
    before: str, after: str, pct: Decimal
) -> None:
    change = action(kind="price.change", price_before=Decimal(before), price_after=Decimal(after))
    assert change.price_change_pct == pct


def test_a_hair_above_a_threshold_stays_above_it() -> None:
    change = action(
        kind="price.change", price_before=Decimal("100"), price_after=Decimal("120.004")
    )
    assert change.price_change_pct is not None
    assert change.price_change_pct > 20


def test_json_round_trip_recomputes_the_price_change() -> None:
    original = action(
        kind="price.change",
        price_before=Decimal("10"),
        price_after=Decimal("15"),
        supplier_id="cj-1",
        supplier_status=SupplierStatus.PROVEN,
        confidence=0.7,
        args={"variant_id": "gid://shopify/ProductVariant/1", "price": "15.00"},
    )
    dumped = original.model_dump(mode="json")
    assert dumped["price_change_pct"] == "50"
    assert Action.model_validate(dumped) == original
    forged = dumped | {"price_change_pct": "1"}
    assert Action.model_validate(forged).price_change_pct == 50
