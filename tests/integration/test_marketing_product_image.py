"""Creatives on the product's own Shopify image: the launch reads the product's featured media
(``featuredMedia`` in the Shopify emulator), downloads it over loopback from the sandbox's
stand-in for Shopify's CDN and renders every creative on it; without a usable image, on a
card, and the report says why."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from storage.marketing import CampaignRepository
from tests.integration.pipeline_support import Engine, engine, shop, turn
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer
from tools.sandbox.shopify.photos import photo_png

__all__ = ["engine"]

pytestmark = pytest.mark.parametrize("engine", BACKENDS, indirect=True)

ROPE_PHOTO = "s/files/1/0000/0001/files/smart-jump-rope.jpg"


def _reply(result: dict[str, Any]) -> str:
    return str(result["messages"][-1].content)


def _rope(sandbox: SandboxServer) -> Any:
    return next(p for p in shop(sandbox).store.products.values() if p.title == "Smart Jump Rope")


async def _feed_creative(engine: Engine) -> Image.Image:
    repository = CampaignRepository(engine.services.database)
    (campaign,) = await repository.recent()
    creatives = await repository.creatives(campaign.key)
    feed = next(c for c in creatives if (c.width, c.height) == (1080, 1080))
    png = await repository.creative_png(feed.id)
    assert png is not None
    return Image.open(io.BytesIO(png)).convert("RGB")


async def test_the_creatives_are_rendered_on_the_products_own_image(
    engine: Engine, sandbox: SandboxServer
) -> None:
    assert _rope(sandbox).media[0].url == f"https://cdn.shopify.com/{ROPE_PHOTO}"
    result = await turn(engine, "img1", "Launch ads for the Smart Jump Rope with €300")
    assert "__interrupt__" not in result
    assert "creatives on the product's image" in _reply(result)
    photo = Image.open(io.BytesIO(photo_png(ROPE_PHOTO))).convert("RGB")
    feed = await _feed_creative(engine)
    # The 800×800 photo is scaled to 756×756 and pasted centred, 8 % from the top.
    assert feed.getpixel((540, 86 + 378)) == photo.getpixel((400, 400))
    assert feed.getpixel((540, 86 + 378)) != feed.getpixel((5, 5))  # not the card background


async def test_an_unreadable_image_falls_back_to_a_card_and_says_why(
    engine: Engine, sandbox: SandboxServer
) -> None:
    _rope(sandbox).media[0].url = f"{sandbox.url}/_sandbox/shopify/state"  # JSON, not an image
    result = await turn(engine, "img2", "Launch ads for the Smart Jump Rope with €300")
    reply = _reply(result)
    assert "creatives on a card: the product's image is unusable" in reply
    assert "not an image" in reply
    feed = await _feed_creative(engine)
    assert feed.size == (1080, 1080)


async def test_a_product_without_an_image_gets_a_card(
    engine: Engine, sandbox: SandboxServer
) -> None:
    _rope(sandbox).media.clear()
    result = await turn(engine, "img3", "Launch ads for the Smart Jump Rope with €300")
    assert "creatives on a card: the product has no image in Shopify" in _reply(result)
