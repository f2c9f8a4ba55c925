"""Products: list, read (with every variant), create, update, set, publish, reprice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from tools.shopify.documents import mutations, queries
from tools.shopify.models.common import PageInfo, ensure_gid, parse_gid
from tools.shopify.models.product_inputs import (
    ProductCreateInput,
    ProductSetIdentifier,
    ProductSetInput,
    ProductUpdateInput,
    PublicationTarget,
    VariantUpdate,
)
from tools.shopify.models.products import (
    Product,
    ProductImage,
    ProductSortKey,
    ProductSummary,
    ProductVariant,
    Publication,
    PublishResult,
)
from tools.shopify.operations.base import OperationsBase, required, without_none
from tools.shopify.pagination import (
    MAX_PAGE_SIZE,
    check_limit,
    check_page_size,
    connection,
    paginate,
)


class ProductOperations(OperationsBase):
    def iter_products(
        self,
        *,
        query: str | None = None,
        sort_key: ProductSortKey | str = ProductSortKey.ID,
        reverse: bool = False,
        page_size: int = 100,
        limit: int | None = None,
    ) -> AsyncIterator[ProductSummary]:
        """Every product matching ``query`` (search syntax), fetched ``page_size`` at a time."""
        check_page_size(page_size)
        check_limit(limit)
        sort = ProductSortKey(sort_key)

        async def fetch(cursor: str | None, first: int) -> tuple[list[ProductSummary], PageInfo]:
            variables = {"first": first, "after": cursor, "query": query}
            variables |= {"sortKey": sort.value, "reverse": reverse}
            data = await self.execute(queries.PRODUCTS, without_none(variables))
            nodes, page = connection(data, ["products"])
            return [ProductSummary.model_validate(n) for n in nodes], page

        return paginate(fetch, page_size=page_size, limit=limit)

    async def get_product(self, product_id: str) -> Product | None:
        """The product with all its variants, or ``None`` if there is no such product."""
        data = await self.execute(queries.PRODUCT, {"id": ensure_gid(product_id, "Product")})
        return await self._complete_product(data.get("product"))

    async def featured_image(self, product_id: str) -> ProductImage | None:
        """The product's featured image (first media), or ``None`` when it has none."""
        data = await self.execute(
            queries.PRODUCT_FEATURED_IMAGE, {"id": ensure_gid(product_id, "Product")}
        )
        media = (data.get("product") or {}).get("featuredMedia") or {}
        image = media.get("image")
        return ProductImage.model_validate(image) if isinstance(image, dict) else None

    async def get_product_by_handle(self, handle: str) -> Product | None:
        data = await self.execute(queries.PRODUCT_BY_HANDLE, {"handle": handle})
        return await self._complete_product(data.get("productByIdentifier"))

    async def create_product(self, product: ProductCreateInput) -> Product:
        """``productCreate``. Not idempotent: prefer :meth:`set_product` with a handle to upsert."""
        payload = await self._mutate(
            mutations.PRODUCT_CREATE, "productCreate", {"product": product.to_variables()}
        )
        return await self._product_from(payload, "productCreate")

    async def update_product(self, product: ProductUpdateInput) -> Product:
        payload = await self._mutate(
            mutations.PRODUCT_UPDATE, "productUpdate", {"product": product.to_variables()}
        )
        return await self._product_from(payload, "productUpdate")

    async def set_product(
        self, product: ProductSetInput, *, identifier: ProductSetIdentifier | None = None
    ) -> Product:
        """``productSet`` (synchronous): create or replace a product's whole state."""
        variables: dict[str, Any] = {"input": product.to_variables()}
        if identifier is not None:
            variables["identifier"] = identifier.to_variables()
        payload = await self._mutate(mutations.PRODUCT_SET, "productSet", variables)
        return await self._product_from(payload, "productSet")

    async def list_publications(self) -> list[Publication]:
        """Every publication (sales channel) the app can publish to."""

        async def fetch(cursor: str | None, first: int) -> tuple[list[Publication], PageInfo]:
            data = await self.execute(
                queries.PUBLICATIONS, without_none({"first": first, "after": cursor})
            )
            nodes, page = connection(data, ["publications"])
            return [Publication.model_validate(n) for n in nodes], page

        return [p async for p in paginate(fetch, page_size=MAX_PAGE_SIZE)]

    async def published_on(self, product_id: str, publication_id: str) -> bool | None:
        """Whether the product is published on the publication; None: no such product."""
        variables = {"id": ensure_gid(product_id, "Product"), "publication": publication_id}
        data = await self.execute(queries.PUBLISHED_ON, variables)
        product = data.get("product")
        if not isinstance(product, dict):
            return None
        return bool(product.get("publishedOnPublication"))

    async def publish(
        self, resource_id: str, targets: Sequence[PublicationTarget]
    ) -> PublishResult:
        """``publishablePublish``: make a product (or collection) visible on publications."""
        if not targets:
            raise ValueError("publish needs at least one publication")
        parse_gid(resource_id)
        variables = {"id": resource_id, "input": [t.to_variables() for t in targets]}
        payload = await self._mutate(mutations.PUBLISHABLE_PUBLISH, "publishablePublish", variables)
        published = payload.get("publishable") or {}
        return PublishResult(
            publishable_id=published.get("id") or resource_id,
            publication_ids=[t.publication_id for t in targets],
        )

    async def update_variants(
        self,
        product_id: str,
        variants: Sequence[VariantUpdate],
        *,
        allow_partial_updates: bool = False,
    ) -> list[ProductVariant]:
        """``productVariantsBulkUpdate``: new prices (and other fields) for up to 250 variants."""
        if not 1 <= len(variants) <= MAX_PAGE_SIZE:
            raise ValueError(f"give between 1 and {MAX_PAGE_SIZE} variants")
        variables = {
            "productId": ensure_gid(product_id, "Product"),
            "variants": [v.to_variables() for v in variants],
            "allowPartialUpdates": allow_partial_updates,
        }
        payload = await self._mutate(
            mutations.PRODUCT_VARIANTS_BULK_UPDATE, "productVariantsBulkUpdate", variables
        )
        return [ProductVariant.model_validate(v) for v in payload.get("productVariants") or []]

    # --- helpers -------------------------------------------------------------------------
    async def _product_from(self, payload: dict[str, Any], mutation: str) -> Product:
        product = await self._complete_product(required(payload, "product", mutation))
        assert product is not None
        return product

    async def _complete_product(self, raw: Any) -> Product | None:
        """Validate ``raw``, first fetching the variants beyond its first page."""
        if not isinstance(raw, dict):
            return None
        variants, page = connection(raw, ["variants"])
        variants = list(variants)
        while page.has_next_page and page.end_cursor:
            data = await self.execute(
                queries.PRODUCT_VARIANTS, {"id": raw["id"], "after": page.end_cursor}
            )
            more, page = connection(data, ["product", "variants"])
            variants.extend(more)
        return Product.model_validate({**raw, "variants": {"nodes": variants}})
