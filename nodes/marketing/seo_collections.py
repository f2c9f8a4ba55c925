"""SEO copy for one collection from its title and the words customers bought in it.

A collection's keywords are the words of the products it holds that customers bought
(``seo_keywords.product_words`` of its sold products), so "Fitness" is described by what
fitness buyers bought. Meta titles and descriptions keep the product limits (60 and 160
characters). A description is written only when the collection has none: an operator's own
text is never replaced. Nothing comes from product descriptions (supplier text).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from nodes.marketing.seo_copy import META_DESCRIPTION_MAX, META_TITLE_MAX
from nodes.marketing.seo_keywords import product_words, words_of
from nodes.product.sales import ProductSales
from tools.shopify.models import ProductSummary
from tools.shopify.models.collections import Collection

#: Tags shops use to merchandise, not words shoppers search for.
MERCHANDISING = frozenset({"bestseller", "bestsellers", "new", "sale", "featured", "trending"})


class CollectionSeoChange(BaseModel):
    """The SEO fields one collection gets; ``description_html`` None keeps its description."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    collection_id: str = Field(pattern=r"^gid://shopify/Collection/\d+$")
    collection: str = Field(description="The collection's title now, for people.")
    seo_title: str = Field(min_length=1, max_length=70)
    seo_description: str = Field(min_length=1, max_length=320)
    description_html: str | None = Field(default=None, max_length=5000)
    keywords: list[str] = Field(default_factory=list)


def collection_keywords(
    members: Sequence[str],
    sales: Sequence[ProductSales],
    products: Mapping[str, ProductSummary],
) -> list[str]:
    """The words customers bought in this collection: shared by most sold products, then units.

    A collection is described by what its products have in common, not by its single best
    seller's name; merchandising tags ("bestseller") describe nothing a shopper searches for.
    """
    inside = set(members)
    spread: Counter[str] = Counter()
    units: Counter[str] = Counter()
    for sold in sales:
        product = products.get(sold.product_id)
        if sold.product_id not in inside or product is None:
            continue
        for word in product_words(product):
            if word not in MERCHANDISING:
                spread[word] += 1
                units[word] += sold.units
    return sorted(spread, key=lambda w: (-spread[w], -units[w], w))


def _extras(title: str, keywords: Sequence[str]) -> list[str]:
    own = set(words_of(title))
    return [k.replace("-", " ") for k in keywords if k not in own]


def _listed(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def collection_meta_title(title: str, keywords: Sequence[str], shop: str) -> str:
    """``Title: Kw & Kw | Shop``, dropping parts until it fits search results."""
    extras = [k.title() for k in _extras(title, keywords)[:2]]
    candidates = []
    if extras:
        candidates.append(f"{title}: {' & '.join(extras)} | {shop}")
        candidates.append(f"{title}: {extras[0]} | {shop}")
    candidates += [f"{title} | {shop}", title]
    return next((c for c in candidates if len(c) <= META_TITLE_MAX), title[:META_TITLE_MAX])


def collection_meta_description(title: str, keywords: Sequence[str], shop: str) -> str:
    """``Shop our Title collection at Shop: kw, kw and kw.``, within 160 characters."""
    first = f"Shop our {title} collection at {shop}"
    words = _extras(title, keywords)[:3]
    while words:
        text = f"{first}: {_listed(words)}."
        if len(text) <= META_DESCRIPTION_MAX:
            return text
        words = words[:-1]
    return f"{first}."[:META_DESCRIPTION_MAX]


def collection_description(title: str, keywords: Sequence[str], shop: str, count: int) -> str:
    """A one-paragraph description for a collection that has none (escaped HTML)."""
    words = _extras(title, keywords)[:4]
    text = f"Our {title} collection at {shop}: {count} product{'s' if count != 1 else ''}"
    text += f" for {_listed(words)}." if words else "."
    return f"<p>{html.escape(text)}</p>"


def no_description(description_html: str) -> bool:
    """Whether a ``descriptionHtml`` says nothing (empty tags and spaces only)."""
    return not re.sub(r"<[^>]+>|&nbsp;|\s", "", description_html)


def propose_collection(
    collection: Collection, keywords: Sequence[str], shop: str, count: int
) -> CollectionSeoChange | None:
    """The change this collection needs, or None when it already reads like the proposal."""
    title = collection.title.strip()
    seo_title = collection_meta_title(title, keywords, shop)
    seo_description = collection_meta_description(title, keywords, shop)
    description = (
        collection_description(title, keywords, shop, count)
        if no_description(collection.description_html)
        else None
    )
    current = collection.seo
    if (
        description is None
        and current is not None
        and current.title == seo_title
        and current.description == seo_description
    ):
        return None
    return CollectionSeoChange(
        collection_id=collection.id,
        collection=collection.title,
        seo_title=seo_title,
        seo_description=seo_description,
        description_html=description,
        keywords=list(keywords[:5]),
    )


def applied(change: CollectionSeoChange, collection: Collection) -> bool:
    """Whether ``collection`` already reads as ``change`` (an earlier attempt wrote it)."""
    seo = collection.seo
    return (
        seo is not None
        and seo.title == change.seo_title
        and seo.description == change.seo_description
        and (
            change.description_html is None
            or not no_description(collection.description_html)  # written, by us or someone
        )
    )
