"""Collections as the SEO agent reads and writes them (custom-collection fields only)."""

from __future__ import annotations

from pydantic import Field

from tools.shopify.models.common import CollectionId, ShopifyInput, ShopifyModel
from tools.shopify.models.product_inputs import SeoInput
from tools.shopify.models.products import Seo


class Collection(ShopifyModel):
    id: CollectionId
    handle: str
    title: str
    description_html: str = ""
    seo: Seo | None = None


class CollectionUpdateInput(ShopifyInput):
    """``CollectionInput`` for ``collectionUpdate``: a field left out stays as it is."""

    id: CollectionId
    title: str | None = Field(default=None, min_length=1, max_length=255)
    description_html: str | None = None
    seo: SeoInput | None = None
