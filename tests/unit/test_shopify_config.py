"""Configuration from settings, search filters and wait helpers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import SecretStr, ValidationError

from settings import Settings
from tools.shopify import OrderFilter, ShopifyConfig
from tools.shopify.backoff import jittered_backoff, retry_after_seconds
from tools.shopify.config import SANDBOX_ACCESS_TOKEN
from tools.shopify.filters import search_value


def test_without_a_shop_the_sandbox_is_used() -> None:
    settings = Settings(royal_sandbox_port=9999)
    config = ShopifyConfig.from_settings(settings)
    assert config.shop_url == "http://127.0.0.1:9999/shopify"
    assert config.graphql_url == "http://127.0.0.1:9999/shopify/admin/api/2026-01/graphql.json"
    assert config.access_token is not None
    assert config.access_token.get_secret_value() == SANDBOX_ACCESS_TOKEN


def test_a_configured_shop_with_a_token() -> None:
    settings = Settings(
        shopify_shop="royal-demo.myshopify.com",
        shopify_access_token=SecretStr("shpat_real"),
        shopify_api_secret=SecretStr("webhook-secret"),
        shopify_api_version="2026-04",
        shopify_max_attempts=3,
        redis_url=SecretStr("redis://127.0.0.1:6379/2"),
    )
    config = ShopifyConfig.from_settings(settings)
    assert config.graphql_url == ("https://royal-demo.myshopify.com/admin/api/2026-04/graphql.json")
    assert not config.uses_client_credentials
    assert config.client_secret is None  # the webhook secret is not used to mint tokens
    assert config.max_attempts == 3
    assert config.redis_url is not None
    assert config.auth_hint == "SHOPIFY_ACCESS_TOKEN"
    assert "shpat_real" not in repr(config)


def test_a_configured_shop_with_client_credentials() -> None:
    settings = Settings(
        shopify_shop="royal-demo.myshopify.com",
        shopify_api_key=SecretStr("client-id"),
        shopify_api_secret=SecretStr("client-secret"),
    )
    config = ShopifyConfig.from_settings(settings)
    assert config.uses_client_credentials
    assert config.token_url == "https://royal-demo.myshopify.com/admin/oauth/access_token"
    assert config.shop_label == "royal-demo.myshopify.com"
    assert config.auth_hint == "SHOPIFY_API_KEY and SHOPIFY_API_SECRET"
    assert "client-secret" not in repr(config)


def test_config_needs_one_way_to_authenticate() -> None:
    with pytest.raises(ValidationError, match="access_token"):
        ShopifyConfig(shop_url="https://x.myshopify.com")
    with pytest.raises(ValidationError, match="go together"):
        ShopifyConfig(
            shop_url="https://x.myshopify.com",
            access_token=SecretStr("t"),
            client_id=SecretStr("id"),
        )
    with pytest.raises(ValidationError, match="absolute"):
        ShopifyConfig(shop_url="x.myshopify.com", access_token=SecretStr("t"))
    with pytest.raises(ValidationError, match="quarterly"):
        ShopifyConfig(
            shop_url="https://x.myshopify.com", access_token=SecretStr("t"), api_version="2026-02"
        )


def test_order_filter_builds_search_syntax() -> None:
    query = OrderFilter(
        financial_status="paid",
        fulfillment_status="unfulfilled",
        created_from=datetime(2026, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1))),
        created_until=datetime(2026, 2, 1),
        name="#1001",
        tag="vip customer",
    ).to_query()
    assert query == (
        "financial_status:paid fulfillment_status:unfulfilled "
        "created_at:>='2026-01-01T00:00:00Z' created_at:<'2026-02-01T00:00:00Z' "
        'name:#1001 tag:"vip customer"'
    )
    assert OrderFilter().to_query() is None


def test_order_filter_refuses_an_empty_range() -> None:
    with pytest.raises(ValidationError, match="before"):
        OrderFilter(
            created_from=datetime(2026, 2, 1, tzinfo=UTC), created_until=datetime(2026, 1, 1)
        )


def test_search_values_are_quoted_and_escaped() -> None:
    assert search_value("mug") == "mug"
    assert search_value('say "hi" \\ bye') == '"say \\"hi\\" \\\\ bye"'
    assert search_value("a:b") == '"a:b"'


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds("0.25") == 0.25
    assert retry_after_seconds("-3") == 0.0
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:05 GMT", now=now) == 5.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    rng = random.Random(1)
    for attempt, step in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (10, 30.0)]:
        wait = jittered_backoff(attempt, base=0.5, cap=30.0, rng=rng)
        assert step / 2 <= wait <= step
