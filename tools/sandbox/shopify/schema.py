"""The executable schema: ``schema.graphql`` plus this package's resolvers and scalars."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLUnionType,
    assert_valid_schema,
    build_schema,
)

from tools.sandbox.shopify.models import AutomaticDiscount, Discount
from tools.sandbox.shopify.resolvers import RESOLVERS
from tools.sandbox.shopify.scalars import install_scalars

SDL_PATH = Path(__file__).with_name("schema.graphql")
#: Extensions of the base schema (``extend type ...``), loaded after it.
SDL_EXTENSIONS = (
    Path(__file__).with_name("online_store.graphql"),
    Path(__file__).with_name("orders_finance.graphql"),
    Path(__file__).with_name("marketing.graphql"),
)


def resolve_abstract_type(
    value: Any, _info: GraphQLResolveInfo[Any], abstract: GraphQLAbstractType
) -> str:
    """Concrete GraphQL type of a value: payload dicts say so, records are named like their type."""
    if isinstance(value, Mapping):
        return str(value["__typename"])
    if isinstance(value, AutomaticDiscount):
        return "DiscountAutomaticNode" if abstract.name == "Node" else "DiscountAutomaticBasic"
    if isinstance(value, Discount):
        return "DiscountCodeNode" if abstract.name == "Node" else "DiscountCodeBasic"
    return type(value).__name__


@functools.cache
def build_shopify_schema() -> GraphQLSchema:
    """Build once per process; resolvers get all per-request state from ``info.context``."""
    sdl = "\n".join(path.read_text(encoding="utf-8") for path in (SDL_PATH, *SDL_EXTENSIONS))
    schema = build_schema(sdl)
    install_scalars(schema)
    for (type_name, field_name), resolver in RESOLVERS.items():
        owner = schema.get_type(type_name)
        if not isinstance(owner, GraphQLObjectType) or field_name not in owner.fields:
            raise LookupError(f"resolver for unknown field {type_name}.{field_name}")
        owner.fields[field_name].resolve = resolver
    for named in schema.type_map.values():
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            named.resolve_type = resolve_abstract_type
    assert_valid_schema(schema)
    return schema
