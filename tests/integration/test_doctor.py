"""`royal doctor` against real Postgres and Redis and the sandbox over HTTP."""

from __future__ import annotations

import pytest

from server.doctor import diagnose
from settings import ServiceMode, Settings
from tools.sandbox import SandboxServer


def _sandbox_settings(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROYAL_SANDBOX_HOST", sandbox.host)
    monkeypatch.setenv("ROYAL_SANDBOX_PORT", str(sandbox.port))


@pytest.mark.postgres
@pytest.mark.redis
async def test_every_service_reachable_on_real_storage_and_sandbox(
    sandbox: SandboxServer, postgres_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sandbox_settings(sandbox, monkeypatch)
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    statuses = {s.service: s for s in await diagnose(Settings())}
    assert set(statuses) == {
        "database",
        "redis",
        "model",
        "shopify",
        "github",
        "supplier:cjdropshipping",
        "supplier:printful",
        "helpdesk",
        "reviews",
        "email",
        "ads",
    }
    assert statuses["database"].mode is ServiceMode.REAL
    assert statuses["database"].detail.startswith("PostgreSQL")
    assert statuses["redis"].detail.startswith("Redis")
    assert statuses["model"].mode is ServiceMode.OFFLINE
    assert statuses["model"].reachable is None
    sandboxed = ("shopify", "github", "supplier:cjdropshipping", "supplier:printful")
    for name in (*sandboxed, "helpdesk", "reviews", "email", "ads"):
        assert statuses[name].mode is ServiceMode.SANDBOX
        assert statuses[name].reachable is True, statuses[name]
    assert all(s.reachable is not False for s in statuses.values())


async def test_embedded_defaults_and_a_stopped_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROYAL_SANDBOX_PORT", "9")  # nothing listens on the discard port
    statuses = {s.service: s for s in await diagnose(Settings())}
    assert statuses["database"].mode is ServiceMode.EMBEDDED
    assert statuses["database"].reachable is True
    assert statuses["redis"].mode is ServiceMode.DISABLED
    for name in ("shopify", "helpdesk", "reviews", "email", "ads"):
        assert statuses[name].reachable is False, statuses[name]
        assert statuses[name].detail  # says why, in one line
        assert "\n" not in statuses[name].detail


@pytest.mark.postgres
async def test_unreachable_database_is_reported_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://royal:hunter2@127.0.0.1:9/royal")
    status = next(s for s in await diagnose(Settings()) if s.service == "database")
    assert status.reachable is False
    assert "hunter2" not in status.target
    assert "hunter2" not in status.detail
