"""The GitHub client over real HTTP against the sandbox emulator.

Waits are recorded by a fake clock/sleep pair instead of being slept, so rate-limit and backoff
behaviour is checked exactly and the tests stay fast.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from tools.github import (
    SANDBOX_TOKEN,
    GitHubAuthenticationError,
    GitHubClient,
    GitHubConfig,
    GitHubConflictError,
    GitHubNotFoundError,
    GitHubRateLimitError,
    GitHubReferenceExistsError,
    GitHubServerError,
    GitHubValidationError,
)
from tools.sandbox import FaultSettings, SandboxServer
from tools.sandbox.github import DEFAULT_REPO, GitHubEmulator


class FakeTime:
    """A clock that only moves when the client sleeps; every sleep is recorded."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self.on_sleep: list[Callable[[], object]] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        for hook in self.on_sleep:
            hook()


def emulator_of(sandbox: SandboxServer) -> GitHubEmulator:
    emulator = sandbox.sandbox.emulators["github"]
    assert isinstance(emulator, GitHubEmulator)
    return emulator


def make_config(sandbox: SandboxServer, **overrides: object) -> GitHubConfig:
    values: dict[str, object] = {
        "api_url": f"{sandbox.url}/github",
        "token": SecretStr(SANDBOX_TOKEN),
        "repo": DEFAULT_REPO,
        "sandbox": True,
        **overrides,
    }
    return GitHubConfig.model_validate(values)


@pytest.fixture
def fake_time() -> FakeTime:
    # Starts at the real time so the emulator's (wall-clock) reset stays in the future.
    return FakeTime(float(int(time.time())))


@pytest.fixture
def emulator(sandbox: SandboxServer) -> GitHubEmulator:
    return emulator_of(sandbox)


@pytest.fixture
async def github(sandbox: SandboxServer, fake_time: FakeTime) -> AsyncIterator[GitHubClient]:
    async with GitHubClient(
        make_config(sandbox), clock=fake_time.clock, sleep=fake_time.sleep, rng=random.Random(1)
    ) as client:
        yield client


async def test_branch_file_pull_request_comment_flow(
    github: GitHubClient, emulator: GitHubEmulator, sandbox: SandboxServer
) -> None:
    main_sha = await github.get_branch_sha("main")
    branch = await github.create_branch("agent/aurora-price", from_branch="main")
    assert branch.ref == "refs/heads/agent/aurora-price"
    assert branch.sha == main_sha

    current = await github.get_file("products/aurora-desk-lamp.json", ref="agent/aurora-price")
    product = json.loads(current.text)
    assert product["price"] == "39.95"
    product["price"] = "34.95"
    written = await github.put_file(
        "products/aurora-desk-lamp.json",
        json.dumps(product, indent=2) + "\n",
        message="Lower the Aurora lamp price to EUR 34.95",
        sha=current.sha,
        branch="agent/aurora-price",
    )
    assert written.content.path == "products/aurora-desk-lamp.json"
    assert written.content.sha != current.sha
    assert await github.get_branch_sha("agent/aurora-price") == written.commit.sha

    reread = await github.get_file("products/aurora-desk-lamp.json", ref="agent/aurora-price")
    assert json.loads(reread.text)["price"] == "34.95"
    assert reread.sha == written.content.sha
    on_main = emulator.read_file("products/aurora-desk-lamp.json", ref="main")
    assert on_main is not None
    assert json.loads(on_main)["price"] == "39.95"

    pr = await github.create_pull_request(
        title="Lower Aurora lamp price",
        head="agent/aurora-price",
        base="main",
        body="Price test: -12.5% for two weeks.",
    )
    assert pr.state == "open"
    assert pr.number == 4  # #1-#3 are seeded (two pull requests and one issue)
    assert pr.head.ref == "agent/aurora-price"
    assert pr.head.sha == written.commit.sha
    assert pr.base.ref == "main"

    comment = await github.create_issue_comment(pr.number, "Approval requested (HIGH risk).")
    comments = [c async for c in github.list_issue_comments(pr.number)]
    assert [c.id for c in comments] == [comment.id]
    assert comments[0].body == "Approval requested (HIGH risk)."

    updated = await github.update_pull_request(
        pr.number, title="Lower Aurora lamp price (approved)", state="closed"
    )
    assert updated.title == "Lower Aurora lamp price (approved)"
    assert updated.state == "closed"
    assert updated.closed_at is not None
    fetched = await github.get_pull_request(pr.number)
    assert fetched.state == "closed"
    assert fetched.body == "Price test: -12.5% for two weeks."

    assert sandbox.sandbox.ledger.counts() == {
        "github.createRef": 1,
        "github.createOrUpdateFileContents": 1,
        "github.createPullRequest": 1,
        "github.createIssueComment": 1,
        "github.updatePullRequest": 1,
    }
    budget = github.rate_limit
    assert budget is not None
    assert budget.resource == "core"
    assert budget.limit == 5000
    assert budget.used == 12  # eleven calls, plus the ref read by create_branch(from_branch)
    assert budget.remaining == 5000 - 12


