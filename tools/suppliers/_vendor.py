"""Vendor metrics as the sandbox publishes them (``supplierInfo`` / ``supplier_info``).

Both emulators publish the same metrics, CJ in camelCase and Printful in snake_case; the real
APIs publish none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

_DECIMALS = {
    "years_active": "years_active",
    "rating": "rating",
    "on_time_rate": "on_time_shipping_rate",
    "defect_rate": "defect_rate",
    "dispute_rate": "dispute_rate",
}
"""``VendorProfile`` field -> the wire key (snake_case), for the metrics that are numbers."""
_AS_IS = (
    "days_on_platform",
    "review_count",
    "shipping_days_min",
    "shipping_days_max",
    "ships_from",
    "verified",
)


def vendor_metrics(
    info: Mapping[str, Any],
    *,
    number: Callable[[object], Decimal | None],
    camel_case: bool = False,
) -> dict[str, Any]:
    """``VendorProfile`` fields from a vendor-info record; ``number`` parses the decimals."""

    def get(key: str) -> Any:
        return info.get(_camel(key) if camel_case else key)

    return {
        **{field: number(get(key)) for field, key in _DECIMALS.items()},
        **{field: get(field) for field in _AS_IS},
    }


def _camel(key: str) -> str:
    first, *rest = key.split("_")
    return first + "".join(word.capitalize() for word in rest)
