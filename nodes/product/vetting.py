"""Supplier Vetting: a scorecard per fulfilling company; a failing one stops its product."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime

from nodes.context import Context, services_of
from nodes.product.models import Candidate, Check, Outcome, OutcomeStatus, Scorecard, Vetted
from nodes.product.state import ProductState
from nodes.services import Services
from policies import SupplierStatus
from storage import ActorKind, AuditEntry, AuditEvent, NewNotification, NotificationLevel
from storage.product_suppliers import SupplierRegistry
from tools.suppliers import VendorProfile


@dataclass(frozen=True)
class VettingStandard:
    """The bar a supplier must clear; an unknown figure never counts as clearing it."""

    min_rating: Decimal = Decimal("4.0")
    min_on_time_rate: Decimal = Decimal("0.90")
    max_defect_rate: Decimal = Decimal("0.03")
    max_shipping_days: Decimal = Decimal("15")
    proven_after_days: int = 90


STANDARD = VettingStandard()


def scorecard(
    vendor: VendorProfile, standard: VettingStandard = STANDARD, *, onboarded: bool = False
) -> Scorecard:
    """Hard checks decide pass or fail; history and verification, or a human's onboarding,
    decide proven or new. Onboarding never rescues a supplier whose figures fail."""

    def check(name: str, value: Decimal | None, threshold: Decimal, higher: bool) -> Check:
        passed = value is not None and (value >= threshold if higher else value <= threshold)
        sign = ">=" if higher else "<="
        shown = "unknown" if value is None else str(value)
        return Check(name=name, value=shown, threshold=f"{sign} {threshold}", passed=passed)

    hard = [
        check("rating", vendor.rating, standard.min_rating, higher=True),
        check("on-time rate", vendor.on_time_rate, standard.min_on_time_rate, higher=True),
        check("defect rate", vendor.defect_rate, standard.max_defect_rate, higher=False),
        check(
            "average shipping days",
            vendor.average_shipping_days,
            standard.max_shipping_days,
            higher=False,
        ),
    ]
    known_failure = any(not c.passed and c.value != "unknown" for c in hard)
    history = Decimal(vendor.days_on_platform) if vendor.days_on_platform is not None else None
    tenure = check("days on platform", history, Decimal(standard.proven_after_days), higher=True)
    verified = Check(
        name="verified",
        value=str(vendor.verified).lower(),
        threshold="true",
        passed=vendor.verified is True,
    )
    checks = [*hard, tenure, verified]
    if onboarded:  # a human approved this supplier: its short track record is accepted
        checks.append(Check(name="onboarded", value="yes", threshold="yes", passed=True))
    if known_failure:
        status = SupplierStatus.FAILING
    elif onboarded or all(c.passed for c in checks):
        status = SupplierStatus.PROVEN
    else:
        status = SupplierStatus.NEW  # unknown figures or a short track record: a human decides
    return Scorecard(
        vendor_id=vendor.id,
        vendor_name=vendor.name,
        status=status,
        passed=not known_failure,
        checks=checks,
    )


async def vet_suppliers(state: ProductState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Keep candidates whose supplier passes; alert the CEO about every one that fails."""
    services = await services_of(runtime)
    candidates = state.get("candidates", [])
    registry = SupplierRegistry(services.database, clock=services.clock)
    onboarded = await registry.among([(c.vendor.platform, c.vendor.id) for c in candidates])
    vetted: list[Vetted] = []
    stopped: list[Outcome] = []
    alerts: list[str] = []
    for candidate in candidates:
        vendor = candidate.vendor
        card = scorecard(vendor, onboarded=(vendor.platform, vendor.id) in onboarded)
        if card.passed:
            vetted.append(Vetted(candidate=candidate, scorecard=card))
            continue
        alert = f"Supplier {card.vendor_name} failed vetting for {candidate.title}: " + "; ".join(
            card.failures
        )
        alerts.append(alert)
        stopped.append(
            Outcome(
                title=candidate.title,
                status=OutcomeStatus.STOPPED,
                supplier=candidate.supplier,
                vendor=card.vendor_name,
                reasons=[f"supplier failed vetting: {'; '.join(card.failures)}"],
            )
        )
        await _raise_alert(services, runtime, candidate, alert)
    return {"vetted": vetted, "outcomes": stopped, "alerts": alerts}


async def _raise_alert(
    services: Services, runtime: Runtime[Context], candidate: Candidate, alert: str
) -> None:
    info = runtime.execution_info
    thread_id = info.thread_id if info else None
    run_id = info.run_id if info else None
    dedupe = f"{thread_id}:{info.task_id if info else ''}:vetting:{candidate.vendor.id}"
    await services.audit.append(
        AuditEntry(
            event=AuditEvent.ALERT,
            actor="supplier_vetting",
            actor_kind=ActorKind.AGENT,
            thread_id=thread_id,
            run_id=run_id,
            cluster="product",
            payload={"vendor_id": candidate.vendor.id, "product_id": candidate.product_id},
            reasoning=alert,
            dedupe_key=dedupe,
        )
    )
    await services.notifications.create(
        NewNotification(
            level=NotificationLevel.CRITICAL,
            title=f"Supplier failed vetting: {candidate.vendor.name}",
            body=alert,
            thread_id=thread_id,
            run_id=run_id,
            cluster="product",
        )
    )
