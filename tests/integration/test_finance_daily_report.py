"""The finance cluster's daily report on a schedule (``ROYAL_DAILY_REPORT_SCHEDULE``): a cron
kept in line with the setting (one cron across restarts, deleted when unset) whose ticks run the
finance graph's P&L report on a kept thread, with what is owed to suppliers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from host import scheduled_jobs
from tests.integration.cron_support import tick_and_follow
from tests.integration.pipeline_support import Engine, engine
from tests.integration.storage_support import BACKENDS

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)


async def _daily_reports(engine: Engine) -> list[dict[str, Any]]:
    """Fire due crons, let this test's workers run their threads; the finished daily reports
    (each tick's run is on a new thread that is kept)."""
    rows = await tick_and_follow(engine)
    reports: list[dict[str, Any]] = []
    for row in rows:
        values = row.values if isinstance(row.values, dict) else {}
        if values.get("task") == scheduled_jobs.DAILY_REPORT.task:
            reports += values.get("reports") or []
    return reports


async def test_the_daily_report_runs_on_its_schedule_and_goes_when_unset(engine: Engine) -> None:
    runtime = engine.runtime
    runtime.settings = runtime.settings.model_copy(
        update={"royal_daily_report_schedule": "* * * * * *", "royal_daily_report_timezone": "UTC"}
    )
    cron = await scheduled_jobs.ensure_daily_report(runtime)
    assert cron is not None
    assert cron["metadata"]["royal_job"] == "daily-finance-report"
    again = await scheduled_jobs.ensure_daily_report(runtime)  # a restart keeps the one cron
    assert again is not None
    assert again["cron_id"] == cron["cron_id"]

    deadline = asyncio.get_running_loop().time() + 60
    reports: list[dict[str, Any]] = []
    while not reports:
        assert asyncio.get_running_loop().time() < deadline, "the daily report never ran"
        await asyncio.sleep(1.1)
        reports = await _daily_reports(engine)
    (report, *_) = reports
    assert report["cluster"] == "finance"
    assert report["status"] == "done", report
    assert report["task"] == "Daily P&L report"
    assert report["summary"].startswith("Today ("), report
    assert "profit €" in report["summary"], report
    assert "Owed to suppliers: €" in report["summary"], report  # the cash-flow view too

    runtime.settings = runtime.settings.model_copy(update={"royal_daily_report_schedule": None})
    assert await scheduled_jobs.ensure_daily_report(runtime) is None
    assert await runtime.crons.get(str(cron["cron_id"])) is None
