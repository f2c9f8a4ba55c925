"""One logical GitHub request: auth headers, rate-limit waits, 5xx retries, typed errors.

Every status is handled here: rate limits (primary and secondary) are waited out through the
injected ``sleep``, 5xx and dropped connections are retried with jittered backoff within
``max_attempts``, and everything else becomes a typed ``GitHubError``. ``clock`` and ``sleep``
are injectable so tests check the computed waits without waiting.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from tools.github.config import GitHubConfig
from tools.github.errors import (
    GitHubAuthenticationError,
    GitHubConflictError,
    GitHubError,
    GitHubErrorDetail,
    GitHubNotFoundError,
    GitHubPermissionError,
    GitHubRateLimitError,
    GitHubReferenceExistsError,
    GitHubServerError,
    GitHubValidationError,
)
from tools.github.pagination import parse_link_header
from tools.github.ratelimit import (
    RateLimit,
    parse_rate_limit,
    parse_retry_after,
    rate_limit_wait,
    server_error_backoff,
)

logger = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
USER_AGENT = "royal-orchestrator"

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
ModelT = TypeVar("ModelT", bound=BaseModel)

#: Failures after which a POST cannot have reached GitHub, so repeating it cannot duplicate.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class TokenSource(Protocol):
    """Supplies the bearer token per request (an App's installation token, renewed)."""

    @property
    def can_refresh(self) -> bool: ...

    async def token(self) -> SecretStr: ...

    async def invalidate(self, rejected: SecretStr) -> None: ...


class GitHubTransport:
    """Sends requests for a ``GitHubClient`` and remembers the latest rate-limit budgets."""

    def __init__(
        self,
        config: GitHubConfig,
        http: httpx.AsyncClient,
        *,
        clock: Clock,
        sleep: Sleep,
        rng: random.Random,
        tokens: TokenSource | None = None,
    ) -> None:
        self.config = config
        self._tokens = tokens
        self.rate_limits: dict[str, RateLimit] = {}
        self._http = http
        self._clock = clock
        self._sleep = sleep
        self._rng = rng
        self._origin = _origin(config.api_url)

    async def paginate(
        self, path: str, params: Mapping[str, str | int], model: type[ModelT]
    ) -> AsyncGenerator[ModelT, None]:
        url: str = path
        query: Mapping[str, str | int] | None = params
        while True:
            response = await self.send("GET", url, params=query)
            items = response.json()
            if not isinstance(items, list):
                raise GitHubError(f"GET {urlsplit(url).path} did not return a list")
            for item in items:
                yield parse(model, item)
            next_url = parse_link_header(response.headers.get("link")).get("next")
            if next_url is None:
                return
            if _origin(next_url) != self._origin:
                raise GitHubError(f"refusing to follow a pagination link off {self._origin}")
            url, query = next_url, None

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """One logical request: waits out rate limits and retries 5xx, within the bounds."""
        target = url if url.startswith(("http://", "https://")) else self.config.api_url + url
        label = f"{method} {urlsplit(target).path}"
        secondary_hits = 0
        attempt = 0
        renewed = False
        while True:
            attempt += 1
            token = await self._token()
            try:
                response = await self._http.request(
                    method, target, params=params, json=json, headers=self._headers(token)
                )
            except httpx.TransportError as exc:
                retryable = method != "POST" or isinstance(exc, _NOT_SENT)
                if not retryable or attempt >= self.config.max_attempts:
                    raise GitHubServerError(
                        f"{label}: no response from GitHub after {attempt} attempt(s) "
                        f"({type(exc).__name__})"
                    ) from exc
                await self._backoff(label, attempt, reason=type(exc).__name__)
                continue

            self.remember(parse_rate_limit(response.headers))
            if response.is_success:
                return response
            refreshable = self._tokens is not None and self._tokens.can_refresh
            if response.status_code == 401 and refreshable and not renewed:
                renewed = True
                assert self._tokens is not None
                await self._tokens.invalidate(token)
                continue

            message, documentation_url, errors = _error_body(response)
            request_id = response.headers.get("x-github-request-id")
            now = self._clock()
            wait = rate_limit_wait(
                response.status_code,
                response.headers,
                message,
                now=now,
                secondary_hits=secondary_hits,
            )
            if wait is not None:
                if wait.kind == "secondary":
                    secondary_hits += 1
                if wait.seconds > self.config.max_rate_limit_wait:
                    raise GitHubRateLimitError(
                        f"{label}: {wait.kind} rate limit, retry in {wait.seconds:.0f}s "
                        f"(longer than the {self.config.max_rate_limit_wait:.0f}s allowed)",
                        reset_at=wait.reset_at,
                        retry_after=wait.seconds,
                        status_code=response.status_code,
                        documentation_url=documentation_url,
                        request_id=request_id,
                    )
                if attempt >= self.config.max_attempts:
                    raise GitHubRateLimitError(
                        f"{label}: still rate limited after {attempt} attempts",
                        reset_at=wait.reset_at,
                        retry_after=wait.seconds,
                        status_code=response.status_code,
                        documentation_url=documentation_url,
                        request_id=request_id,
                    )
                logger.warning(
                    "github %s rate limit on %s; waiting %.1fs", wait.kind, label, wait.seconds
                )
                await self._sleep(wait.seconds)
                continue

            if response.status_code >= 500:
                if attempt >= self.config.max_attempts:
                    raise GitHubServerError(
                        f"{label}: {response.status_code} {message} after {attempt} attempts",
                        status_code=response.status_code,
                        documentation_url=documentation_url,
                        request_id=request_id,
                    )
                retry_after = parse_retry_after(response.headers, now)
                if retry_after is not None and retry_after <= self.config.max_rate_limit_wait:
                    await self._sleep(retry_after)
                else:
                    await self._backoff(label, attempt, reason=str(response.status_code))
                continue

            raise _status_error(
                label, response.status_code, message, documentation_url, errors, request_id
            )

    async def _backoff(self, label: str, attempt: int, *, reason: str) -> None:
        delay = server_error_backoff(
            attempt, base=self.config.backoff_base, cap=self.config.backoff_max, rng=self._rng
        )
        logger.warning("github %s on %s; retry %d in %.2fs", reason, label, attempt, delay)
        await self._sleep(delay)

    async def _token(self) -> SecretStr:
        return self.config.token if self._tokens is None else await self._tokens.token()

    def _headers(self, token: SecretStr) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token.get_secret_value()}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": USER_AGENT,
        }

    def remember(self, budget: RateLimit | None) -> None:
        if budget is not None:
            self.rate_limits[budget.resource] = budget


