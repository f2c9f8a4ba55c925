"""The checkpoint serializer for our graphs: it allows exactly the types our state holds.

LangGraph refuses (or warns about) unknown classes when it reads a checkpoint back, so a
tampered checkpoint cannot instantiate arbitrary classes. The allowlist is derived from the
state schemas themselves, so a new state field cannot be forgotten.
"""

from __future__ import annotations

import functools
import typing
from enum import Enum
from typing import Any

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from pydantic import BaseModel

from nodes.catalog.state import BadgeInput, CatalogState, PlanInput, ProposalInput, ThemeInput
from nodes.ceo.state import CEOState
from nodes.clusters import ClusterInput, ClusterOutput
from nodes.customer_service.state import (
    CustomerServiceState,
    RefundInput,
    ReviewReplyInput,
    TicketInput,
)
from nodes.finance.state import BatchInput, FinanceState, OrderInput, ShipmentInput
from nodes.marketing.state import MarketingState
from nodes.marketing.watch import WatchInput
from nodes.product.state import ProductState, PublishInput, RepriceInput

STATE_SCHEMAS: tuple[Any, ...] = (
    CEOState,
    ProductState,
    PublishInput,
    ClusterInput,
    ClusterOutput,
    RepriceInput,
    *(CatalogState, PlanInput, ProposalInput, BadgeInput, ThemeInput),
    MarketingState,
    WatchInput,
    *(FinanceState, OrderInput, BatchInput, ShipmentInput),
    *(CustomerServiceState, TicketInput, RefundInput, ReviewReplyInput),
)


def state_types(roots: tuple[Any, ...] = STATE_SCHEMAS) -> set[type]:
    """Every pydantic model and enum reachable from the state schemas."""
    found: set[type] = set()

    def visit(annotation: Any) -> None:
        for arg in typing.get_args(annotation):
            visit(arg)
        if not isinstance(annotation, type) or annotation in found:
            return
        if issubclass(annotation, Enum):
            found.add(annotation)
        elif issubclass(annotation, BaseModel):
            found.add(annotation)
            for field in annotation.model_fields.values():
                visit(field.annotation)

    for root in roots:
        for hint in typing.get_type_hints(root, include_extras=True).values():
            visit(hint)
    return found


@functools.cache
def checkpoint_serializer() -> JsonPlusSerializer:
    return JsonPlusSerializer(allowed_msgpack_modules=sorted(state_types(), key=str))