async def test_create_new_file_then_update_requires_current_sha(github: GitHubClient) -> None:
    created = await github.put_file(
        "products/linen-tote.json", b'{"handle": "linen-tote"}\n', message="Add tote"
    )
    fetched = await github.get_file("products/linen-tote.json")
    assert fetched.decoded == b'{"handle": "linen-tote"}\n'
    assert fetched.sha == created.content.sha

    with pytest.raises(GitHubValidationError) as missing_sha:
        await github.put_file("products/linen-tote.json", b"{}", message="No sha")
    assert missing_sha.value.status_code == 422
    assert "sha" in str(missing_sha.value)

    await github.put_file(
        "products/linen-tote.json",
        b'{"handle": "linen-tote", "v": 2}',
        message="v2",
        sha=created.content.sha,
    )
    with pytest.raises(GitHubConflictError) as stale:
        await github.put_file(
            "products/linen-tote.json", b'{"v": 3}', message="stale", sha=created.content.sha
        )
    assert stale.value.status_code == 409
    assert created.content.sha in stale.value.message
    assert (await github.get_file("products/linen-tote.json")).decoded == (
        b'{"handle": "linen-tote", "v": 2}'
    )


async def test_existing_branch_is_a_typed_error_or_returned_with_exist_ok(
    github: GitHubClient, sandbox: SandboxServer
) -> None:
    main_sha = await github.get_branch_sha("main")
    summer_sha = await github.get_branch_sha("feature/summer-collection")
    with pytest.raises(GitHubReferenceExistsError):
        await github.create_branch("feature/summer-collection", sha=main_sha)
    existing = await github.create_branch("feature/summer-collection", sha=main_sha, exist_ok=True)
    assert existing.sha == summer_sha  # left where it was, not moved
    assert "github.createRef" not in sandbox.sandbox.ledger.counts()
    with pytest.raises(ValueError, match="exactly one"):
        await github.create_branch("x", sha=main_sha, from_branch="main")


async def test_duplicate_pull_request_is_returned_with_exist_ok(
    github: GitHubClient, sandbox: SandboxServer
) -> None:
    with pytest.raises(GitHubValidationError) as duplicate:
        await github.create_pull_request(
            title="Again", head="feature/summer-collection", base="main"
        )
    assert any("already exists" in (e.message or "") for e in duplicate.value.errors)
    again = await github.create_pull_request(
        title="Again", head="feature/summer-collection", base="main", exist_ok=True
    )
    assert again.number == 1
    assert "github.createPullRequest" not in sandbox.sandbox.ledger.counts()


async def test_missing_objects_raise_not_found(github: GitHubClient) -> None:
    with pytest.raises(GitHubNotFoundError):
        await github.get_branch("does-not-exist")
    with pytest.raises(GitHubNotFoundError):
        await github.get_file("products/nothing.json")
    with pytest.raises(GitHubNotFoundError):
        await github.get_pull_request(999)
    with pytest.raises(GitHubNotFoundError):
        await github.create_issue_comment(999, "hello")


