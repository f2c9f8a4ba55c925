"""Every document the client sends is valid against the sandbox SDL; ``@idempotent`` insertion."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, build_schema, parse, validate

from tools.sandbox.shopify.schema import SDL_EXTENSIONS, SDL_PATH
from tools.shopify.documents import ALL_DOCUMENTS
from tools.shopify.idempotency import IDEMPOTENCY_VARIABLE, operation_kind, with_idempotency


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    """The sandbox's whole SDL: ``schema.graphql`` and its extensions (collections, orders…)."""
    return build_schema("\n".join(p.read_text() for p in (SDL_PATH, *SDL_EXTENSIONS)))


@pytest.mark.parametrize("name", sorted(ALL_DOCUMENTS))
def test_document_is_valid_against_the_sdl(schema: GraphQLSchema, name: str) -> None:
    errors = validate(schema, parse(ALL_DOCUMENTS[name]))
    assert [e.message for e in errors] == []


@pytest.mark.parametrize(
    "name", sorted(n for n, d in ALL_DOCUMENTS.items() if operation_kind(d) == "mutation")
)
def test_idempotent_variant_is_valid_against_the_sdl(schema: GraphQLSchema, name: str) -> None:
    errors = validate(schema, parse(with_idempotency(ALL_DOCUMENTS[name])))
    assert [e.message for e in errors] == []


def test_directive_goes_on_the_mutation_field_with_a_declared_variable() -> None:
    document = with_idempotency(
        "mutation Refund($input: RefundInput!) { refundCreate(input: $input) { refund { id } } }"
    )
    assert f"$input: RefundInput!, ${IDEMPOTENCY_VARIABLE}: String!" in document
    assert f"refundCreate(input: $input) @idempotent(key: ${IDEMPOTENCY_VARIABLE})" in document


def test_a_document_that_already_has_the_directive_is_left_alone() -> None:
    document = "mutation M($k: String!) { refundCreate(input: {}) @idempotent(key: $k) { x } }"
    assert with_idempotency(document) == document


@pytest.mark.parametrize(
    "document",
    [
        "query { shop { id } }",
        "mutation { a { x } b { y } }",
        "mutation A { a { x } } mutation B { b { y } }",
    ],
)
def test_directive_needs_exactly_one_mutation_field(document: str) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        with_idempotency(document)


def test_operation_kind() -> None:
    assert operation_kind(ALL_DOCUMENTS["RefundCreate"]) == "mutation"
    assert operation_kind(ALL_DOCUMENTS["Products"]) == "query"
    assert operation_kind("{ shop { id } }") == "query"
    assert operation_kind("not graphql {") == "query"
