"""Per-token primary budgets and secondary-limit triggers, with GitHub's headers and bodies."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from tools.sandbox.github.errors import DOCS_RATE_LIMITS, DOCS_SECONDARY, ApiError

WINDOW_SECONDS = 3600
AUTHENTICATED_LIMIT = 5000
UNAUTHENTICATED_LIMIT = 60


@dataclass
class Budget:
    limit: int
    remaining: int
    reset: int

    @property
    def used(self) -> int:
        return self.limit - self.remaining

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-reset": str(self.reset),
            "x-ratelimit-resource": "core",
        }

    def as_json(self) -> dict[str, int]:
        return {
            "limit": self.limit,
            "remaining": self.remaining,
            "used": self.used,
            "reset": self.reset,
        }


class SecondaryLimitSettings(BaseModel):
    """Answer the next ``count`` requests with a secondary rate limit."""

    model_config = ConfigDict(extra="forbid")

    count: int = Field(default=1, ge=0, description="How many requests to refuse.")
    retry_after: int | None = Field(
        default=60, ge=0, description="retry-after seconds; None sends no header."
    )
    status: int = Field(default=403, description="403 or 429, both used by GitHub.")


class PrimaryLimitSettings(BaseModel):
    """Overrides of one token's primary budget (unset fields keep their value)."""

    model_config = ConfigDict(extra="forbid")

    limit: int | None = Field(default=None, ge=1)
    remaining: int | None = Field(default=None, ge=0)
    reset: int | None = Field(default=None, description="UTC epoch seconds of the next reset.")
    exceeded_status: int | None = Field(
        default=None, description="403 (default) or 429 once the budget is spent."
    )
    content_creation_per_minute: int | None = Field(
        default=None,
        ge=1,
        description="Secondary limit on POST/PUT/PATCH per minute (GitHub: about 80); "
        "None disables it.",
    )


class RateLimiter:
    """The budgets of every token; the window restarts an hour after it began."""

    def __init__(self, clock: Callable[[], float], user_id: int) -> None:
        self._clock = clock
        self._user_id = user_id
        self._lock = threading.Lock()
        self._budgets: dict[str, Budget] = {}
        self._secondary = SecondaryLimitSettings(count=0)
        self._exceeded_status = 403
        self._content_limit: int | None = None
        self._content_times: deque[float] = deque()

    def reset(self) -> None:
        with self._lock:
            self._budgets.clear()
            self._secondary = SecondaryLimitSettings(count=0)
            self._exceeded_status = 403
            self._content_limit = None
            self._content_times.clear()

    def budget(self, token: str | None) -> Budget:
        """The current budget (anonymous callers share the unauthenticated one)."""
        with self._lock:
            return self._current(token)

    def configure(self, token: str, settings: PrimaryLimitSettings) -> Budget:
        with self._lock:
            budget = self._current(token)
            if settings.limit is not None:
                budget.limit = settings.limit
                budget.remaining = min(budget.remaining, budget.limit)
            if settings.remaining is not None:
                budget.remaining = min(settings.remaining, budget.limit)
            if settings.reset is not None:
                budget.reset = settings.reset
            if settings.exceeded_status is not None:
                self._exceeded_status = settings.exceeded_status
            if settings.content_creation_per_minute is not None:
                self._content_limit = settings.content_creation_per_minute
            return Budget(budget.limit, budget.remaining, budget.reset)

    def trigger_secondary(self, settings: SecondaryLimitSettings) -> None:
        with self._lock:
            self._secondary = settings

    def admit(self, token: str, method: str, request_id: str) -> Budget:
        """Spend one request of ``token``'s budget, or raise GitHub's rate-limit error."""
        with self._lock:
            budget = self._current(token)
            now = self._clock()
            if self._secondary.count > 0:
                self._secondary.count -= 1
                raise self._secondary_error(
                    budget, self._secondary.retry_after, self._secondary.status, request_id
                )
            if budget.remaining <= 0:
                raise ApiError(
                    self._exceeded_status,
                    f"API rate limit exceeded for user ID {self._user_id}. If you reach out to "
                    f"GitHub Support for help, please include the request ID {request_id}.",
                    documentation_url=DOCS_RATE_LIMITS,
                    headers=budget.headers(),
                )
            if self._content_limit is not None and method in {"POST", "PUT", "PATCH", "DELETE"}:
                while self._content_times and self._content_times[0] <= now - 60:
                    self._content_times.popleft()
                if len(self._content_times) >= self._content_limit:
                    wait = int(self._content_times[0] + 60 - now) + 1
                    raise self._secondary_error(budget, wait, 403, request_id)
                self._content_times.append(now)
            budget.remaining -= 1
            return Budget(budget.limit, budget.remaining, budget.reset)

    def _secondary_error(
        self, budget: Budget, retry_after: int | None, status: int, request_id: str
    ) -> ApiError:
        headers = budget.headers()
        if retry_after is not None:
            headers["retry-after"] = str(retry_after)
        return ApiError(
            status,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
            "again. If you reach out to GitHub Support for help, please include the request ID "
            f"{request_id}.",
            documentation_url=DOCS_SECONDARY,
            headers=headers,
        )

    def _current(self, token: str | None) -> Budget:
        key = token or ""
        now = self._clock()
        budget = self._budgets.get(key)
        if budget is None or now >= budget.reset:
            limit = AUTHENTICATED_LIMIT if token else UNAUTHENTICATED_LIMIT
            if budget is not None:
                limit = budget.limit
            budget = Budget(limit=limit, remaining=limit, reset=int(now) + WINDOW_SECONDS)
            self._budgets[key] = budget
        return budget