async def test_pull_requests_follow_link_pagination(
    sandbox: SandboxServer, emulator: GitHubEmulator, fake_time: FakeTime
) -> None:
    emulator.add_pull_requests(45)
    requested: list[httpx.URL] = []

    async def record(request: httpx.Request) -> None:
        requested.append(request.url)

    async with (
        httpx.AsyncClient(event_hooks={"request": [record]}) as http,
        GitHubClient(make_config(sandbox), http_client=http, sleep=fake_time.sleep) as github,
    ):
        everything = [pr async for pr in github.list_pull_requests(state="all", per_page=10)]
        assert len(everything) == 47
        assert len({pr.number for pr in everything}) == 47
        created = [pr.created_at for pr in everything]
        assert created == sorted(created, reverse=True)
        assert [url.params.get("page") for url in requested] == [None, "2", "3", "4", "5"]

        open_only = [pr.number async for pr in github.list_pull_requests(per_page=100)]
        assert len(open_only) == 46
        assert 2 not in open_only
        closed = [pr.number async for pr in github.list_pull_requests(state="closed")]
        assert closed == [2]
        summer = [
            pr.number
            async for pr in github.list_pull_requests(
                state="all", head="feature/summer-collection", base="main"
            )
        ]
        assert summer == [1]
        oldest_first = [
            pr.number
            async for pr in github.list_pull_requests(
                state="all", sort="created", direction="asc", per_page=3
            )
        ]
        assert oldest_first[:2] == [1, 2]


async def test_issue_comments_follow_link_pagination(
    github: GitHubClient, emulator: GitHubEmulator
) -> None:
    emulator.add_issue_comments(1, 25)
    comments = [c async for c in github.list_issue_comments(1, per_page=7)]
    assert len(comments) == 27
    assert [c.id for c in comments] == sorted(c.id for c in comments)
    assert comments[0].body.startswith("Margin check")
    assert comments[-1].body == "Sandbox comment 27"
    later = [
        c async for c in github.list_issue_comments(1, since=datetime(2026, 1, 6, 12, tzinfo=UTC))
    ]
    assert len(later) == 26  # the first seeded comment is older


async def test_primary_rate_limit_waits_until_reset(
    github: GitHubClient, emulator: GitHubEmulator, fake_time: FakeTime
) -> None:
    reset = int(fake_time.now) + 120
    emulator.set_rate_limit(remaining=0, reset=reset)
    fake_time.on_sleep.append(lambda: emulator.set_rate_limit(remaining=5000))

    sha = await github.get_branch_sha("main")

    assert sha == emulator.branch_sha("main")
    assert fake_time.sleeps == [pytest.approx(121.0)]  # until x-ratelimit-reset, plus 1 s
    assert github.rate_limit is not None
    assert github.rate_limit.remaining == 4999


async def test_primary_rate_limit_with_429_status_also_waits(
    github: GitHubClient, emulator: GitHubEmulator, fake_time: FakeTime
) -> None:
    emulator.set_rate_limit(remaining=0, reset=int(fake_time.now) + 30, exceeded_status=429)
    fake_time.on_sleep.append(lambda: emulator.set_rate_limit(remaining=10))
    assert (await github.get_pull_request(1)).number == 1
    assert fake_time.sleeps == [pytest.approx(31.0)]


async def test_primary_rate_limit_beyond_max_wait_raises_with_reset_time(
    sandbox: SandboxServer, emulator: GitHubEmulator, fake_time: FakeTime
) -> None:
    reset = int(fake_time.now) + 3000
    emulator.set_rate_limit(remaining=0, reset=reset)
    config = make_config(sandbox, max_rate_limit_wait=600)
    async with GitHubClient(config, clock=fake_time.clock, sleep=fake_time.sleep) as github:
        with pytest.raises(GitHubRateLimitError) as exceeded:
            await github.get_branch_sha("main")
    assert exceeded.value.reset_at == datetime.fromtimestamp(reset, UTC)
    assert exceeded.value.status_code == 403
    assert fake_time.sleeps == []
    assert github.rate_limit is not None
    assert github.rate_limit.remaining == 0


async def test_secondary_rate_limit_honours_retry_after(
    github: GitHubClient, emulator: GitHubEmulator, fake_time: FakeTime, sandbox: SandboxServer
) -> None:
    emulator.trigger_secondary_rate_limit(2, retry_after=30)
    comment = await github.create_issue_comment(3, "Reorder confirmed.")
    assert comment.body == "Reorder confirmed."
    assert fake_time.sleeps == [30.0, 30.0]
    assert sandbox.sandbox.ledger.counts() == {"github.createIssueComment": 1}


