"""The settings model: environment variables, defaults and the production secret check."""

from __future__ import annotations

import base64
import binascii
import functools
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Values people paste from examples; accepted nowhere outside development.
_PLACEHOLDER_SECRETS = frozenset({"changethis", "changeme", "secret", "password", "xxx", "todo"})


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ServiceMode(StrEnum):
    """How a dependency is provided: a real service, a local emulator, or built in."""

    REAL = "real"
    SANDBOX = "sandbox"
    EMBEDDED = "embedded"
    OFFLINE = "offline"
    DISABLED = "disabled"


class MissingSecretsError(RuntimeError):
    """Raised at start-up in production when required secrets are absent or placeholders."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(
            "ROYAL_ENV=production but these secrets are missing or placeholders: "
            + ", ".join(names)
        )


Secret = Annotated[SecretStr | None, Field(default=None)]

#: HS256 keys shorter than the hash output are brute-forceable (RFC 7518 section 3.2).
MIN_JWT_SECRET_BYTES = 32
ApiRole = Literal["viewer", "operator", "approver", "admin"]


class ApiKeyEntry(BaseModel):
    """One ``name:role:key`` entry of ``ROYAL_API_KEYS``; the name is the recorded identity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
    role: ApiRole
    key: SecretStr = Field(min_length=24, max_length=512)


def parse_api_keys(raw: str) -> list[ApiKeyEntry]:
    """Parse ``name:role:key,...``; errors name the entry and field, never echo a key."""
    entries: list[ApiKeyEntry] = []
    for number, item in enumerate((part.strip() for part in raw.split(",")), start=1):
        if not item:
            continue
        name, role, key = [*item.split(":", 2), "", ""][:3]
        try:
            entry = ApiKeyEntry.model_validate(
                {"name": name.strip(), "role": role.strip(), "key": key.strip()}
            )
        except ValidationError as exc:
            fields = ", ".join(str(error["loc"][0]) for error in exc.errors())
            raise ValueError(f"entry {number} is not name:role:key (bad {fields})") from None
        entries.append(entry)
    names = [entry.name for entry in entries]
    keys = [entry.key.get_secret_value() for entry in entries]
    if len(set(names)) != len(names) or len(set(keys)) != len(keys):
        raise ValueError("names and keys must be unique")
    if not entries:
        raise ValueError("no entries")
    return entries