def _status_error(
    label: str,
    status: int,
    message: str,
    documentation_url: str | None,
    errors: list[GitHubErrorDetail],
    request_id: str | None,
) -> GitHubError:
    common: dict[str, Any] = {
        "status_code": status,
        "documentation_url": documentation_url,
        "request_id": request_id,
    }
    if status == 401:
        return GitHubAuthenticationError(
            f"GitHub rejected the credentials ({status} {message}); check GITHUB_TOKEN", **common
        )
    if status == 403:
        return GitHubPermissionError(f"{label}: forbidden ({message})", **common)
    if status == 404:
        return GitHubNotFoundError(f"{label}: not found ({message})", **common)
    if status == 409:
        return GitHubConflictError(f"{label}: conflict ({message})", **common)
    if status == 422:
        error_type = (
            GitHubReferenceExistsError
            if message == "Reference already exists"
            else GitHubValidationError
        )
        return error_type(f"{label}: {message}", errors=errors, **common)
    return GitHubError(f"{label}: {status} {message}", **common)


def _error_body(response: httpx.Response) -> tuple[str, str | None, list[GitHubErrorDetail]]:
    """GitHub's ``{message, documentation_url, errors}``, tolerating any other body."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        text = response.text.strip()
        return _one_line(text[:200] or response.reason_phrase), None, []
    message = data.get("message")
    if not isinstance(message, str):
        message = str(data.get("errors") or response.reason_phrase)
    documentation_url = data.get("documentation_url")
    details: list[GitHubErrorDetail] = []
    raw_errors = data.get("errors")
    if isinstance(raw_errors, list):
        for item in raw_errors:
            if isinstance(item, dict):
                details.append(GitHubErrorDetail.model_validate(item))
            elif isinstance(item, str):
                details.append(GitHubErrorDetail(message=item))
    return (
        _one_line(message),
        documentation_url if isinstance(documentation_url, str) else None,
        details,
    )


def parse(model: type[ModelT], data: Any) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise GitHubError(
            f"GitHub answered a {model.__name__} this client cannot read: "
            f"{exc.error_count()} validation error(s)"
        ) from exc


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc
