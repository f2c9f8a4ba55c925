"""Create and publish a listing on Shopify so that a repeat never writes twice.

The effects ledger replays a recorded result for free; this module covers the window the
ledger cannot see (the write landed, the process died before recording it). Each write first
checks whether it already happened: the product carries a tag derived from the effect's key,
and publication state is read before publishing. Real Shopify (2026-01) accepts
``@idempotent`` only on refund and inventory mutations, so the check-first design is what makes
``productSet`` and ``publishablePublish`` safe to repeat.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, JsonValue

from nodes.product.listing import STORE_VENDOR, ListingArgs
from tools.shopify import ShopifyClient
from tools.shopify.models import (
    InventoryPolicy,
    OptionSetInput,
    ProductSetIdentifier,
    ProductSetInput,
    ProductStatus,
    ProductVariantSetInput,
    PublicationTarget,
    SeoInput,
    VariantOptionValueInput,
)

ONLINE_STORE = "Online Store"
_PUBLISHED_ON = """
query PublishedOn($id: ID!, $publication: ID!) {
  product(id: $id) { id publishedOnPublication(publicationId: $publication) }
}
"""


def effect_tag(effect_key: str) -> str:
    return f"royal-effect-{effect_key[:13]}"


async def create_and_publish(
    shopify: ShopifyClient, listing: ListingArgs, *, effect_key: str
) -> dict[str, JsonValue]:
    tag = effect_tag(effect_key)
    product = await shopify.get_product_by_handle(listing.handle)
    if product is None or tag not in product.tags:
        product = await shopify.set_product(
            ProductSetInput(
                title=listing.title,
                handle=listing.handle,
                description_html=listing.description_html,
                vendor=STORE_VENDOR,
                product_type=listing.product_type,
                tags=["royal-orchestrator", f"supplier:{listing.supplier}", tag],
                status=ProductStatus.ACTIVE,
                seo=SeoInput(title=listing.seo_title, description=listing.seo_description),
                product_options=[OptionSetInput(name="Title", values=["Default Title"])],
                variants=[
                    ProductVariantSetInput(
                        option_values=[
                            VariantOptionValueInput(option_name="Title", name="Default Title")
                        ],
                        price=listing.price,
                        compare_at_price=listing.compare_at_price,
                        sku=listing.sku,
                        inventory_policy=InventoryPolicy.CONTINUE,  # dropshipped: never sold out
                    )
                ],
            ),
            identifier=ProductSetIdentifier(handle=listing.handle),
        )
    publications = [p for p in await shopify.list_publications() if p.name == ONLINE_STORE]
    if not publications:
        raise RuntimeError("the shop has no Online Store publication to publish to")
    online = publications[0]
    state = await shopify.execute(_PUBLISHED_ON, {"id": product.id, "publication": online.id})
    if not (state.get("product") or {}).get("publishedOnPublication"):
        await shopify.publish(product.id, [PublicationTarget(publication_id=online.id)])
    return {
        "product_id": product.id,
        "handle": product.handle,
        "price": str(listing.price),
        "publication": online.id,
    }


class ListingFound(BaseModel):
    """What Shopify shows of one listing write, found by its effect tag (the sweeper asks)."""

    model_config = ConfigDict(frozen=True)

    product_id: str | None = None
    handle: str | None = None
    price: str | None = None
    publication: str | None = None
    published: bool = False

    def result(self) -> dict[str, JsonValue]:
        """The result ``create_and_publish`` would have returned (only when published)."""
        return {
            "product_id": self.product_id,
            "handle": self.handle,
            "price": self.price,
            "publication": self.publication,
        }


async def find_listing(shopify: ShopifyClient, effect_key: str) -> ListingFound:
    """Whether the write with ``effect_key`` reached Shopify: the product carrying its tag, and
    whether it is published on the Online Store (nothing found: it never did)."""
    tag = effect_tag(effect_key)
    found = [p async for p in shopify.iter_products(query=f"tag:{tag}", limit=1)]
    if not found:
        return ListingFound()
    product = await shopify.get_product(found[0].id)
    if product is None:  # deleted since the search
        return ListingFound()
    price = str(product.variants[0].price) if product.variants else None
    online = [p for p in await shopify.list_publications() if p.name == ONLINE_STORE]
    if not online:
        return ListingFound(product_id=product.id, handle=product.handle, price=price)
    state = await shopify.execute(_PUBLISHED_ON, {"id": product.id, "publication": online[0].id})
    return ListingFound(
        product_id=product.id,
        handle=product.handle,
        price=price,
        publication=online[0].id,
        published=bool((state.get("product") or {}).get("publishedOnPublication")),
    )
