"""Ad copy within each platform's limits (refused over them), in English and Dutch, and
creatives rendered in the platforms' sizes."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image
from pydantic import ValidationError

from nodes.marketing.copy import LIMITS, AdCopy, Platform, write_copy
from nodes.marketing.creatives import SIZES, render_all


@pytest.mark.parametrize("platform", list(Platform))
def test_copy_variants_fit_each_platform_in_both_languages(platform: Platform) -> None:
    title = "Insulated Water Bottle 750 ml with an Extra Long Name for Testing"
    copies = write_copy(title, Decimal("22.50"), platform=platform, variants=3)
    assert {c.language for c in copies} == {"en", "nl"}
    assert len(copies) == 6
    limits = LIMITS[platform]
    for copy in copies:
        assert len(copy.headline) <= limits.headline
        assert len(copy.primary_text) <= limits.primary_text
        assert len(copy.description) <= limits.description
    assert len({c.headline for c in copies if c.language == "en"}) == 3  # real variants


def test_dutch_copy_is_dutch() -> None:
    (first, *_rest) = write_copy("Smart Jump Rope", Decimal("19.95"), languages=["nl"])
    assert "Maak kennis met de Smart Jump Rope" in first.primary_text
    assert "€19,95" in first.primary_text


def test_copy_over_a_limit_is_refused() -> None:
    with pytest.raises(ValidationError, match="meta headline is 41 characters; the limit is 40"):
        AdCopy(language="en", headline="x" * 41, primary_text="ok")
    with pytest.raises(ValidationError, match="google headline is 31 characters"):
        AdCopy(platform=Platform.GOOGLE, language="en", headline="y" * 31, primary_text="ok")
    with pytest.raises(ValidationError, match="tiktok primary text is 101 characters"):
        AdCopy(platform=Platform.TIKTOK, language="en", headline="ok", primary_text="z" * 101)


def test_an_unknown_language_is_an_error_not_english() -> None:
    with pytest.raises(ValueError, match="no ad copy for language 'fr'"):
        write_copy("Mug", Decimal("9"), languages=["fr"])


def test_creatives_come_in_feed_and_story_sizes_as_png() -> None:
    creatives = render_all(
        "ad1-en", product_title="White Glossy Mug", headline="Only €24,99", price="24,99"
    )
    assert [c.size for c in creatives] == list(SIZES.values()) == [(1080, 1080), (1080, 1920)]
    for creative in creatives:
        image = Image.open(io.BytesIO(creative.png))
        assert image.format == "PNG"
        assert image.size == creative.size


def test_a_product_photo_is_used_when_there_is_one() -> None:
    out = io.BytesIO()
    Image.new("RGB", (400, 400), (255, 0, 0)).save(out, format="PNG")
    (feed, _story) = render_all(
        "ad1", product_title="Mug", headline="Mug", price="9,00", product_image=out.getvalue()
    )
    image = Image.open(io.BytesIO(feed.png)).convert("RGB")
    assert image.getpixel((540, 300)) == (255, 0, 0)


def test_an_approver_edit_with_copy_over_the_limit_is_refused_by_the_host_check() -> None:
    from nodes.approval.args import args_errors
    from nodes.marketing.launch_args import TOOL

    args = {
        "product_id": "gid://shopify/Product/1",
        "product_title": "Mug",
        "product_url": "https://royal-demo.myshopify.com/products/mug",
        "campaign_name": "Mug",
        "budget_eur": "400",
        "days": 7,
        "ads": [{"language": "en", "headline": "ok", "primary_text": "ok"}],
    }
    assert args_errors(TOOL, args) == []
    too_long = {**args, "ads": [{"language": "en", "headline": "H" * 41, "primary_text": "ok"}]}
    (error,) = args_errors(TOOL, too_long) or ["none"]
    assert "meta headline is 41 characters; the limit is 40" in error
