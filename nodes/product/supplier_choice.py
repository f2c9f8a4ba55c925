"""Supplier Vetting, onboarding's first step: which new supplier to propose, and why.

Every vendor found in the catalogs gets a scorecard. Only a NEW one can be onboarded: it passes
every hard check (rating, on-time rate, defects, shipping days) but lacks the track record that
would make it proven. Proven, already onboarded and failing vendors are passed over, each with
its reason. The best remaining vendor by its figures is proposed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime
from pydantic import ValidationError

from nodes.clusters import ClusterTask
from nodes.context import Context, services_of
from nodes.product.jobs import OnboardParams, problem_of
from nodes.product.models import Outcome, OutcomeStatus, Scorecard, SupplierChoice
from nodes.product.scout import search_catalogs, supplier_name
from nodes.product.state import ProductState
from nodes.product.vetting import scorecard
from policies import SupplierStatus
from storage.product_suppliers import SupplierRegistry
from tools.suppliers import VendorProfile

_Key = tuple[str, str]


def _matches(vendor: VendorProfile, platform_name: str, wanted: str) -> bool:
    wanted = wanted.strip().lower()
    if not wanted:
        return True
    names = (vendor.platform, platform_name.lower(), vendor.name.lower())
    return any(wanted in name or name in wanted for name in names)


def _rank(vendor: VendorProfile, listings: int) -> tuple[Decimal, Decimal, Decimal, int]:
    zero = Decimal(0)
    return (
        vendor.rating or zero,
        vendor.on_time_rate or zero,
        -(vendor.defect_rate if vendor.defect_rate is not None else Decimal(1)),
        listings,
    )


def _figures(vendor: VendorProfile) -> str:
    parts = [f"rated {vendor.rating} from {vendor.review_count} reviews"]
    if vendor.on_time_rate is not None:
        parts.append(f"{vendor.on_time_rate * 100:.0f}% on time")
    if vendor.defect_rate is not None:
        parts.append(f"{vendor.defect_rate * 100:.1f}% defects")
    if vendor.shipping_days_min is not None and vendor.shipping_days_max is not None:
        parts.append(f"ships in {vendor.shipping_days_min}-{vendor.shipping_days_max} days")
    return ", ".join(parts)


def _passed_over(vendor: VendorProfile, card: Scorecard, onboarded: bool) -> str:
    if onboarded:
        return f"{vendor.name} is already onboarded"
    if card.status is SupplierStatus.PROVEN:
        return f"{vendor.name} is already proven (nothing to onboard)"
    return f"{vendor.name} failed vetting: {'; '.join(card.failures)}"


async def choose_supplier(state: ProductState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    task = ClusterTask.model_validate(state["task"])
    try:
        params = OnboardParams.of(task)
    except ValidationError as exc:
        return {"task": task, "outcomes": [_nothing(problem_of(exc))]}
    items, failures = await search_catalogs(services, params.query)
    platform_names = {key: supplier_name(s, key) for key, s in services.suppliers.items()}
    vendors: dict[_Key, VendorProfile] = {}
    listings: dict[_Key, int] = {}
    for item in items:
        vendor = item.vendor
        if not _matches(vendor, platform_names.get(vendor.platform, ""), params.supplier):
            continue
        key = (vendor.platform, vendor.id)
        vendors[key] = vendor
        listings[key] = listings.get(key, 0) + 1
    registry = SupplierRegistry(services.database, clock=services.clock)
    already = await registry.among(list(vendors))
    cards = {key: scorecard(vendor) for key, vendor in vendors.items()}
    eligible = [
        key for key in vendors if cards[key].status is SupplierStatus.NEW and key not in already
    ]
    passed_over = [
        _passed_over(vendors[key], cards[key], key in already)
        for key in vendors
        if key not in eligible
    ]
    if not eligible:
        looked = f" selling {params.query!r}" if params.query else ""
        named = f" matching {params.supplier!r}" if params.supplier else ""
        reason = f"no new supplier{named}{looked} passes vetting"
        return {
            "task": task,
            "outcomes": [_nothing(reason, passed_over)],
            "failures": failures,
        }
    best = max(eligible, key=lambda key: _rank(vendors[key], listings[key]))
    vendor, card = vendors[best], cards[best]
    platform = platform_names.get(vendor.platform, vendor.platform)
    reason = (
        f"{vendor.name} on {platform} passes the hard checks ({_figures(vendor)}, "
        f"{listings[best]} products found) and lacks only a track record: "
        f"{'; '.join(card.failures)}"
    )
    choice = SupplierChoice(
        vendor=vendor,
        platform_name=platform,
        scorecard=card,
        listings=listings[best],
        reason=reason,
        passed_over=passed_over + [f"{vendors[k].name} is also new" for k in eligible if k != best],
    )
    return {"task": task, "supplier_choice": choice, "failures": failures}


def _nothing(reason: str, passed_over: list[str] | None = None) -> Outcome:
    return Outcome(
        title="Supplier onboarding",
        status=OutcomeStatus.STOPPED,
        reasons=[reason, *(passed_over or [])],
    )
