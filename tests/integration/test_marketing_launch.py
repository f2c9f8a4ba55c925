"""Ad launches end to end against the sandbox (Shopify and the Meta emulator), on SQLite and
Postgres: the CEO plans the goal (offline rules), the marketing cluster writes copy, renders
creatives and launches through the approval gate — €400 is MEDIUM (executes, notifies), €600
waits for an approver; approve creates exactly one campaign, reject creates none."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image

from storage.marketing import CampaignRepository
from tests.integration.pipeline_support import Engine, engine, turn
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer
from tools.sandbox.meta import MetaEmulator

__all__ = ["engine"]  # the fixture, re-exported for pytest

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)


def _reply(result: dict[str, Any]) -> str:
    return str(result["messages"][-1].content)


def meta_counts(sandbox: SandboxServer) -> dict[str, int]:
    return {k: v for k, v in sandbox.sandbox.ledger.counts().items() if k.startswith("meta.")}


def meta(sandbox: SandboxServer) -> MetaEmulator:
    emulator = sandbox.sandbox.emulators["meta"]
    assert isinstance(emulator, MetaEmulator)
    return emulator


async def _publish_mug(engine: Engine, thread: str) -> None:
    result = await turn(engine, thread, "Find and publish a white glossy mug")
    assert "Published **White Glossy Mug**" in _reply(result)


async def test_400_launches_one_campaign_with_copy_and_creatives_medium_and_notified(
    engine: Engine, sandbox: SandboxServer
) -> None:
    await _publish_mug(engine, "ads400")
    unread = await engine.services.notifications.count_unread()
    result = await turn(engine, "ads400", "Launch ads for the White Glossy Mug with €400")
    assert "__interrupt__" not in result
    counts = meta_counts(sandbox)
    assert counts["meta.campaigns.create"] == 1
    assert counts["meta.adsets.create"] == 1
    assert counts["meta.ads.create"] == 4  # 2 variants × English and Dutch
    reply = _reply(result)
    assert "White Glossy Mug" in reply
    assert "MEDIUM" in reply
    assert await engine.services.notifications.count_unread() == unread + 1
    (campaign,) = await CampaignRepository(engine.services.database).recent()
    assert campaign.approved_budget_eur == Decimal("400.00")
    assert campaign.budget_eur == Decimal("200.00")  # the policy's 50 % launch share
    store = meta(sandbox).store
    assert store.nodes[campaign.adset_id].fields["lifetime_budget"] == 20000
    assert {ad.language for ad in campaign.ads} == {"en", "nl"}
    creatives = await CampaignRepository(engine.services.database).creatives(campaign.key)
    assert sorted({(c.width, c.height) for c in creatives}) == [(1080, 1080), (1080, 1920)]
    assert len(creatives) == 8
    png = await CampaignRepository(engine.services.database).creative_png(creatives[0].id)
    assert png is not None
    assert Image.open(io.BytesIO(png)).size == (creatives[0].width, creatives[0].height)
    executed = await engine.services.audit.list(thread_id="ads400", event="action.executed")
    assert [e.risk_level for e in executed.items if e.action_kind == "campaign.launch"] == [
        "MEDIUM"
    ]


async def test_600_waits_for_approval_and_approve_creates_exactly_one_campaign(
    engine: Engine, sandbox: SandboxServer
) -> None:
    await _publish_mug(engine, "ads600")
    result = await turn(engine, "ads600", "Launch ads for the White Glossy Mug with €600")
    (pending,) = result["__interrupt__"]
    request = pending.value
    assert request["tool"] == "meta_launch_campaign"
    assert request["action"] == "campaign.launch"
    assert request["risk_level"] == "HIGH"
    assert "campaign-launch-large" in request["matched_rules"]
    assert request["args"]["budget_eur"] == "600"
    assert meta_counts(sandbox) == {}
    reply = await engine.decide("ads600", result, decision="approve")
    counts = meta_counts(sandbox)
    assert counts["meta.campaigns.create"] == 1
    assert counts["meta.adsets.create"] == 1
    assert "White Glossy Mug" in reply
    campaigns = await CampaignRepository(engine.services.database).recent()
    assert [c.approved_budget_eur for c in campaigns] == [Decimal("600.00")]
    assert len(meta(sandbox).store.of_type("campaign")) == 1


async def test_600_rejected_creates_nothing(engine: Engine, sandbox: SandboxServer) -> None:
    await _publish_mug(engine, "ads600r")
    result = await turn(engine, "ads600r", "Launch ads for the White Glossy Mug with €600")
    reply = await engine.decide("ads600r", result, decision="reject", notes="not this month")
    assert "not this month" in reply
    assert meta_counts(sandbox) == {}
    assert await CampaignRepository(engine.services.database).recent() == []


async def test_a_budget_over_the_monthly_cap_is_refused_without_an_approval(
    engine: Engine, sandbox: SandboxServer
) -> None:
    await _publish_mug(engine, "cap")
    result = await turn(engine, "cap", "Launch ads for the White Glossy Mug with €3500")
    assert "__interrupt__" not in result
    assert "hard cap of €3000" in _reply(result)
    assert meta_counts(sandbox) == {}
    assert (await engine.services.approvals.list()).total == 0


async def test_a_product_not_in_the_store_is_reported(
    engine: Engine, sandbox: SandboxServer
) -> None:
    result = await turn(engine, "none", "Launch ads for the unicorn lamp with €100")
    assert "no product in the store matches 'unicorn lamp'" in _reply(result)
    assert meta_counts(sandbox) == {}


async def test_an_edit_with_copy_over_the_platform_limit_launches_nothing(
    engine: Engine, sandbox: SandboxServer
) -> None:
    await _publish_mug(engine, "copy")
    result = await turn(engine, "copy", "Launch ads for the White Glossy Mug with €600")
    request = result["__interrupt__"][0].value
    ads = [{**request["args"]["ads"][0], "headline": "H" * 41}]
    reply = await engine.decide(
        "copy", result, decision="modify", args={**request["args"], "ads": ads}
    )
    assert "decision refused" in reply
    assert meta_counts(sandbox) == {}


async def test_publish_and_launch_ads_for_it_waits_for_the_product_to_be_live(
    engine: Engine, sandbox: SandboxServer
) -> None:
    goal = "Find and publish a white glossy mug and launch ads for it with €300"
    result = await turn(engine, "pubads", goal)
    assert "__interrupt__" not in result
    reply = _reply(result)
    assert "Published **White Glossy Mug**" in reply
    (campaign,) = await CampaignRepository(engine.services.database).recent()
    assert campaign.product_title == "White Glossy Mug"
    assert campaign.approved_budget_eur == Decimal("300.00")
    assert meta_counts(sandbox)["meta.campaigns.create"] == 1


async def test_ads_for_a_product_its_task_never_publishes_stop_and_say_why(
    engine: Engine, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("nodes.marketing.wait_product.WAIT_SECONDS", 1.0)
    monkeypatch.setattr("nodes.marketing.wait_product.POLL_SECONDS", 0.2)
    goal = "Find and publish a unicorn lamp and launch ads for it with €300"
    result = await turn(engine, "noads", goal)
    reply = _reply(result)
    assert "is not live in the store yet" in reply
    assert "no ads were launched" in reply
    assert meta_counts(sandbox) == {}
