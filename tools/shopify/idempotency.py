"""Adds Shopify's ``@idempotent(key: $idempotencyKey)`` directive to a mutation document.

Done on the parsed document (not by string surgery), once per document: the result declares
``$idempotencyKey: String!`` and puts the directive on the single top-level mutation field,
which is where Shopify reads it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, parse, print_ast
from graphql.language import ast

IDEMPOTENCY_VARIABLE = "idempotencyKey"

#: Mutations that honour ``@idempotent`` in 2026-01 (mandatory from 2026-04), per Shopify's
#: changelog "Adding idempotency for inventory adjustments and refund mutations".
IDEMPOTENT_MUTATIONS = frozenset(
    {
        "refundCreate",
        "inventoryAdjustQuantities",
        "inventorySetQuantities",
        "inventoryMoveQuantities",
        "inventorySetOnHandQuantities",
        "inventoryShipmentReceive",
    }
)


def _name(value: str) -> ast.NameNode:
    return ast.NameNode(value=value)


@functools.lru_cache(maxsize=256)
def with_idempotency(document: str) -> str:
    """``document`` with the directive and its variable; unchanged if it already has them."""
    parsed = parse(document)
    operations = [d for d in parsed.definitions if isinstance(d, ast.OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation is not ast.OperationType.MUTATION:
        raise ValueError("@idempotent needs a document with exactly one mutation operation")
    operation = operations[0]
    fields = [s for s in operation.selection_set.selections if isinstance(s, ast.FieldNode)]
    if len(fields) != 1 or len(operation.selection_set.selections) != 1:
        raise ValueError("@idempotent needs exactly one top-level mutation field")
    field = fields[0]
    if any(d.name.value == "idempotent" for d in field.directives or ()):
        return document
    variable = ast.VariableNode(name=_name(IDEMPOTENCY_VARIABLE))
    directive = ast.DirectiveNode(
        name=_name("idempotent"),
        arguments=(ast.ArgumentNode(name=_name("key"), value=variable),),
    )
    definition = ast.VariableDefinitionNode(
        variable=variable,
        type=ast.NonNullTypeNode(type=ast.NamedTypeNode(name=_name("String"))),
    )
    field = dataclasses.replace(field, directives=(*(field.directives or ()), directive))
    operation = dataclasses.replace(
        operation,
        variable_definitions=(*(operation.variable_definitions or ()), definition),
        selection_set=dataclasses.replace(operation.selection_set, selections=(field,)),
    )
    definitions = tuple(operation if d is operations[0] else d for d in parsed.definitions)
    return print_ast(dataclasses.replace(parsed, definitions=definitions))


@functools.lru_cache(maxsize=256)
def operation_kind(document: str) -> str:
    """``query`` or ``mutation`` (``query`` when the document cannot be parsed)."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return "query"
    for definition in parsed.definitions:
        if isinstance(definition, ast.OperationDefinitionNode):
            return definition.operation.value
    return "query"


#: Mutations that set a state rather than add one: applying one twice leaves the shop as applying
#: it once, so a retry after a failure that may have applied it (a 500/502/504, a read timeout)
#: is safe without ``@idempotent``. ``productSet`` counts only when addressed by an identifier
#: (an upsert); without one it creates a product each time.
REPEATABLE_MUTATIONS = frozenset({"publishablePublish", "publishableUnpublish", "productUpdate"})
REPEATABLE_WITH_IDENTIFIER = frozenset({"productSet"})


@functools.lru_cache(maxsize=256)
def mutation_fields(document: str) -> tuple[str, ...]:
    """The top-level field names of a mutation document (none for a query or a bad document)."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return ()
    fields: list[str] = []
    for definition in parsed.definitions:
        if (
            isinstance(definition, ast.OperationDefinitionNode)
            and definition.operation is ast.OperationType.MUTATION
        ):
            selections = definition.selection_set.selections
            fields += [s.name.value for s in selections if isinstance(s, ast.FieldNode)]
    return tuple(fields)


def repeatable(document: str, variables: Mapping[str, Any]) -> bool:
    """Whether every field of the mutation ``document`` may be applied twice without harm."""
    fields = mutation_fields(document)
    return bool(fields) and all(
        field in REPEATABLE_MUTATIONS
        or (field in REPEATABLE_WITH_IDENTIFIER and variables.get("identifier"))
        for field in fields
    )
