"""The supplier-neutral models refuse what no supplier could accept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from tools.suppliers import (
    Money,
    OrderLine,
    Recipient,
    SupplierOrder,
    SupplierOrderRequest,
    SupplierOrderStatus,
    TrackingInfo,
    VendorProfile,
)

RECIPIENT = Recipient(
    country_code="US", name="Ann", address1="1 Main St", city="Austin", zip="78701"
)


def test_money_needs_an_iso_currency() -> None:
    assert str(Money(amount=Decimal("1.50"), currency="EUR")) == "1.50 EUR"
    with pytest.raises(ValidationError):
        Money(amount=Decimal("1"), currency="euro")


def test_an_order_needs_lines_with_positive_quantities() -> None:
    with pytest.raises(ValidationError):
        SupplierOrderRequest(lines=[], recipient=RECIPIENT)
    with pytest.raises(ValidationError):
        OrderLine(variant_id="v", quantity=0)


def test_a_recipient_needs_an_address() -> None:
    with pytest.raises(ValidationError):
        Recipient(country_code="US", name="Ann", address1="", city="Austin", zip="1")
    with pytest.raises(ValidationError):
        Recipient(country_code="usa", name="Ann", address1="1 Main", city="Austin", zip="1")


def test_vendor_rates_are_shares_and_ratings_are_out_of_five() -> None:
    with pytest.raises(ValidationError):
        VendorProfile(id="v", name="V", platform="cjdropshipping", rating=Decimal("5.1"))
    with pytest.raises(ValidationError):
        VendorProfile(id="v", name="V", platform="cjdropshipping", on_time_rate=Decimal("97"))
    vendor = VendorProfile(
        id="v", name="V", platform="cjdropshipping", shipping_days_min=5, shipping_days_max=8
    )
    assert vendor.average_shipping_days == Decimal("6.5")


def test_tracking_numbers_are_listed_once() -> None:
    order = SupplierOrder(
        supplier="cjdropshipping",
        order_id="1",
        status=SupplierOrderStatus.SHIPPED,
        raw_status="SHIPPED",
        tracking=[TrackingInfo(number="A"), TrackingInfo(number="A"), TrackingInfo(number="B")],
    )
    assert [t.number for t in order.tracking] == ["A", "B"]
