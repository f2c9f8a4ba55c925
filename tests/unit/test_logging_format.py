"""ROYAL_LOG_FORMAT: auto picks text for a terminal and JSON otherwise; an explicit format wins."""

from __future__ import annotations

import io
import json
import logging

import pytest

from host.logging_setup import make_handler, resolve_format
from settings import Settings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("setting", "stream", "expected"),
    [
        ("auto", Terminal(), "text"),
        ("auto", io.StringIO(), "json"),
        ("json", Terminal(), "json"),
        ("text", io.StringIO(), "text"),
    ],
)
def test_the_format_follows_the_setting_and_the_stream(
    setting: str, stream: io.StringIO, expected: str
) -> None:
    assert resolve_format(setting, stream) == expected  # type: ignore[arg-type]


def test_auto_is_the_default() -> None:
    assert Settings.model_construct().royal_log_format == "auto"


def _line(setting: str, stream: io.StringIO) -> str:
    handler = make_handler(setting, stream)  # type: ignore[arg-type]
    record = logging.LogRecord("host.worker", logging.INFO, __file__, 1, "run started", None, None)
    record.run_id = "2e8f270c-b7df-412e-9904-24fad56fe7f9"
    handler.handle(record)
    return stream.getvalue().strip()


def test_text_lines_are_short_and_carry_the_run() -> None:
    line = _line("auto", Terminal())
    assert line.endswith("INFO    host.worker: run started [run 2e8f270c]")
    assert not line.startswith("{")


def test_json_lines_are_objects_with_the_ids() -> None:
    record = json.loads(_line("auto", io.StringIO()))
    assert record["message"] == "run started"
    assert record["run_id"] == "2e8f270c-b7df-412e-9904-24fad56fe7f9"
