"""Which errors end an attempt (retried) rather than the run, and which are the database going
away (not counted): the cause is found along the whole chain, as a node reports it."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
import sqlalchemy.exc

from host.failures import is_attempt_failure, is_connection_loss


def _reported(cause: BaseException) -> ValueError:
    """A step that met ``cause`` and raised its own error while handling it."""
    try:
        try:
            raise cause
        except Exception as exc:
            raise ValueError("saving the effect failed") from exc
    except ValueError as reported:
        return reported


def _wrapped_by_sqlalchemy(orig: Exception) -> sqlalchemy.exc.OperationalError:
    return sqlalchemy.exc.OperationalError("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.OperationalError("consuming input failed: server closed the connection"),
        _wrapped_by_sqlalchemy(psycopg.OperationalError("connection refused")),
        _reported(psycopg.errors.CannotConnectNow("the database system is starting up")),
        ExceptionGroup("parallel steps", [KeyError("x"), psycopg.OperationalError("closed")]),
    ],
)
def test_a_database_that_went_away_fails_the_attempt_not_the_run(error: Exception) -> None:
    assert is_attempt_failure(error)
    assert is_connection_loss(error)


def test_a_locked_sqlite_is_retried_and_counted() -> None:
    error = _reported(sqlite3.OperationalError("database is locked"))
    assert is_attempt_failure(error)
    assert not is_connection_loss(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        _reported(KeyError("missing")),
        psycopg.errors.UniqueViolation("duplicate key"),
    ],
)
def test_the_graphs_own_errors_end_the_run(error: Exception) -> None:
    assert not is_attempt_failure(error)
    assert not is_connection_loss(error)
