"""A launch planned after a product task ("find and publish a mug and launch ads for it")
waits for that product to be live before it looks for copy and budget.

The CEO runs a plan's tasks in parallel, so the ads task may start before the product task
has created and published the product. A task with ``depends_on`` therefore polls the store
until the product is ACTIVE (a draft is not advertised), for at most ``WAIT_SECONDS``; if the
product task has not put it live by then (it may be waiting for an approval, or found
nothing), the launch stops and says so instead of advertising a draft or guessing.
"""

from __future__ import annotations

import asyncio

from nodes.product.store_products import Lookup, find_in_store
from tools.shopify import ShopifyClient
from tools.shopify.models import ProductStatus

#: How long a dependent launch waits for its product, and how often it looks.
WAIT_SECONDS = 180.0
POLL_SECONDS = 2.0


def _live(found: Lookup) -> bool:
    return found.product is not None and found.product.status is ProductStatus.ACTIVE


async def live_product(shopify: ShopifyClient, name: str, depends_on: list[str]) -> Lookup:
    """The store's product called ``name``; with ``depends_on``, once it is live."""
    found = await find_in_store(shopify, name)
    if not depends_on or _live(found):
        return found
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while loop.time() < deadline:
        await asyncio.sleep(POLL_SECONDS)
        found = await find_in_store(shopify, name)
        if _live(found):
            return found
    tasks = ", ".join(repr(t) for t in depends_on)
    return Lookup(
        None,
        f"the {name} is not live in the store yet: the task it depends on ({tasks}) has not "
        f"published it within {WAIT_SECONDS:.0f} s (it may be waiting for an approval, or "
        "found nothing); no ads were launched — ask again once the product is live",
    )
