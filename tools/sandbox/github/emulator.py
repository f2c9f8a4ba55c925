"""The GitHub REST emulator: state, rate limits, routers and a Python API for tests."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

from fastapi import APIRouter

from tools.github.config import SANDBOX_TOKEN
from tools.sandbox.emulator import SandboxContext
from tools.sandbox.github import seed
from tools.sandbox.github.admin import build_admin_router
from tools.sandbox.github.app import AppRegistry
from tools.sandbox.github.git_data import GitData
from tools.sandbox.github.hooks import HookDispatcher
from tools.sandbox.github.ratelimit import (
    Budget,
    PrimaryLimitSettings,
    RateLimiter,
    SecondaryLimitSettings,
)
from tools.sandbox.github.routes import build_router
from tools.sandbox.github.service import AGENT, GitHubService
from tools.sandbox.github.store import Repository


class GitHubEmulator:
    """GitHub's REST subset under ``/github``; knobs under ``/_sandbox/github``."""

    name = "github"

    def __init__(self, context: SandboxContext, *, clock: Callable[[], float] = time.time) -> None:
        self.prefix = f"/{self.name}"
        self.token = SANDBOX_TOKEN
        self.service = GitHubService(context.ledger, clock)
        self.git = GitData(self.service)
        self.hooks = HookDispatcher()
        self.apps = AppRegistry(clock)
        self.limiter = RateLimiter(clock, AGENT.id)
        self._request_ids = itertools.count(1)
        self._ids_lock = threading.Lock()
        self._router = build_router(self)
        self._admin_router = build_admin_router(self)
        self.reset()

    @property
    def router(self) -> APIRouter:
        return self._router

    @property
    def admin_router(self) -> APIRouter:
        return self._admin_router

    def reset(self) -> None:
        with self.service.lock:
            seed.seed(self.service)
        self.limiter.reset()
        self.hooks.reset()
        self.apps.reset()

    def accepts(self, token: str) -> bool:
        """The sandbox token, or an unexpired installation token of the sandbox app."""
        return token == self.token or self.apps.accepts_installation_token(token)

    def next_request_id(self) -> str:
        with self._ids_lock:
            return f"5A4D:{next(self._request_ids):08X}"

    # --- Python API for tests ----------------------------------------------------------

    def set_rate_limit(
        self,
        *,
        limit: int | None = None,
        remaining: int | None = None,
        reset: int | None = None,
        exceeded_status: int | None = None,
        content_creation_per_minute: int | None = None,
    ) -> Budget:
        """Override the sandbox token's primary budget (``remaining=0`` exhausts it)."""
        return self.limiter.configure(
            self.token,
            PrimaryLimitSettings(
                limit=limit,
                remaining=remaining,
                reset=reset,
                exceeded_status=exceeded_status,
                content_creation_per_minute=content_creation_per_minute,
            ),
        )

    def trigger_secondary_rate_limit(
        self, count: int = 1, *, retry_after: int | None = 60, status: int = 403
    ) -> None:
        """Refuse the next ``count`` requests with a secondary rate limit."""
        self.limiter.trigger_secondary(
            SecondaryLimitSettings(count=count, retry_after=retry_after, status=status)
        )

    def add_pull_requests(
        self, count: int, *, repo: str = seed.DEFAULT_REPO, state: str = "open"
    ) -> list[int]:
        with self.service.lock:
            return seed.add_pull_requests(self.service, self._repo(repo), count, state=state)

    def add_issue_comments(
        self, number: int, count: int, *, repo: str = seed.DEFAULT_REPO
    ) -> list[int]:
        with self.service.lock:
            return seed.add_issue_comments(self.service, self._repo(repo), number, count)

    def read_file(
        self, path: str, *, ref: str = "main", repo: str = seed.DEFAULT_REPO
    ) -> bytes | None:
        """A file's bytes at ``ref``, read directly (no HTTP, no budget spent)."""
        with self.service.lock:
            record = self._repo(repo)
            sha = record.resolve(ref)
            blob = record.commits[sha].tree.get(path) if sha else None
            return record.blobs[blob] if blob else None

    def write_files(
        self,
        branch: str,
        files: dict[str, bytes],
        message: str,
        *,
        start: str = "main",
        repo: str = seed.DEFAULT_REPO,
    ) -> str:
        """Commit ``files`` on ``branch`` (created from ``start`` when absent), as a person
        pushing would; returns the new head."""
        with self.service.lock:
            record = self._repo(repo)
            parent = record.branches.get(branch) or record.resolve(start)
            commit = record.commit(
                parent, files, message, seed.APPROVER_ACTOR, seed.APPROVER_ACTOR, self.service.now()
            )
            self.service.move_branch(record, branch, commit.sha, self.service.now())
            return commit.sha

    def branch_sha(self, branch: str, *, repo: str = seed.DEFAULT_REPO) -> str | None:
        with self.service.lock:
            return self._repo(repo).branches.get(branch)

    def _repo(self, full_name: str) -> Repository:
        record = self.service.repos.get(full_name.lower())
        if record is None:
            raise KeyError(f"no repository {full_name} in the sandbox")
        return record
