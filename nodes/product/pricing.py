"""Pricing: landed cost (cost + shipping), fees, the target margin, and a competitor check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime

from nodes.context import Context, services_of
from nodes.product.economics import charm_down, eur, fees, margin_pct, price_for_margin
from nodes.product.models import Priced, Pricing, SourcingParams, Vetted
from nodes.product.scout import keywords
from nodes.product.state import ProductState
from nodes.services import Services
from tools.suppliers import Address, OrderLine

#: How far above the cheapest similar product in the store a price may go.
COMPETITOR_TOLERANCE = Decimal("1.10")


async def price_candidates(state: ProductState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    params = SourcingParams.of(state["task"])
    priced = [
        Priced(
            candidate=item.candidate,
            scorecard=item.scorecard,
            pricing=await _price(services, item, params),
        )
        for item in state.get("vetted", [])
    ]
    return {"priced": priced}


async def _price(services: Services, item: Vetted, params: SourcingParams) -> Pricing:
    candidate = item.candidate
    supplier = services.suppliers[candidate.supplier]
    quotes = await supplier.quote_shipping(
        [OrderLine(variant_id=candidate.variant_id, quantity=1)],
        Address(country_code=params.destination_country),
    )
    notes: list[str] = []
    if quotes:
        cheapest = min(quotes, key=lambda q: q.price.amount)
        shipping = eur(cheapest.price.amount, cheapest.price.currency)
        days = f"{cheapest.min_days}-{cheapest.max_days}"
    else:
        shipping, days = Decimal("0.00"), "unknown"
        notes.append("no shipping quote: shipping cost unknown")
    landed = candidate.cost_eur + shipping
    target = price_for_margin(landed, params.target_margin_pct)
    price = target
    competitor = await _competitor_price(services, candidate.title)
    if competitor is not None and price > competitor * COMPETITOR_TOLERANCE:
        price = max(charm_down(competitor * COMPETITOR_TOLERANCE), Decimal("0.99"))
        notes.append(f"capped near the store's similar product at €{competitor}")
    if params.max_price_eur is not None and price > params.max_price_eur:
        price = max(charm_down(params.max_price_eur), Decimal("0.99"))
        notes.append(f"capped under the operator's €{params.max_price_eur} ceiling")
    return Pricing(
        cost_eur=candidate.cost_eur,
        shipping_eur=shipping,
        shipping_days=days,
        fees_eur=fees(price),
        landed_cost_eur=landed,
        target_price_eur=target,
        competitor_price_eur=competitor,
        price_eur=price,
        margin_pct=margin_pct(price, landed),
        notes=notes,
    )


async def _competitor_price(services: Services, title: str) -> Decimal | None:
    """The lowest price of a similar product already in the store, if there is one."""
    words = keywords(title)[:2]
    if not words:
        return None
    async for summary in services.shopify.iter_products(query=" ".join(words), limit=3):
        product = await services.shopify.get_product(summary.id)
        if product is not None and product.variants:
            return min(v.price for v in product.variants)
    return None
