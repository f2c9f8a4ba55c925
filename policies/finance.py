"""The finance policy data (``policies/finance.yaml``): VAT rates, alert and fraud thresholds.

Validated like the risk policy: every key is declared, so a typo is an error, not a silent
default. Loaded once per path; ``ROYAL_FINANCE_POLICY_FILE`` points at an edited copy.
"""

from __future__ import annotations

import functools
import os
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

DEFAULT_FILE = Path(__file__).with_name("finance.yaml")
ENV_VAR = "ROYAL_FINANCE_POLICY_FILE"

Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Pct = Annotated[Decimal, Field(ge=0, le=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FinanceAlerts(_Strict):
    revenue_drop_pct: Pct


class FraudScores(_Strict):
    country_mismatch: int = Field(ge=0, le=100)
    high_value_first_order: int = Field(ge=0, le=100)
    velocity: int = Field(ge=0, le=100)
    disposable_email: int = Field(ge=0, le=100)
    blocked_address: int = Field(ge=0, le=100)
    shopify_high: int = Field(ge=0, le=100)
    shopify_medium: int = Field(ge=0, le=100)


class FraudRules(_Strict):
    flag_at_score: int = Field(ge=1, le=100)
    scores: FraudScores
    high_value_eur: Decimal = Field(gt=0)
    max_orders_per_day: int = Field(ge=1)
    disposable_domains: tuple[str, ...] = ()
    blocked_addresses: tuple[str, ...] = ()


class FulfilmentRules(_Strict):
    supplier_price_tolerance_pct: Pct
    sweep_grace_minutes: int = Field(ge=0, le=1440)
    sweep_lookback_days: int = Field(ge=1, le=60)


class FinancePolicy(_Strict):
    version: Literal[1]
    vat_standard_rates_pct: dict[Country, Pct]
    alerts: FinanceAlerts
    fulfilment: FulfilmentRules
    fraud: FraudRules

    def vat_rate(self, country: str | None) -> Decimal:
        """The standard VAT rate (percent) of a destination country; 0 outside the table."""
        return self.vat_standard_rates_pct.get((country or "").upper(), Decimal(0))


@functools.cache
def _load(path: Path) -> FinancePolicy:
    return FinancePolicy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def finance_policy(path: Path | None = None) -> FinancePolicy:
    """The finance policy from ``path``, ``ROYAL_FINANCE_POLICY_FILE``, or the shipped file."""
    chosen = path or (Path(os.environ[ENV_VAR]) if os.environ.get(ENV_VAR) else DEFAULT_FILE)
    return _load(chosen.resolve())
