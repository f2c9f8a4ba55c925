"""How amounts, percentages and thresholds read in reasons, messages and docs."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

_CENTS: Final = Decimal("0.01")


def plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros: ``Decimal("1E+2")`` → ``"100"``."""
    text = format(number.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def percent(number: Decimal) -> str:
    """A percentage for people: exact when it has at most two places, else rounded to two and
    marked ``≈`` (for display only: rules compare the exact figure)."""
    rounded = number.quantize(_CENTS)
    return plain(number) if rounded == number else f"≈{rounded:f}"


def cents(number: Decimal) -> str:
    """An amount with cents, more places only when the amount really has them."""
    return f"{number.quantize(_CENTS):f}" if number == number.quantize(_CENTS) else f"{number:f}"


def money(number: Decimal) -> str:
    return f"€{cents(number)}"
