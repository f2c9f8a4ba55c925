"""Errors as JSON ``{"detail": ...}`` with the status the SDKs expect."""

from __future__ import annotations

import logging

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg import DataError as PsycopgDataError
from psycopg import InterfaceError as PsycopgInterfaceError
from psycopg import OperationalError as PsycopgOperationalError
from psycopg_pool import PoolTimeout
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.exc import InterfaceError as SQLAlchemyInterfaceError
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyPoolTimeout

from host.errors import (
    ConflictError,
    ForbiddenError,
    HostError,
    InvalidRequestError,
    NotFoundError,
    UnavailableError,
)
from host.graphs import ContextError

logger = logging.getLogger(__name__)

#: Seconds a client is told to wait while the database is away.
DATABASE_RETRY_AFTER = 2
#: Errors that mean "the database cannot be reached right now", not "this request is wrong".
DATABASE_AWAY: tuple[type[Exception], ...] = (
    SQLAlchemyOperationalError,
    SQLAlchemyInterfaceError,
    SQLAlchemyPoolTimeout,
    PsycopgOperationalError,
    PsycopgInterfaceError,
    PoolTimeout,
)


def database_away(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) is the database being unreachable."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DATABASE_AWAY) and not isinstance(seen, DataError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def not_found(kind: str, key: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"{kind} {key} not found")


#: The status each refusal of the runtime answers with.
HOST_STATUS: dict[type[HostError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    ForbiddenError: 403,
    InvalidRequestError: 422,
    UnavailableError: 503,
}


def status_of(exc: HostError) -> int:
    for kind in type(exc).__mro__:
        if kind in HOST_STATUS:
            return HOST_STATUS[kind]
    return 400


def install(app: FastAPI) -> None:
    @app.exception_handler(HostError)
    async def _refused(_request: Request, exc: HostError) -> JSONResponse:
        return JSONResponse(status_code=status_of(exc), content={"detail": str(exc)})

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {key: value for key, value in error.items() if key in ("type", "loc", "msg")}
            for error in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": jsonable_encoder(errors)})

    @app.exception_handler(ContextError)
    async def _bad_context(_request: Request, exc: ContextError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": str(exc)})

    @app.exception_handler(DataError)
    @app.exception_handler(PsycopgDataError)
    async def _unstorable(_request: Request, exc: Exception) -> JSONResponse:
        """A value the database refuses (a NUL character, a number out of range): the input's
        fault, and its transaction was rolled back, so nothing was written."""
        cause = exc.orig if isinstance(exc, DataError) else exc
        reason = str(cause).strip().splitlines()[0] if str(cause).strip() else "invalid value"
        return JSONResponse(
            status_code=422, content={"detail": f"a value cannot be stored: {reason}"}
        )

    for away in DATABASE_AWAY:
        app.add_exception_handler(away, _database_away)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        runtime = getattr(request.app.state, "runtime", None)
        if runtime is not None:
            runtime.unexpected_errors += 1
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={"detail": "Internal server error"})


async def _database_away(request: Request, exc: Exception) -> JSONResponse:
    """The database is restarting or unreachable: nothing the client did; try again shortly.
    Pooled connections that failed are discarded, so the answers recover without a restart."""
    logger.warning(
        "database unavailable on %s %s: %s",
        request.method,
        request.url.path,
        str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
    )
    return JSONResponse(
        status_code=503,
        content={"detail": "the database is unavailable; retry shortly"},
        headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
    )
