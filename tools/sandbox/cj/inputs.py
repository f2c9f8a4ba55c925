"""Reading CJ requests the way CJ validates them: anything malformed is ``1600100 Param error``."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.datastructures import QueryParams
from starlette.requests import Request

from tools.sandbox.cj.errors import PARAM_ERROR, CJError, param_error

Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]
M = TypeVar("M", bound=BaseModel)


class OrderProduct(BaseModel):
    model_config = ConfigDict(extra="ignore")

    vid: Text
    quantity: int = Field(ge=1, le=10_000)


class Freight(BaseModel):
    model_config = ConfigDict(extra="ignore")

    startCountryCode: Country
    endCountryCode: Country
    zip: str | None = None
    products: list[OrderProduct] = Field(min_length=1, max_length=200)


class CreateOrder(BaseModel):
    """``createOrderV2``'s body; fields CJ accepts but the sandbox does not use are ignored."""

    model_config = ConfigDict(extra="ignore")

    orderNumber: str = Field(min_length=1, max_length=50)
    shippingCountryCode: Country
    shippingCountry: Text
    shippingProvince: str | None = None
    shippingCity: Text
    shippingAddress: Text
    shippingAddress2: str | None = None
    shippingZip: str | None = None
    shippingCustomerName: Text
    shippingPhone: str | None = None
    email: str | None = None
    remark: str | None = Field(default=None, max_length=500)
    logisticName: Text
    fromCountryCode: Country
    payType: int | None = None
    products: list[OrderProduct] = Field(min_length=1, max_length=200)

    @field_validator("payType", mode="before")
    @classmethod
    def _pay_type(cls, value: Any) -> Any:
        if value in ("", None):
            return None
        if value not in (1, 2, 3, "1", "2", "3"):
            raise ValueError("payType must be 1, 2 or 3")
        return int(value)


async def read_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CJError(
            400, PARAM_ERROR, "The request parameter is not in a correct JSON format"
        ) from exc
    if not isinstance(data, dict):
        raise CJError(400, PARAM_ERROR, "The request parameter is not in a correct JSON format")
    return data


def validate(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise param_error(f"{where}: {first['msg']}") from exc


def text(params: QueryParams, name: str) -> str | None:
    value = params.get(name)
    return value.strip() if value and value.strip() else None


def integer(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise param_error(f"{name} must be an integer") from exc
    if not low <= value <= high:
        raise param_error(f"{name} must be between {low} and {high}")
    return value


def money(params: QueryParams, name: str) -> Decimal | None:
    raw = text(params, name)
    if raw is None:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise param_error(f"{name} must be a number") from exc
    if not value.is_finite() or value < 0:
        raise param_error(f"{name} must be a non-negative number")
    return value
