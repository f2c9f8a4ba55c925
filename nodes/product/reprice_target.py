"""Pricing Agent, first step of a price change: which product, and its new prices.

The product is the one the operator named, or the store's best seller from its own orders; the
report says which product was chosen and why. Nothing is written here: the change goes to its
own task (``reprice``) and through the approval gate there.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send
from pydantic import ValidationError

from nodes.clusters import ClusterTask, ServiceFailure
from nodes.context import Context, services_of
from nodes.product.jobs import RepriceParams, problem_of
from nodes.product.models import Outcome, OutcomeStatus
from nodes.product.repricing import RepriceError, RepricePlan, variant_prices
from nodes.product.sales import best_sellers, why_best
from nodes.product.state import ProductState, RepriceInput
from nodes.product.store_products import find_in_store
from nodes.services import Services
from tools.shopify.errors import ShopifyError

logger = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]+>")
#: Enough of a description for an approver; the rest is in the store.
SOURCE_TEXT_CHARS = 2000


def plain_text(description_html: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", description_html)).split())[:SOURCE_TEXT_CHARS]


def _stopped(title: str, reason: str) -> Outcome:
    return Outcome(title=title, status=OutcomeStatus.STOPPED, reasons=[reason])


async def choose_product(state: ProductState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    task = ClusterTask.model_validate(state["task"])
    try:
        params = RepriceParams.of(task)
    except ValidationError as exc:
        return {"task": task, "outcomes": [_stopped("Price change", problem_of(exc))]}
    try:
        return {"task": task} | await _plan(services, params)
    except ShopifyError as exc:
        logger.warning("price change: Shopify failed: %s", exc)
        failure = ServiceFailure.of(
            "Shopify", "read the store's products and orders", exc, "no price was changed"
        )
        return {"task": task, "failures": [failure]}


async def _plan(services: Services, params: RepriceParams) -> dict[str, Any]:
    if params.best_seller:
        ranked = await best_sellers(services.shopify, now=services.clock(), days=params.period_days)
        if not ranked:
            reason = f"the store has no sales in the last {params.period_days} days"
            return {"outcomes": [_stopped("Best seller", f"no best seller to reprice: {reason}")]}
        product_id, why = ranked[0].product_id, why_best(ranked, params.period_days)
    else:
        found = await find_in_store(services.shopify, params.product)
        if found.product is None:
            return {"outcomes": [_stopped(params.product, found.problem)]}
        product_id, why = found.product.id, f"the product named in the goal ({params.product!r})"
    product = await services.shopify.get_product(product_id)
    if product is None:
        return {"outcomes": [_stopped(product_id, "the product is no longer in the store")]}
    try:
        changes = variant_prices(product, params)
    except RepriceError as exc:
        return {"outcomes": [_stopped(product.title, str(exc))]}
    plan = RepricePlan(
        product_id=product.id,
        title=product.title,
        changes=changes,
        asked=params.asked(),
        why=why,
        source_text=plain_text(product.description_html),
        data_sources=[
            f"shopify:{product.id} (current variant prices)",
            *(
                [f"shopify:orders of the last {params.period_days} days"]
                if params.best_seller
                else []
            ),
        ],
    )
    return {"reprices": [plan]}


def route_reprices(state: ProductState) -> list[Send] | str:
    """One task per product's price change: each gets its own single interrupt."""
    plans = state.get("reprices", [])
    if not plans:
        return "report"
    return [
        Send("reprice", RepriceInput(task=state["task"], goal=state.get("goal", ""), plan=plan))
        for plan in plans
    ]
