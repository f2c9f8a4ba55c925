"""The GitHub client replayed from a recorded cassette: no sandbox, no network.

Re-record with ``ROYAL_RECORD_CASSETTES=1 uv run pytest tests/integration/test_github_cassette.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.vcr_support import (
    CASSETTE_ROOT,
    REPLAY_BASE_URL,
    assert_fully_played,
    make_vcr,
    recording,
    use_cassette,
)
from tools.github import SANDBOX_TOKEN, GitHubClient, GitHubConfig
from tools.sandbox import SandboxServer
from tools.sandbox.github import DEFAULT_REPO

CASSETTE = "github/branch_file_pull_request_comment.yaml"


async def _noop_sleep(seconds: float) -> None:
    raise AssertionError(f"a replayed cassette should need no retries (asked to wait {seconds}s)")


async def test_flow_replays_from_cassette(request: pytest.FixtureRequest) -> None:
    # The sandbox is only started when recording; a replay needs nothing but the YAML.
    sandbox_url: str | None = None
    if recording():
        sandbox: SandboxServer = request.getfixturevalue("sandbox")
        sandbox_url = sandbox.url
    base = sandbox_url or REPLAY_BASE_URL
    recorder = make_vcr(sandbox_url)
    config = GitHubConfig(
        api_url=f"{base}/github", token=SecretStr(SANDBOX_TOKEN), repo=DEFAULT_REPO
    )
    with use_cassette(recorder, CASSETTE) as cassette:
        async with GitHubClient(config, sleep=_noop_sleep) as github:
            branch = await github.create_branch("agent/ceramic-copy", from_branch="main")
            current = await github.get_file(
                "products/ceramic-pour-over-set.json", ref=branch.branch
            )
            written = await github.put_file(
                current.path,
                current.text.replace("Ceramic Pour-Over Coffee Set", "Ceramic Pour-Over Set"),
                message="Shorter product title",
                sha=current.sha,
                branch=branch.branch,
            )
            pr = await github.create_pull_request(
                title="Shorter ceramic set title", head=branch.branch, base="main"
            )
            comment = await github.create_issue_comment(pr.number, "Copy change, LOW risk.")
            listed = [p.number async for p in github.list_pull_requests(state="all", per_page=2)]
        assert_fully_played(cassette)

    assert pr.head.sha == written.commit.sha
    assert comment.body == "Copy change, LOW risk."
    assert sorted(listed) == [1, 2, pr.number]
    text = (Path(CASSETTE_ROOT) / CASSETTE).read_text()
    assert SANDBOX_TOKEN not in text
    assert "127.0.0.1" not in text
    assert "REDACTED" in text
