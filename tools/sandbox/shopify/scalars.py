"""Shopify's custom scalars: money and decimals as strings, ISO-8601 UTC date-times, URLs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import (
    ConstValueNode,
    FloatValueNode,
    GraphQLScalarType,
    GraphQLSchema,
    IntValueNode,
    StringValueNode,
)

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$")


def _literal(node: ConstValueNode) -> Any:
    if isinstance(node, StringValueNode | IntValueNode | FloatValueNode):
        return node.value
    raise ValueError("expected a string or number literal")


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise TypeError(f"Invalid decimal value {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"Invalid decimal value {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"Invalid decimal value {value!r}")
    return number


def serialize_money(value: Any) -> str:
    """Money as Shopify prints it: two decimals, e.g. ``"20.00"``."""
    return f"{_to_decimal(value):.2f}"


def serialize_decimal(value: Any) -> str:
    """A Decimal as Shopify prints it: no trailing zeros but at least one decimal (``"20.0"``)."""
    text = format(_to_decimal(value).normalize(), "f")
    return text if "." in text else f"{text}.0"


def format_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def serialize_datetime(value: Any) -> str:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"DateTime cannot represent {value!r}")


def parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"Invalid DateTime {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"Invalid DateTime {value!r}") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_url(value: Any) -> str:
    if not isinstance(value, str) or not _URL.match(value.strip()):
        raise ValueError(f"Invalid URL {value!r}")
    return value.strip()


def parse_html(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("HTML must be a string")
    return value


def parse_unsigned(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"Invalid UnsignedInt64 {value!r}")
    text = str(value).strip()
    if not text.isdigit() or int(text) >= 2**64:
        raise ValueError(f"Invalid UnsignedInt64 {value!r}")
    return int(text)


def _set(
    schema: GraphQLSchema,
    name: str,
    serialize: Any,
    parse: Any,
) -> None:
    scalar = schema.get_type(name)
    assert isinstance(scalar, GraphQLScalarType), name
    scalar.coerce_output_value = serialize
    scalar.coerce_input_value = parse
    scalar.coerce_input_literal = lambda node: parse(_literal(node))


def install_scalars(schema: GraphQLSchema) -> None:
    """Give the SDL's custom scalars their Shopify behaviour."""
    _set(schema, "Money", serialize_money, _to_decimal)
    _set(schema, "Decimal", serialize_decimal, _to_decimal)
    _set(schema, "DateTime", serialize_datetime, parse_datetime)
    _set(schema, "URL", str, parse_url)
    _set(schema, "HTML", str, parse_html)
    _set(schema, "UnsignedInt64", lambda value: str(int(value)), parse_unsigned)