async def test_secondary_rate_limit_without_retry_after_backs_off_from_a_minute(
    github: GitHubClient, emulator: GitHubEmulator, fake_time: FakeTime
) -> None:
    emulator.trigger_secondary_rate_limit(3, retry_after=None, status=429)
    pr = await github.get_pull_request(1)
    assert pr.title.startswith("Add summer collection")
    assert fake_time.sleeps == [60.0, 120.0, 240.0]


async def test_secondary_rate_limit_longer_than_allowed_raises(
    sandbox: SandboxServer, emulator: GitHubEmulator, fake_time: FakeTime
) -> None:
    emulator.trigger_secondary_rate_limit(1, retry_after=900)
    async with GitHubClient(
        make_config(sandbox, max_rate_limit_wait=300),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
    ) as github:
        with pytest.raises(GitHubRateLimitError) as limited:
            await github.get_pull_request(1)
    assert limited.value.retry_after == 900
    assert fake_time.sleeps == []


async def test_injected_server_errors_are_retried_and_every_operation_completes(
    sandbox: SandboxServer, fake_time: FakeTime
) -> None:
    sandbox.sandbox.faults.set(
        "github", FaultSettings(error_rate=0.5, error_statuses=[500, 502, 503])
    )
    config = make_config(sandbox, max_attempts=12)
    async with GitHubClient(
        config, clock=fake_time.clock, sleep=fake_time.sleep, rng=random.Random(3)
    ) as github:
        await github.create_branch("agent/retry", from_branch="main")
        current = await github.get_file("theme/settings.json", ref="agent/retry")
        await github.put_file(
            "theme/settings.json",
            current.decoded.replace(b"Inter", b"Lato"),
            message="Switch body font",
            sha=current.sha,
            branch="agent/retry",
        )
        pr = await github.create_pull_request(title="Font", head="agent/retry", base="main")
        await github.create_issue_comment(pr.number, "Preview ready.")
        await github.update_pull_request(pr.number, body="Lato reads better on mobile.")
        numbers = [p.number async for p in github.list_pull_requests(state="all", per_page=1)]
    assert sorted(numbers) == [1, 2, 4]
    assert fake_time.sleeps, "with a 50% error rate some requests must have been retried"
    assert all(0 < s <= config.backoff_max for s in fake_time.sleeps)
    assert sandbox.sandbox.ledger.counts() == {
        "github.createRef": 1,
        "github.createOrUpdateFileContents": 1,
        "github.createPullRequest": 1,
        "github.createIssueComment": 1,
        "github.updatePullRequest": 1,
    }


async def test_outage_gives_a_server_error_after_bounded_attempts(
    sandbox: SandboxServer, fake_time: FakeTime
) -> None:
    sandbox.sandbox.faults.set("github", FaultSettings(outage=True))
    async with GitHubClient(
        make_config(sandbox, max_attempts=4), clock=fake_time.clock, sleep=fake_time.sleep
    ) as github:
        with pytest.raises(GitHubServerError) as failed:
            await github.get_branch_sha("main")
    assert failed.value.status_code == 503
    assert len(fake_time.sleeps) == 3


async def test_bad_token_is_a_one_line_authentication_error(
    sandbox: SandboxServer, fake_time: FakeTime
) -> None:
    config = make_config(sandbox, token=SecretStr("ghp_not_the_right_token"))
    async with GitHubClient(config, clock=fake_time.clock, sleep=fake_time.sleep) as github:
        with pytest.raises(GitHubAuthenticationError) as denied:
            await github.get_branch_sha("main")
    message = str(denied.value)
    assert "\n" not in message
    assert "GITHUB_TOKEN" in message
    assert "Bad credentials" in message
    assert "ghp_not_the_right_token" not in message
    assert denied.value.status_code == 401
    assert fake_time.sleeps == []


async def test_client_from_settings_reaches_the_sandbox(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROYAL_SANDBOX_PORT", str(sandbox.port))
    async with GitHubClient.from_settings() as github:
        assert github.config.sandbox
        assert github.config.api_url == f"{sandbox.url}/github"
        assert await github.get_branch_sha("main") == emulator_of(sandbox).branch_sha("main")
        budget = await github.get_rate_limit()
    assert budget.limit == 5000
    assert budget.remaining == 4999  # /rate_limit itself is free
