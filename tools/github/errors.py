"""Typed failures of GitHub calls, so callers branch on the kind of failure, not on status codes."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict


class GitHubErrorDetail(BaseModel):
    """One entry of a 422 ``errors`` list (``resource``, ``field``, ``code``, ``message``)."""

    model_config = ConfigDict(extra="allow")

    resource: str | None = None
    field: str | None = None
    code: str | None = None
    message: str | None = None


class GitHubError(Exception):
    """Any GitHub failure; ``status_code`` is None when no response was received."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        documentation_url: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.documentation_url = documentation_url
        self.request_id = request_id


class GitHubAuthenticationError(GitHubError):
    """401: the token is missing, wrong or expired."""


class GitHubPermissionError(GitHubError):
    """403 that is not a rate limit: the token lacks a scope or access to the repository."""


class GitHubNotFoundError(GitHubError):
    """404: the repository, ref, file or pull request does not exist (or is not visible)."""


class GitHubConflictError(GitHubError):
    """409: the object changed underneath the caller (e.g. a stale file ``sha``)."""


class GitHubValidationError(GitHubError):
    """422: GitHub refused the input; ``errors`` says which field and why."""

    def __init__(
        self,
        message: str,
        *,
        errors: list[GitHubErrorDetail] | None = None,
        status_code: int | None = 422,
        documentation_url: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.errors = errors or []
        details = "; ".join(e.message or f"{e.field} {e.code}" for e in self.errors)
        super().__init__(
            f"{message}: {details}" if details else message,
            status_code=status_code,
            documentation_url=documentation_url,
            request_id=request_id,
        )


class GitHubReferenceExistsError(GitHubValidationError):
    """422 'Reference already exists' when creating a branch that is already there."""


class GitHubRateLimitError(GitHubError):
    """A rate limit whose wait is longer than the client may sleep, or attempts ran out."""

    def __init__(
        self,
        message: str,
        *,
        reset_at: datetime | None = None,
        retry_after: float | None = None,
        status_code: int | None = None,
        documentation_url: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(
            message,
            status_code=status_code,
            documentation_url=documentation_url,
            request_id=request_id,
        )
        self.reset_at = reset_at
        self.retry_after = retry_after


class GitHubServerError(GitHubError):
    """5xx (or no response at all) on every attempt."""


def epoch_to_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
