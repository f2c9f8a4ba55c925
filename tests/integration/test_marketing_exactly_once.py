"""A launch that crashes half-way and runs again (same idempotency key, as the gate's effects
ledger re-executes it) creates each campaign, ad set and ad on the ads emulator once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from nodes.marketing.budget_cap import BudgetCapError
from nodes.marketing.copy import write_copy
from nodes.marketing.launch_args import LaunchArgs
from nodes.marketing.launcher import launch_campaign
from storage.marketing import CampaignRepository
from tests.integration.pipeline_support import Engine, engine
from tools.ads import AdObject, NewAd
from tools.sandbox import SandboxServer

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

KEY = "5b0c5d1e-0000-4000-8000-000000000001"


def _args(budget: str = "400") -> LaunchArgs:
    return LaunchArgs(
        product_id="gid://shopify/Product/1000004",
        product_title="Smart Jump Rope",
        product_url="https://royal-demo.myshopify.com/products/smart-jump-rope",
        price_eur=Decimal("19.95"),
        campaign_name="Smart Jump Rope – sales",
        budget_eur=Decimal(budget),
        days=7,
        ads=write_copy("Smart Jump Rope", Decimal("19.95")),
    )


class Crash(Exception):
    """The process died here."""


async def test_a_crash_between_ads_then_a_rerun_creates_everything_once(
    engine: Engine, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = engine.services
    assert services.ads is not None
    real_create = services.ads.create_ad
    made: list[str] = []

    async def create_then_crash(ad: NewAd) -> AdObject:
        created = await real_create(ad)
        made.append(created.id)
        if len(made) == 2:
            raise Crash("killed after the second ad")
        return created

    monkeypatch.setattr(services.ads, "create_ad", create_then_crash)
    with pytest.raises(Crash):
        await launch_campaign(services, _args(), KEY, thread_id="t")
    monkeypatch.setattr(services.ads, "create_ad", real_create)
    first: dict[str, Any] = await launch_campaign(services, _args(), KEY, thread_id="t")
    again = await launch_campaign(services, _args(), KEY, thread_id="t")
    assert again == first
    counts = sandbox.sandbox.ledger.counts()
    assert counts["meta.campaigns.create"] == 1
    assert counts["meta.adsets.create"] == 1
    assert counts["meta.ads.create"] == 4
    assert first["ad_ids"][:2] == made
    (campaign,) = await CampaignRepository(services.database).recent()
    assert len(campaign.ads) == 4


async def test_the_monthly_cap_holds_at_execution_too(
    engine: Engine, sandbox: SandboxServer
) -> None:
    services = engine.services
    await launch_campaign(services, _args("2800"), KEY, thread_id="t")
    with pytest.raises(BudgetCapError, match="hard cap of €3000"):
        await launch_campaign(services, _args("201"), KEY.replace("1", "2"), thread_id="t")
    assert sandbox.sandbox.ledger.counts()["meta.campaigns.create"] == 1
