"""The ROAS watcher against the Meta emulator: a loser (ROAS 0.6 after the minimum spend) is
paused once with its reason in the audit log; a winner (ROAS 4) is scaled step by step and
stops at the approved budget; the day's ad spend is recorded per campaign. On a schedule
(``ROYAL_ROAS_WATCH_SCHEDULE``, a cron) it does the same without being asked, and the
budget still stops at what was approved."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from host import scheduled_jobs
from storage.ad_spend import AdSpendRepository
from storage.marketing import CampaignRecord, CampaignRepository
from tests.integration.cron_support import tick_and_follow
from tests.integration.pipeline_support import Engine, engine, turn
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer
from tools.sandbox.meta import MetaEmulator

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)


def _reply(result: dict[str, Any]) -> str:
    return str(result["messages"][-1].content)


async def _campaign(engine: Engine) -> CampaignRecord:
    (campaign,) = await CampaignRepository(engine.services.database).recent()
    return campaign


async def _deliver(sandbox: SandboxServer, ad_id: str, spend: str, value: str) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as admin:
        answer = await admin.post(
            "/_sandbox/meta/deliver",
            json={"ad_id": ad_id, "spend": spend, "purchases": 2, "purchase_value": value},
        )
        answer.raise_for_status()


def _meta(sandbox: SandboxServer) -> MetaEmulator:
    emulator = sandbox.sandbox.emulators["meta"]
    assert isinstance(emulator, MetaEmulator)
    return emulator


async def test_a_loser_is_paused_once_and_a_winner_scales_up_to_the_approved_budget(
    engine: Engine, sandbox: SandboxServer
) -> None:
    launched = await turn(engine, "ads", "Launch ads for the Smart Jump Rope with €400")
    assert "__interrupt__" not in launched
    campaign = await _campaign(engine)
    loser, winner = campaign.ads[0].ad_id, campaign.ads[1].ad_id
    await _deliver(sandbox, loser, "30.00", "18.00")  # ROAS 0.6 after €30 (minimum €20)
    await _deliver(sandbox, winner, "40.00", "160.00")  # ROAS 4

    first = await turn(engine, "watch", "Run the ROAS watcher")
    reply = _reply(first)
    assert "ROAS 0.60 is below the floor of 1.0" in reply
    store = _meta(sandbox).store
    assert store.nodes[loser].fields["status"] == "PAUSED"
    assert store.nodes[campaign.adset_id].fields["lifetime_budget"] == 25000  # €200 → €250
    paused = await engine.services.audit.list(thread_id="watch", event="action.executed")
    pause = next(e for e in paused.items if e.action_kind == "ad.pause")
    assert pause.reasoning is not None
    assert "ROAS 0.60 is below the floor" in pause.reasoning
    assert pause.risk_level == "LOW"

    budgets = []
    for round_ in range(4):
        await turn(engine, f"watch{round_}", "Run the ROAS watcher")
        budgets.append((await _campaign(engine)).budget_eur)
    assert budgets == [
        Decimal("312.50"),
        Decimal("390.62"),
        Decimal("400.00"),
        Decimal("400.00"),
    ]
    last = _reply(await turn(engine, "watch-last", "Run the ROAS watcher"))
    assert "scaling stops here" in last
    counts = sandbox.sandbox.ledger.counts()
    assert counts["meta.ads.status"] == 1  # the loser was paused once
    assert counts["meta.adsets.budget"] == 4
    assert store.nodes[campaign.adset_id].fields["lifetime_budget"] == 40000
    assert (await _campaign(engine)).ads[0].paused_reason is not None
    spend = await AdSpendRepository(engine.services.database).total(
        engine.services.clock().date(), engine.services.clock().date(), campaign.campaign_id
    )
    assert spend == Decimal("70.00")
    assert store.total_spend_minor() <= 40000  # never above the approved budget


async def test_without_campaigns_the_watcher_says_so(
    engine: Engine, sandbox: SandboxServer
) -> None:
    reply = _reply(await turn(engine, "idle", "Run the ROAS watcher"))
    assert "no active campaigns" in reply


# --- the scheduled watcher (ROYAL_ROAS_WATCH_SCHEDULE) ---------------------------------------


async def _until(engine: Engine, done: Callable[[], Awaitable[bool]]) -> None:
    deadline = asyncio.get_running_loop().time() + 30
    while not await done():
        assert asyncio.get_running_loop().time() < deadline, "the scheduled watcher never acted"
        await tick_and_follow(engine)
        await asyncio.sleep(0.3)


async def test_the_scheduled_watcher_pauses_and_scales_no_further_than_approved(
    engine: Engine, sandbox: SandboxServer
) -> None:
    launched = await turn(engine, "ads", "Launch ads for the Smart Jump Rope with €400")
    assert "__interrupt__" not in launched
    campaign = await _campaign(engine)
    loser, winner = campaign.ads[0].ad_id, campaign.ads[1].ad_id
    await _deliver(sandbox, loser, "30.00", "18.00")  # ROAS 0.6 after €30 (minimum €20)
    await _deliver(sandbox, winner, "40.00", "160.00")  # ROAS 4

    runtime = engine.runtime
    runtime.settings = runtime.settings.model_copy(
        update={"royal_roas_watch_schedule": "* * * * * *", "royal_roas_watch_timezone": "UTC"}
    )
    cron = await scheduled_jobs.ensure_roas_watch(runtime)
    assert cron is not None
    again = await scheduled_jobs.ensure_roas_watch(runtime)  # a restart keeps the one cron
    assert again is not None
    assert again["cron_id"] == cron["cron_id"]

    store = _meta(sandbox).store

    async def paused() -> bool:
        return bool(store.nodes[loser].fields["status"] == "PAUSED")

    async def at_the_approved_budget() -> bool:
        return (await _campaign(engine)).budget_eur == Decimal("400.00")

    await _until(engine, paused)
    await _until(engine, at_the_approved_budget)
    for _ in range(3):  # more ticks: the budget stays at what was approved
        await tick_and_follow(engine)
        await asyncio.sleep(1.1)
    await tick_and_follow(engine)
    assert (await _campaign(engine)).budget_eur == Decimal("400.00")
    assert store.nodes[campaign.adset_id].fields["lifetime_budget"] == 40000
    pauses = await engine.services.audit.list(event="action.executed")
    assert sum(1 for e in pauses.items if e.action_kind == "ad.pause") == 1

    runtime.settings = runtime.settings.model_copy(update={"royal_roas_watch_schedule": None})
    assert await scheduled_jobs.ensure_roas_watch(runtime) is None
    assert await runtime.crons.get(str(cron["cron_id"])) is None
