"""Money arguments and the price facts derived from them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from tools.agent_tools.errors import ToolInputError

#: A non-negative amount with at most two decimals, e.g. "27.45" (strings keep it exact).
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
#: A strictly positive amount with at most two decimals.
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]


@dataclass(frozen=True)
class PriceChange:
    """One variant's price before and after a write."""

    label: str
    before: Decimal
    after: Decimal

    @property
    def pct(self) -> Decimal:
        """Signed change in percent of the old price (the policy compares its magnitude)."""
        return (self.after - self.before) * 100 / self.before

    def describe(self, currency: str) -> str:
        change = f" ({self.pct:+.2f}%)" if self.before > 0 else ""
        return f"{self.label}: {self.before} → {self.after} {currency}{change}"


def largest_change(changes: Sequence[PriceChange]) -> PriceChange | None:
    """The change the policy judges: the largest in magnitude (the first one on a tie).

    A price of zero cannot be measured against; rather than guess, the write is refused.
    """
    for change in changes:
        if change.before <= 0 and change.after != change.before:
            raise ToolInputError(
                f"{change.label} currently costs {change.before}: a change from a zero price "
                "cannot be measured; ask a human to set it"
            )
    measurable = [change for change in changes if change.before > 0]
    if not measurable:
        return None
    return max(measurable, key=lambda change: abs(change.pct))


def margin_pct(price: Decimal, cost: Decimal) -> Decimal:
    """Gross margin in percent of the price; a free item that costs us something counts -100%."""
    if price <= 0:
        return Decimal(0) if cost <= 0 else Decimal(-100)
    return (price - cost) * 100 / price
