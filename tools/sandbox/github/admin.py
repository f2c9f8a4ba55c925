"""Sandbox-only knobs for the GitHub emulator, mounted at ``/_sandbox/github``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from tools.sandbox.github.ratelimit import PrimaryLimitSettings, SecondaryLimitSettings

if TYPE_CHECKING:
    from tools.sandbox.github.emulator import GitHubEmulator


class BudgetView(BaseModel):
    limit: int
    remaining: int
    used: int
    reset: int


class BulkPullRequests(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(ge=1, le=1000)
    state: Literal["open", "closed"] = "open"


class AppSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    setup_url: str | None = Field(
        default=None, description="Where the installation page redirects (the app's Setup URL)."
    )


class BulkComments(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(ge=1, le=1000)


def build_admin_router(emulator: GitHubEmulator) -> APIRouter:
    router = APIRouter(tags=["sandbox: github"])

    @router.get("/rate_limit")
    async def get_rate_limit() -> BudgetView:
        return BudgetView.model_validate(emulator.limiter.budget(emulator.token).as_json())

    @router.put("/rate_limit")
    async def put_rate_limit(settings: PrimaryLimitSettings) -> BudgetView:
        """Set the sandbox token's limit/remaining/reset, e.g. remaining=0 to exhaust it."""
        return BudgetView.model_validate(
            emulator.limiter.configure(emulator.token, settings).as_json()
        )

    @router.put("/secondary_rate_limit")
    async def put_secondary(settings: SecondaryLimitSettings) -> SecondaryLimitSettings:
        """Answer the next ``count`` requests with a secondary rate limit."""
        emulator.limiter.trigger_secondary(settings)
        return settings

    @router.post("/repos/{owner}/{repo}/pulls")
    async def add_pulls(owner: str, repo: str, bulk: BulkPullRequests) -> dict[str, list[int]]:
        try:
            numbers = emulator.add_pull_requests(
                bulk.count, repo=f"{owner}/{repo}", state=bulk.state
            )
        except KeyError as exc:
            raise HTTPException(404, detail=str(exc)) from exc
        return {"numbers": numbers}

    @router.post("/repos/{owner}/{repo}/issues/{number}/comments")
    async def add_comments(
        owner: str, repo: str, number: int, bulk: BulkComments
    ) -> dict[str, list[int]]:
        try:
            ids = emulator.add_issue_comments(number, bulk.count, repo=f"{owner}/{repo}")
        except KeyError as exc:
            raise HTTPException(404, detail=str(exc)) from exc
        return {"ids": ids}

    @router.put("/app")
    async def put_app(settings: AppSettings) -> AppSettings:
        """The sandbox app's Setup URL (GitHub sends the browser there after an install)."""
        emulator.apps.setup_url = settings.setup_url
        return settings

    @router.get("/deliveries")
    async def deliveries() -> list[dict[str, object]]:
        """Webhook deliveries made so far, with the status each got."""
        return [
            {
                "guid": d.guid,
                "hook_id": d.hook_id,
                "event": d.event,
                "action": d.action,
                "status_code": d.status_code,
                "error": d.error,
                "answer": d.answer,
            }
            for d in emulator.hooks.deliveries
        ]

    @router.post("/reset")
    async def reset() -> dict[str, str]:
        emulator.reset()
        return {"status": "reset"}

    return router
