"""CJ's response envelope ``{code, result, message, data, requestId}``, for answers and errors."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from starlette.responses import JSONResponse

PARAM_ERROR = 1600100
INVALID_TOKEN = 1600001
MISSING_TOKEN = 1600002
INVALID_REFRESH = 1600003
TOO_MANY_REQUESTS = 1600200
QUOTA_USED_UP = 1600201
INTERFACE_NOT_FOUND = 1600101
VARIANT_NOT_FOUND = 1602000
PRODUCT_NOT_FOUND = 1602001
ORDER_CREATE_FAIL = 1603000
ORDER_NOT_FOUND = 1603100
LOGISTIC_NOT_FOUND = 1605000


class CJError(Exception):
    """Raised anywhere in the emulator; answered as CJ formats a failure (``result: false``)."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> JSONResponse:
        body = {
            "code": self.code,
            "result": False,
            "message": self.message,
            "data": None,
            "requestId": str(uuid.uuid4()),
        }
        return JSONResponse(body, status_code=self.status)


def param_error(detail: str | None = None) -> CJError:
    return CJError(400, PARAM_ERROR, f"Param error: {detail}" if detail else "Param error")


def success(data: Any) -> JSONResponse:
    body = {
        "code": 200,
        "result": True,
        "message": "Success",
        "data": _plain(data),
        "requestId": str(uuid.uuid4()),
    }
    return JSONResponse(body)


def _plain(value: Any) -> Any:
    """CJ sends amounts as JSON numbers; the emulator keeps them as Decimal until here."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
