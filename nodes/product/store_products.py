"""Find the store's product an operator names ("the yoga mat", "White Glossy Mug").

Shopify's search finds products with any of the name's words; each is scored by how many of the
name's words its title holds. The best match wins only when it is clear: a tie between two
products is a question for the operator, not a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from nodes.product.scout import keywords
from tools.shopify import ShopifyClient
from tools.shopify.models import ProductStatus, ProductSummary

#: Share of the name's words a title must hold to count as a match.
MIN_OVERLAP = 0.5


@dataclass(frozen=True)
class Lookup:
    """The product found, or why none was chosen (no match, or several equally good)."""

    product: ProductSummary | None
    problem: str = ""


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def overlap(name: str, title: str) -> float:
    wanted = {_stem(w) for w in keywords(name)}
    if not wanted:
        return 0.0
    have = {_stem(w) for w in keywords(title)}
    return len(wanted & have) / len(wanted)


async def find_in_store(shopify: ShopifyClient, name: str) -> Lookup:
    words = keywords(name)
    if not words:
        return Lookup(None, f"{name!r} does not name a product")
    query = " OR ".join(f"title:{_stem(word)}*" for word in words)
    found = [
        p
        async for p in shopify.iter_products(query=query, limit=50)
        if p.status is not ProductStatus.ARCHIVED
    ]
    scored = sorted(
        ((overlap(name, p.title), p) for p in found), key=lambda sp: (-sp[0], sp[1].title)
    )
    if not scored or scored[0][0] < MIN_OVERLAP:
        return Lookup(None, f"no product in the store matches {name!r}")
    best_score = scored[0][0]
    tied = [p for score, p in scored if score == best_score]
    if len(tied) > 1:
        titles = ", ".join(p.title for p in tied[:5])
        return Lookup(None, f"several products match {name!r} ({titles}); name one exactly")
    return Lookup(tied[0])
