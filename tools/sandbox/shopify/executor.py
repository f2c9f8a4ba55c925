"""One GraphQL request, end to end: parse, validate, cost, throttle, execute, shape the response.

Every problem past authentication answers HTTP 200 with GraphQL ``errors`` (as Shopify does),
and every such response carries ``extensions.cost`` with the bucket's throttle status.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    specified_rules,
    validate,
    visit,
)
from graphql.execution.values import get_variable_values
from graphql.language import DocumentNode, Visitor
from graphql.validation import (
    FieldsOnCorrectTypeRule,
    KnownArgumentNamesRule,
    KnownDirectivesRule,
    KnownFragmentNamesRule,
    KnownTypeNamesRule,
    NoUndefinedVariablesRule,
    NoUnusedFragmentsRule,
    NoUnusedVariablesRule,
    ProvidedRequiredArgumentsRule,
    ScalarLeafsRule,
    ValuesOfCorrectTypeRule,
    VariablesInAllowedPositionRule,
)
from graphql.validation.rules import ASTValidationRule

from tools.sandbox.ledger import MutationLedger
from tools.sandbox.shopify.cost import CostCalculator, LeakyBucket
from tools.sandbox.shopify.errors import (
    error_entry,
    format_execution_error,
    format_graphql_error,
)
from tools.sandbox.shopify.idempotency import IdempotencyCache
from tools.sandbox.shopify.resolvers import RequestContext, field_resolver
from tools.sandbox.shopify.store import ShopifyStore

THROTTLE_DOCUMENTATION = "https://shopify.dev/api/usage/rate-limits"
MAX_INPUT_ARRAY = 250

#: graphql-ruby's error codes (what Shopify returns) for the validation rules that can fail.
_RULE_CODES: tuple[tuple[type[ASTValidationRule], str], ...] = (
    (FieldsOnCorrectTypeRule, "undefinedField"),
    (KnownArgumentNamesRule, "argumentNotAccepted"),
    (ProvidedRequiredArgumentsRule, "missingRequiredArguments"),
    (KnownTypeNamesRule, "undefinedType"),
    (VariablesInAllowedPositionRule, "variableMismatch"),
    (NoUnusedVariablesRule, "variableNotUsed"),
    (NoUndefinedVariablesRule, "variableNotDefined"),
    (ScalarLeafsRule, "selectionMismatch"),
    (ValuesOfCorrectTypeRule, "argumentLiteralsIncompatible"),
    (KnownDirectivesRule, "undefinedDirective"),
    (KnownFragmentNamesRule, "undefinedFragment"),
    (NoUnusedFragmentsRule, "useAndDefineFragment"),
)
_UNDEFINED_FIELD = re.compile(r"^Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'\.")


class BadRequest(Exception):
    """The body is not a GraphQL request at all: HTTP 400, not a GraphQL error."""


@dataclass(frozen=True)
class _Request:
    query: str
    variables: dict[str, Any]
    operation_name: str | None


def parse_body(payload: Any) -> _Request:
    if not isinstance(payload, Mapping):
        raise BadRequest("The request body must be a JSON object with a query")
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("Parameter 'query' is missing or invalid")
    variables = payload.get("variables")
    if isinstance(variables, str):
        try:
            variables = json.loads(variables) if variables.strip() else None
        except ValueError as exc:
            raise BadRequest("Parameter 'variables' is not valid JSON") from exc
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        raise BadRequest("Parameter 'variables' must be a JSON object")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("Parameter 'operationName' must be a string")
    return _Request(query, variables, operation_name)


def _validation_errors(schema: GraphQLSchema, document: DocumentNode) -> list[dict[str, Any]]:
    errors = validate(schema, document, specified_rules)
    if not errors:
        return []
    entries: list[dict[str, Any]] = []
    classified: set[str] = set()
    for rule, code in _RULE_CODES:
        for error in validate(schema, document, [rule]):
            classified.add(error.message)
            entries.append(_validation_entry(error, code))
    entries.extend(
        format_graphql_error(error, "GRAPHQL_VALIDATION_FAILED")
        for error in errors
        if error.message not in classified
    )
    return entries


@functools.lru_cache(maxsize=512)
def prepare(schema: GraphQLSchema, query: str) -> DocumentNode | tuple[dict[str, Any], ...]:
    """The parsed, validated document, or its errors; clients repeat queries, so this is cached."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return (format_graphql_error(error, "PARSE_ERROR"),)
    errors = _validation_errors(schema, document)
    return tuple(errors) if errors else document


def _validation_entry(error: GraphQLError, code: str) -> dict[str, Any]:
    entry = format_graphql_error(error, code)
    match = _UNDEFINED_FIELD.match(error.message)
    if code == "undefinedField" and match:
        entry["message"] = f"Field '{match['field']}' doesn't exist on type '{match['type']}'"
        entry["extensions"].update(typeName=match["type"], fieldName=match["field"])
    return entry


