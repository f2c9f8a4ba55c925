"""Product Scout: search every supplier's catalog and rank what could sell."""

from __future__ import annotations

import logging
import math
import re
from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime

from nodes.clusters import ClusterTask, ServiceFailure
from nodes.context import Context, services_of
from nodes.product.economics import eur, expected_margin
from nodes.product.models import Candidate, Scores, SourcingParams
from nodes.product.state import ProductState
from nodes.services import Services
from tools.suppliers import CatalogItem, Supplier, SupplierError

logger = logging.getLogger(__name__)

#: How many ranked items get a closer look (a product read and a store search each).
SHORTLIST_FACTOR = 3
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset({"a", "an", "and", "for", "the", "with", "of", "set", "pack", "pcs", "in"})


def keywords(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 2]


async def scout(state: ProductState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Find catalog items for the task and keep the best ``count * 3`` by score.

    The task arrives as JSON when the graph is run on its own (API, webhooks): it is validated
    here, at the graph's first step, and handed on typed.
    """
    services = await services_of(runtime)
    task = ClusterTask.model_validate(state["task"])
    params = SourcingParams.of(task)
    items, failures = await search_catalogs(services, params.query)
    if params.vendor_id is not None:
        items = [i for i in items if i.vendor.id == params.vendor_id]
    if params.max_price_eur is not None:
        items = [i for i in items if eur(i.cost.amount, i.cost.currency) < params.max_price_eur]
    shortlist = sorted(items, key=lambda i: _rough_score(i, params), reverse=True)
    shortlist = shortlist[: params.count * SHORTLIST_FACTOR]
    candidates = [await _candidate(services, item, params) for item in shortlist]
    ranked = sorted(candidates, key=lambda c: c.scores.total, reverse=True)
    return {
        "task": task,
        "candidates": ranked[: params.count * SHORTLIST_FACTOR],
        "failures": failures,
    }


async def search_catalogs(
    services: Services, query: str
) -> tuple[list[CatalogItem], list[ServiceFailure]]:
    """The whole query first; if nothing matches, each keyword on its own. A supplier that
    fails is left out of the rest of the search (one supplier down must not stop sourcing from
    the others) and its failure is reported."""
    queries = [query, *keywords(query)] if query else [""]
    failures: dict[str, ServiceFailure] = {}
    for text in queries:
        found: dict[tuple[str, str], CatalogItem] = {}
        for key, supplier in services.suppliers.items():
            if key in failures:
                continue
            try:
                hits = await supplier.search_catalog(text, limit=50)
            except SupplierError as exc:
                name = supplier_name(supplier, key)
                logger.warning("%s catalog search failed: %s", name, exc)
                failures[key] = ServiceFailure.of(
                    name, "search its catalog", exc, f"{name}'s products were not considered"
                )
                continue
            for item in hits:
                found[(item.supplier, item.product_id)] = item
        if found:
            return list(found.values()), list(failures.values())
    return [], list(failures.values())


def supplier_name(supplier: Supplier, key: str) -> str:
    name = getattr(supplier, "display_name", None)
    return name if isinstance(name, str) else key


def _rough_score(item: CatalogItem, params: SourcingParams) -> float:
    return _trend(item.rating, item.review_count) + _margin_score(item, params)


def _margin_score(item: CatalogItem, params: SourcingParams) -> float:
    margin = expected_margin(eur(item.cost.amount, item.cost.currency), params.max_price_eur)
    return max(0.0, min(1.0, float(margin) / 60))


def _trend(rating: Decimal | None, reviews: int | None) -> float:
    """Demand signal from reviews: a well-rated item many people bought."""
    if rating is None or not reviews:
        return 0.0
    return float(rating) / 5 * min(1.0, math.log10(reviews + 1) / 4)


def _shipping_score(days: Decimal | None) -> float:
    if days is None:
        return 0.0
    return max(0.0, min(1.0, 1 - (float(days) - 5) / 30))


async def _candidate(services: Services, item: CatalogItem, params: SourcingParams) -> Candidate:
    product = await services.suppliers[item.supplier].get_product(item.product_id)
    variant = min(product.variants, key=lambda v: v.cost.amount)
    competitors = await _competitors(services, item.title)
    margin = _margin_score(item, params)
    competition = 1 / (1 + competitors)
    trend = _trend(product.rating, product.review_count)
    shipping = _shipping_score(product.vendor.average_shipping_days)
    total = 0.35 * margin + 0.2 * competition + 0.25 * trend + 0.2 * shipping
    return Candidate(
        supplier=item.supplier,
        product_id=item.product_id,
        variant_id=variant.variant_id,
        sku=variant.sku or item.sku,
        title=product.title,
        category=product.category,
        description=product.description,
        cost_eur=eur(variant.cost.amount, variant.cost.currency),
        rating=product.rating,
        review_count=product.review_count,
        vendor=product.vendor,
        competitors=competitors,
        scores=Scores(
            margin=round(margin, 3),
            competition=round(competition, 3),
            trend=round(trend, 3),
            shipping=round(shipping, 3),
            total=round(total, 3),
        ),
    )


async def _competitors(services: Services, title: str) -> int:
    """How many products the store already sells that look like this one."""
    words = keywords(title)[:2]
    if not words:
        return 0
    query = " ".join(words)
    return len([p async for p in services.shopify.iter_products(query=query, limit=20)])