class Settings(BaseSettings):
    """All configuration, read from the environment and an optional ``.env`` file."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=False,
    )

    # --- process -------------------------------------------------------------------------
    royal_env: Environment = Field(
        default=Environment.DEVELOPMENT,
        description="development, test or production; production refuses to start without secrets.",
    )
    royal_data_dir: Path = Field(
        default=Path(".royal"),
        description="Local data directory for the embedded SQLite database and sandbox state.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level of the royal processes."
    )
    royal_log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        description="Log lines of royal serve and royal up: json (one object per line with "
        "request and run ids), text (short lines for people), or auto: text when stderr is a "
        "terminal, json otherwise.",
    )
    app_url: str | None = Field(
        default=None, description="Public URL of the server (links in notifications, OAuth)."
    )
    jwt_secret: Secret = Field(
        default=None,
        description="Signs API bearer tokens (HS256, at least 32 characters) and sessions.",
    )
    royal_api_keys: Secret = Field(
        default=None,
        description="API keys for the HTTP API (sent as x-api-key): comma-separated "
        "name:role:key entries, role viewer, operator, approver or admin, keys of 24+ characters.",
    )
    royal_opentelemetry: bool = Field(
        default=False,
        description="FastAPI's native OpenTelemetry traces, metrics and logs, through the "
        "globally configured providers (e.g. under opentelemetry-instrument). Off: no "
        "telemetry work per request (Prometheus /metrics and the JSON logs are always on).",
    )
    royal_approval_sweep_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How often the API expires overdue approvals and resumes them (seconds).",
    )
    encryption_key: Secret = Field(
        default=None,
        description="Encrypts stored third-party tokens at rest (AES-256-GCM): base64 keys of "
        "32 bytes, comma-separated, newest first (the newest encrypts, all decrypt; make one "
        "with `royal credentials generate-key`). Unset outside production: a key generated "
        "into ROYAL_DATA_DIR.",
    )

    # --- storage -------------------------------------------------------------------------
    database_url: Secret = Field(
        default=None,
        description="PostgreSQL URL (postgresql://…). Unset: embedded SQLite in ROYAL_DATA_DIR.",
    )
    royal_database_pool_size: int = Field(
        default=20,
        ge=2,
        le=500,
        description="PostgreSQL connections each process keeps for the app tables, and as many "
        "for checkpoints (at least the concurrent runs and requests; bursts may open 10 more).",
    )
    redis_url: Secret = Field(
        default=None,
        description="Redis URL (redis://…): run events, wake-ups and cancels shared by API and "
        "worker processes. Unset: in-process queues and a local throttle bucket.",
    )

    # --- server runs ---------------------------------------------------------------------
    royal_run_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Lease on a running run, renewed every third of it; a run whose worker "
        "stops renewing is re-queued and resumed by another worker.",
    )
    royal_run_max_attempts: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Attempts a run gets when its worker dies (lease lapsed) or a transient "
        "infrastructure error stops it; after the last it is dead-lettered (status dead). "
        "Losing the database connection does not count (up to five times this many runs).",
    )
    royal_run_retry_base_seconds: float = Field(
        default=2.0,
        ge=0,
        le=3600,
        description="Backoff before a failed run's next attempt: doubles per failure, half of "
        "it random (jitter).",
    )
    royal_run_retry_max_seconds: float = Field(
        default=60.0,
        ge=0,
        le=86_400,
        description="The longest backoff between two attempts of a failed run.",
    )
    royal_shutdown_grace_seconds: float = Field(
        default=10.0,
        ge=0,
        le=3600,
        description="On SIGTERM, how long in-flight runs may finish before they are stopped "
        "and re-queued for another worker.",
    )
    royal_thread_ttl_minutes: float | None = Field(
        default=None,
        gt=0,
        description="Threads idle (not updated, nothing in flight) for longer than this are "
        "deleted with their checkpoints by a sweeper, as the reference server's thread TTL. "
        "Unset: threads are kept until deleted or pruned.",
    )
    royal_thread_sweep_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="How often the thread TTL sweeper looks for expired threads.",
    )
    royal_effects_sweep_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="How often each worker's effects sweeper resolves writes left STARTED "
        "(the process died between claiming and recording them) against their service.",
    )
    royal_effects_grace_seconds: float = Field(
        default=300.0,
        ge=0,
        le=86_400,
        description="A STARTED effect is swept only once it is this old and no run is in "
        "flight on its thread (a live run resolves its own writes).",
    )
    royal_store_default_ttl_minutes: float | None = Field(
        default=None,
        gt=0,
        description="Time-to-live of a LangGraph store item written without its own ``ttl`` "
        "(unset: such items never expire).",
    )
    royal_store_sweep_minutes: float = Field(
        default=5.0,
        gt=0,
        le=1440,
        description="How often expired LangGraph store items are deleted.",
    )
    royal_order_sweep_seconds: float = Field(
        default=600.0,
        ge=0,
        le=86400,
        description="How often each API and worker process looks for paid, unfulfilled "
        "orders that no webhook delivered and starts their fulfilment, each order line once "
        "(first sweep one interval after start; 0: no sweep).",
    )
    royal_cron_tick_seconds: float = Field(
        default=5.0,
        gt=0,
        le=3600,
        description="How often each API and worker process looks for due crons (a due cron "
        "fires once, whichever process claims it).",
    )
    royal_roas_watch_schedule: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="Cron expression for the scheduled ROAS watcher (e.g. '0 */6 * * *': every "
        "six hours); unset: the watcher runs only when asked. It never raises a budget above "
        "what was approved.",
    )
    royal_roas_watch_timezone: str = Field(
        default="Europe/Amsterdam",
        max_length=64,
        description="IANA time zone of ROYAL_ROAS_WATCH_SCHEDULE.",
    )
    royal_daily_report_schedule: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="Cron expression for the finance cluster's daily report (e.g. '55 23 * * *': "
        "today's P&L, what is owed to suppliers and the revenue-drop alert, late each day); "
        "unset: the report runs only when asked.",
    )
    royal_daily_report_timezone: str = Field(
        default="Europe/Amsterdam",
        max_length=64,
        description="IANA time zone of ROYAL_DAILY_REPORT_SCHEDULE.",
    )
    royal_event_retention_seconds: int = Field(
        default=600,
        gt=0,
        description="How long a finished run's events stay replayable (streams, join, "
        "Last-Event-ID).",
    )

    # --- model ---------------------------------------------------------------------------
    openai_api_key: Secret = Field(
        default=None, description="OpenAI (or compatible) key. Unset: the offline model."
    )
    openai_base_url: str | None = Field(
        default=None, description="Any OpenAI-compatible server (vLLM, Ollama, LM Studio)."
    )
    royal_model_ceo: str = Field(default="gpt-4o", description="Model for the CEO agent.")
    royal_model_cluster: str = Field(default="gpt-4o-mini", description="Model for cluster agents.")
    royal_model_copywriting: str = Field(
        default="gpt-4o-mini", description="Model for product copy."
    )
    royal_model_images: str | None = Field(
        default=None,
        description="Model for generated ad backgrounds (POST /images/generations), e.g. "
        "gpt-image-1; needs OPENAI_API_KEY. Unset: none.",
    )
    royal_run_budget_eur: Decimal = Field(
        default=Decimal("1.00"), gt=0, description="LLM spend allowed per run (EUR)."
    )
    royal_run_token_budget: int = Field(
        default=250_000, gt=0, description="LLM tokens allowed per run."
    )

    # --- policy ----------------------------------------------------------------------------
    royal_policy_file: Path | None = Field(
        default=None,
        description="Risk policy file (YAML). Unset: the shipped policies/default_policy.yaml.",
    )
    royal_kill_switch: bool = Field(
        default=False, description="When true, every write waits for human approval."
    )
    royal_webhook_allow_private: bool = Field(
        default=False,
        description="Let run webhooks target loopback/private/link-local addresses (SSRF guard "
        "off; for tests and trusted networks only).",
    )

    # --- Shopify -------------------------------------------------------------------------
    shopify_shop: str | None = Field(
        default=None,
        description="Shop domain (name.myshopify.com). Unset: the sandbox store.",
    )
    shopify_access_token: Secret = Field(
        default=None, description="Admin API access token (shpat_…)."
    )
    shopify_api_key: Secret = Field(
        default=None, description="App client id, for the client-credentials grant."
    )
    shopify_api_secret: Secret = Field(
        default=None,
        description="App client secret: client-credentials grant and webhook/OAuth HMAC.",
    )
    shopify_scopes: str = Field(
        default="read_products,write_products,read_orders,write_orders,read_inventory,"
        "write_inventory,write_discounts,read_publications,write_publications",
        description="Access scopes the app requests.",
    )
    shopify_api_version: str = Field(
        default="2026-01", description="Pinned Admin GraphQL API version (YYYY-MM)."
    )
    shopify_max_attempts: int = Field(
        default=12,
        ge=1,
        le=20,
        description="Attempts per Shopify request before giving up (within 90 s of retrying).",
    )

    # --- GitHub --------------------------------------------------------------------------
    github_token: Secret = Field(default=None, description="GitHub token. Unset: the sandbox.")
    github_repo: str = Field(
        default="royal-equips/storefront", description="owner/name of the store's repository."
    )
    github_api_url: str = Field(
        default="https://api.github.com", description="GitHub REST base URL (Enterprise: …/api/v3)."
    )
    github_webhook_secret: Secret = Field(
        default=None, description="Verifies X-Hub-Signature-256 on GitHub webhooks."
    )
    github_app_id: int | None = Field(
        default=None,
        gt=0,
        description="GitHub App id: with GITHUB_APP_PRIVATE_KEY, installation tokens (stored "
        "sealed) instead of GITHUB_TOKEN, after the install through /auth/github/install.",
    )
    github_app_private_key: Secret = Field(
        default=None, description="The GitHub App's private key (PEM), signs its JWTs."
    )
    github_app_slug: str | None = Field(
        default=None,
        description="The GitHub App's URL name (github.com/apps/<slug>), for the install link.",
    )

    # --- suppliers -----------------------------------------------------------------------
    cj_api_key: Secret = Field(default=None, description="CJdropshipping API key. Unset: sandbox.")
    cj_base_url: str = Field(
        default="https://developers.cjdropshipping.com/api2.0/v1",
        description="CJdropshipping API base URL.",
    )
    printful_token: Secret = Field(default=None, description="Printful token. Unset: sandbox.")
    printful_store_id: str | None = Field(
        default=None, description="X-PF-Store-Id for account-level Printful tokens."
    )
    printful_base_url: str = Field(
        default="https://api.printful.com", description="Printful API base URL."
    )

    # --- ads platforms (marketing) ---------------------------------------------------------
    meta_access_token: Secret = Field(
        default=None, description="Meta Marketing API access token. Unset: the sandbox."
    )
    meta_ad_account_id: str | None = Field(
        default=None, description="Meta ad account id (digits, with or without 'act_')."
    )
    meta_page_id: str | None = Field(default=None, description="The Facebook Page the ads run as.")
    meta_base_url: str = Field(
        default="https://graph.facebook.com", description="Graph API base URL."
    )

    # --- helpdesk ------------------------------------------------------------------------
    zendesk_subdomain: str | None = Field(
        default=None, description="Zendesk subdomain (<name>.zendesk.com). Unset: sandbox."
    )
    zendesk_email: str | None = Field(
        default=None, description="The Zendesk agent the API token belongs to."
    )
    zendesk_api_token: Secret = Field(default=None, description="Zendesk API token.")
    zendesk_webhook_secret: Secret = Field(
        default=None, description="Signing secret of the Zendesk webhook for new messages."
    )

    # --- reviews app -----------------------------------------------------------------------
    judgeme_api_token: Secret = Field(
        default=None, description="Judge.me private API token. Unset: the sandbox."
    )
    judgeme_shop_domain: str | None = Field(
        default=None, description="The shop's myshopify.com domain Judge.me knows it by."
    )
    judgeme_base_url: str = Field(
        default="https://judge.me/api/v1", description="Judge.me REST API base URL."
    )

    # --- email marketing -----------------------------------------------------------------
    klaviyo_api_key: Secret = Field(
        default=None, description="Klaviyo private API key (pk_…). Unset: the sandbox's Klaviyo."
    )

    # --- sandbox -------------------------------------------------------------------------
    royal_sandbox_host: str = Field(
        default="127.0.0.1", description="Where the local service emulators listen."
    )
    royal_sandbox_port: int = Field(
        default=8787, ge=0, le=65535, description="Port of the local service emulators."
    )
    royal_sandbox_seed: int = Field(
        default=7, description="Seed for the sandbox's demo data and fault injection."
    )
    royal_sandbox_supplier_mapping: bool = Field(
        default=True,
        description="While Shopify is the sandbox, map the demo shop's SKUs to the sandbox "
        "suppliers' variants at startup (SKUs already mapped are left alone), so its paid "
        "orders can be fulfilled.",
    )

    @field_validator("shopify_api_version")
    @classmethod
    def _api_version_format(cls, value: str) -> str:
        year, _, month = value.partition("-")
        if not (len(year) == 4 and year.isdigit() and month in {"01", "04", "07", "10"}):
            raise ValueError("must be a quarterly version like 2026-01")
        return value

    @field_validator("shopify_shop")
    @classmethod
    def _shop_domain(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.removeprefix("https://").removeprefix("http://").rstrip("/")
        if "/" in value or not value:
            raise ValueError("must be a shop domain like name.myshopify.com")
        return value

    @field_validator("encryption_key")
    @classmethod
    def _encryption_keys_format(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            decode_encryption_keys(value.get_secret_value())
        return value

    @field_validator("royal_api_keys")
    @classmethod
    def _api_keys_format(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_api_keys(value.get_secret_value())
        return value

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        if self.royal_env is Environment.PRODUCTION:
            missing = self.missing_production_secrets()
            if missing:
                raise MissingSecretsError(missing)
        return self

    # --- derived -------------------------------------------------------------------------
    def missing_production_secrets(self) -> list[str]:
        """Names of every variable production needs that is unset or a placeholder."""
        required: dict[str, SecretStr | str | None] = {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "JWT_SECRET": self.jwt_secret,
            "ENCRYPTION_KEY": self.encryption_key,
            "APP_URL": self.app_url,
            "OPENAI_API_KEY": self.openai_api_key,
            "SHOPIFY_SHOP": self.shopify_shop,
            "SHOPIFY_API_SECRET": self.shopify_api_secret,
            "GITHUB_WEBHOOK_SECRET": self.github_webhook_secret,
        }
        missing = [name for name, value in required.items() if not _is_set(value)]
        if not _is_set(self.github_token) and not (
            self.github_app_id is not None and _is_set(self.github_app_private_key)
        ):
            missing.append("GITHUB_TOKEN (or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)")
        if self.shopify_access_token is None and self.shopify_api_key is None:
            missing.append("SHOPIFY_ACCESS_TOKEN (or SHOPIFY_API_KEY for client credentials)")
        return missing

    def api_keys(self) -> list[ApiKeyEntry]:
        """The configured API keys (empty when ``ROYAL_API_KEYS`` is unset)."""
        if self.royal_api_keys is None:
            return []
        return parse_api_keys(self.royal_api_keys.get_secret_value())

    @property
    def sandbox_url(self) -> str:
        return f"http://{self.royal_sandbox_host}:{self.royal_sandbox_port}"

    @property
    def database_mode(self) -> ServiceMode:
        return ServiceMode.REAL if self.database_url else ServiceMode.EMBEDDED

    @property
    def sqlite_path(self) -> Path:
        return self.royal_data_dir / "royal.sqlite3"

    @property
    def redis_mode(self) -> ServiceMode:
        return ServiceMode.REAL if self.redis_url else ServiceMode.DISABLED

    @property
    def model_mode(self) -> ServiceMode:
        return ServiceMode.REAL if self.openai_api_key else ServiceMode.OFFLINE

    @property
    def shopify_mode(self) -> ServiceMode:
        has_credentials = self.shopify_access_token is not None or (
            self.shopify_api_key is not None and self.shopify_api_secret is not None
        )
        return ServiceMode.REAL if self.shopify_shop and has_credentials else ServiceMode.SANDBOX

    @property
    def github_mode(self) -> ServiceMode:
        app = self.github_app_id is not None and self.github_app_private_key is not None
        return ServiceMode.REAL if self.github_token or app else ServiceMode.SANDBOX

    @property
    def cj_mode(self) -> ServiceMode:
        return ServiceMode.REAL if self.cj_api_key else ServiceMode.SANDBOX

    @property
    def printful_mode(self) -> ServiceMode:
        return ServiceMode.REAL if self.printful_token else ServiceMode.SANDBOX

    @property
    def meta_mode(self) -> ServiceMode:
        real = self.meta_access_token and self.meta_ad_account_id and self.meta_page_id
        return ServiceMode.REAL if real else ServiceMode.SANDBOX

    @property
    def zendesk_mode(self) -> ServiceMode:
        configured = self.zendesk_subdomain and self.zendesk_email and self.zendesk_api_token
        return ServiceMode.REAL if configured else ServiceMode.SANDBOX

    @property
    def uses_sandbox(self) -> bool:
        """Whether any outside service is the local sandbox (no credentials for it)."""
        modes = (self.shopify_mode, self.github_mode, self.cj_mode, self.printful_mode)
        return ServiceMode.SANDBOX in modes


ENCRYPTION_KEY_BYTES = 32


def decode_encryption_keys(value: str) -> list[bytes]:
    """``ENCRYPTION_KEY``'s keys, newest first: base64 (standard or URL-safe, padding optional)
    of 32 bytes each. Errors name a key's position, never its value."""
    keys: list[bytes] = []
    for position, item in enumerate((part.strip() for part in value.split(",")), start=1):
        if not item:
            continue
        padded = item + "=" * (-len(item) % 4)
        try:
            raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"key {position} is not base64") from None
        if len(raw) != ENCRYPTION_KEY_BYTES:
            raise ValueError(f"key {position} is {len(raw)} bytes, not {ENCRYPTION_KEY_BYTES}")
        keys.append(raw)
    if not keys:
        raise ValueError("no key given")
    if len(set(keys)) != len(keys):
        raise ValueError("a key is listed twice")
    return keys


def _is_set(value: SecretStr | str | None) -> bool:
    if value is None:
        return False
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    return bool(raw.strip()) and raw.strip().lower() not in _PLACEHOLDER_SECRETS


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


def reset_settings_cache() -> None:
    """Forget the cached settings (tests that change the environment call this)."""
    get_settings.cache_clear()
