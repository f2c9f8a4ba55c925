"""The effects sweeper: writes left STARTED are resolved against their service, never left.

A STARTED row means a process died between claiming a write and recording it. A run that is
retried resolves its own writes (the same key reaches the service again); a run that is not
(dead, discarded, cancelled) would leave the row STARTED for ever, and nobody would know
whether the shop has the write. The sweeper takes such rows once they are older than a grace
period and no run is in flight on their thread, asks the service through a small per-tool
resolver (``host.effect_resolvers``) whether the write landed (found by its key-derived tag,
reference or handle, or by the service's state matching the recorded arguments), and records
APPLIED with what it found, or FAILED "not applied". Every decision is audited; rows whose
tool has no resolver are logged and counted (``royal effects started``, ``/metrics``) for an
operator to check by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

from pydantic import BaseModel, Field

from host.effect_resolvers import RESOLVERS, Resolution, Resolver
from host.periodic import every
from host.runtime import Runtime
from storage.audit import AuditEntry, AuditLog
from storage.effects import EffectRecord, EffectsLedger
from storage.enums import ActorKind

logger = logging.getLogger(__name__)

SWEEPER = "effects-sweeper"


class SweepReport(BaseModel):
    """One sweep: idempotency keys by outcome."""

    applied: list[str] = Field(default_factory=list)
    not_applied: list[str] = Field(default_factory=list)
    unresolved: list[str] = Field(default_factory=list)
    """No resolver for the tool, or the service could not be asked: still STARTED."""
    in_flight: int = 0
    """Rows skipped because a run is in flight on their thread (it resolves them itself)."""


async def sweep_once(
    runtime: Runtime,
    *,
    grace: timedelta,
    resolvers: Mapping[str, Resolver] = RESOLVERS,
) -> SweepReport:
    """Resolve every STARTED write older than ``grace`` whose thread has no run in flight."""
    services = runtime.require_services()
    ledger = EffectsLedger(runtime.store.database, clock=runtime.store.clock)
    report = SweepReport()
    for record in await ledger.started_before(runtime.store.clock() - grace, limit=500):
        if await runtime.store.thread_has_inflight(record.thread_id):
            report.in_flight += 1
            continue
        resolver = resolvers.get(record.tool)
        if resolver is None:
            logger.warning(
                "effect %s (%s via %s, thread %s) is STARTED and no resolver knows %s: check "
                "the service by hand",
                record.idempotency_key, record.action_kind, record.tool, record.thread_id,
                record.tool,
            )  # fmt: skip
            report.unresolved.append(record.idempotency_key)
            continue
        try:
            resolution = await resolver(record, services)
        except Exception as exc:  # the service is away: asked again at the next sweep
            logger.warning(
                "effect %s: asking %s whether it was applied failed (%s: %s); retried at the "
                "next sweep",
                record.idempotency_key, record.tool, type(exc).__name__, exc,
            )  # fmt: skip
            report.unresolved.append(record.idempotency_key)
            continue
        settled = await ledger.resolve_started(
            record,
            applied=resolution.applied,
            result=resolution.result,
            error=None if resolution.applied else f"swept: {resolution.note}",
        )
        if settled is None:  # a run claimed it meanwhile: its outcome is the run's
            continue
        (report.applied if resolution.applied else report.not_applied).append(
            record.idempotency_key
        )
        await _audit(runtime, record, resolution)
    if report.applied or report.not_applied or report.unresolved:
        logger.info(
            "effects sweep: %d applied, %d not applied, %d unresolved",
            len(report.applied), len(report.not_applied), len(report.unresolved),
        )  # fmt: skip
    return report


async def _audit(runtime: Runtime, record: EffectRecord, resolution: Resolution) -> None:
    await AuditLog(runtime.store.database, clock=runtime.store.clock).append(
        AuditEntry(
            event="effect.swept",
            actor=SWEEPER,
            actor_kind=ActorKind.SYSTEM,
            thread_id=record.thread_id,
            action_kind=record.action_kind,
            payload={
                "idempotency_key": record.idempotency_key,
                "tool": record.tool,
                "applied": resolution.applied,
                "result": resolution.result,
            },
            reasoning=resolution.note,
            dedupe_key=f"effect.swept:{record.idempotency_key}:{record.attempts}",
        )
    )


def sweeping(runtime: Runtime) -> AbstractAsyncContextManager[None]:
    """The effects sweeper, every ``ROYAL_EFFECTS_SWEEP_SECONDS`` while the block runs."""
    grace = timedelta(seconds=runtime.settings.royal_effects_grace_seconds)

    async def sweep() -> None:
        if runtime.services is not None:
            await sweep_once(runtime, grace=grace)

    return every(runtime.settings.royal_effects_sweep_seconds, sweep, "effects-sweeper")
