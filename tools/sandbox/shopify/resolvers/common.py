"""What every resolver shares: the request context, the resolver registry, money and paging."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeAlias, TypeVar

from graphql import GraphQLResolveInfo

from tools.sandbox.ledger import MutationLedger
from tools.sandbox.shopify.idempotency import IdempotencyCache
from tools.sandbox.shopify.ids import parse_gid
from tools.sandbox.shopify.pagination import Connection, SortKey, paginate
from tools.sandbox.shopify.store import ShopifyStore

T = TypeVar("T")
Resolver = Callable[..., Any]
Info: TypeAlias = "GraphQLResolveInfo[RequestContext]"

#: (GraphQL type, field) -> resolver; filled by the ``@resolves`` decorators of this package.
RESOLVERS: dict[tuple[str, str], Resolver] = {}

ZERO = Decimal("0.00")


@dataclass
class RequestContext:
    """Per-request state handed to resolvers as ``info.context``."""

    store: ShopifyStore
    ledger: MutationLedger
    idempotency: IdempotencyCache
    api_version: str
    request_id: str


def resolves(type_name: str, *fields: str) -> Callable[[Resolver], Resolver]:
    """Register the decorated function as the resolver of ``type_name.field`` for each field."""

    def register(function: Resolver) -> Resolver:
        for field in fields:
            RESOLVERS[(type_name, field)] = function
        return function

    return register


def context(info: Info) -> RequestContext:
    return info.context


def store(info: Info) -> ShopifyStore:
    return info.context.store


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_SNAKE_CACHE: dict[str, str] = {}


def snake(name: str) -> str:
    cached = _SNAKE_CACHE.get(name)
    if cached is None:
        cached = _SNAKE_CACHE[name] = _CAMEL.sub("_", name).lower()
    return cached


def field_resolver(source: Any, info: GraphQLResolveInfo[Any], **_args: Any) -> Any:
    """Default resolver: dict payloads by GraphQL name, records by their snake_case attribute."""
    if isinstance(source, Mapping):
        return source.get(info.field_name)
    return getattr(source, snake(info.field_name), None)


def money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currencyCode": currency}


def money_bag(amount: Decimal, currency: str) -> dict[str, Any]:
    value = money(amount, currency)
    return {"shopMoney": value, "presentmentMoney": value}


def connection(
    items: Sequence[T], args: Mapping[str, Any], key: Callable[[T], SortKey] | None = None
) -> Connection[T]:
    """A page of ``items``; without a sort key they keep their natural (position) order."""
    if key is None:
        positions = {id(item): index for index, item in enumerate(items)}

        def by_position(item: T) -> SortKey:
            return positions[id(item)], positions[id(item)]

        key = by_position
    return paginate(items, key, dict(args))


def number_or_none(value: str, kind: str) -> int | None:
    """The number in a global id when it names ``kind``; raises on a malformed id."""
    found, number = parse_gid(value)
    return number if found == kind else None


def user_error(
    field: Iterable[str | int] | None, message: str, code: str | None = None
) -> dict[str, Any]:
    """One ``userErrors`` entry; ``field`` is the path to the offending input, as strings."""
    entry: dict[str, Any] = {
        "field": None if field is None else [str(part) for part in field],
        "message": message,
    }
    if code is not None:
        entry["code"] = code
    return entry


def count(n: int) -> dict[str, Any]:
    """Shopify's ``Count`` object for an exact number."""
    return {"count": n, "precision": "EXACT"}


def shop_currency(info: Info) -> str:
    return info.context.store.shop.currency_code


def first_n(items: list[T], first: int | None) -> list[T]:
    """The leading ``first`` items of a plain (non-connection) list field."""
    return items if first is None else items[: max(first, 0)]
