"""Base models, global ids and money shared by every Shopify model."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
)
from pydantic.alias_generators import to_camel

_GID = re.compile(r"^gid://shopify/(?P<type>[A-Za-z][A-Za-z0-9]*)/(?P<id>[^/?#\s]+)(\?[^#\s]*)?$")


class ShopifyModel(BaseModel):
    """An object Shopify returns: camelCase on the wire, snake_case in Python, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        frozen=True,
        extra="ignore",
    )


class ShopifyInput(BaseModel):
    """An input object sent to Shopify.

    Unknown fields are refused. A field left at its ``None`` default is omitted from the wire;
    a field explicitly set to ``None`` is sent as ``null`` (Shopify reads that as "clear" or,
    for ``changeFromQuantity``, "skip the compare-and-swap check").
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        frozen=True,
        extra="forbid",
    )

    @model_serializer(mode="wrap")
    def _omit_unset_nulls(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name, field in type(self).model_fields.items():
            if name not in self.model_fields_set and getattr(self, name) is None:
                key = field.alias if info.by_alias and field.alias else name
                data.pop(key, None)
        return data

    def to_variables(self) -> dict[str, Any]:
        """The JSON value of this input, as GraphQL variables carry it."""
        return self.model_dump(mode="json", by_alias=True)


def parse_gid(value: str) -> tuple[str, str]:
    """``("Product", "123")`` from ``gid://shopify/Product/123``; ``ValueError`` otherwise."""
    match = _GID.match(value)
    if match is None:
        raise ValueError(f"not a Shopify global id: {value!r}")
    return match["type"], match["id"]


def gid(resource: str, id_: int | str) -> str:
    """The global id of ``resource`` number ``id_``."""
    return f"gid://shopify/{resource}/{id_}"


def ensure_gid(value: str, resource: str) -> str:
    """``value`` if it is a global id of ``resource``; ``ValueError`` otherwise."""
    kind, _ = parse_gid(value)
    if kind != resource:
        raise ValueError(f"expected a {resource} id, got a {kind} id: {value!r}")
    return value


def _checks_gid(resource: str | None) -> AfterValidator:
    def check(value: str) -> str:
        if resource is not None:
            return ensure_gid(value, resource)
        parse_gid(value)
        return value

    return AfterValidator(check)


GlobalId = Annotated[str, _checks_gid(None)]
ProductId = Annotated[str, _checks_gid("Product")]
ProductVariantId = Annotated[str, _checks_gid("ProductVariant")]
InventoryItemId = Annotated[str, _checks_gid("InventoryItem")]
LocationId = Annotated[str, _checks_gid("Location")]
PublicationId = Annotated[str, _checks_gid("Publication")]
OrderId = Annotated[str, _checks_gid("Order")]
LineItemId = Annotated[str, _checks_gid("LineItem")]
FulfillmentOrderId = Annotated[str, _checks_gid("FulfillmentOrder")]
FulfillmentOrderLineItemId = Annotated[str, _checks_gid("FulfillmentOrderLineItem")]
OrderTransactionId = Annotated[str, _checks_gid("OrderTransaction")]
CollectionId = Annotated[str, _checks_gid("Collection")]


def _unwrap_connection(value: Any) -> Any:
    """A connection's items, whether the document selected ``nodes`` or ``edges { node }``."""
    if isinstance(value, dict):
        if "nodes" in value:
            return value["nodes"]
        if "edges" in value:
            return [edge["node"] for edge in value["edges"]]
    return value


#: Marks a ``list[...]`` field read from a GraphQL connection.
Connection = BeforeValidator(_unwrap_connection)


class PageInfo(ShopifyModel):
    has_next_page: bool
    end_cursor: str | None = None


class Money(ShopifyModel):
    """``MoneyV2``: an exact amount and its currency."""

    amount: Decimal
    currency_code: str


class MoneyBag(ShopifyModel):
    """An amount in the shop's currency and the customer's (presentment) currency."""

    shop_money: Money
    presentment_money: Money | None = None
