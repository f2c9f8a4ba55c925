"""Keyword suggestions from the store's own sales: the words customers bought, not a guess.

The store has no search log (Shopify's admin API does not expose storefront searches), so its
sales are the evidence: every word of a sold product's title, type and tags counts the units
customers kept. The words of the best sellers come first; words every product shares ("set")
and stop words are left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from nodes.product.sales import ProductSales
from tools.shopify.models import ProductSummary

#: Words that describe nothing a shopper searches for.
STOP_WORDS = frozenset(
    {"a", "an", "and", "the", "of", "for", "with", "in", "on", "to", "by", "at", "or", "from"}
    | {"our", "your", "pro", "set", "kit", "mini", "ml", "cm", "mm", "kg", "mah"}
)
_WORD = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]|[a-z]")


class Keyword(BaseModel):
    """A word and the units kept of the products it describes."""

    model_config = ConfigDict(frozen=True)

    word: str
    units: int


def words_of(text: str) -> list[str]:
    """Lower-case search words of a title, type or tag (stop words and numbers left out)."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 2]


def product_words(product: ProductSummary) -> list[str]:
    """A product's own words: title, type and tags, each once, in that order."""
    seen: dict[str, None] = {}
    for text in (product.title, product.product_type, *product.tags):
        for word in words_of(text):
            seen.setdefault(word, None)
    return list(seen)


def suggest_keywords(
    sales: Sequence[ProductSales], products: Mapping[str, ProductSummary]
) -> list[Keyword]:
    """Words of the sold products, weighted by the units kept, most bought first."""
    units: Counter[str] = Counter()
    for sold in sales:
        product = products.get(sold.product_id)
        words = product_words(product) if product is not None else words_of(sold.title)
        for word in words:
            units[word] += sold.units
    return [Keyword(word=w, units=n) for w, n in sorted(units.items(), key=lambda i: (-i[1], i[0]))]


def ranked_for(product: ProductSummary, keywords: Iterable[Keyword]) -> list[str]:
    """The store's keywords that describe this product, best selling first."""
    own = set(product_words(product))
    return [k.word for k in keywords if k.word in own]
