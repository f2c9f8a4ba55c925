"""Work the store does on a schedule set in the settings: the ROAS watcher
(``ROYAL_ROAS_WATCH_SCHEDULE``) and the daily finance report (``ROYAL_DAILY_REPORT_SCHEDULE``).

Each job is an ordinary cron (``host.crons``): claimed in the database so each tick fires once
across processes, on a new thread per run that is kept, so an action that needs an approver
waits on its own thread like any other. The API process makes each job's cron agree with its
setting at start: created, rescheduled, or deleted when the setting is unset. The cron is found
again by its metadata (``royal_job``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import JsonValue

from host import crons
from host.models import CronCreate, CronPatch, CronSearch
from host.runtime import Runtime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledJob:
    """One cluster task run on a schedule: what the cluster graph gets as its input."""

    name: str
    assistant: str
    task: dict[str, JsonValue]

    @property
    def marker(self) -> dict[str, JsonValue]:
        return {"royal_job": self.name}

    def input(self) -> dict[str, JsonValue]:
        return {"task": self.task, "goal": str(self.task["title"])}


async def ensure_cron(
    runtime: Runtime, job: ScheduledJob, schedule: str | None, timezone: str
) -> dict[str, Any] | None:
    """Make ``job``'s cron match ``schedule``; the cron as the API shows it, or None."""
    found, _total = await crons.search(runtime, CronSearch(metadata=job.marker, limit=10))
    if schedule is None:
        for cron in found:
            await crons.delete(runtime, str(cron["cron_id"]))
            logger.info("%s: schedule unset, cron %s deleted", job.name, cron["cron_id"])
        return None
    for extra in found[1:]:  # two processes started at once: keep one
        await crons.delete(runtime, str(extra["cron_id"]))
    if found:
        current = found[0]
        if current.get("schedule") == schedule and current.get("timezone") == timezone:
            return current
        patch = CronPatch(schedule=schedule, timezone=timezone)
        updated = await crons.update(runtime, str(current["cron_id"]), patch)
        logger.info("%s rescheduled: %s (%s)", job.name, schedule, timezone)
        return updated
    body = CronCreate(
        assistant_id=job.assistant,
        schedule=schedule,
        timezone=timezone,
        input=job.input(),
        metadata=job.marker,
        on_run_completed="keep",
    )
    created = await crons.create(runtime, None, body)
    logger.info("%s scheduled: %s (%s)", job.name, schedule, timezone)
    return created


ROAS_WATCH = ScheduledJob(
    name="roas-watcher",
    assistant="marketing",
    task={
        "cluster": "marketing",
        "title": "Scheduled ROAS watch",
        "instructions": "Run the ROAS watcher over the active campaigns (action=watch_ads)",
        "parameters": {"action": "watch_ads"},
    },
)
"""Pauses losing ads and scales winners, never above a campaign's approved budget
(``nodes.marketing.watch_act``): the schedule changes how often it looks, never how far."""

DAILY_REPORT = ScheduledJob(
    name="daily-finance-report",
    assistant="finance",
    task={
        "cluster": "finance",
        "title": "Daily P&L report",
        "instructions": "Report today's P&L, VAT, margins and what is owed to suppliers "
        "(action=report; period=day)",
        "parameters": {"action": "report", "period": "day"},
    },
)
"""Today's P&L, what is owed to suppliers, and the revenue-drop alert (a critical
notification) — the finance cluster's daily report to the operator."""


async def ensure_roas_watch(runtime: Runtime) -> dict[str, Any] | None:
    settings = runtime.settings
    return await ensure_cron(
        runtime, ROAS_WATCH, settings.royal_roas_watch_schedule, settings.royal_roas_watch_timezone
    )


async def ensure_daily_report(runtime: Runtime) -> dict[str, Any] | None:
    settings = runtime.settings
    return await ensure_cron(
        runtime,
        DAILY_REPORT,
        settings.royal_daily_report_schedule,
        settings.royal_daily_report_timezone,
    )


async def ensure_all(runtime: Runtime) -> None:
    """Every scheduled job's cron as the settings say (at the API process's start)."""
    await ensure_roas_watch(runtime)
    await ensure_daily_report(runtime)
