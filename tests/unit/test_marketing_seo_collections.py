"""SEO copy for collections: keywords are the words a collection's sold products share (not
merchandising tags), meta fields fit search results, a description is written only when the
collection has none (escaped), and a collection already reading as the proposal is left out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from nodes.marketing.seo import SeoBulkArgs
from nodes.marketing.seo_collections import (
    CollectionSeoChange,
    applied,
    collection_keywords,
    propose_collection,
)
from nodes.marketing.seo_copy import META_DESCRIPTION_MAX, META_TITLE_MAX
from nodes.product.sales import ProductSales
from tools.shopify.models import Collection, ProductSummary

SHOP = "Royal Equips Demo"


def _summary(number: int, title: str, tags: list[str]) -> ProductSummary:
    return ProductSummary.model_validate(
        {
            "id": f"gid://shopify/Product/{number}",
            "title": title,
            "handle": f"p{number}",
            "status": "ACTIVE",
            "vendor": "PulseFit",
            "productType": "Fitness",
            "tags": tags,
            "totalInventory": 1,
            "createdAt": "2026-06-01T00:00:00Z",
            "updatedAt": "2026-06-01T00:00:00Z",
        }
    )


def _sold(summary: ProductSummary, units: int) -> ProductSales:
    return ProductSales(
        product_id=summary.id, title=summary.title, units=units, orders=1, revenue_eur=Decimal(1)
    )


def _collection(title: str, description: str = "", seo: dict[str, str] | None = None) -> Collection:
    return Collection.model_validate(
        {
            "id": "gid://shopify/Collection/7",
            "handle": title.lower(),
            "title": title,
            "descriptionHtml": description,
            "seo": seo or {"title": None, "description": None},
        }
    )


ROPE = _summary(1, "Smart Jump Rope", ["cardio", "bestseller"])
BANDS = _summary(2, "Resistance Band Kit", ["cardio", "strength"])
MAT = _summary(3, "Yoga Mat", ["stretch"])
PRODUCTS = {p.id: p for p in (ROPE, BANDS, MAT)}


def test_keywords_are_what_the_sold_members_share_then_units() -> None:
    sales = [_sold(MAT, 50), _sold(ROPE, 3), _sold(BANDS, 2)]
    words = collection_keywords([ROPE.id, BANDS.id], sales, PRODUCTS)
    # Both sold members are cardio; the mat sold most but is not in the collection.
    assert words[0] == "cardio"
    assert "mat" not in words
    assert "bestseller" not in words  # a merchandising tag
    assert collection_keywords([ROPE.id], [], PRODUCTS) == []


def test_a_description_only_when_empty_and_escaped() -> None:
    change = propose_collection(_collection("Cardio & Co"), ["jump", "<b>"], SHOP, 2)
    assert change is not None
    assert change.seo_title == "Cardio & Co: Jump & <B> | Royal Equips Demo"
    assert change.description_html == (
        "<p>Our Cardio &amp; Co collection at Royal Equips Demo: 2 products for jump and "
        "&lt;b&gt;.</p>"
    )
    own = propose_collection(_collection("Cardio", "<p>Ours.</p>"), ["jump"], SHOP, 2)
    assert own is not None
    assert own.description_html is None
    assert own.seo_description == "Shop our Cardio collection at Royal Equips Demo: jump."


def test_a_collection_reading_as_the_proposal_is_left_out_and_counts_as_applied() -> None:
    change = propose_collection(_collection("Cardio"), ["jump"], SHOP, 1)
    assert change is not None
    seo = {"title": change.seo_title, "description": change.seo_description}
    written = _collection("Cardio", change.description_html or "", seo)
    assert applied(change, written)
    assert propose_collection(written, ["jump"], SHOP, 1) is None
    assert not applied(change, _collection("Cardio", "", seo))  # the description is missing
    # Someone wrote their own description since the plan: that counts, it is not replaced.
    assert applied(change, _collection("Cardio", "<p>Mine.</p>", seo))


@given(
    title=st.text(min_size=1, max_size=255).filter(str.strip),
    words=st.lists(st.from_regex(r"[a-z]{3,40}", fullmatch=True), max_size=6),
)
def test_meta_fields_never_pass_search_result_lengths(title: str, words: list[str]) -> None:
    change = propose_collection(_collection(title), words, SHOP, 3)
    assert change is not None
    assert len(change.seo_title) <= META_TITLE_MAX
    assert len(change.seo_description) <= META_DESCRIPTION_MAX


def test_a_bulk_change_needs_a_product_or_a_collection() -> None:
    with pytest.raises(ValidationError, match="at least one product or collection"):
        SeoBulkArgs()
    only = CollectionSeoChange(
        collection_id="gid://shopify/Collection/1",
        collection="Home",
        seo_title="H",
        seo_description="D",
    )
    args = SeoBulkArgs(collections=[only])
    assert args.count() == "0 product(s) and 1 collection(s)"
    # Products-only arguments read as before collections existed.
    assert "collections" not in SeoBulkArgs.model_validate(
        {
            "changes": [
                {
                    "product_id": "gid://shopify/Product/1",
                    "product": "R",
                    "seo_title": "R",
                    "seo_description": "R",
                }
            ]
        }
    ).model_dump(exclude_none=True)
