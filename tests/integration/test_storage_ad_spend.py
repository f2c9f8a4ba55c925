"""The ad spend ledger on both back-ends: a day's figures replaced, totals exact to the cent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from storage.ad_spend import AdSpendEntry, AdSpendRepository
from tests.integration.storage_support import BACKENDS, backend_url, migrated


@pytest.fixture(params=BACKENDS)
async def repo(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AdSpendRepository]:
    async with migrated(backend_url(request, tmp_path)) as database:
        yield AdSpendRepository(database)


def _entry(day: int, campaign: str, spend: str, revenue: str = "0") -> AdSpendEntry:
    return AdSpendEntry(
        day=date(2026, 12, day),
        platform="meta",
        campaign_id=campaign,
        campaign_name=f"Campaign {campaign}",
        spend_eur=Decimal(spend),
        purchases=2,
        revenue_eur=Decimal(revenue),
    )


async def test_a_days_figures_are_replaced_and_totals_are_exact(repo: AdSpendRepository) -> None:
    await repo.record(_entry(1, "c1", "10.10"))
    await repo.record(_entry(1, "c1", "12.34", "40.00"))  # a later read of the same day
    await repo.record(_entry(2, "c1", "0.01"))
    await repo.record(_entry(2, "c2", "99.99"))
    await repo.record(_entry(9, "c2", "5.00"))
    assert await repo.total(date(2026, 12, 1), date(2026, 12, 2)) == Decimal("112.34")
    assert await repo.total(date(2026, 12, 1), date(2026, 12, 9), "c2") == Decimal("104.99")
    rows = await repo.between(date(2026, 12, 1), date(2026, 12, 1))
    assert [(r.campaign_id, r.spend_eur, r.revenue_eur) for r in rows] == [
        ("c1", Decimal("12.34"), Decimal("40.00"))
    ]
    assert await repo.total(date(2026, 11, 1), date(2026, 11, 30)) == Decimal("0")
