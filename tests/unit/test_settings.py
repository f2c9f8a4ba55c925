"""Settings: embedded defaults, secrets stay secret, production fails fast naming the gaps."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import MissingSecretsError, ServiceMode, Settings


def test_defaults_are_embedded_sandbox_and_offline() -> None:
    settings = Settings()
    assert settings.database_mode is ServiceMode.EMBEDDED
    assert settings.redis_mode is ServiceMode.DISABLED
    assert settings.model_mode is ServiceMode.OFFLINE
    assert settings.shopify_mode is ServiceMode.SANDBOX
    assert settings.github_mode is ServiceMode.SANDBOX
    assert settings.cj_mode is ServiceMode.SANDBOX
    assert settings.printful_mode is ServiceMode.SANDBOX
    assert settings.sandbox_url == "http://127.0.0.1:8787"


def test_real_credentials_switch_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPIFY_SHOP", "https://acme.myshopify.com/")
    monkeypatch.setenv("SHOPIFY_ACCESS_TOKEN", "shpat_x")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/royal")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    settings = Settings()
    assert settings.shopify_shop == "acme.myshopify.com"
    assert settings.shopify_mode is ServiceMode.REAL
    assert settings.database_mode is ServiceMode.REAL
    assert settings.model_mode is ServiceMode.REAL


def test_shop_without_credentials_stays_on_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPIFY_SHOP", "acme.myshopify.com")
    assert Settings().shopify_mode is ServiceMode.SANDBOX


def test_secrets_never_appear_in_repr_or_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPIFY_ACCESS_TOKEN", "shpat_supersecretvalue")
    monkeypatch.setenv("JWT_SECRET", "jwt-supersecretvalue")
    settings = Settings()
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert "supersecretvalue" not in text


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("GITHUB_REPO=acme/shop\nROYAL_SANDBOX_PORT=9999\n")
    settings = Settings()
    assert settings.github_repo == "acme/shop"
    assert settings.royal_sandbox_port == 9999


def test_production_lists_every_missing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROYAL_ENV", "production")
    monkeypatch.setenv("JWT_SECRET", "changethis")  # a placeholder counts as missing
    monkeypatch.setenv("APP_URL", "https://royal.example.com")
    with pytest.raises(MissingSecretsError) as caught:
        Settings()
    names = caught.value.names
    assert "JWT_SECRET" in names
    assert "APP_URL" not in names
    for expected in (
        "DATABASE_URL",
        "REDIS_URL",
        "ENCRYPTION_KEY",
        "OPENAI_API_KEY",
        "SHOPIFY_SHOP",
        "SHOPIFY_API_SECRET",
        "GITHUB_WEBHOOK_SECRET",
    ):
        assert expected in names
    assert any(name.startswith("SHOPIFY_ACCESS_TOKEN") for name in names)
    assert "GITHUB_TOKEN (or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)" in names


def test_production_with_every_secret_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        "ROYAL_ENV": "production",
        "DATABASE_URL": "postgresql://db/royal",
        "REDIS_URL": "redis://cache:6379/0",
        "JWT_SECRET": "a-long-random-jwt-secret",
        "ENCRYPTION_KEY": "q5O0QvWnTtpy6gVV0Yc2rVYJ3kKJXyKQn9nW3SmrRdI",
        "APP_URL": "https://royal.example.com",
        "OPENAI_API_KEY": "sk-live",
        "SHOPIFY_SHOP": "acme.myshopify.com",
        "SHOPIFY_API_SECRET": "shpss_x",
        "SHOPIFY_ACCESS_TOKEN": "shpat_x",
        "GITHUB_TOKEN": "ghp_x",
        "GITHUB_WEBHOOK_SECRET": "whsec",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    assert Settings().missing_production_secrets() == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SHOPIFY_API_VERSION", "2026-02"),
        ("SHOPIFY_API_VERSION", "latest"),
        ("SHOPIFY_SHOP", "acme.myshopify.com/admin"),
        ("ROYAL_SANDBOX_PORT", "99999"),
        ("ROYAL_ENV", "staging"),
    ],
)
def test_bad_values_are_rejected(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()
