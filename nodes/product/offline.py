"""The offline model's answers for the product cluster: a business case and SEO copy, built
from the facts the prompts carry (deterministic, clearly templated)."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from nodes.offline_facts import json_after
from tools.llm import OfflineRequest

#: Rough monthly units: one sale per this many reviews, within bounds.
REVIEWS_PER_MONTHLY_SALE = 100


def business_case_responder(request: OfflineRequest) -> dict[str, Any]:
    text = request.last_human_text
    product = json_after(text, "Product:") or {}
    scorecard = json_after(text, "Supplier scorecard:") or {}
    pricing = json_after(text, "Pricing:") or {}
    price = Decimal(str(pricing.get("price_eur", "0")))
    landed = Decimal(str(pricing.get("landed_cost_eur", "0")))
    reviews = int(product.get("review_count") or 0)
    units = max(5, min(60, reviews // REVIEWS_PER_MONTHLY_SALE))
    status = scorecard.get("status", "new")
    failures = [c["name"] for c in scorecard.get("checks", []) if not c.get("passed")]
    confidence = {"proven": 0.85, "new": 0.7}.get(status, 0.4)
    vendor = scorecard.get("vendor_name") or "the supplier"
    risk_factors = [f"supplier {vendor} is {status}"] if status != "proven" else []
    risk_factors += [f"{vendor}: supplier check not met: {name}" for name in failures]
    return {
        "decision": "publish",
        "reasons": [
            f"margin {pricing.get('margin_pct')}% at €{price}",
            f"supplier {scorecard.get('vendor_name')} is {status}",
            f"rated {product.get('rating')} from {reviews} reviews",
        ],
        "confidence": confidence,
        "estimated_monthly_revenue_eur": str(price * units),
        "estimated_monthly_cost_eur": str(landed * units),
        "risk_factors": risk_factors,
        "alternatives": [
            "Wait a month for more supplier history before listing",
            "Source a similar item from a proven supplier",
        ],
    }


def copy_responder(request: OfflineRequest) -> dict[str, Any]:
    product = json_after(request.last_human_text, "Product:") or {}
    title = str(product.get("title") or "Product")
    category = str(product.get("category") or "essentials").lower()
    days = product.get("shipping_days") or "a few"
    seo_title = title if len(title) <= 60 else title[:57].rsplit(" ", 1)[0] + "..."
    description = (
        f"{title} for everyday {category} use. Practical, well reviewed and shipped to your door "
        f"in {days} days."
    )
    if len(description) < 120:
        description += " Order online today."
    description = description[:155]
    body = (
        f"<p>{html.escape(title)}: a practical pick for {html.escape(category)}.</p>"
        f"<ul><li><strong>Category:</strong> {html.escape(category)}</li>"
        f"<li><strong>Delivery:</strong> {html.escape(str(days))} days</li></ul>"
    )
    return {"seo_title": seo_title, "seo_description": description, "description_html": body}
