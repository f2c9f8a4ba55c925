"""Process logging for ``royal serve``: one JSON object per line, with request and run ids.

The ids live in context variables: the HTTP middleware binds ``request_id`` for the request's
task, the worker binds ``run_id``/``thread_id`` for the run's task (and every task LangGraph
starts from it inherits them). A filter copies them onto each record, so any logger in the
process — ours, LangChain's, uvicorn's — carries them without being told.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from typing import IO, Literal

from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str | None] = ContextVar("royal_request_id", default=None)
run_id_var: ContextVar[str | None] = ContextVar("royal_run_id", default=None)
thread_id_var: ContextVar[str | None] = ContextVar("royal_thread_id", default=None)

LogFormat = Literal["json", "text"]
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_QUIET_LOGGERS = ("httpx", "httpcore", "aiosqlite", "asyncio")


def bind_run(run_id: str, thread_id: str) -> None:
    """Tag every log line of the current task (and the tasks it starts) with the run's ids."""
    run_id_var.set(run_id)
    thread_id_var.set(thread_id)


class ContextFilter(logging.Filter):
    """Copies the bound ids onto the record (only those that are set)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in (
            ("request_id", request_id_var),
            ("run_id", run_id_var),
            ("thread_id", thread_id_var),
        ):
            value = var.get()
            if value is not None and not hasattr(record, name):
                setattr(record, name, value)
        return True


def json_formatter() -> JsonFormatter:
    """``timestamp``, ``level``, ``logger``, ``message``, then the ids and any ``extra``."""
    return JsonFormatter(
        "{levelname}{name}{message}",
        style="{",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,
    )


def make_handler(log_format: LogFormat, stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(
        json_formatter() if log_format == "json" else logging.Formatter(_TEXT_FORMAT)
    )
    return handler


def configure_logging(log_format: LogFormat, level: str = "INFO") -> None:
    """Route every logger (uvicorn's included) through one handler on the root logger."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(make_handler(log_format))
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
