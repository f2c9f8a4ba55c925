"""GitHub's error body (``message``, ``documentation_url``, ``errors``) as an exception."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

DOCS = "https://docs.github.com/rest"
DOCS_REFS = "https://docs.github.com/rest/git/refs"
DOCS_CONTENTS = "https://docs.github.com/rest/repos/contents"
DOCS_PULLS = "https://docs.github.com/rest/pulls/pulls"
DOCS_COMMENTS = "https://docs.github.com/rest/issues/comments"
DOCS_RATE_LIMITS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
DOCS_SECONDARY = f"{DOCS_RATE_LIMITS}#about-secondary-rate-limits"


class ApiError(Exception):
    """Raised anywhere in the emulator; answered exactly as GitHub formats errors."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        documentation_url: str = DOCS,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.documentation_url = documentation_url
        self.errors = errors
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {
            "message": self.message,
            "documentation_url": self.documentation_url,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        body["status"] = str(self.status)
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def not_found(documentation_url: str = DOCS) -> ApiError:
    return ApiError(404, "Not Found", documentation_url=documentation_url)


def invalid_request(detail: str, documentation_url: str = DOCS) -> ApiError:
    """GitHub's JSON-schema rejection: 422 ``Invalid request.\\n\\n<detail>``."""
    return ApiError(422, f"Invalid request.\n\n{detail}", documentation_url=documentation_url)


def validation_failed(
    resource: str,
    *,
    field: str | None = None,
    code: str = "invalid",
    message: str | None = None,
    value: Any = None,
    documentation_url: str = DOCS,
) -> ApiError:
    """GitHub's semantic rejection: 422 ``Validation Failed`` with one ``errors`` entry."""
    error: dict[str, Any] = {"resource": resource, "code": code}
    if field is not None:
        error["field"] = field
    if value is not None:
        error["value"] = value
    if message is not None:
        error["message"] = message
    return ApiError(422, "Validation Failed", documentation_url=documentation_url, errors=[error])
