"""Effects-ledger rows left STARTED for real, for the sweeper's tests: a write claimed in the
ledger, made at its service (or not), and a process that dies before the ledger hears."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel, JsonValue

from storage import EffectStatus
from tests.integration.pipeline_support import Engine

NOW = timedelta(0)
"""A grace period of nothing: the sweep takes every STARTED row."""


class SimulatedCrash(BaseException):
    """The process dies: not an error any handler would catch."""


async def left_started(
    engine: Engine,
    key: str,
    *,
    tool: str,
    args: Mapping[str, Any] | BaseModel,
    write: Callable[[], Awaitable[object]] | None,
    action_kind: str = "test.write",
) -> None:
    """Claim ``key``, make ``write`` (``None``: nothing reaches the service), then die."""

    async def apply() -> JsonValue:
        if write is not None:
            await write()
        raise SimulatedCrash

    with pytest.raises(SimulatedCrash):
        await engine.services.effects.run_once(
            key,
            thread_id=f"thread-{key}",
            task_id="task",
            action_kind=action_kind,
            tool=tool,
            args=args,
            apply=apply,
        )
    record = await engine.services.effects.get(key)
    assert record is not None
    assert record.status is EffectStatus.STARTED
