"""Printful v1's envelope: ``{code, result, paging}``, and ``{code, result, error}`` on failure."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.responses import JSONResponse

REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    429: "TooManyRequests",
}


class PrintfulError(Exception):
    """Raised anywhere in the emulator; answered as Printful formats errors."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body = {
            "code": self.status,
            "result": self.message,
            "error": {"reason": REASONS.get(self.status, "Error"), "message": self.message},
        }
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def not_found(message: str = "Not found") -> PrintfulError:
    return PrintfulError(404, message)


def bad_request(message: str) -> PrintfulError:
    return PrintfulError(400, message)


def success(result: Any, paging: dict[str, int] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": 200, "result": _plain(result)}
    if paging is not None:
        body["paging"] = paging
    return JSONResponse(body)


def _plain(value: Any) -> Any:
    """Printful sends money as strings with two decimals (``"13.50"``)."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
