"""Query cost and the per-shop leaky bucket, after Shopify's calculated query cost rules.

Requested cost is computed from the query before execution: scalars and enums cost 0, objects
1, a connection 2 plus its page size times the cost of one node, a list field its size times
its item, and each mutation field 10. Actual cost is the same walk over the returned data, so
short pages cost less; the difference is refunded to the bucket as Shopify does.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.values import VariableValues, get_argument_values

MUTATION_COST = 10
DEFAULT_MAXIMUM_AVAILABLE = 1000.0
DEFAULT_RESTORE_RATE = 100.0
DEFAULT_MAX_QUERY_COST = 1000

_Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _is_connection(type_: GraphQLOutputType) -> bool:
    return get_named_type(type_).name.endswith("Connection")


class CostCalculator:
    """Walks one operation against the schema; ``variables`` must already be coerced."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    # --- requested ------------------------------------------------------------------------------

    def requested(self, operation: OperationDefinitionNode) -> int:
        if operation.operation == OperationType.MUTATION:
            return MUTATION_COST * sum(1 for _ in self._fields(operation.selection_set, None))
        root = self.schema.query_type
        assert root is not None
        return self._selection_cost(operation.selection_set, root)

    def _fields(
        self, selection_set: SelectionSetNode, parent: _Composite | None
    ) -> list[tuple[FieldNode, _Composite | None]]:
        """Fields of a selection set with fragments flattened, each with its parent type."""
        found: list[tuple[FieldNode, _Composite | None]] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                found.append((selection, parent))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                found.extend(self._fields(selection.selection_set, _composite(inner) or parent))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    inner = self.schema.get_type(fragment.type_condition.name.value)
                    found.extend(self._fields(fragment.selection_set, _composite(inner) or parent))
        return found

    def _definition(self, parent: _Composite | None, node: FieldNode) -> GraphQLField | None:
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            field: GraphQLField | None = parent.fields.get(node.name.value)
            return field
        return None

    def _args(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        try:
            return get_argument_values(definition, node, self.variables)
        except Exception:  # invalid arguments fail later, in execution, with a proper error
            return {}

    def _selection_cost(self, selection_set: SelectionSetNode | None, parent: _Composite) -> int:
        if selection_set is None:
            return 0
        total = 0
        for node, node_parent in self._fields(selection_set, parent):
            definition = self._definition(node_parent, node)
            if definition is None or node.name.value.startswith("__"):
                continue
            total += self._field_cost(node, definition)
        return total

    def _field_cost(self, node: FieldNode, definition: GraphQLField) -> int:
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        composite = _composite(named)
        assert composite is not None
        if _is_connection(definition.type):
            args = self._args(definition, node)
            size = args.get("first") or args.get("last") or 0
            return 2 + size * self._node_cost(node.selection_set, composite)
        child = 1 + self._selection_cost(node.selection_set, composite)
        if _is_list(definition.type):
            args = self._args(definition, node)
            size = len(args["ids"]) if "ids" in args else (args.get("first") or 1)
            return size * child
        return child

    def _node_cost(self, selection_set: SelectionSetNode | None, connection: _Composite) -> int:
        """The cost of one node of a connection: ``edges { node }`` plus ``nodes``."""
        if selection_set is None:
            return 0
        cost = 0
        for node, parent in self._fields(selection_set, connection):
            definition = self._definition(parent, node)
            if definition is None:
                continue
            name = node.name.value
            if name == "nodes":
                item = _composite(get_named_type(definition.type))
                if item is not None:
                    cost += 1 + self._selection_cost(node.selection_set, item)
            elif name == "edges" and node.selection_set is not None:
                edge = _composite(get_named_type(definition.type))
                if edge is None:
                    continue
                for inner, inner_parent in self._fields(node.selection_set, edge):
                    inner_definition = self._definition(inner_parent, inner)
                    if inner.name.value == "node" and inner_definition is not None:
                        item = _composite(get_named_type(inner_definition.type))
                        if item is not None:
                            cost += 1 + self._selection_cost(inner.selection_set, item)
        return cost

    # --- actual ---------------------------------------------------------------------------------

    def actual(self, operation: OperationDefinitionNode, data: Mapping[str, Any] | None) -> int:
        if operation.operation == OperationType.MUTATION:
            return self.requested(operation)
        root = self.schema.query_type
        if data is None or root is None:
            return 0
        return self._data_cost(operation.selection_set, root, data)

    def _data_cost(
        self, selection_set: SelectionSetNode | None, parent: _Composite, data: Mapping[str, Any]
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for node, node_parent in self._fields(selection_set, parent):
            definition = self._definition(node_parent, node)
            key = node.alias.value if node.alias else node.name.value
            if definition is None or key not in data:
                continue
            value = data[key]
            named = get_named_type(definition.type)
            composite = _composite(named)
            if value is None or composite is None:
                continue
            if _is_connection(definition.type) and isinstance(value, Mapping):
                total += 2 + self._returned_nodes_cost(node.selection_set, composite, value)
            elif isinstance(value, list):
                total += sum(
                    1 + self._data_cost(node.selection_set, composite, item)
                    for item in value
                    if isinstance(item, Mapping)
                )
            elif isinstance(value, Mapping):
                total += 1 + self._data_cost(node.selection_set, composite, value)
        return total

    def _returned_nodes_cost(
        self,
        selection_set: SelectionSetNode | None,
        connection: _Composite,
        value: Mapping[str, Any],
    ) -> int:
        if selection_set is None:
            return 0
        cost = 0
        for node, parent in self._fields(selection_set, connection):
            definition = self._definition(parent, node)
            key = node.alias.value if node.alias else node.name.value
            items = value.get(key)
            if definition is None or not isinstance(items, list):
                continue
            named = _composite(get_named_type(definition.type))
            if named is None:
                continue
            if node.name.value == "nodes":
                cost += sum(
                    1 + self._data_cost(node.selection_set, named, item)
                    for item in items
                    if isinstance(item, Mapping)
                )
            elif node.name.value == "edges" and node.selection_set is not None:
                for edge in items:
                    if not isinstance(edge, Mapping):
                        continue
                    for inner, inner_parent in self._fields(node.selection_set, named):
                        inner_definition = self._definition(inner_parent, inner)
                        inner_key = inner.alias.value if inner.alias else inner.name.value
                        item = edge.get(inner_key)
                        if inner.name.value != "node" or inner_definition is None:
                            continue
                        item_type = _composite(get_named_type(inner_definition.type))
                        if item_type is not None and isinstance(item, Mapping):
                            cost += 1 + self._data_cost(inner.selection_set, item_type, item)
        return cost


def _composite(type_: Any) -> _Composite | None:
    if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
        return type_
    return None


@dataclass
class ThrottleStatus:
    maximum_available: float
    currently_available: int
    restore_rate: float

    def as_json(self) -> dict[str, Any]:
        return {
            "maximumAvailable": self.maximum_available,
            "currentlyAvailable": self.currently_available,
            "restoreRate": self.restore_rate,
        }


class LeakyBucket:
    """Points available to one shop: spent per request, restored at ``restore_rate`` per second."""

    def __init__(
        self,
        maximum: float = DEFAULT_MAXIMUM_AVAILABLE,
        restore_rate: float = DEFAULT_RESTORE_RATE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.maximum = maximum
        self.restore_rate = restore_rate
        self._available = maximum
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._available = min(self.maximum, self._available + elapsed * self.restore_rate)
        self._updated = now

    def configure(
        self,
        maximum: float | None = None,
        restore_rate: float | None = None,
        available: float | None = None,
    ) -> None:
        """Change the limits; a new maximum starts with a full bucket unless told otherwise."""
        with self._lock:
            self._refill()
            if maximum is not None:
                self.maximum = maximum
                self._available = maximum
            if restore_rate is not None:
                self.restore_rate = restore_rate
            if available is not None:
                self._available = min(self.maximum, available)

    def try_spend(self, cost: int) -> bool:
        """Take ``cost`` points if that many are available (Shopify never lets it go negative)."""
        with self._lock:
            self._refill()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def refund(self, points: int) -> None:
        with self._lock:
            self._refill()
            self._available = min(self.maximum, self._available + points)

    def status(self) -> ThrottleStatus:
        with self._lock:
            self._refill()
            return ThrottleStatus(
                maximum_available=float(self.maximum),
                currently_available=math.floor(self._available),
                restore_rate=float(self.restore_rate),
            )
