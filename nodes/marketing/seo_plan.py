"""SEO Agent, the reads: the store's active products and collections, its keywords from 90 days
of sales, and the change each needs (``seo_copy.propose``, ``seo_collections.propose_collection``).

Collections are planned only when the task names no product ("Improve the SEO of our products"
covers the store's collections too; "… of the Smart Jump Rope" touches that product only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from nodes.clusters import ClusterTask
from nodes.marketing.seo_collections import (
    CollectionSeoChange,
    collection_keywords,
    propose_collection,
)
from nodes.marketing.seo_copy import SeoChange, propose
from nodes.marketing.seo_keywords import Keyword, ranked_for, suggest_keywords
from nodes.product.sales import ProductSales, best_sellers
from nodes.services import Services
from tools.shopify.models import Product, ProductStatus, ProductSummary

#: The sales window the keywords come from.
KEYWORD_DAYS = 90
#: Products one SEO task changes at most (one approval covers them all).
MAX_PRODUCTS = 25
#: Collections one SEO task changes at most (in the same approval).
MAX_COLLECTIONS = 25


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
    collections_considered: int = 0
    collections: list[CollectionSeoChange] = field(default_factory=list)


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
    counted = 0
    collections: list[CollectionSeoChange] = []
    if params.product is None:
        counted, collections = await _plan_collections(services, sales, by_id, shop)
    return SeoPlan(
        keywords=keywords,
        considered=len(active),
        changes=changes,
        collections_considered=counted,
        collections=collections,
    )


async def _plan_collections(
    services: Services,
    sales: list[ProductSales],
    products: dict[str, ProductSummary],
    shop: str,
) -> tuple[int, list[CollectionSeoChange]]:
    """Every collection's change, with the keywords of the products it holds."""
    shopify = services.shopify
    considered = 0
    changes: list[CollectionSeoChange] = []
    async for collection in shopify.iter_collections():
        considered += 1
        members = await shopify.collection_product_ids(collection.id)
        keywords = collection_keywords(members, sales, products)
        change = propose_collection(collection, keywords, shop, len(members))
        if change is not None and len(changes) < MAX_COLLECTIONS:
            changes.append(change)
    return considered, changes
