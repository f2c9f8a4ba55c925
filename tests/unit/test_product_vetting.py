"""The supplier scorecard: hard checks decide pass or fail; a track record, or a human's
onboarding, decides proven or new; onboarding never rescues failing figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from nodes.product.vetting import scorecard
from policies import SupplierStatus
from tools.suppliers import VendorProfile


def vendor(**figures: Any) -> VendorProfile:
    fields: dict[str, Any] = {
        "id": "v-1",
        "name": "Lumina",
        "platform": "cjdropshipping",
        "rating": Decimal("4.5"),
        "on_time_rate": Decimal("0.94"),
        "defect_rate": Decimal("0.02"),
        "shipping_days_min": 7,
        "shipping_days_max": 12,
        "days_on_platform": 14,
        "verified": False,
    }
    return VendorProfile.model_validate(fields | figures)


@pytest.mark.parametrize(
    ("figures", "onboarded", "status"),
    [
        ({}, False, SupplierStatus.NEW),
        ({}, True, SupplierStatus.PROVEN),
        ({"days_on_platform": 400, "verified": True}, False, SupplierStatus.PROVEN),
        ({"rating": Decimal("2.9")}, False, SupplierStatus.FAILING),
        ({"rating": Decimal("2.9")}, True, SupplierStatus.FAILING),
    ],
)
def test_status(figures: dict[str, Any], onboarded: bool, status: SupplierStatus) -> None:
    card = scorecard(vendor(**figures), onboarded=onboarded)
    assert card.status is status
    assert card.passed is (status is not SupplierStatus.FAILING)
    assert ("onboarded" in [c.name for c in card.checks]) is onboarded


def test_an_onboarded_supplier_still_shows_its_short_track_record() -> None:
    card = scorecard(vendor(), onboarded=True)
    assert card.failures == ["days on platform 14 (needs >= 90)", "verified false (needs true)"]
