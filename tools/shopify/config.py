"""Where the Shopify client connects and how it authenticates, derived from settings."""

from __future__ import annotations

from typing import Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from settings import Settings
from settings.model import ServiceMode

#: The static token the sandbox store accepts (it is not a secret: the sandbox is local).
SANDBOX_ACCESS_TOKEN = "shpat_sandbox_token"
#: The sandbox shop's myshopify domain (what its OAuth callbacks name as ``shop``).
SANDBOX_SHOP_DOMAIN = "royal-demo.myshopify.com"
DEFAULT_API_VERSION = "2026-01"


class ShopifyConfig(BaseModel):
    """Connection settings for one shop.

    ``shop_url`` is the base the Admin paths hang off: ``https://name.myshopify.com`` for a real
    store, ``{sandbox}/shopify`` for the local emulator.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    shop_url: str
    api_version: str = DEFAULT_API_VERSION
    access_token: SecretStr | None = None
    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    max_attempts: int = Field(default=12, ge=1, le=20)
    retry_budget: float = Field(
        default=90.0, gt=0, description="Stop retrying one request after this many seconds."
    )
    timeout: float = Field(default=30.0, gt=0)
    token_refresh_margin: float = Field(
        default=300.0, ge=0, description="Refresh a granted token this many seconds before expiry."
    )
    backoff_base: float = Field(default=0.5, gt=0, description="First backoff step (seconds).")
    backoff_max: float = Field(default=30.0, gt=0, description="Cap of one backoff wait.")
    max_wait: float = Field(
        default=120.0,
        gt=0,
        description="Give up instead of retrying when Shopify asks to wait longer than this.",
    )
    redis_url: SecretStr | None = Field(
        default=None, description="Share the cost bucket across processes through this Redis."
    )
    credential_hint: str | None = Field(
        default=None, description="Names of the settings to check when auth fails (for messages)."
    )
    sandbox: bool = Field(default=False, description="True when pointing at the local emulator.")

    @field_validator("shop_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an absolute http(s) URL like https://name.myshopify.com")
        return value.rstrip("/")

    @field_validator("api_version")
    @classmethod
    def _quarterly_version(cls, value: str) -> str:
        year, _, month = value.partition("-")
        if not (len(year) == 4 and year.isdigit() and month in {"01", "04", "07", "10"}):
            raise ValueError("must be a quarterly version like 2026-01")
        return value

    @model_validator(mode="after")
    def _one_way_to_authenticate(self) -> Self:
        has_grant = self.client_id is not None and self.client_secret is not None
        if self.access_token is None and not has_grant:
            raise ValueError("set access_token, or client_id and client_secret")
        if (self.client_id is None) != (self.client_secret is None):
            raise ValueError("client_id and client_secret go together")
        return self

    @classmethod
    def from_settings(cls, settings: Settings) -> ShopifyConfig:
        """The configured real shop when there is one, otherwise the sandbox store."""
        if settings.shopify_mode is ServiceMode.REAL and settings.shopify_shop:
            token = settings.shopify_access_token
            use_grant = token is None
            return cls(
                shop_url=f"https://{settings.shopify_shop}",
                api_version=settings.shopify_api_version,
                access_token=token,
                client_id=settings.shopify_api_key if use_grant else None,
                client_secret=settings.shopify_api_secret if use_grant else None,
                max_attempts=settings.shopify_max_attempts,
                redis_url=settings.redis_url,
                credential_hint=(
                    "SHOPIFY_API_KEY and SHOPIFY_API_SECRET"
                    if use_grant
                    else "SHOPIFY_ACCESS_TOKEN"
                ),
            )
        return cls(
            shop_url=f"{settings.sandbox_url}/shopify",
            api_version=settings.shopify_api_version,
            access_token=SecretStr(SANDBOX_ACCESS_TOKEN),
            max_attempts=settings.shopify_max_attempts,
            redis_url=settings.redis_url,
            sandbox=True,
        )

    # --- derived -------------------------------------------------------------------------
    @property
    def graphql_url(self) -> str:
        return f"{self.shop_url}/admin/api/{self.api_version}/graphql.json"

    @property
    def token_url(self) -> str:
        return f"{self.shop_url}/admin/oauth/access_token"

    @property
    def shop_domain(self) -> str:
        """The shop's myshopify domain: the host of a real shop, the sandbox's own domain."""
        return SANDBOX_SHOP_DOMAIN if self.sandbox else urlsplit(self.shop_url).netloc

    @property
    def uses_client_credentials(self) -> bool:
        return self.access_token is None

    @property
    def shop_label(self) -> str:
        """The shop as people name it: the myshopify domain, or host and path for the sandbox."""
        parts = urlsplit(self.shop_url)
        return f"{parts.netloc}{parts.path}"

    @property
    def bucket_key(self) -> str:
        """Identifies the shop's cost budget (shared by every client of the same shop)."""
        return self.shop_label

    @property
    def auth_hint(self) -> str:
        if self.credential_hint:
            return self.credential_hint
        if self.uses_client_credentials:
            return "SHOPIFY_API_KEY and SHOPIFY_API_SECRET"
        return "SHOPIFY_ACCESS_TOKEN"