def _oversized_inputs(
    operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Shopify refuses input arrays longer than 250, in literals and in variables alike."""
    sizes: list[int] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            sizes.append(len(value))
            for item in value:
                walk(item)
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)

    walk(dict(variables))

    class _Lists(Visitor):
        def enter_list_value(self, node: ListValueNode, *_args: Any) -> None:
            sizes.append(len(node.values))

    visit(operation, _Lists())
    return [
        error_entry(
            f"The input array size of {size} is greater than the maximum allowed of "
            f"{MAX_INPUT_ARRAY}.",
            "MAX_INPUT_SIZE_EXCEEDED",
        )
        for size in sizes
        if size > MAX_INPUT_ARRAY
    ][:1]


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | str:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(operations) == 1:
            return operations[0]
        return "An operation name is required when the document contains several operations"
    for operation in operations:
        if operation.name is not None and operation.name.value == name:
            return operation
    return f'No operation named "{name}"'


class GraphQLExecutor:
    """Runs Admin API requests against one store, bucket and idempotency cache."""

    def __init__(
        self,
        schema: GraphQLSchema,
        store: ShopifyStore,
        ledger: MutationLedger,
        idempotency: IdempotencyCache,
        bucket: LeakyBucket,
        max_query_cost: Callable[[], int],
    ) -> None:
        self.schema = schema
        self.store = store
        self.ledger = ledger
        self.idempotency = idempotency
        self.bucket = bucket
        self.max_query_cost = max_query_cost

    def _cost(self, requested: int, actual: int | None) -> dict[str, Any]:
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": self.bucket.status().as_json(),
            }
        }

    def _errors_only(self, errors: list[dict[str, Any]]) -> dict[str, Any]:
        return {"errors": errors, "extensions": self._cost(0, 0)}

    def run(self, payload: Any, api_version: str) -> dict[str, Any]:
        """The JSON body answering ``payload``; raises ``BadRequest`` for non-GraphQL bodies."""
        request = parse_body(payload)
        document = prepare(self.schema, request.query)
        if isinstance(document, tuple):
            return self._errors_only(copy.deepcopy(list(document)))
        operation = _operation(document, request.operation_name)
        if isinstance(operation, str):
            return self._errors_only([error_entry(operation, "OPERATION_NOT_FOUND")])
        if operation.operation == OperationType.SUBSCRIPTION:
            return self._errors_only(
                [error_entry("Subscriptions are not supported", "OPERATION_NOT_SUPPORTED")]
            )
        coerced = get_variable_values(
            self.schema, operation.variable_definitions or (), request.variables
        )
        if isinstance(coerced, list):
            return self._errors_only(
                [format_graphql_error(error, "INVALID_VARIABLE") for error in coerced]
            )
        oversized = _oversized_inputs(operation, coerced.coerced)
        if oversized:
            return self._errors_only(oversized)
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        calculator = CostCalculator(self.schema, fragments, coerced)
        requested = calculator.requested(operation)
        limit = self.max_query_cost()
        if requested > limit:
            return {
                "errors": [
                    error_entry(
                        f"Query cost is {requested}, which exceeds the single query max cost "
                        f"limit ({limit}).\n\nSee https://shopify.dev/concepts/about-apis/"
                        "rate-limits for more information on how the\ncost of a query is "
                        "calculated.\n\nTo query larger amounts of data with fewer limits, bulk "
                        "operations should be used instead.\nSee https://shopify.dev/tutorials/"
                        "perform-bulk-operations-with-admin-api for usage details.\n",
                        "MAX_COST_EXCEEDED",
                        extra={"cost": requested, "maxCost": limit},
                    )
                ],
                "extensions": self._cost(requested, None),
            }
        if not self.bucket.try_spend(requested):
            return {
                "errors": [
                    error_entry(
                        "Throttled",
                        "THROTTLED",
                        extra={"documentation": THROTTLE_DOCUMENTATION},
                    )
                ],
                "extensions": self._cost(requested, None),
            }
        request_id = str(uuid.uuid4())
        context = RequestContext(
            store=self.store,
            ledger=self.ledger,
            idempotency=self.idempotency,
            api_version=api_version,
            request_id=request_id,
        )
        with self.store.lock:
            result = execute(
                self.schema,
                document,
                context_value=context,
                variable_values=request.variables,
                operation_name=request.operation_name,
                field_resolver=field_resolver,
            )
        assert isinstance(result, ExecutionResult)
        actual = calculator.actual(operation, result.data)
        if actual < requested:
            self.bucket.refund(requested - actual)
        body: dict[str, Any] = {}
        if result.data is not None:
            body["data"] = result.data
        if result.errors:
            body["errors"] = [format_execution_error(e, request_id) for e in result.errors]
        body["extensions"] = self._cost(requested, actual)
        return body
