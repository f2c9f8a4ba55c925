"""SEO Agent, the reads: the store's active products, its keywords from 90 days of sales, and
the change each product needs (``seo_copy.propose``)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from nodes.clusters import ClusterTask
from nodes.marketing.seo_copy import SeoChange, propose
from nodes.marketing.seo_keywords import Keyword, ranked_for, suggest_keywords
from nodes.product.sales import best_sellers
from nodes.services import Services
from tools.shopify.models import Product, ProductStatus, ProductSummary

#: The sales window the keywords come from.
KEYWORD_DAYS = 90
#: Products one SEO task changes at most (one approval covers them all).
MAX_PRODUCTS = 25


class SeoParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    product: str | None = Field(default=None, min_length=1, max_length=200)
    limit: int = Field(default=MAX_PRODUCTS, ge=1, le=MAX_PRODUCTS)

    @classmethod
    def of(cls, task: ClusterTask) -> SeoParams:
        return cls.model_validate(task.parameters)


@dataclass(frozen=True)
class SeoPlan:
    keywords: list[Keyword]
    considered: int
    changes: list[SeoChange]


def _named(summary: ProductSummary, wanted: str) -> bool:
    words = wanted.casefold().split()
    return all(word in summary.title.casefold() for word in words)


async def plan_seo(services: Services, params: SeoParams) -> SeoPlan:
    """Reads only; the changes still have to pass the gate."""
    shopify = services.shopify
    listed = [p async for p in shopify.iter_products()]
    by_id = {p.id: p for p in listed}
    sales = await best_sellers(shopify, now=services.clock(), days=KEYWORD_DAYS)
    keywords = suggest_keywords(sales, by_id)
    active = [p for p in listed if p.status is ProductStatus.ACTIVE]
    if params.product is not None:
        active = [p for p in active if _named(p, params.product)]
    shop = (await shopify.get_shop()).name
    taken = {p.handle for p in listed}
    changes: list[SeoChange] = []
    for summary in active:
        product: Product | None = await shopify.get_product(summary.id)
        if product is None:
            continue
        change = propose(product, ranked_for(summary, keywords), shop, taken)
        if change is not None:
            changes.append(change)
            if change.handle:
                taken.add(change.handle)
        if len(changes) >= params.limit:
            break
    return SeoPlan(keywords=keywords, considered=len(active), changes=changes)
