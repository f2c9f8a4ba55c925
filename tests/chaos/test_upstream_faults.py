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
    shopify_writes,
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
            await figures.tally(statuses, sandbox, server.runtime.store)
            for thread_id, _ in driver.runs:
                state = (await http.get(f"/threads/{thread_id}/state")).json()
                assert "Published **White Glossy Mug**" in str(state["values"]), state["values"]
    figures.report()
    assert figures.completed == figures.started
    assert figures.errored == 0
    assert figures.duplicated == 0
    assert figures.stuck == 0
    assert shopify_writes(sandbox)["shopify.productSet"] == RUNS


OUTAGE_SECONDS = 4.0


@pytest.mark.parametrize("services", [("cj", "printful", "github")], ids=["suppliers-github"])
async def test_supplier_and_github_outage_delays_runs_and_every_run_publishes_once(
    tmp_path: Path,
    sandbox: SandboxServer,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    services: tuple[str, ...],
) -> None:
    """Every supplier and GitHub answer 503 for a few seconds while runs start: their clients
    back off and retry past the outage, so the runs complete once they are back."""
    settings = sandboxed_settings(monkeypatch, sandbox, tmp_path / "data", postgres_url)
    figures = Figures(f"{'/'.join(services)} down for {OUTAGE_SECONDS:.0f} s")
    with live_server(settings) as server:
        driver = Driver(server.url)
        async with driver.client() as http:
            for service in services:
                sandbox.sandbox.faults.set(service, FaultSettings(outage=True))
            began = time.monotonic()
            for _ in range(RUNS // 2):
                await driver.start(http, str(uuid.uuid4()))
                await asyncio.sleep(0.3)
            await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - began)))
            for service in services:
                sandbox.sandbox.faults.set(service, FaultSettings())
            back = time.monotonic()
            statuses = await driver.finish(http)
            figures.recovery_seconds = time.monotonic() - back
            await figures.tally(statuses, sandbox, server.runtime.store)
            for thread_id, _ in driver.runs:
                state = (await http.get(f"/threads/{thread_id}/state")).json()
                assert "Published **White Glossy Mug**" in str(state["values"]), state["values"]
    figures.report()
    assert figures.completed == figures.started
    assert figures.errored == 0
    assert figures.duplicated == 0
    assert figures.stuck == 0
