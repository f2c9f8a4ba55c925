"""The product's own Shopify image, for its ad creatives.

Shopify serves product media from its CDN (the sandbox from itself, over loopback: see
``tools.shopify.cdn``). The image
is read at launch time, bounded in size and checked to be an image Pillow can open; when the
product has none, or it cannot be read, the creatives fall back to a card and the reason says
why — a launch never fails for want of a photo.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import httpx
from PIL import Image

from tools.shopify import ShopifyClient
from tools.shopify.cdn import download_url
from tools.shopify.errors import ShopifyError

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
TIMEOUT_S = 15.0


@dataclass(frozen=True)
class ProductPhoto:
    """The image's bytes, or None with the reason the creatives use a card."""

    image: bytes | None
    note: str


class _TooLarge(Exception):
    pass


async def _download(url: str) -> bytes:
    async with (
        httpx.AsyncClient(timeout=TIMEOUT_S, follow_redirects=True) as client,
        client.stream("GET", url) as response,
    ):
        response.raise_for_status()
        kind = response.headers.get("content-type", "")
        if not kind.startswith("image/"):
            raise ValueError(f"it is {kind or 'untyped'}, not an image")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body.extend(chunk)
            if len(body) > MAX_BYTES:
                raise _TooLarge
    return bytes(body)


def _checked(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    return data


async def product_photo(shopify: ShopifyClient, product_id: str) -> ProductPhoto:
    """The featured image of ``product_id``, read once for all of a launch's creatives."""
    try:
        found = await shopify.featured_image(product_id)
    except ShopifyError as exc:
        logger.warning("product image of %s: Shopify failed: %s", product_id, exc)
        return ProductPhoto(None, f"creatives on a card: Shopify did not answer ({exc})")
    if found is None:
        return ProductPhoto(None, "creatives on a card: the product has no image in Shopify")
    url = download_url(shopify.config, found.url)
    try:
        return ProductPhoto(_checked(await _download(url)), "creatives on the product's image")
    except _TooLarge:
        reason = f"it is larger than {MAX_BYTES // (1024 * 1024)} MB"
    except httpx.HTTPStatusError as exc:
        reason = f"the image server answered {exc.response.status_code}"
    except httpx.HTTPError as exc:
        reason = f"it could not be downloaded ({type(exc).__name__})"
    except (ValueError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        reason = str(exc) or "it is not an image"
    logger.warning("product image of %s at %s unusable: %s", product_id, url, reason)
    return ProductPhoto(None, f"creatives on a card: the product's image is unusable: {reason}")
