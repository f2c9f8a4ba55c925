"""Client behaviour that needs a scripted server: off-origin links, errors, dropped connections."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr

from tools.github import (
    GitHubClient,
    GitHubConfig,
    GitHubError,
    GitHubPermissionError,
    GitHubServerError,
    GitHubValidationError,
)

API = "https://api.github.com"


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def client_for(
    handler: Callable[[httpx.Request], httpx.Response], sleeps: Sleeps, **overrides: object
) -> GitHubClient:
    config = GitHubConfig.model_validate(
        {"api_url": API, "token": SecretStr("ghp_unit"), "repo": "acme/shop", **overrides}
    )
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return GitHubClient(config, http_client=http, sleep=sleeps, clock=lambda: 1_800_000_000.0)


async def test_sends_the_documented_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"ref": "refs/heads/main", "object": {"sha": "a" * 40, "type": "commit"}}
        )

    async with client_for(handler, Sleeps()) as github:
        assert await github.get_branch_sha("release/2026.1") == "a" * 40
    request = seen[0]
    assert request.url.path == "/repos/acme/shop/git/ref/heads/release/2026.1"
    assert request.headers["authorization"] == "Bearer ghp_unit"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    assert request.headers["user-agent"]


async def test_refuses_to_follow_pagination_off_the_api_origin() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json=[], headers={"link": '<https://evil.example/x>; rel="next"'}
        )

    async with client_for(handler, Sleeps()) as github:
        with pytest.raises(GitHubError, match="refusing to follow"):
            _ = [c async for c in github.list_issue_comments(1)]


async def test_forbidden_without_rate_limit_is_a_permission_error_not_a_wait() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            403,
            json={
                "message": "Resource not accessible by integration",
                "documentation_url": "https://docs.github.com/rest",
            },
            headers={
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "4000",
                "x-ratelimit-reset": "1800000600",
            },
        )

    sleeps = Sleeps()
    async with client_for(handler, sleeps) as github:
        with pytest.raises(GitHubPermissionError, match="not accessible"):
            await github.get_pull_request(1)
    assert sleeps.calls == []


async def test_validation_errors_carry_github_error_details() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            422,
            json={
                "message": "Validation Failed",
                "errors": [{"resource": "PullRequest", "field": "head", "code": "invalid"}],
            },
        )

    async with client_for(handler, Sleeps()) as github:
        with pytest.raises(GitHubValidationError) as failed:
            await github.create_pull_request(title="t", head="x", base="main")
    assert failed.value.errors[0].field == "head"
    assert failed.value.errors[0].code == "invalid"
    assert "head invalid" in str(failed.value)


async def test_read_timeouts_are_retried_for_reads_but_not_for_creates() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise httpx.ReadTimeout("slow", request=request)

    sleeps = Sleeps()
    async with client_for(handler, sleeps, max_attempts=3) as github:
        with pytest.raises(GitHubServerError, match="ReadTimeout"):
            await github.get_pull_request(1)
        assert calls == ["GET"] * 3
        assert len(sleeps.calls) == 2
        calls.clear()
        # A POST whose response was lost may have been applied: never repeat it blindly.
        with pytest.raises(GitHubServerError):
            await github.create_issue_comment(1, "once")
        assert calls == ["POST"]


async def test_connect_errors_are_retried_even_for_creates() -> None:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(
            201,
            json={
                "id": 1,
                "body": "once",
                "html_url": "https://github.com/acme/shop/issues/1#c1",
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
            },
        )

    sleeps = Sleeps()
    async with client_for(handler, sleeps) as github:
        comment = await github.create_issue_comment(1, "once")
    assert comment.body == "once"
    assert len(sleeps.calls) == 2


async def test_unexpected_response_shape_is_a_github_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"unexpected": True})

    async with client_for(handler, Sleeps()) as github:
        with pytest.raises(GitHubError, match="PullRequest"):
            await github.get_pull_request(1)


async def test_argument_errors_fail_before_any_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    async with client_for(handler, Sleeps()) as github:
        with pytest.raises(ValueError, match="per_page"):
            github.list_pull_requests(per_page=101)
        with pytest.raises(ValueError, match="nothing to update"):
            await github.update_pull_request(1)
