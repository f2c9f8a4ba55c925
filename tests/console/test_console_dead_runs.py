"""The Dead runs page in a real browser (SQLite): a run whose attempts all failed is listed with
its error and attempts (linked from the dashboard); an operator retries it from the page and it
runs again to success, or discards it; a viewer sees the list without the buttons."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from host.failures import RetryPolicy
from tests.api import crash_graph
from tests.console.conftest import Console, console, viewer
from tests.console.dead_runs_support import joined, start, wait_dead

__all__ = ["console", "viewer"]

FAST = RetryPolicy(max_attempts=3, base_seconds=0.05, max_seconds=0.2)


@pytest.fixture
def crashy(console: Console) -> Iterator[Console]:
    """The module's server also serves the crash graph, and retries failed runs quickly."""
    runtime = console.server.runtime
    runtime.add_graph("crashy", crash_graph.graph)
    saved, runtime.workers.retry = runtime.workers.retry, FAST
    yield console
    runtime.workers.retry = saved
    runtime.graphs.pop("crashy", None)


def test_a_dead_run_is_listed_and_retried_from_the_console(
    crashy: Console, viewer: Page, tmp_path: Path
) -> None:
    poison = start(crashy.url, "console-poison", tmp_path)
    wait_dead(crashy.url, poison)

    viewer.goto(f"{crashy.url}/console/runs/dead")
    row = viewer.locator(f"#dead-{poison}")
    expect(row).to_contain_text("ConnectionResetError")
    expect(row).to_contain_text("Connection reset by peer")
    expect(row.get_by_role("button")).to_have_count(0)  # viewers only look

    operator = crashy.sign_in("otto")
    try:
        expect(operator.locator("#dead-runs")).to_contain_text("1 dead run")
        operator.locator("#dead-runs a").click()
        operator.wait_for_url(f"{crashy.url}/console/runs/dead")
        row = operator.locator(f"#dead-{poison}")
        cells = row.locator("td")
        expect(cells.nth(1)).to_have_text("console-poison")
        expect(cells.nth(2)).to_have_text("crashy")
        expect(cells.nth(3)).to_have_text("3")
        (tmp_path / "heal").touch()  # the cause is fixed
        row.get_by_role("button", name=re.compile("Retry")).click()
        operator.wait_for_url(f"{crashy.url}/console/threads/console-poison/runs/{poison}")
        assert joined(crashy.url, "console-poison", poison)["log"] == ["noted", "done"]
        operator.reload()
        expect(operator.locator(".status").first).to_have_text("success")
        operator.goto(f"{crashy.url}/console/runs/dead")
        expect(operator.locator(f"#dead-{poison}")).to_have_count(0)
        expect(operator.locator("#dead-total")).to_have_text("0")

        (tmp_path / "discard").mkdir()
        discarded = start(crashy.url, "console-discard", tmp_path / "discard")
        wait_dead(crashy.url, discarded)
        operator.reload()
        operator.locator(f"#dead-{discarded}").get_by_role("button", name="Discard run").click()
        expect(operator.locator(".notice")).to_contain_text(f"run {discarded} discarded")
        expect(operator.locator(f"#dead-{discarded}")).to_have_count(0)
        status = httpx.get(f"{crashy.url}/threads/console-discard/runs/{discarded}").json()
        assert status["status"] == "error"  # dead, as LangGraph SDK clients see it
    finally:
        operator.context.close()
