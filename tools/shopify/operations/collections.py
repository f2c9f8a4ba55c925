"""Collections: list, read, their products' ids, and ``collectionUpdate``."""

from __future__ import annotations

from collections.abc import AsyncIterator

from tools.shopify.documents import mutations, queries
from tools.shopify.models.collections import Collection, CollectionUpdateInput
from tools.shopify.models.common import PageInfo, ensure_gid
from tools.shopify.operations.base import OperationsBase, required, without_none
from tools.shopify.pagination import MAX_PAGE_SIZE, check_page_size, connection, paginate


class CollectionOperations(OperationsBase):
    def iter_collections(self, *, page_size: int = 50) -> AsyncIterator[Collection]:
        """Every collection of the shop, ``page_size`` at a time."""
        check_page_size(page_size)

        async def fetch(cursor: str | None, first: int) -> tuple[list[Collection], PageInfo]:
            variables = without_none({"first": first, "after": cursor})
            data = await self.execute(queries.COLLECTIONS, variables)
            nodes, page = connection(data, ["collections"])
            return [Collection.model_validate(n) for n in nodes], page

        return paginate(fetch, page_size=page_size)

    async def get_collection(self, collection_id: str) -> Collection | None:
        """The collection, or ``None`` if there is no such collection."""
        data = await self.execute(
            queries.COLLECTION, {"id": ensure_gid(collection_id, "Collection")}
        )
        raw = data.get("collection")
        return Collection.model_validate(raw) if isinstance(raw, dict) else None

    async def collection_product_ids(self, collection_id: str) -> list[str]:
        """The global ids of every product in the collection (empty if it does not exist)."""
        gid = ensure_gid(collection_id, "Collection")

        async def fetch(cursor: str | None, first: int) -> tuple[list[str], PageInfo]:
            variables = without_none({"id": gid, "first": first, "after": cursor})
            data = await self.execute(queries.COLLECTION_PRODUCT_IDS, variables)
            if not isinstance(data.get("collection"), dict):
                return [], PageInfo(has_next_page=False, end_cursor=None)
            nodes, page = connection(data, ["collection", "products"])
            return [str(n["id"]) for n in nodes], page

        return [i async for i in paginate(fetch, page_size=MAX_PAGE_SIZE)]

    async def update_collection(self, collection: CollectionUpdateInput) -> Collection:
        """``collectionUpdate``: title, description and SEO; ``userErrors`` raise."""
        payload = await self._mutate(
            mutations.COLLECTION_UPDATE, "collectionUpdate", {"input": collection.to_variables()}
        )
        return Collection.model_validate(required(payload, "collection", "collectionUpdate"))
