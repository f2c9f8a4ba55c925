"""The `royal` program: one-line errors and non-zero exits, never a stack trace."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def royal(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_production_without_secrets_fails_fast_with_one_line() -> None:
    result = royal("config", env={"ROYAL_ENV": "production"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0]
    assert "JWT_SECRET" in lines[0]
    assert "Traceback" not in result.stderr


def test_invalid_value_is_one_line() -> None:
    result = royal("config", env={"SHOPIFY_API_VERSION": "2026-13"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SHOPIFY_API_VERSION" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_masks_secrets() -> None:
    result = royal("config", env={"SHOPIFY_ACCESS_TOKEN": "shpat_topsecret", "COLUMNS": "250"})
    assert result.returncode == 0, result.stderr
    assert "shpat_topsecret" not in result.stdout
    assert "SHOPIFY_ACCESS_TOKEN" in result.stdout
    assert "(set)" in result.stdout


def test_unknown_command_exits_non_zero() -> None:
    result = royal("no-such-command")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [("--help",), ("sandbox", "--help")])
def test_help(args: tuple[str, ...]) -> None:
    assert royal(*args).returncode == 0
