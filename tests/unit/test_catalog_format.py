"""The catalog file format: deterministic rendering, errors with file and line, and the
three-way merge's scenarios."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nodes.catalog.checks import margin_pct, product_checks
from tools.catalog.codec import CatalogFormatError, dump, handle_of, load, path_for
from tools.catalog.merge import diff, flatten, three_way, unflatten
from tools.catalog.model import CatalogProduct, Image, Metafield, Option, Variant

PATH = path_for("lamp")


def lamp(**changes: object) -> CatalogProduct:
    base = CatalogProduct(
        title="Aurora Lamp",
        handle="lamp",
        status="ACTIVE",
        description="<p>Warm light.</p>\n<p>Dimmable.</p>",
        options=[Option(name="Color", values=["Black", "White"])],
        variants=[
            Variant(sku="L-B", options={"Color": "Black"}, price=Decimal("39.90")),
            Variant(sku="L-W", options={"Color": "White"}, price=Decimal("39.90")),
        ],
        images=[Image(url="https://cdn.example.com/lamp.jpg", alt="Lamp")],
        tags=["office", "lighting"],
        metafields=[Metafield(namespace="custom", key="watts", type="number_integer", value="9")],
    )
    return CatalogProduct.model_validate(base.model_dump() | changes)


def test_rendering_is_deterministic_and_reads_back() -> None:
    text = dump(lamp())
    assert dump(load(text, PATH)) == text
    assert (
        text.index("title:")
        < text.index("handle:")
        < text.index("variants:")
        < text.index("metafields:")
    )
    assert "price: '39.90'" in text  # strings: a YAML float would lose the cents
    assert "description: |-\n  <p>Warm light.</p>" in text
    assert "tags:\n- lighting\n- office" in text  # sorted: order carries no meaning


@given(st.lists(st.sampled_from(["a", "b", "c", "sale"]), max_size=6))
def test_tag_order_never_makes_a_diff(tags: list[str]) -> None:
    assert dump(lamp(tags=tags)) == dump(lamp(tags=sorted(set(tags))))


def _problems(text: str, path: str = PATH) -> list[str]:
    with pytest.raises(CatalogFormatError) as caught:
        load(text, path)
    return [str(p) for p in caught.value.problems]


def test_errors_name_the_file_and_the_line() -> None:
    text = dump(lamp())
    lines = text.splitlines()
    price_line = next(i for i, line in enumerate(lines, 1) if "price: '39.90'" in line)
    broken = text.replace("price: '39.90'", "price: 'cheap'", 1).replace(
        "status: ACTIVE", "status: LIVE"
    )
    problems = _problems(broken)
    assert problems[0].startswith(f"{PATH}:5: status: Input should be")
    assert problems[1].startswith(f"{PATH}:{price_line}: variants[0].price:")


def test_yaml_syntax_and_the_file_name_are_checked() -> None:
    assert _problems("title: [unclosed\nhandle: lamp\n")[0].startswith(f"{PATH}:2: not valid YAML")
    wrong = dump(lamp()).replace("handle: lamp", "handle: other")
    assert "does not match the file name" in _problems(wrong)[0]
    assert handle_of("catalog/products/lamp.yaml") == "lamp"
    assert handle_of("theme/layout/theme.liquid") is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"variants": []}, "at least 1 item"),
        (
            {"variants": [Variant(sku="X", options={"Color": "Red"}, price=Decimal(1))]},
            "'Red' is not a Color value",
        ),
        (
            {"variants": [Variant(sku="X", price=Decimal(1)), Variant(sku="X", price=Decimal(2))]},
            "repeated: X",
        ),
    ],
)
def test_the_schema_refuses_inconsistent_products(changes: dict[str, object], message: str) -> None:
    data = lamp().model_dump(mode="json") | {
        k: [v.model_dump(mode="json") for v in val] if isinstance(val, list) else val
        for k, val in changes.items()
    }
    if "Red" in message or "repeated" in message:
        data["options"] = [{"name": "Color", "values": ["Black"]}] if "Red" in message else []
    with pytest.raises(ValueError, match=message):
        CatalogProduct.model_validate(data)


def test_flatten_and_unflatten_are_inverse() -> None:
    assert unflatten(flatten(lamp())) == lamp()
    assert unflatten({}) is None


def test_one_side_changes_are_merged_and_both_side_changes_conflict() -> None:
    base = lamp()
    ours = lamp(title="Aurora Lamp Pro")  # Shopify renamed it
    price = [base.variants[0].model_copy(update={"price": Decimal("44.90")}), base.variants[1]]
    theirs = lamp(variants=price)  # the repository repriced it
    merged = three_way(base, ours, theirs)
    assert merged.conflicts == []
    assert merged.product == lamp(title="Aurora Lamp Pro", variants=price)
    assert [c.field for c in merged.from_ours] == ["title"]
    assert [c.field for c in merged.from_theirs] == ["variants[L-B].price"]

    both = three_way(base, ours, lamp(title="Aurora Desk Lamp"), keep="ours")
    (conflict,) = both.conflicts
    assert (conflict.field, conflict.base, conflict.ours, conflict.theirs) == (
        "title",
        "Aurora Lamp",
        "Aurora Lamp Pro",
        "Aurora Desk Lamp",
    )
    assert both.product is not None
    assert both.product.title == "Aurora Lamp Pro"
    assert three_way(base, ours, ours).conflicts == []  # the same change on both sides


def test_added_and_removed_variants_and_products() -> None:
    base = lamp()
    extra = Variant(sku="L-R", options={"Color": "Red"}, price=Decimal("41.00"))
    theirs = lamp(
        options=[Option(name="Color", values=["Black", "White", "Red"])],
        variants=[*base.variants, extra],
    )
    merged = three_way(base, base, theirs)
    assert merged.product == theirs
    assert three_way(base, None, base).product is None  # deleted on Shopify
    assert three_way(None, None, base).product == base  # new in the repository
    assert [c.field for c in diff(base, theirs)][:2] == ["options", "variants"]


def test_checks_compare_prices_with_unit_costs_and_need_images() -> None:
    costs = {"L-B": Decimal("20.00"), "L-W": Decimal("45.00")}
    assert margin_pct(lamp(), {"L-B": Decimal("20.00")}) == Decimal("49.87")
    checks = {
        c.name: c
        for c in product_checks(
            lamp(images=[]),
            unit_costs=costs,
            failed_images=["https://x.invalid/a.jpg"],
            collections=[],
        )
    }
    assert not checks["required fields"].passed
    assert "L-W sells at 39.90, under its unit cost 45.00" in checks["prices vs margins"].detail
    assert not checks["images reachable"].passed
    assert checks["collections exist"].passed
    ok = product_checks(
        lamp(), unit_costs={"L-B": Decimal("20.00")}, failed_images=[], collections=[]
    )
    assert all(c.passed for c in ok)
