"""publishablePublish: put a product on sales channels (publications)."""

from __future__ import annotations

from typing import Any

from tools.sandbox.shopify.resolvers.common import RequestContext, number_or_none, user_error
from tools.sandbox.shopify.resolvers.mutation import Payload, mutation


@mutation("publishablePublish")
def publishable_publish(ctx: RequestContext, id: str, input: list[dict[str, Any]]) -> Payload:
    shop = ctx.store
    number = number_or_none(id, "Product")
    product = shop.products.get(number) if number is not None else None
    if product is None:
        return {
            "publishable": None,
            "shop": shop.shop,
            "userErrors": [user_error(["id"], "Publishable does not exist")],
        }
    errors: list[dict[str, Any]] = []
    if not input:
        errors.append(user_error(["input"], "Input can't be blank"))
    targets: list[tuple[int, Any]] = []
    for index, entry in enumerate(input):
        publication_id = entry.get("publicationId")
        if publication_id is None:
            errors.append(
                user_error(["input", index, "publicationId"], "Publication id can't be blank")
            )
            continue
        publication = number_or_none(publication_id, "Publication")
        if publication not in shop.publications:
            errors.append(
                user_error(["input", index, "publicationId"], "Publication does not exist")
            )
            continue
        assert publication is not None
        targets.append((publication, entry.get("publishDate")))
    if errors:
        return {"publishable": None, "shop": shop.shop, "userErrors": errors}
    now = shop.now()
    for publication, publish_date in targets:
        product.publications[publication] = publish_date or product.publications.get(
            publication, now
        )
    product.updated_at = now
    return {"publishable": product, "shop": shop.shop, "userErrors": []}
