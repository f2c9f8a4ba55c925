"""Durability of the product pipeline: a crash between the Shopify write and the checkpoint
writes once; an approval from a new process resumes the thread; a long chat stays small."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from host import runs
from nodes.product.shopify_listing import create_and_publish
from settings import Settings
from storage import EffectStatus
from storage.langgraph import thread_checkpoint_bytes
from tests.cli_support import royal
from tests.integration.pipeline_support import (
    Engine,
    engine,
    graph_turn,
    open_engine,
    turn,
    writes,
)
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer

__all__ = ["engine"]

#: The ceiling the issue sets for a 30-turn thread (the default set-up writes ~21.8 MB).
MAX_THREAD_BYTES = 2_000_000


class SimulatedCrash(BaseException):
    """The process dies: not an error any handler in the graph would catch."""


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_crash_after_the_write_then_reexecution_writes_once(
    engine: Engine, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = "nodes.product.publish.create_and_publish"

    async def write_then_die(*args: Any, **kwargs: Any) -> object:
        await create_and_publish(*args, **kwargs)
        raise SimulatedCrash

    monkeypatch.setattr(target, write_then_die)
    with pytest.raises(SimulatedCrash):
        await graph_turn(engine, "crash", "Find and publish a white glossy mug")
    assert writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}
    (effect,) = await engine.services.effects.list_for_thread("crash")
    assert effect.status is EffectStatus.STARTED  # the write landed; the ledger never heard
    monkeypatch.setattr(target, create_and_publish)

    async with open_engine(Settings()) as restarted:  # a new process picks the thread up
        restarted.runtime.workers.follow("crash")
        await runs.result(restarted.runtime, await runs.start(restarted.runtime, "crash", "ceo"))
        state = await restarted.state("crash")
        (effect,) = await restarted.services.effects.list_for_thread("crash")
    assert writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}
    assert effect.status is EffectStatus.APPLIED
    assert effect.attempts == 2
    assert "Published **White Glossy Mug**" in str(state.values["messages"][-1].content)


@pytest.mark.timeout(600)  # three CLI processes, each starting Python and the runtime
@pytest.mark.parametrize("backend", BACKENDS)
def test_approval_from_a_new_process_resumes_the_thread(
    backend: str, request: pytest.FixtureRequest, sandbox: SandboxServer, tmp_path: Path
) -> None:
    env = {
        "ROYAL_SANDBOX_HOST": sandbox.host,
        "ROYAL_SANDBOX_PORT": str(sandbox.port),
        "ROYAL_DATA_DIR": str(tmp_path / "data"),
    }
    if backend == "postgresql":
        env["DATABASE_URL"] = request.getfixturevalue("postgres_url")
    first = royal(env, "chat", "Publish a smart jump rope", "--thread", "t-new-process")
    assert first.returncode == 0, first.stderr
    assert "Waiting for approval" in first.stdout
    match = re.search(r"approve\|reject\|modify ([0-9a-f-]{36})", first.stdout)
    assert match, first.stdout
    assert writes(sandbox) == {}

    second = royal(env, "approvals", "approve", match.group(1), "--notes", "ok from shift 2")
    assert second.returncode == 0, second.stderr
    assert "APPROVED by cli:" in second.stdout
    assert "Published **Smart Jump Rope" in second.stdout
    assert writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}

    again = royal(env, "approvals", "approve", match.group(1))
    assert again.returncode == 1
    assert "is APPROVED" in again.stderr
    assert "Traceback" not in again.stderr


@pytest.mark.parametrize("engine", BACKENDS, indirect=True)
async def test_thirty_turn_chat_stays_small(
    engine: Engine, sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    goals = [
        "Find and publish a white glossy mug",
        "What happened to my last goal?",
        "Publish a sherpa blanket under €40",
    ]
    for number in range(30):
        result = await turn(engine, "long-chat", f"{goals[number % 3]} (turn {number + 1})")
        assert "__interrupt__" not in result
    state = await engine.state("long-chat")
    assert len(state.values["messages"]) == 60
    size = await thread_checkpoint_bytes(engine.persistence, "long-chat")
    with capsys.disabled():
        print(f"\n30-turn thread checkpoint storage: {size:,} bytes")  # noqa: T201 (the figure)
    assert size <= MAX_THREAD_BYTES


def test_cli_modify_checks_the_edit_then_reclassifies(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    env = {
        "ROYAL_SANDBOX_HOST": sandbox.host,
        "ROYAL_SANDBOX_PORT": str(sandbox.port),
        "ROYAL_DATA_DIR": str(tmp_path / "data"),
    }
    first = royal(env, "chat", "Publish a smart jump rope", "--thread", "t-cli-modify")
    match = re.search(r"approve\|reject\|modify ([0-9a-f-]{36})", first.stdout)
    assert match, first.stdout + first.stderr
    approval_id = match.group(1)
    waiting = royal(env, "threads", "resume", "t-cli-modify")
    assert waiting.returncode == 1
    assert "waits for an approval" in waiting.stderr

    refused = royal(env, "approvals", "modify", approval_id, "--set", "price=cheap")
    assert refused.returncode == 2
    assert "the edited action is invalid: price" in refused.stderr
    assert "nothing changed" in refused.stderr
    assert "Traceback" not in refused.stderr
    unknown = royal(env, "approvals", "modify", approval_id, "--set", "colour=red")
    assert unknown.returncode == 2
    assert "unknown field(s) colour" in unknown.stderr

    done = royal(env, "approvals", "modify", approval_id, "--set", "price=12.99")
    assert done.returncode == 0, done.stderr
    assert "APPROVED by cli:" in done.stdout
    assert "re-classified HIGH" in done.stdout  # still a new supplier
    assert "€12.99" in done.stdout
    assert writes(sandbox) == {"shopify.productSet": 1, "shopify.publishablePublish": 1}


def test_interactive_chat_answers_every_turn_on_one_thread(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    env = {
        "ROYAL_SANDBOX_HOST": sandbox.host,
        "ROYAL_SANDBOX_PORT": str(sandbox.port),
        "ROYAL_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "250",
    }
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "chat", "--thread", "t-interactive"],
        input="Publish a white glossy mug\nWhat happened?\nexit\n",
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **env},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("CEO:") == 2
    assert "Published **White Glossy Mug**" in result.stdout
    assert "▶ product › product_publisher: product.create executed MEDIUM" in result.stdout
