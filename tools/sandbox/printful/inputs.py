"""Printful request bodies and query values, rejected with Printful's 400 when malformed."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.datastructures import QueryParams
from starlette.requests import Request

from tools.sandbox.printful.errors import bad_request, not_found

Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]
M = TypeVar("M", bound=BaseModel)
STATE_REQUIRED = frozenset({"US", "CA", "AU"})


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RateRecipient(_Body):
    country_code: Country
    state_code: str | None = None
    city: str | None = None
    zip: str | None = None
    address1: str | None = None


class RateItem(_Body):
    variant_id: int | None = None
    external_variant_id: str | None = None
    quantity: int = Field(ge=1, le=1000)
    value: Decimal | None = None

    @model_validator(mode="after")
    def _identified(self) -> RateItem:
        if self.variant_id is None and self.external_variant_id is None:
            raise ValueError("variant_id or external_variant_id is required")
        return self


class Rates(_Body):
    recipient: RateRecipient
    items: list[RateItem] = Field(min_length=1, max_length=100)
    currency: str | None = None
    locale: str | None = None


class Recipient(_Body):
    name: Text
    address1: Text
    address2: str | None = None
    city: Text
    state_code: str | None = None
    country_code: Country
    zip: str | None = None
    phone: str | None = None
    email: str | None = None

    @model_validator(mode="after")
    def _state_where_needed(self) -> Recipient:
        if self.country_code in STATE_REQUIRED and not self.state_code:
            raise ValueError(f"state_code is required for {self.country_code}")
        if not self.zip:
            raise ValueError("zip is required")
        return self


class File(_Body):
    url: Text


class OrderItem(_Body):
    variant_id: int | None = None
    sync_variant_id: int | None = None
    quantity: int = Field(ge=1, le=1000)
    retail_price: Decimal | None = Field(default=None, ge=0)
    files: list[File] = Field(default_factory=list)

    @model_validator(mode="after")
    def _identified(self) -> OrderItem:
        if (self.variant_id is None) == (self.sync_variant_id is None):
            raise ValueError("exactly one of variant_id or sync_variant_id is required")
        return self


class PackingSlip(_Body):
    message: str | None = Field(default=None, max_length=500)


class NewOrder(_Body):
    external_id: str | None = Field(default=None, min_length=1, max_length=32)
    shipping: str | None = None
    recipient: Recipient
    items: list[OrderItem] = Field(min_length=1, max_length=100)
    packing_slip: PackingSlip | None = None


async def read_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request("Invalid request: the body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise bad_request("Invalid request: the body must be a JSON object")
    return data


def validate(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise bad_request(f"Invalid request: {where}: {first['msg']}") from exc


def identifier(raw: str, what: str) -> int:
    """A numeric path id; Printful answers 404 for anything that cannot be one."""
    if not raw.isdigit():
        raise not_found(f"{what} not found")
    return int(raw)


def paging(params: QueryParams, default_limit: int = 20) -> tuple[int, int]:
    try:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or default_limit)
    except ValueError as exc:
        raise bad_request("Invalid request: offset and limit must be integers") from exc
    if offset < 0 or not 1 <= limit <= 100:
        raise bad_request("Invalid request: offset must be >= 0 and limit between 1 and 100")
    return offset, limit
