"""Which failures of a run are worth another attempt, and how long to wait before it.

A run's attempt *fails* (and is retried, then dead-lettered) when its worker dies — killed,
out of memory, ``os._exit`` or ``sys.exit`` in a node, a hang: its lease lapses and any worker's
reaper counts the failure — or when something outside the graph breaks under it: the database
connection drops, a pool times out, SQLite stays locked, a socket is refused or reset. The same
attempt a little later may well succeed.

The cause is looked for along the whole chain (``__cause__``, ``__context__``, exception
groups): a step that met a dropped connection and reported it as its own error (an effects
ledger, audit or approval write inside a node) failed on the infrastructure all the same.

A *connection loss* (the database went away: refused, shut down, closed under the query, pool
exhausted, or a checkpoint save it did not take, so a write waited for it in vain) is the
database's fault, not the run's: it is retried without counting towards
``ROYAL_RUN_MAX_ATTEMPTS`` (up to ``OUTAGE_ATTEMPTS_FACTOR`` times that many executions), so a
run that met two restarts is not dead-lettered for them.

Any other exception is the graph's own error outcome, as the LangGraph Server reports it:
the run ends ``error`` at once. Re-running a deterministic bug would fail again and spend the
model budget each time.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg
import sqlalchemy.exc

from storage.lineage import CheckpointNotSavedError
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


OUTAGE_ATTEMPTS_FACTOR = 5
"""A run is executed at most this many times ``ROYAL_RUN_MAX_ATTEMPTS`` before connection
losses count as failed attempts too (a bound, should a run itself break its connection)."""

_LOST_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})
"""Admin shutdown, crash shutdown, cannot connect now (the server is stopping or starting)."""


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, the exceptions it was raised from or while handling, a group's members and a
    wrapped driver error (SQLAlchemy's ``orig``)."""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        orig = current.orig if isinstance(current, sqlalchemy.exc.DBAPIError) else None
        for linked in (current.__cause__, current.__context__, orig):
            if linked is not None:
                pending.append(linked)


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, TRANSIENT)


def _lost(exc: BaseException) -> bool:
    if isinstance(exc, CheckpointNotSavedError):  # a save the database did not take
        return True
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, psycopg.OperationalError):  # client side (sqlstate None) or shutdown
        state = exc.sqlstate
        return state is None or state.startswith("08") or state in _LOST_SQLSTATES
    return False


def is_attempt_failure(exc: BaseException) -> bool:
    """Whether ``exc`` ends this attempt of the run (retried; dead after the last attempt)
    rather than the run itself (status ``error``)."""
    return any(_transient(cause) for cause in causes(exc))


def is_connection_loss(exc: BaseException) -> bool:
    """Whether ``exc`` came from the database going away (not counted as a failed attempt)."""
    return any(_lost(cause) for cause in causes(exc))


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
