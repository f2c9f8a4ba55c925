"""Theme checks: Shopify's Liquid tags parse, syntax errors name their line, required templates."""

from __future__ import annotations

import pytest

from tools.sandbox.shopify.online_store import LIVE_THEME_FILES
from tools.themes.checks import check_theme, theme_files
from tools.themes.liquid import syntax_error


@pytest.mark.parametrize(
    "source",
    [
        '{% schema %}{"name": "x"}{% endschema %}',
        "{% form 'product', product %}{% if product.available %}ok{% endif %}{% endform %}",
        "{% section 'header' %}{% layout none %}",
        "{% javascript %}if (a {{ b }}) {}{% endjavascript %}",
        "{% paginate collection.products by 12 %}{% for p in collection.products %}"
        "{{ p.title }}{% endfor %}{% endpaginate %}",
        "{% render 'price', product: product %}{{ product.price | money }}",
    ],
)
def test_shopify_liquid_parses(source: str) -> None:
    assert syntax_error(source) is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>\n{% if product.available %}\nin stock\n", "line 3"),
        ("{% form 'product' %}no end", "form"),
        ("{% schema %}{not json}{% endschema %}", "schema is not valid JSON"),
        ("{{ product.title | }}", "line 1"),
    ],
)
def test_syntax_errors_are_found(source: str, expected: str) -> None:
    error = syntax_error(source)
    assert error is not None
    assert expected in error


def test_the_seeded_theme_passes_and_a_partial_one_does_not() -> None:
    assert all(check.passed for check in check_theme(LIVE_THEME_FILES))
    partial = check_theme(
        {"layout/theme.liquid": "{{ content_for_layout }}", "templates/x.json": "{"}
    )
    failed = {c.name for c in partial if not c.passed}
    assert "json templates/x.json" in failed
    assert "required templates/product" in failed
    assert theme_files({"theme/a.liquid": "x", "README.md": "y"}) == {"a.liquid": "x"}
