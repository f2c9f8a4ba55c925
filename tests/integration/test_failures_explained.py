"""Every failure tells the user why: a supplier outage becomes a sentence naming the supplier and
the error in the CEO's answer and a non-zero exit of `royal chat`; a sandbox that is not running
is said at once, with what to do."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.cli_support import free_port, royal
from tests.integration.pipeline_support import Engine, engine, turn
from tests.integration.storage_support import BACKENDS
from tools.sandbox import FaultSettings, SandboxServer

__all__ = ["engine"]


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_a_supplier_outage_is_named_with_its_error_in_the_answer(
    engine: Engine, sandbox: SandboxServer
) -> None:
    sandbox.sandbox.faults.set("cj", FaultSettings(outage=True))
    result = await turn(engine, "cj-down", "Find and publish a yoga mat")
    answer = str(result["messages"][-1].content)
    assert "CJdropshipping failed to search its catalog" in answer
    assert "Supplier" in answer  # the error's class, e.g. SupplierUnavailableError
    assert "503" in answer or "outage" in answer or "unavailable" in answer.lower()
    (failure,) = result["run_info"]["failures"]
    assert "CJdropshipping" in failure


def test_royal_chat_exits_non_zero_when_a_service_failed(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox.sandbox.faults.set("cj", FaultSettings(outage=True))
    sandbox.sandbox.faults.set("printful", FaultSettings(outage=True))
    env = {
        "ROYAL_SANDBOX_HOST": sandbox.host,
        "ROYAL_SANDBOX_PORT": str(sandbox.port),
        "ROYAL_DATA_DIR": str(tmp_path / "data"),
    }
    done = royal(env, "chat", "Find and publish a yoga mat")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "CJdropshipping failed to search its catalog" in done.stdout
    assert "Printful failed to search its catalog" in done.stdout
    line = done.stderr.strip().splitlines()[-1]  # after the log lines, one line says why
    assert line.startswith("royal: ")
    assert "because a service failed" in line
    assert "Traceback" not in done.stderr


def test_royal_chat_says_at_once_that_the_sandbox_is_not_running(tmp_path: Path) -> None:
    env = {"ROYAL_SANDBOX_PORT": str(free_port()), "ROYAL_DATA_DIR": str(tmp_path / "data")}
    started = time.monotonic()
    done = royal(env, "chat", "Find and publish a yoga mat")
    assert time.monotonic() - started < 5 + 5  # the probe's 2 s, plus starting Python
    assert done.returncode == 3
    (line,) = done.stderr.strip().splitlines()
    assert "sandbox" in line
    assert "not running" in line
    assert "royal up" in line
    assert "Traceback" not in done.stderr
