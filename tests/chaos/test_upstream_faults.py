"""Shopify answering 30 % of requests with 500/502/504, or 50 % with 503/429, and the supplier
and GitHub APIs down for a few seconds: every run still publishes, each product write once."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest

from tests.api.server_support import live_server, sandboxed_settings
from tests.chaos.harness import (
    Driver,
    Figures,
    duplicated_writes,
    shopify_writes,
    started_effects,
    stuck_threads,
)
from tools.sandbox import FaultSettings, SandboxServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(600)]

RUNS = 6

FAULTS = [
    pytest.param(
        "shopify", FaultSettings(error_rate=0.3, error_statuses=[500, 502, 504]), id="shopify-5xx"
    ),
    pytest.param(
        "shopify",
        FaultSettings(error_rate=0.5, error_statuses=[503, 429], retry_after=0.2),
        id="shopify-503-429",
    ),
]


@pytest.mark.parametrize(("service", "faults"), FAULTS)
async def test_shopify_errors_are_retried_and_every_run_publishes_once(
    tmp_path: Path,
    sandbox: SandboxServer,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    faults: FaultSettings,
) -> None:
    settings = sandboxed_settings(monkeypatch, sandbox, tmp_path / "data", postgres_url)
    figures = Figures(f"{service} {faults.error_rate:.0%} {faults.error_statuses}")
    with live_server(settings) as server:
        driver = Driver(server.url)
        async with driver.client() as http:
            sandbox.sandbox.faults.set(service, faults)
            began = time.monotonic()
            for _ in range(RUNS):
                await driver.start(http, str(uuid.uuid4()))
                await asyncio.sleep(0.3)
            statuses = await driver.finish(http)
            figures.recovery_seconds = time.monotonic() - began
            sandbox.sandbox.faults.set(service, FaultSettings())
            figures.started = len(driver.runs)
            figures.completed = sum(s == "success" for s in statuses.values())
            figures.errored = sum(s == "error" for s in statuses.values())
            figures.duplicated = duplicated_writes(sandbox, figures.started)
            figures.stuck = await stuck_threads(server.runtime)
            assert await started_effects(server.runtime) == 0
            for thread_id, _ in driver.runs:
                state = (await http.get(f"/threads/{thread_id}/state")).json()
                assert "Published **White Glossy Mug**" in str(state["values"]), state["values"]
    figures.report()
    assert figures.completed == figures.started
    assert figures.errored == 0
    assert figures.duplicated == 0
    assert figures.stuck == 0
    assert shopify_writes(sandbox)["shopify.productSet"] == RUNS
