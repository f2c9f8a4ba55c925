"""`royal doctor`: for each service, how it is provided and whether it answers."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable

import httpx
import psycopg
import redis.asyncio as aioredis
from pydantic import BaseModel

from settings import ServiceMode, Settings

PROBE_TIMEOUT_SECONDS = 3.0


class ServiceStatus(BaseModel):
    service: str
    mode: ServiceMode
    target: str
    reachable: bool | None  # None: nothing to reach (offline model, Redis not configured)
    detail: str


Probe = Callable[[], Awaitable[str]]


async def _check(
    service: str, mode: ServiceMode, target: str, probe: Probe | None
) -> ServiceStatus:
    if probe is None:
        return ServiceStatus(service=service, mode=mode, target=target, reachable=None, detail="")
    try:
        detail = await asyncio.wait_for(probe(), PROBE_TIMEOUT_SECONDS)
    except Exception as exc:  # a probe reports any failure; it never crashes the doctor
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return ServiceStatus(
            service=service, mode=mode, target=target, reachable=False, detail=reason[:160]
        )
    return ServiceStatus(service=service, mode=mode, target=target, reachable=True, detail=detail)


def _redact_url(url: str) -> str:
    """Drop credentials from a URL before it is shown."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(username=None, password=None)) if parsed.userinfo else url


async def _http_ok(method: str, url: str, headers: dict[str, str], json: object = None) -> str:
    async with httpx.AsyncClient(timeout=PROBE_TIMEOUT_SECONDS) as client:
        response = await client.request(method, url, headers=headers, json=json)
    if response.status_code >= 400:
        raise RuntimeError(f"HTTP {response.status_code} from {url}")
    return f"HTTP {response.status_code}"


async def diagnose(settings: Settings) -> list[ServiceStatus]:
    """Probe every service concurrently."""
    checks: list[Awaitable[ServiceStatus]] = [
        _database(settings),
        _redis(settings),
        _model(settings),
        _shopify(settings),
        _github(settings),
        _cj(settings),
        _printful(settings),
        _helpdesk(settings),
        _reviews(settings),
        _email(settings),
        _ads(settings),
    ]
    return list(await asyncio.gather(*checks))


async def _database(settings: Settings) -> ServiceStatus:
    if settings.database_url is None:
        path = settings.sqlite_path

        async def sqlite_probe() -> str:
            path.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(path) as conn:
                version = conn.execute("select sqlite_version()").fetchone()[0]
            return f"SQLite {version}"

        return await _check("database", ServiceMode.EMBEDDED, str(path), sqlite_probe)
    url = settings.database_url.get_secret_value()

    async def postgres_probe() -> str:
        async with await psycopg.AsyncConnection.connect(url, connect_timeout=3) as conn:
            cursor = await conn.execute("show server_version")
            row = await cursor.fetchone()
        return f"PostgreSQL {row[0] if row else '?'}"

    return await _check("database", ServiceMode.REAL, _redact_url(url), postgres_probe)


async def _redis(settings: Settings) -> ServiceStatus:
    if settings.redis_url is None:
        return await _check("redis", ServiceMode.DISABLED, "in-process queues", None)
    url = settings.redis_url.get_secret_value()

    async def redis_probe() -> str:
        client: aioredis.Redis = aioredis.from_url(url, socket_connect_timeout=3)
        try:
            info = await client.info("server")
        finally:
            await client.aclose()
        return f"Redis {info.get('redis_version', '?')}"

    return await _check("redis", ServiceMode.REAL, _redact_url(url), redis_probe)


async def _model(settings: Settings) -> ServiceStatus:
    if settings.openai_api_key is None:
        return await _check("model", ServiceMode.OFFLINE, "offline deterministic model", None)
    base = (settings.openai_base_url or "https://api.openai.com/v1").rstrip("/")
    key = settings.openai_api_key.get_secret_value()
    return await _check(
        "model",
        ServiceMode.REAL,
        base,
        lambda: _http_ok("GET", f"{base}/models", {"Authorization": f"Bearer {key}"}),
    )


async def _shopify(settings: Settings) -> ServiceStatus:
    from tools.shopify import ShopifyClient, ShopifyConfig

    config = ShopifyConfig.from_settings(settings)

    async def probe() -> str:
        async with ShopifyClient(config) as client:
            shop = await client.get_shop()
        return f"shop {shop.name!r}"

    return await _check("shopify", settings.shopify_mode, config.graphql_url, probe)


async def _github(settings: Settings) -> ServiceStatus:
    from tools.github import GitHubClient, GitHubConfig

    config = GitHubConfig.from_settings(settings)

    async def probe() -> str:
        async with GitHubClient(config) as client:
            limits = await client.get_rate_limit()
        return f"{limits.remaining}/{limits.limit} requests left"

    return await _check("github", settings.github_mode, config.api_url, probe)


async def _cj(settings: Settings) -> ServiceStatus:
    return await _supplier(settings, "cjdropshipping", settings.cj_mode)


async def _printful(settings: Settings) -> ServiceStatus:
    return await _supplier(settings, "printful", settings.printful_mode)


async def _supplier(settings: Settings, name: str, mode: ServiceMode) -> ServiceStatus:
    from tools.suppliers import build_suppliers

    suppliers = build_suppliers(settings)
    supplier = suppliers[name]

    async def probe() -> str:
        profile = await supplier.profile()
        return f"{profile.name}"

    try:
        return await _check(f"supplier:{name}", mode, supplier.base_url, probe)
    finally:
        for each in suppliers.values():
            await each.aclose()


def _client_mode(mode: str) -> ServiceMode:
    return ServiceMode.SANDBOX if mode == "sandbox" else ServiceMode.REAL


async def _helpdesk(settings: Settings) -> ServiceStatus:
    from tools.helpdesk.zendesk import build_helpdesk

    client = build_helpdesk(settings)

    async def probe() -> str:
        agent = await client.me()
        return f"Zendesk agent {agent.name!r}"

    try:
        return await _check("helpdesk", settings.zendesk_mode, client.base_url, probe)
    finally:
        await client.aclose()


async def _reviews(settings: Settings) -> ServiceStatus:
    from tools.reviews.judgeme import build_reviews

    client = build_reviews(settings)

    async def probe() -> str:
        latest = await client.latest_reviews(limit=1)
        return f"Judge.me answered ({len(latest)} review read)"

    try:
        return await _check("reviews", _client_mode(client.mode), client.base_url, probe)
    finally:
        await client.aclose()


async def _email(settings: Settings) -> ServiceStatus:
    from tools.email.klaviyo import build_email_provider

    client = build_email_provider(settings)

    async def probe() -> str:
        await client.consents(["doctor-probe@example.invalid"])  # a profile lookup: a read
        return "Klaviyo answered"

    try:
        return await _check("email", _client_mode(client.mode), client.base_url, probe)
    finally:
        await client.aclose()


async def _ads(settings: Settings) -> ServiceStatus:
    from tools.ads.factory import build_ads
    from tools.ads.meta import SANDBOX_PATH

    client = build_ads(settings)
    real = settings.meta_mode is ServiceMode.REAL
    target = settings.meta_base_url if real else settings.sandbox_url.rstrip("/") + SANDBOX_PATH

    async def probe() -> str:
        await client.find_campaigns("royal-doctor-probe")  # a campaign search: a read
        return "Meta Marketing API answered"

    try:
        return await _check("ads", settings.meta_mode, target, probe)
    finally:
        await client.aclose()
