"""The Meta Marketing API client against the sandbox's Meta emulator, over real HTTP: the Graph
API's paths, minor-unit budgets, image → creative → ad, insights, errors, budget-capped delivery."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from PIL import Image

from tools.ads import (
    AdsAuthError,
    AdsError,
    AdsNotFoundError,
    BudgetKind,
    MetaAdsClient,
    NewAd,
    NewAdSet,
    NewCampaign,
    Status,
)
from tools.ads.meta import SANDBOX_ACCOUNT, SANDBOX_PAGE, SANDBOX_TOKEN
from tools.sandbox import SandboxServer
from tools.sandbox.meta import MetaEmulator


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return out.getvalue()


def meta(sandbox: SandboxServer) -> MetaEmulator:
    emulator = sandbox.sandbox.emulators["meta"]
    assert isinstance(emulator, MetaEmulator)
    return emulator


@pytest.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[MetaAdsClient]:
    ads = MetaAdsClient(
        access_token=SANDBOX_TOKEN,
        ad_account_id=SANDBOX_ACCOUNT,
        page_id=SANDBOX_PAGE,
        base_url=f"{sandbox.url}/meta",
    )
    yield ads
    await ads.aclose()


async def _launch(client: MetaAdsClient, budget: str = "40.00") -> tuple[str, str, str]:
    campaign = await client.create_campaign(NewCampaign(name="Mug · ro-abc"))
    ad_set = await client.create_ad_set(
        NewAdSet(
            name="ro-abc ad set",
            campaign_id=campaign.id,
            budget_kind=BudgetKind.LIFETIME,
            budget_eur=Decimal(budget),
            end_time=datetime.now(UTC) + timedelta(days=7),
        )
    )
    ad = await client.create_ad(
        NewAd(
            name="ro-abc ad 1",
            adset_id=ad_set.id,
            headline="Mugs you love",
            primary_text="Coffee tastes better.",
            link="https://royal.example/products/mug",
            image_png=_png(),
            image_name="mug.png",
        )
    )
    return campaign.id, ad_set.id, ad.id


async def test_campaign_ad_set_and_ad_are_created_in_the_graph_api_format(
    client: MetaAdsClient, sandbox: SandboxServer
) -> None:
    campaign_id, adset_id, ad_id = await _launch(client)
    store = meta(sandbox).store
    assert store.nodes[adset_id].fields["lifetime_budget"] == 4000  # minor units on the wire
    assert store.nodes[ad_id].fields["campaign_id"] == campaign_id
    counts = sandbox.sandbox.ledger.counts()
    assert counts["meta.campaigns.create"] == 1
    assert counts["meta.adimages.create"] == 1
    assert counts["meta.adcreatives.create"] == 1
    assert counts["meta.ads.create"] == 1
    assert [c.id for c in await client.find_campaigns("ro-abc")] == [campaign_id]
    assert await client.find_campaigns("ro-zzz") == []
    (ad_set,) = await client.find_ad_sets(campaign_id, "ro-abc")
    assert ad_set.budget_eur == Decimal("40.00")
    assert ad_set.budget_kind is BudgetKind.LIFETIME
    assert [a.id for a in await client.find_ads(campaign_id, "ro-abc")] == [ad_id]


async def test_insights_report_spend_purchases_and_roas_and_spend_stops_at_the_budget(
    client: MetaAdsClient, sandbox: SandboxServer
) -> None:
    campaign_id, adset_id, ad_id = await _launch(client, "40.00")
    async with httpx.AsyncClient(base_url=sandbox.url) as admin:
        answer = await admin.post(
            "/_sandbox/meta/deliver",
            json={"ad_id": ad_id, "spend": "30.00", "purchases": 3, "purchase_value": "75.00"},
        )
        assert answer.status_code == 200
        (row,) = await client.insights(campaign_id)
        assert row.spend_eur == Decimal("30.00")
        assert row.purchases == 3
        assert row.roas == Decimal("2.50")
        # Only €10 of the €40 lifetime budget is left: a further €25 is cut to €10.
        await admin.post("/_sandbox/meta/deliver", json={"ad_id": ad_id, "spend": "25.00"})
    (row,) = await client.insights(campaign_id)
    assert row.spend_eur == Decimal("40.00")
    await client.set_status(ad_id, Status.PAUSED)
    assert meta(sandbox).store.nodes[ad_id].fields["status"] == "PAUSED"
    scaled = await client.set_budget(adset_id, Decimal("60.00"))
    assert scaled.budget_eur == Decimal("60.00")
    assert meta(sandbox).store.nodes[adset_id].fields["lifetime_budget"] == 6000


async def test_graph_api_errors_are_typed(client: MetaAdsClient, sandbox: SandboxServer) -> None:
    with pytest.raises(AdsNotFoundError):
        await client.get_ad_set("999")
    with pytest.raises(AdsError, match=r"end_time|budget"):
        await client.create_ad_set(
            NewAdSet(
                name="x",
                campaign_id=(await client.create_campaign(NewCampaign(name="c"))).id,
                budget_kind=BudgetKind.LIFETIME,
                budget_eur=Decimal("0.50"),
                end_time=datetime.now(UTC) + timedelta(days=1),
            )
        )
    wrong = MetaAdsClient(
        access_token="nope",
        ad_account_id=SANDBOX_ACCOUNT,
        page_id=SANDBOX_PAGE,
        base_url=f"{sandbox.url}/meta",
    )
    with pytest.raises(AdsAuthError, match="190"):
        await wrong.find_campaigns("x")
    await wrong.aclose()
