"""Driving crons in a test: fire what is due and let the test's worker pool run the threads."""

from __future__ import annotations

from host import crons
from storage.runs import ThreadRow
from tests.integration.pipeline_support import Engine


async def tick_and_follow(engine: Engine) -> list[ThreadRow]:
    """Fire due crons and let this test's worker pool run the threads they created; the
    newest threads, as they stand now."""
    runtime = engine.runtime
    await crons.tick(runtime)
    rows, _total = await runtime.store.search_threads(
        metadata=None,
        values=None,
        ids=None,
        status=None,
        sort_by="created_at",
        sort_order="desc",
        limit=50,
        offset=0,
    )
    for row in rows:
        runtime.workers.follow(row.thread_id)
    return rows
