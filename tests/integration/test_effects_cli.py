"""`royal effects started|sweep` as an operator runs them: a write left STARTED by a tool the
sweeper cannot check is listed as needing a person, and the sweep says so and exits 1."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.effects import EffectsLedger
from tests.cli_support import royal
from tests.integration.storage_support import migrated
from tools.sandbox import SandboxServer


class Died(BaseException):
    """The process dies between claiming the write and recording it."""


async def a_started_effect(data_dir: Path) -> str:
    async with migrated(f"sqlite:///{data_dir / 'royal.sqlite3'}") as database:
        ledger = EffectsLedger(database, clock=lambda: datetime.now(UTC))

        async def die() -> None:
            raise Died

        with pytest.raises(Died):
            await ledger.run_once(
                "key-cli",
                thread_id="t-cli",
                task_id="task",
                action_kind="ticket.reply",
                tool="a_tool_nobody_resolves",
                args={"n": 1},
                apply=die,
            )
    return "key-cli"


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_royal_effects_lists_and_reports_what_it_cannot_resolve(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    key = await a_started_effect(data)
    env = {
        "ROYAL_SANDBOX_HOST": sandbox.host,
        "ROYAL_SANDBOX_PORT": str(sandbox.port),
        "ROYAL_DATA_DIR": str(data),
    }
    listed = royal(env, "effects", "started")
    assert listed.returncode == 0, listed.stderr
    assert key in listed.stdout
    assert "a_tool_nobody_resolves" in listed.stdout
    assert "none: check by hand" in listed.stdout

    swept = royal(env, "effects", "sweep", "--grace", "0")
    assert swept.returncode == 1, swept.stdout + swept.stderr
    assert "applied 0, not applied 0, unresolved 1" in swept.stdout
    assert f"unresolved: {key}" in swept.stdout
