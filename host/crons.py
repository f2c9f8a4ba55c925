"""Crons: a schedule (cron expression, IANA time zone, optional end time) that creates a run at
each tick, on its thread or (stateless) on a new thread each time.

Every API and worker process ticks (``ROYAL_CRON_TICK_SECONDS``); a due cron is claimed in the
database (``storage.crons.CronStore.claim``), so each tick fires exactly once whatever the
number of processes, and schedules survive restarts. Catch-up: a process that finds a cron
overdue (the servers were down over one or more ticks) fires it once, not once per missed tick,
and schedules the next tick after now.
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter
from pydantic import ValidationError

from host import assistants, runs
from host.errors import InvalidRequestError, NotFoundError
from host.identity import SYSTEM, acting_as, current_principal
from host.models import CronCreate, CronPatch, CronSearch, RunCreate
from host.periodic import every
from host.runtime import Runtime
from storage.crons import CronRow

logger = logging.getLogger(__name__)

#: Fields of a cron body that make up the run it creates.
RUN_FIELDS = (
    "input",
    "config",
    "context",
    "metadata",
    "interrupt_before",
    "interrupt_after",
    "webhook",
    "stream_mode",
    "stream_subgraphs",
    "durability",
    "multitask_strategy",
)


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidRequestError(f"unknown time zone {name!r}") from None


def next_run(
    schedule: str, timezone: str | None, end_time: datetime | None, after: datetime
) -> datetime | None:
    """The first tick after ``after`` (in the cron's time zone), or ``None`` past its end."""
    if not croniter.is_valid(schedule):
        raise InvalidRequestError(f"invalid cron schedule {schedule!r}")
    local = after.astimezone(_zone(timezone))
    try:
        tick: datetime = croniter(schedule, local).get_next(datetime)
    except (CroniterError, ValueError, OverflowError) as exc:  # e.g. "0 0 31 2 *" never comes
        raise InvalidRequestError(f"cron schedule {schedule!r} has no next run: {exc}") from None
    tick = tick.astimezone(UTC)
    return None if end_time is not None and tick > end_time else tick


def _run_payload(assistant_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    payload = {"assistant_id": assistant_id, **{k: v for k, v in fields.items() if v is not None}}
    try:
        RunCreate.model_validate(payload)
    except ValidationError as exc:
        raise InvalidRequestError(f"invalid run for the cron: {exc.errors()[0]['msg']}") from None
    return payload


async def create(runtime: Runtime, thread_id: str | None, body: CronCreate) -> dict[str, Any]:
    resolved = await assistants.resolve(runtime, body.assistant_id)
    if thread_id is not None:
        await runtime.thread(thread_id)
    fields = body.model_dump(mode="json", include=set(RUN_FIELDS), exclude_none=True)
    payload = _run_payload(resolved.assistant_id, fields)
    now = runtime.store.clock()
    principal = current_principal()
    row = await runtime.crons.create(
        assistant_id=resolved.assistant_id,
        thread_id=thread_id,
        schedule=body.schedule,
        timezone=body.timezone,
        end_time=body.end_time,
        enabled=body.enabled,
        on_run_completed=None if thread_id is not None else (body.on_run_completed or "delete"),
        payload=payload,
        metadata=body.metadata or {},
        user_id=None if principal is None else principal.subject,
        next_run_date=next_run(body.schedule, body.timezone, body.end_time, now),
    )
    return row.to_api()


async def existing(runtime: Runtime, cron_id: str) -> CronRow:
    row = await runtime.crons.get(cron_id)
    if row is None:
        raise NotFoundError("cron", cron_id)
    return row


async def update(runtime: Runtime, cron_id: str, body: CronPatch) -> dict[str, Any]:
    """Change the given fields; the next run date is recomputed from now."""
    row = await existing(runtime, cron_id)
    changes = body.model_dump(mode="json", exclude_unset=True)
    given = body.model_dump(exclude_unset=True)
    fields: dict[str, Any] = {}
    for name in ("schedule", "timezone", "end_time", "enabled"):
        if name in given:
            fields[name] = given[name]
    if "on_run_completed" in given and row.thread_id is None:
        fields["on_run_completed"] = given["on_run_completed"] or "delete"
    run_changes = {k: v for k, v in changes.items() if k in RUN_FIELDS}
    if run_changes:
        merged = {k: v for k, v in row.payload.items() if k != "assistant_id"}
        fields["payload"] = _run_payload(row.assistant_id, {**merged, **run_changes})
    if "metadata" in given:
        fields["metadata"] = given["metadata"] or {}
    schedule = fields.get("schedule") or row.schedule
    timezone = fields.get("timezone", row.timezone)
    end_time = fields.get("end_time", row.end_time)
    fields["next_run_date"] = next_run(schedule, timezone, end_time, runtime.store.clock())
    updated = await runtime.crons.update(cron_id, **fields)
    if updated is None:
        raise NotFoundError("cron", cron_id)
    return updated.to_api()


async def delete(runtime: Runtime, cron_id: str) -> None:
    if not await runtime.crons.delete(cron_id):
        raise NotFoundError("cron", cron_id)


async def search(runtime: Runtime, body: CronSearch) -> tuple[list[dict[str, Any]], int]:
    rows, total = await runtime.crons.search(
        assistant_id=body.assistant_id,
        thread_id=body.thread_id,
        enabled=body.enabled,
        metadata=body.metadata,
        sort_by=body.sort_by,
        sort_order=body.sort_order,
        limit=body.limit,
        offset=body.offset,
    )
    found = [row.to_api() for row in rows]
    if body.select:
        found = [{k: v for k, v in item.items() if k in body.select} for item in found]
    return found, total


async def fire(runtime: Runtime, cron: CronRow) -> None:
    """Create the cron's run: on its thread, or stateless on a new thread."""
    payload = dict(cron.payload)
    tick = None if cron.next_run_date is None else cron.next_run_date.isoformat()
    payload["metadata"] = {
        **(payload.get("metadata") or {}),
        "cron_id": cron.cron_id,
        "cron_tick": tick,  # the tick this run is for: one run per tick
    }
    if cron.thread_id is None:
        payload["on_completion"] = cron.on_run_completed or "delete"
    body = RunCreate.model_validate(payload)
    await runs.create(runtime, cron.thread_id, body, stateless=cron.thread_id is None)


async def tick(runtime: Runtime) -> int:
    """Fire the crons due now that this process claims; how many it fired."""
    fired = 0
    now = runtime.store.clock()
    for cron in await runtime.crons.due(now):
        try:
            upcoming = next_run(cron.schedule, cron.timezone, cron.end_time, now)
        except InvalidRequestError:
            upcoming = None
        if not await runtime.crons.claim(cron, upcoming):
            continue  # another process fired this tick
        try:
            with acting_as(SYSTEM):
                await fire(runtime, cron)
            fired += 1
        except Exception:
            logger.exception("cron %s could not create its run", cron.cron_id)
    return fired


def ticking(runtime: Runtime) -> AbstractAsyncContextManager[None]:
    """Fire due crons every ``ROYAL_CRON_TICK_SECONDS`` while the block runs."""
    return every(runtime.settings.royal_cron_tick_seconds, lambda: tick(runtime), "cron-ticker")
