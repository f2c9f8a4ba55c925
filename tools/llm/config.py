"""Model configuration: which model serves each role, where it is reached, prices and budget."""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from settings import Settings

Role = Literal["ceo", "cluster", "copywriting"]
"""Who is asking: the CEO agent, a cluster agent, or product copy. Each role has its own model."""

ROLES: Final[tuple[Role, ...]] = get_args(Role)

#: The name the offline deterministic model reports in usage, logs and run metadata.
OFFLINE_MODEL_NAME: Final = "royal-offline-1"

#: The same defaults as settings' ROYAL_MODEL_* fields.
DEFAULT_MODELS: Final[dict[Role, str]] = {
    "ceo": "gpt-4o",
    "cluster": "gpt-4o-mini",
    "copywriting": "gpt-4o-mini",
}

_MILLION: Final = Decimal(1_000_000)


class ModelPrice(BaseModel):
    """List price of one model in EUR per million tokens."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input: Decimal = Field(ge=0, description="EUR per 1M prompt tokens.")
    output: Decimal = Field(ge=0, description="EUR per 1M completion tokens.")
    cached_input: Decimal | None = Field(
        default=None, ge=0, description="EUR per 1M cached prompt tokens (None: full price)."
    )

    def cost(self, input_tokens: int, output_tokens: int, cached_tokens: int = 0) -> Decimal:
        """Cost in EUR of one call; cached prompt tokens are billed at the cached rate."""
        cached = min(max(cached_tokens, 0), input_tokens)
        cached_rate = self.input if self.cached_input is None else self.cached_input
        total = (
            (input_tokens - cached) * self.input
            + cached * cached_rate
            + output_tokens * self.output
        )
        return total / _MILLION


def _eur(inp: str, out: str, cached: str | None = None) -> ModelPrice:
    return ModelPrice(
        input=Decimal(inp),
        output=Decimal(out),
        cached_input=None if cached is None else Decimal(cached),
    )


#: OpenAI list prices converted at 1 USD = 0.92 EUR and rounded up to the cent (2025 rates).
#: Keys match a model name exactly or as its longest prefix ("gpt-4o-2024-08-06" -> "gpt-4o").
DEFAULT_PRICES: Final[dict[str, ModelPrice]] = {
    "gpt-4o": _eur("2.30", "9.20", "1.15"),
    "gpt-4o-mini": _eur("0.14", "0.56", "0.07"),
    "gpt-4.1": _eur("1.84", "7.36", "0.46"),
    "gpt-4.1-mini": _eur("0.37", "1.48", "0.10"),
    "gpt-4.1-nano": _eur("0.10", "0.37", "0.03"),
    "gpt-5": _eur("1.15", "9.20", "0.12"),
    "gpt-5-mini": _eur("0.23", "1.84", "0.03"),
    "gpt-5-nano": _eur("0.05", "0.37", "0.01"),
    "o4-mini": _eur("1.02", "4.05", "0.26"),
    "o3": _eur("1.84", "7.36", "0.46"),
    OFFLINE_MODEL_NAME: _eur("0", "0"),
}

#: Unknown models are priced like gpt-4o, so a budget errs on the side of stopping early.
#: Set a price of 0 for a self-hosted model (vLLM, Ollama) to budget on tokens only.
DEFAULT_FALLBACK_PRICE: Final = DEFAULT_PRICES["gpt-4o"]


class PriceTable(BaseModel):
    """Prices per model, with a fallback for models the table does not name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prices: dict[str, ModelPrice] = Field(default_factory=lambda: dict(DEFAULT_PRICES))
    fallback: ModelPrice = DEFAULT_FALLBACK_PRICE

    def lookup(self, model: str) -> tuple[ModelPrice, bool]:
        """The price for ``model`` and whether it is the fallback (the model is not listed)."""
        if model in self.prices:
            return self.prices[model], False
        candidates = [key for key in self.prices if model.startswith(key)]
        if candidates:
            return self.prices[max(candidates, key=len)], False
        return self.fallback, True

    def cost(
        self, model: str, input_tokens: int, output_tokens: int, cached_tokens: int = 0
    ) -> Decimal:
        return self.lookup(model)[0].cost(input_tokens, output_tokens, cached_tokens)


class RunBudget(BaseModel):
    """What one run may spend on models; a call whose estimate would cross a limit is refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_cost_eur: Decimal | None = Field(
        default=Decimal("1.00"), ge=0, description="EUR per run (None: no money limit)."
    )
    max_tokens: int | None = Field(
        default=250_000, ge=0, description="Prompt + completion tokens per run (None: no limit)."
    )
    expected_output_tokens: int = Field(
        default=512,
        ge=1,
        description="Completion tokens assumed for the pre-call estimate when the model sets no "
        "max_tokens.",
    )


class ModelConfig(BaseModel):
    """Everything the model factory needs; built from settings, overridable in tests."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = Field(
        default=None, description="OpenAI (or compatible) key; None selects the offline model."
    )
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1."
    )
    models: dict[Role, str] = Field(default_factory=DEFAULT_MODELS.copy)
    budget: RunBudget = Field(default_factory=RunBudget)
    prices: PriceTable = Field(default_factory=PriceTable)
    timeout_s: float = Field(default=60.0, gt=0, description="Seconds per HTTP request.")
    max_retries: int = Field(
        default=2, ge=0, le=10, description="Retries of a failed request (the SDK backs off)."
    )

    @field_validator("models")
    @classmethod
    def _every_role_has_a_model(cls, value: dict[Role, str]) -> dict[Role, str]:
        missing = [role for role in ROLES if not value.get(role, "").strip()]
        if missing:
            raise ValueError(f"no model configured for role(s): {', '.join(missing)}")
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL like http://localhost:11434/v1")
        return value.rstrip("/")

    @property
    def offline(self) -> bool:
        return self.api_key is None or not self.api_key.get_secret_value().strip()

    def model_for(self, role: Role) -> str:
        """The model name that serves ``role`` (the offline model's name when offline)."""
        return OFFLINE_MODEL_NAME if self.offline else self.models[role]

    @classmethod
    def from_settings(cls, settings: Settings, *, budget: RunBudget | None = None) -> ModelConfig:
        """The configuration the environment describes (``budget`` overrides the settings')."""
        return cls(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            models={
                "ceo": settings.royal_model_ceo,
                "cluster": settings.royal_model_cluster,
                "copywriting": settings.royal_model_copywriting,
            },
            budget=budget
            or RunBudget(
                max_cost_eur=settings.royal_run_budget_eur,
                max_tokens=settings.royal_run_token_budget,
            ),
        )
