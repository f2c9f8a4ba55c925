"""A job repeated every so many seconds while a block runs (the sweepers, the cron ticker)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

logger = logging.getLogger(__name__)


@asynccontextmanager
async def every(
    seconds: float, job: Callable[[], Awaitable[object]], name: str, *, first_after: float = 0
) -> AsyncIterator[None]:
    """Run ``job`` after ``first_after`` seconds (default: now) and then every ``seconds``; a
    failure is logged and retried next time."""

    async def forever() -> None:
        await asyncio.sleep(first_after)
        while True:
            try:
                await job()
            except Exception:
                logger.exception("%s failed; retrying in %.0f s", name, seconds)
            await asyncio.sleep(seconds)

    task = asyncio.create_task(forever(), name=name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
