"""Which failures of a run are worth another attempt, and how long to wait before it.

A run's attempt *fails* (and is retried, then dead-lettered) when its worker dies — killed,
out of memory, ``os._exit`` or ``sys.exit`` in a node, a hang: its lease lapses and any worker's
reaper counts the failure — or when something outside the graph breaks under it: the database
connection drops, a pool times out, SQLite stays locked, a socket is refused or reset. The same
attempt a little later may well succeed.

Any other exception is the graph's own error outcome, as the LangGraph Server reports it:
the run ends ``error`` at once. Re-running a deterministic bug would fail again and spend the
model budget each time.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass, field

import psycopg
import sqlalchemy.exc

from tools.backoff import jittered_backoff

TRANSIENT: tuple[type[BaseException], ...] = (
    ConnectionError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,
)
"""Infrastructure errors a later attempt may not meet (``psycopg_pool.PoolTimeout`` is a
``psycopg.OperationalError``)."""


def is_attempt_failure(exc: Exception) -> bool:
    """Whether ``exc`` ends this attempt of the run (retried; dead after the last attempt)
    rather than the run itself (status ``error``)."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, TRANSIENT)


@dataclass(frozen=True)
class RetryPolicy:
    """``ROYAL_RUN_MAX_ATTEMPTS`` and the backoff between attempts (settings)."""

    max_attempts: int = 3
    base_seconds: float = 2.0
    max_seconds: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, failures: int) -> float:
        """Seconds before the next attempt of a run that has failed ``failures`` times."""
        return jittered_backoff(
            failures, base=self.base_seconds, cap=self.max_seconds, rng=self.rng
        )
