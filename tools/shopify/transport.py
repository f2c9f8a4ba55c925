"""One GraphQL POST made reliable: auth, the cost bucket, retries and typed errors.

Every attempt reserves its expected cost first (waiting if the bucket says so), then sends.
Retries, with tenacity, cover ``THROTTLED`` (wait from the reported throttle status), 429/503
(``Retry-After``), other 5xx and transport errors (jittered exponential backoff), up to
``max_attempts``. A 401 refreshes a granted token once, then fails. Mutations without an
idempotency key are not retried after a failure that may have applied them (500/502/504, a
read timeout): a duplicate product is worse than an error; those that set a state (publishing,
an upsert by handle: ``idempotency.repeatable``) are retried like reads. Retries stop after
``max_attempts`` or once ``retry_budget`` seconds have gone, whichever comes first.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import httpx
from pydantic import SecretStr
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
)

from tools.shopify.auth import TokenProvider
from tools.shopify.backoff import jittered_backoff, retry_after_seconds
from tools.shopify.config import ShopifyConfig
from tools.shopify.errors import (
    GraphQLErrorDetail,
    ShopifyAccessDeniedError,
    ShopifyAuthenticationError,
    ShopifyError,
    ShopifyGraphQLError,
    ShopifyRequestError,
    ShopifyServerError,
    ShopifyThrottledError,
)
from tools.shopify.idempotency import (
    IDEMPOTENCY_VARIABLE,
    operation_kind,
    repeatable,
    with_idempotency,
)
from tools.shopify.throttle import Clock, CostBucket, QueryCost, Reservation, wait_for

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

#: Expected cost of a document never seen before (Shopify's base cost of a mutation).
DEFAULT_COST = 10.0
_CONNECT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass
class TransportStats:
    """Counters for metrics and benchmarks."""

    requests: int = 0
    throttled: int = 0
    server_errors: int = 0
    retries: int = 0
    bucket_waits: int = 0
    waited_seconds: float = 0.0
    token_refreshes: int = 0

    def reset(self) -> None:
        for name, value in TransportStats().__dict__.items():
            setattr(self, name, value)


class _Retry(Exception):
    """An attempt failed with ``error``; retry after ``wait`` seconds (``None``: backoff)."""

    def __init__(self, error: ShopifyError, wait: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


class GraphQLTransport:
    """Sends GraphQL documents to one shop's Admin API."""

    def __init__(
        self,
        config: ShopifyConfig,
        http: httpx.AsyncClient,
        tokens: TokenProvider,
        bucket: CostBucket,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._config = config
        self._http = http
        self._tokens = tokens
        self._bucket = bucket
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._costs: dict[str, float] = {}
        self.stats = TransportStats()
        self.last_cost: QueryCost | None = None

    async def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Run ``query`` and return its ``data``; raise a :class:`ShopifyError` otherwise."""
        document = with_idempotency(query) if idempotency_key else query
        body_variables = dict(variables or {})
        if idempotency_key:
            body_variables[IDEMPOTENCY_VARIABLE] = idempotency_key
        payload = {"query": document, "variables": body_variables}
        safe = (
            idempotency_key is not None
            or operation_kind(document) != "mutation"
            or repeatable(document, body_variables)
        )
        retrying = AsyncRetrying(
            stop=(
                stop_after_attempt(self._config.max_attempts)
                | stop_after_delay(self._config.retry_budget)
            ),
            wait=self._wait,
            retry=retry_if_exception_type(_Retry),
            sleep=self._sleep_between_attempts,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(document, payload, safe=safe)
        except _Retry as failure:
            raise failure.error from failure.__cause__
        raise AssertionError("tenacity stopped without an outcome")  # pragma: no cover

    # --- one attempt ---------------------------------------------------------------------
    async def _attempt(
        self, document: str, payload: dict[str, Any], *, safe: bool
    ) -> dict[str, Any]:
        reservation = await self._bucket.reserve(self._costs.get(document, DEFAULT_COST))
        if reservation.wait > 0:
            self.stats.bucket_waits += 1
            self.stats.waited_seconds += reservation.wait
            await self._sleep(reservation.wait)
        try:
            response = await self._post(payload)
        except httpx.TransportError as exc:
            await self._bucket.settle(reservation, 0.0, None)
            self.stats.server_errors += 1
            error = ShopifyServerError(
                f"could not reach Shopify at {self._config.shop_label}: {type(exc).__name__}"
            )
            if safe or isinstance(exc, _CONNECT_ERRORS):
                raise _Retry(error) from exc
            raise self._unsafe_to_retry(error) from exc
        except ShopifyError:
            await self._bucket.settle(reservation, 0.0, None)
            raise
        if response.status_code != 200:
            await self._bucket.settle(reservation, 0.0, None)
            self._raise_for_status(response, safe=safe)
        return await self._read(document, response, reservation, safe=safe)

    async def _post(self, payload: dict[str, Any]) -> httpx.Response:
        """POST with the current token; after a 401, once more with a fresh one if possible."""
        token = await self._tokens.token()
        response = await self._send(payload, token)
        if response.status_code == 401 and self._tokens.can_refresh:
            await self._tokens.invalidate(token)
            self.stats.token_refreshes += 1
            response = await self._send(payload, await self._tokens.token())
        if response.status_code == 401:
            raise ShopifyAuthenticationError(
                f"Shopify rejected the access token for {self._config.shop_label} (401): "
                f"check {self._config.auth_hint}"
            )
        return response

    async def _send(self, payload: dict[str, Any], token: SecretStr) -> httpx.Response:
        self.stats.requests += 1
        return await self._http.post(
            self._config.graphql_url,
            json=payload,
            headers={"X-Shopify-Access-Token": token.get_secret_value()},
        )

    def _raise_for_status(self, response: httpx.Response, *, safe: bool) -> NoReturn:
        status = response.status_code
        shop = self._config.shop_label
        detail = _error_text(response)
        if status == 403:
            raise ShopifyAccessDeniedError(
                f"Shopify denied access for {shop} (403): the app lacks a scope{detail}"
            )
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        if status == 429:
            self.stats.throttled += 1
            raise self._retry(
                ShopifyThrottledError(f"Shopify throttled requests to {shop} (429){detail}"),
                retry_after,
            )
        if status >= 500:
            self.stats.server_errors += 1
            error = ShopifyServerError(
                f"Shopify failed for {shop} ({status}){detail}", status=status
            )
            if status == 503 or safe:
                raise self._retry(error, retry_after if status == 503 else None)
            raise self._unsafe_to_retry(error)
        raise ShopifyRequestError(
            f"Shopify refused the request for {shop} ({status}){detail}", status=status
        )

    async def _read(
        self, document: str, response: httpx.Response, reservation: Reservation, *, safe: bool
    ) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            await self._bucket.settle(reservation, 0.0, None)
            error = ShopifyServerError(
                f"Shopify sent a non-JSON answer for {self._config.shop_label}"
            )
            raise (_Retry(error) if safe else self._unsafe_to_retry(error))
        cost = QueryCost.from_extensions(body.get("extensions"))
        self.last_cost = cost
        if cost is None:
            await self._bucket.settle(reservation, reservation.cost, None)
        else:
            self._costs[document] = cost.requested_query_cost
            await self._bucket.settle(reservation, cost.charged, cost.throttle_status)
        errors = body.get("errors")
        if errors:
            self._raise_for_errors(_error_details(errors), cost, body.get("data"), safe=safe)
        data = body.get("data")
        if not isinstance(data, dict):
            raise ShopifyServerError(f"Shopify answered without data for {self._config.shop_label}")
        return data

    def _raise_for_errors(
        self,
        details: list[GraphQLErrorDetail],
        cost: QueryCost | None,
        data: Any,
        *,
        safe: bool,
    ) -> NoReturn:
        codes = {d.code for d in details}
        shop = self._config.shop_label
        if "THROTTLED" in codes:
            self.stats.throttled += 1
            wait = None
            if cost is not None and cost.throttle_status is not None:
                wait = wait_for(cost.requested_query_cost, cost.throttle_status)
            raise self._retry(ShopifyThrottledError(f"Shopify throttled {shop} (THROTTLED)"), wait)
        if "ACCESS_DENIED" in codes:
            message = next(d.message for d in details if d.code == "ACCESS_DENIED")
            raise ShopifyAccessDeniedError(
                f"Shopify denied access for {shop} (ACCESS_DENIED): {' '.join(message.split())}"
            )
        error = ShopifyGraphQLError(details, data=data if isinstance(data, dict) else None)
        if "INTERNAL_SERVER_ERROR" in codes:
            self.stats.server_errors += 1
            raise (_Retry(error) if safe else self._unsafe_to_retry(error))
        raise error

    # --- retry plumbing ------------------------------------------------------------------
    def _retry(self, error: ShopifyError, wait: float | None) -> Exception:
        """A retry after ``wait``; or ``error`` itself when Shopify asks for an absurd wait."""
        if wait is not None and wait > self._config.max_wait:
            error.args = (f"{error}; Shopify asked to wait {wait:.0f}s, giving up",)
            return error
        return _Retry(error, wait)

    def _unsafe_to_retry(self, error: ShopifyServerError | ShopifyGraphQLError) -> ShopifyError:
        return ShopifyServerError(
            f"{error}; not retried: the mutation may have been applied and has no idempotency key",
            status=getattr(error, "status", None),
        )

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _Retry) and failure.wait is not None:
            return failure.wait
        return jittered_backoff(
            state.attempt_number,
            base=self._config.backoff_base,
            cap=self._config.backoff_max,
            rng=self._rng,
        )

    async def _sleep_between_attempts(self, seconds: float) -> None:
        self.stats.retries += 1
        self.stats.waited_seconds += seconds
        await self._sleep(seconds)

    def _log_retry(self, state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        throttled = isinstance(failure, _Retry) and isinstance(failure.error, ShopifyThrottledError)
        logger.log(
            logging.INFO if throttled else logging.WARNING,  # throttling is routine, 5xx is not
            "shopify: attempt %d/%d failed (%s); retrying in %.2fs",
            state.attempt_number,
            self._config.max_attempts,
            failure,
            wait,
        )


def _error_details(errors: Any) -> list[GraphQLErrorDetail]:
    if isinstance(errors, list):
        return [GraphQLErrorDetail.from_wire(e) for e in errors]
    if isinstance(errors, dict):
        return [GraphQLErrorDetail(message=f"{k}: {v}") for k, v in errors.items()]
    return [GraphQLErrorDetail(message=str(errors))]


def _error_text(response: httpx.Response) -> str:
    """A short, one-line reason from an error body (``errors`` as Shopify sends it)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict) or not body.get("errors"):
        return ""
    text = "; ".join(d.message for d in _error_details(body["errors"]))
    text = " ".join(text.split())
    return f": {text[:200]}" if text else ""
