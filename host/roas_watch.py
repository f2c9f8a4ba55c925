"""The scheduled ROAS watcher: a cron (``ROYAL_ROAS_WATCH_SCHEDULE``) that runs the marketing
graph's ``watch_ads`` task, so losing ads are paused and winners scaled without anyone asking.

It is an ordinary cron (``host.crons``): claimed in the database so each tick fires once
across processes, on a new thread per run that is kept, so a raise that needs an approver
waits on its own thread like any other. The watcher never raises an ad set above its
campaign's approved budget (``nodes.marketing.watch_act``); the schedule changes how often it
looks, never how far it may go. The API process makes the cron agree with the setting at
start: created, rescheduled, or deleted when the setting is unset.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import JsonValue

from host import crons
from host.models import CronCreate, CronPatch, CronSearch
from host.runtime import Runtime

logger = logging.getLogger(__name__)

ASSISTANT = "marketing"
#: How the watcher's cron is found again (metadata is searchable).
MARKER: dict[str, JsonValue] = {"royal_job": "roas-watcher"}
TASK: dict[str, JsonValue] = {
    "cluster": "marketing",
    "title": "Scheduled ROAS watch",
    "instructions": "Run the ROAS watcher over the active campaigns (action=watch_ads)",
    "parameters": {"action": "watch_ads"},
}


def watch_input() -> dict[str, JsonValue]:
    """The marketing graph's input for one watch."""
    return {"task": TASK, "goal": "Scheduled ROAS watch"}


async def ensure_watch_cron(runtime: Runtime) -> dict[str, Any] | None:
    """Make the watcher's cron match the settings; the cron as the API shows it, or None."""
    schedule = runtime.settings.royal_roas_watch_schedule
    timezone = runtime.settings.royal_roas_watch_timezone
    found, _total = await crons.search(runtime, CronSearch(metadata=MARKER, limit=10))
    if schedule is None:
        for cron in found:
            await crons.delete(runtime, str(cron["cron_id"]))
            logger.info("ROAS watcher: schedule unset, cron %s deleted", cron["cron_id"])
        return None
    for extra in found[1:]:  # two processes started at once: keep one
        await crons.delete(runtime, str(extra["cron_id"]))
    if found:
        current = found[0]
        if current.get("schedule") == schedule and current.get("timezone") == timezone:
            return current
        patch = CronPatch(schedule=schedule, timezone=timezone)
        updated = await crons.update(runtime, str(current["cron_id"]), patch)
        logger.info("ROAS watcher rescheduled: %s (%s)", schedule, timezone)
        return updated
    body = CronCreate(
        assistant_id=ASSISTANT,
        schedule=schedule,
        timezone=timezone,
        input=watch_input(),
        metadata=MARKER,
        on_run_completed="keep",
    )
    created = await crons.create(runtime, None, body)
    logger.info("ROAS watcher scheduled: %s (%s)", schedule, timezone)
    return created
