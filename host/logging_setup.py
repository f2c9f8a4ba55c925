"""Process logging for ``royal serve`` and ``royal up``: JSON lines for machines, short text
lines for people, both with request and run ids.

``ROYAL_LOG_FORMAT=auto`` (the default) picks text when stderr is a terminal and JSON otherwise
(a log collector, a pipe, a file).

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

LogFormat = Literal["auto", "json", "text"]
_TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_TEXT_TIME = "%H:%M:%S"
_IDS = ("run_id", "thread_id", "request_id")
_QUIET_LOGGERS = ("httpx", "httpcore", "aiosqlite", "asyncio")
_QUIET_FOR_PEOPLE = ("alembic",)
"""Migration steps are one line each in JSON logs; on a terminal they would bury the start."""


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


class TextFormatter(logging.Formatter):
    """``12:03:04 INFO    host.worker: run started [run 2e8f270c]``: the time (local), the
    level, the logger and the message, then the short ids of the run or request it belongs to."""

    def __init__(self) -> None:
        super().__init__(_TEXT_FORMAT, datefmt=_TEXT_TIME)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = [
            f"{name.removesuffix('_id')} {str(value)[:8]}"
            for name in _IDS
            if (value := getattr(record, name, None))
        ]
        return f"{line} [{', '.join(ids)}]" if ids else line


def resolve_format(log_format: LogFormat, stream: IO[str]) -> Literal["json", "text"]:
    """``auto``: text for a person at a terminal, JSON for everything else."""
    if log_format != "auto":
        return log_format
    isatty = getattr(stream, "isatty", None)
    return "text" if callable(isatty) and isatty() else "json"


def make_handler(log_format: LogFormat, stream: IO[str] | None = None) -> logging.Handler:
    target = stream or sys.stderr
    handler = logging.StreamHandler(target)
    handler.addFilter(ContextFilter())
    resolved = resolve_format(log_format, target)
    handler.setFormatter(json_formatter() if resolved == "json" else TextFormatter())
    return handler


def configure_logging(log_format: LogFormat, level: str = "INFO") -> Literal["json", "text"]:
    """Route every logger (uvicorn's included) through one handler on the root logger; the
    format actually used."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    resolved = resolve_format(log_format, sys.stderr)
    root.addHandler(make_handler(resolved))
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    quiet = _QUIET_LOGGERS + (_QUIET_FOR_PEOPLE if resolved == "text" else ())
    for name in quiet:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return resolved
