"""Rate-limit header parsing and the waits GitHub's documented rules call for."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from tools.github.pagination import parse_link_header
from tools.github.ratelimit import (
    RESET_MARGIN_SECONDS,
    parse_rate_limit,
    parse_retry_after,
    rate_limit_wait,
    server_error_backoff,
)

NOW = 1_800_000_000.0


def budget_headers(remaining: int, reset: int = int(NOW) + 600) -> dict[str, str]:
    return {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-used": str(5000 - remaining),
        "x-ratelimit-reset": str(reset),
        "x-ratelimit-resource": "core",
    }


def test_parse_rate_limit_headers() -> None:
    budget = parse_rate_limit(budget_headers(4321, reset=1_800_000_600))
    assert budget is not None
    assert (budget.limit, budget.remaining, budget.used) == (5000, 4321, 679)
    assert budget.resource == "core"
    assert budget.reset_at == datetime(2027, 1, 15, 8, 10, tzinfo=UTC)
    assert budget.seconds_until_reset(NOW) == 600
    assert budget.seconds_until_reset(NOW + 10_000) == 0


def test_parse_rate_limit_tolerates_missing_or_garbled_headers() -> None:
    assert parse_rate_limit({}) is None
    assert parse_rate_limit({**budget_headers(1), "x-ratelimit-reset": "soon"}) is None
    no_used = budget_headers(10)
    del no_used["x-ratelimit-used"]
    del no_used["x-ratelimit-resource"]
    budget = parse_rate_limit(no_used)
    assert budget is not None
    assert budget.used == 4990
    assert budget.resource == "core"


def test_retry_after_as_seconds_or_http_date() -> None:
    assert parse_retry_after({"retry-after": "17"}, NOW) == 17
    when = datetime.fromtimestamp(NOW + 90, UTC)
    assert parse_retry_after({"retry-after": format_datetime(when, usegmt=True)}, NOW) == 90
    assert parse_retry_after({"retry-after": "whenever"}, NOW) is None
    assert parse_retry_after({}, NOW) is None


def test_primary_limit_waits_until_reset_plus_margin() -> None:
    wait = rate_limit_wait(
        403, budget_headers(0), "API rate limit exceeded", now=NOW, secondary_hits=0
    )
    assert wait is not None
    assert wait.kind == "primary"
    assert wait.seconds == 600 + RESET_MARGIN_SECONDS
    assert wait.reset_at == datetime.fromtimestamp(NOW + 600, UTC)
    late = rate_limit_wait(
        429, budget_headers(0, reset=int(NOW) - 5), "", now=NOW, secondary_hits=0
    )
    assert late is not None
    assert late.seconds == RESET_MARGIN_SECONDS


def test_retry_after_wins_over_reset() -> None:
    headers = {**budget_headers(0), "retry-after": "30"}
    wait = rate_limit_wait(403, headers, "", now=NOW, secondary_hits=0)
    assert wait is not None
    assert (wait.kind, wait.seconds, wait.retry_after) == ("primary", 30, 30)


@pytest.mark.parametrize(("hits", "expected"), [(0, 60), (1, 120), (2, 240), (4, 960)])
def test_secondary_limit_without_retry_after_doubles_from_a_minute(
    hits: int, expected: float
) -> None:
    wait = rate_limit_wait(
        403,
        budget_headers(4000),
        "You have exceeded a secondary rate limit.",
        now=NOW,
        secondary_hits=hits,
    )
    assert wait is not None
    assert wait.kind == "secondary"
    assert wait.seconds == expected


def test_plain_429_without_headers_is_treated_as_secondary() -> None:
    wait = rate_limit_wait(429, {}, "Too Many Requests", now=NOW, secondary_hits=0)
    assert wait is not None
    assert (wait.kind, wait.seconds) == ("secondary", 60)


def test_forbidden_without_rate_limit_signs_is_not_a_rate_limit() -> None:
    assert (
        rate_limit_wait(
            403,
            budget_headers(4000),
            "Resource not accessible by integration",
            now=NOW,
            secondary_hits=0,
        )
        is None
    )
    assert rate_limit_wait(404, budget_headers(0), "Not Found", now=NOW, secondary_hits=0) is None


def test_server_error_backoff_is_jittered_and_capped() -> None:
    rng = random.Random(0)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (10, 30.0)]:
        delays = [server_error_backoff(attempt, base=0.5, cap=30, rng=rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1


def test_parse_link_header() -> None:
    header = (
        '<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", '
        '<https://api.github.com/repositories/1300192/issues?page=4>; rel="next", '
        '<https://api.github.com/repositories/1300192/issues?page=515>; rel="last", '
        '<https://api.github.com/repositories/1300192/issues?page=1>; rel="first"'
    )
    links = parse_link_header(header)
    assert links == {
        "prev": "https://api.github.com/repositories/1300192/issues?page=2",
        "next": "https://api.github.com/repositories/1300192/issues?page=4",
        "last": "https://api.github.com/repositories/1300192/issues?page=515",
        "first": "https://api.github.com/repositories/1300192/issues?page=1",
    }
    assert parse_link_header(None) == {}
    assert parse_link_header("") == {}
    assert parse_link_header('<https://x/?a=1,2>; rel="next"') == {"next": "https://x/?a=1,2"}
