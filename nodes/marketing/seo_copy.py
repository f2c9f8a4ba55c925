"""SEO copy for one product from its own facts (title, vendor, type, tags) and the store's
keywords — never from its description, which suppliers wrote and may carry instructions.

Meta titles stay within what search results show (60 characters; Shopify allows 70), meta
descriptions within 160 (Shopify allows 320). A handle is proposed only when the current one
does not read as the title (the old URL then redirects), and a title only when it is untidy
(extra spaces, all capitals or all lower case): renaming a selling product is not SEO's call.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from pydantic import BaseModel, ConfigDict, Field

from tools.shopify.models import Product

META_TITLE_MAX = 60
META_DESCRIPTION_MAX = 160


class SeoChange(BaseModel):
    """The SEO fields one product gets; None leaves a field as it is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product_id: str
    product: str = Field(description="The product's title now, for people.")
    title: str | None = Field(default=None, max_length=255)
    handle: str | None = Field(default=None, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    seo_title: str = Field(min_length=1, max_length=70)
    seo_description: str = Field(min_length=1, max_length=320)
    keywords: list[str] = Field(default_factory=list)


def handle_of(title: str) -> str:
    """Shopify's handle form of a title: lower-case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "product"


def tidy_title(title: str) -> str:
    """The title with single spaces, and in title case when it was all upper or lower case."""
    clean = " ".join(title.split())
    letters = [c for c in clean if c.isalpha()]
    if letters and (all(c.isupper() for c in letters) or all(c.islower() for c in letters)):
        clean = " ".join(w[:1].upper() + w[1:].lower() for w in clean.split(" "))
    return clean


def _extras(title: str, keywords: Sequence[str]) -> list[str]:
    own = set(re.findall(r"[a-z0-9-]+", title.lower()))
    return [k for k in keywords if k not in own]


def meta_title(title: str, keywords: Sequence[str], shop: str) -> str:
    """``Title for Kw & Kw | Shop``, dropping parts until it fits search results."""
    extras = [k.replace("-", " ").title() for k in _extras(title, keywords)[:2]]
    candidates = []
    if extras:
        candidates.append(f"{title} for {' & '.join(extras)} | {shop}")
        candidates.append(f"{title} for {extras[0]} | {shop}")
    candidates += [f"{title} | {shop}", title]
    return next((c for c in candidates if len(c) <= META_TITLE_MAX), title[:META_TITLE_MAX])


def meta_description(product: Product, title: str, keywords: Sequence[str], shop: str) -> str:
    """Facts only: who makes it, what it is for, where to buy it."""
    words = [k.replace("-", " ") for k in _extras(title, keywords)[:3]]
    first = f"Shop the {title}"
    if product.vendor:
        first += f" by {product.vendor}"
    first += f" at {shop}."
    kind = product.product_type.lower() or "everyday"
    second = ""
    if words:
        listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
        second = f" Made for {kind}: {listed}."
    text = first + second
    return text if len(text) <= META_DESCRIPTION_MAX else first[:META_DESCRIPTION_MAX]


def propose(
    product: Product, keywords: Sequence[str], shop: str, taken_handles: Collection[str]
) -> SeoChange | None:
    """The change this product needs, or None when its SEO already reads like the proposal."""
    title = tidy_title(product.title)
    handle = handle_of(title)
    new_handle = handle if handle != product.handle and handle not in taken_handles else None
    seo_title = meta_title(title, keywords, shop)
    seo_description = meta_description(product, title, keywords, shop)
    current = product.seo
    unchanged = (
        title == product.title
        and new_handle is None
        and current is not None
        and current.title == seo_title
        and current.description == seo_description
    )
    if unchanged:
        return None
    return SeoChange(
        product_id=product.id,
        product=product.title,
        title=title if title != product.title else None,
        handle=new_handle,
        seo_title=seo_title,
        seo_description=seo_description,
        keywords=list(keywords[:5]),
    )
