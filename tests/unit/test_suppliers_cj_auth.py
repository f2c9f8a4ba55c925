"""CJ token handling: one fetch, reuse, refresh before expiry, re-issue only when allowed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tools.suppliers.cj.auth import CJTokenManager
from tools.suppliers.errors import (
    SupplierAuthenticationError,
    SupplierRateLimitError,
    SupplierUnavailableError,
)

CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def grant(name: str, ttl: timedelta = timedelta(days=15)) -> dict[str, Any]:
    return {
        "accessToken": f"access-{name}",
        "refreshToken": f"refresh-{name}",
        "createDate": CREATED.isoformat(),
        "accessTokenExpiryDate": (CREATED + ttl).isoformat(),
        "refreshTokenExpiryDate": (CREATED + timedelta(days=180)).isoformat(),
    }


class FakeCJ:
    """Stands in for the two token endpoints and counts calls."""

    def __init__(self) -> None:
        self.now = 0.0
        self.issued = 0
        self.refreshed: list[str] = []
        self.issue_error: Exception | None = None
        self.refresh_error: Exception | None = None

    def clock(self) -> float:
        return self.now

    async def issue(self) -> Mapping[str, Any]:
        self.issued += 1
        if self.issue_error is not None:
            raise self.issue_error
        return grant(f"i{self.issued}")

    async def refresh(self, refresh_token: str) -> Mapping[str, Any]:
        self.refreshed.append(refresh_token)
        if self.refresh_error is not None:
            raise self.refresh_error
        return grant(f"r{len(self.refreshed)}")

    def manager(self) -> CJTokenManager:
        return CJTokenManager(self.issue, self.refresh, clock=self.clock)


async def test_the_token_is_fetched_once_and_reused() -> None:
    cj = FakeCJ()
    tokens = cj.manager()
    assert {await tokens.access_token() for _ in range(5)} == {"access-i1"}
    assert cj.issued == 1
    assert cj.refreshed == []


async def test_refresh_happens_a_day_before_a_15_day_token_expires() -> None:
    cj = FakeCJ()
    tokens = cj.manager()
    await tokens.access_token()
    cj.now += timedelta(days=13, hours=23).total_seconds()
    assert await tokens.access_token() == "access-i1"
    cj.now += timedelta(hours=2).total_seconds()
    assert await tokens.access_token() == "access-r1"
    assert cj.refreshed == ["refresh-i1"]
    assert cj.issued == 1


async def test_a_refused_token_is_refreshed_on_the_next_call() -> None:
    cj = FakeCJ()
    tokens = cj.manager()
    tokens.invalidate(await tokens.access_token())
    assert await tokens.access_token() == "access-r1"
    tokens.invalidate("some-other-token")
    assert await tokens.access_token() == "access-r1"


async def test_a_refused_refresh_token_falls_back_to_a_new_token_when_allowed() -> None:
    cj = FakeCJ()
    tokens = cj.manager()
    token = await tokens.access_token()
    cj.refresh_error = SupplierAuthenticationError("cjdropshipping", "refresh refused")
    tokens.invalidate(token)
    with pytest.raises(SupplierRateLimitError, match="once per 300s") as caught:
        await tokens.access_token()
    assert caught.value.retry_after == pytest.approx(300)
    cj.now += 300
    assert await tokens.access_token() == "access-i2"
    assert cj.issued == 2


async def test_a_rejected_key_keeps_failing_the_same_way_without_calling_again() -> None:
    cj = FakeCJ()
    cj.issue_error = SupplierAuthenticationError(
        "cjdropshipping", "CJdropshipping rejected CJ_API_KEY"
    )
    tokens = cj.manager()
    for _ in range(3):
        with pytest.raises(SupplierAuthenticationError, match="CJ_API_KEY"):
            await tokens.access_token()
    assert cj.issued == 1


async def test_an_unanswered_token_call_does_not_spend_the_five_minute_window() -> None:
    cj = FakeCJ()
    cj.issue_error = SupplierUnavailableError("cjdropshipping", "503")
    tokens = cj.manager()
    with pytest.raises(SupplierUnavailableError):
        await tokens.access_token()
    cj.issue_error = None
    assert await tokens.access_token() == "access-i2"


async def test_short_lived_tokens_refresh_at_ninety_percent_of_their_life() -> None:
    cj = FakeCJ()
    tokens = CJTokenManager(lambda: _short(cj), cj.refresh, clock=cj.clock)
    await tokens.access_token()
    cj.now += 899
    assert await tokens.access_token() == "access-short"
    cj.now += 2
    assert await tokens.access_token() == "access-r1"


async def _short(cj: FakeCJ) -> Mapping[str, Any]:
    cj.issued += 1
    data = grant("short", ttl=timedelta(seconds=1000))
    return data
