"""Async GitHub REST client for the handful of endpoints the agents use.

Operations build validated input models and parse typed results; retries, rate limits and
error mapping live in ``GitHubTransport``.
"""

from __future__ import annotations

import asyncio
import base64
import random
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from settings import Settings, get_settings
from storage.credentials import CredentialStore
from tools.github.app_auth import InstallationToken
from tools.github.config import GitHubConfig, app_credentials
from tools.github.errors import GitHubError, GitHubReferenceExistsError, GitHubValidationError
from tools.github.git_data import GitDataOperations
from tools.github.models import (
    CommitAuthor,
    FileCommit,
    FileContents,
    FileWrite,
    GitRef,
    IssueComment,
    NewIssueComment,
    NewPullRequest,
    NewReference,
    PullRequest,
    PullRequestFilterState,
    PullRequestSort,
    PullRequestState,
    PullRequestUpdate,
    SortDirection,
)
from tools.github.ratelimit import RateLimit
from tools.github.transport import Clock, GitHubTransport, Sleep, TokenSource, parse


class GitHubClient(GitDataOperations):
    """Typed access to one repository (``config.repo``) over the GitHub REST API."""

    def __init__(
        self,
        config: GitHubConfig,
        *,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        tokens: TokenSource | None = None,
    ) -> None:
        self.config = config
        self._http = http_client or httpx.AsyncClient(timeout=config.timeout)
        self._owns_http = http_client is None
        self.tokens = tokens
        self._transport = GitHubTransport(
            config,
            self._http,
            clock=clock,
            sleep=sleep,
            rng=rng or random.Random(),
            tokens=tokens,
        )
        self._repo_path = f"/repos/{quote(config.owner, safe='')}/{quote(config.name, safe='')}"

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        *,
        credentials: CredentialStore | None = None,
        **kwargs: Any,
    ) -> GitHubClient:
        """A client for the configured repository: real GitHub with a token, else the sandbox.

        With ``credentials``, a GitHub App installed on the repository's owner (through
        ``/auth/github/callback``) supplies installation tokens: always when ``GITHUB_APP_ID``
        is configured, and against the sandbox once its app has been installed.
        """
        settings = settings or get_settings()
        config = GitHubConfig.from_settings(settings)
        app = app_credentials(settings)
        if credentials is None or app is None or settings.github_token is not None:
            return cls(config, **kwargs)
        http = kwargs.pop("http_client", None) or httpx.AsyncClient(timeout=config.timeout)
        fallback = config.token if config.sandbox else None
        tokens = InstallationToken(app, config.owner, credentials, http, fallback=fallback)
        client = cls(config, http_client=http, tokens=tokens, **kwargs)
        client._owns_http = True
        return client

    async def __aenter__(self) -> GitHubClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # --- rate limits -------------------------------------------------------------------

    @property
    def rate_limit(self) -> RateLimit | None:
        """The ``core`` budget from the latest response, if any was seen."""
        return self._transport.rate_limits.get("core")

    @property
    def rate_limits(self) -> dict[str, RateLimit]:
        """The latest budget seen per resource (core, search, graphql, …)."""
        return dict(self._transport.rate_limits)

    async def get_rate_limit(self) -> RateLimit:
        """Ask GitHub for the core budget (``GET /rate_limit`` does not spend it)."""
        data = (await self._transport.send("GET", "/rate_limit")).json()
        try:
            core = RateLimit.model_validate({**data["resources"]["core"], "resource": "core"})
        except (KeyError, TypeError, ValidationError) as exc:
            raise GitHubError("GitHub /rate_limit answered an unexpected shape") from exc
        self._transport.remember(core)
        return core

    # --- branches ----------------------------------------------------------------------

    async def get_branch(self, branch: str) -> GitRef:
        """The ref ``refs/heads/{branch}``; GitHubNotFoundError when the branch is absent."""
        response = await self._transport.send(
            "GET", f"{self._repo_path}/git/ref/heads/{_path(branch)}"
        )
        return parse(GitRef, response.json())

    async def get_branch_sha(self, branch: str) -> str:
        return (await self.get_branch(branch)).sha

    async def create_branch(
        self,
        branch: str,
        *,
        sha: str | None = None,
        from_branch: str | None = None,
        exist_ok: bool = False,
    ) -> GitRef:
        """Create ``branch`` at ``sha`` or at the head of ``from_branch``.

        With ``exist_ok`` an existing branch is returned as is (whatever it points at), so a
        re-executed step does not fail; otherwise GitHubReferenceExistsError is raised.
        """
        if (sha is None) == (from_branch is None):
            raise ValueError("give exactly one of sha or from_branch")
        start = sha if sha is not None else await self.get_branch_sha(from_branch or "")
        body = NewReference(ref=f"refs/heads/{branch}", sha=start)
        try:
            response = await self._transport.send(
                "POST", f"{self._repo_path}/git/refs", json=_dump(body)
            )
        except GitHubReferenceExistsError:
            if not exist_ok:
                raise
            return await self.get_branch(branch)
        return parse(GitRef, response.json())

    # --- files -------------------------------------------------------------------------

    async def get_file(self, path: str, *, ref: str | None = None) -> FileContents:
        """A file's contents and blob ``sha`` (needed to update it) at ``ref``."""
        params = {"ref": ref} if ref else None
        response = await self._transport.send(
            "GET", f"{self._repo_path}/contents/{_path(path)}", params=params
        )
        data = response.json()
        if not isinstance(data, dict) or data.get("type") != "file":
            raise GitHubError(f"{path!r} is not a file in {self.config.repo}")
        return parse(FileContents, data)

    async def put_file(
        self,
        path: str,
        content: bytes | str,
        *,
        message: str,
        sha: str | None = None,
        branch: str | None = None,
        committer: CommitAuthor | None = None,
        author: CommitAuthor | None = None,
    ) -> FileCommit:
        """Create ``path`` (no ``sha``) or replace it (``sha`` of the blob being replaced).

        A stale ``sha`` raises GitHubConflictError; updating without one raises
        GitHubValidationError.
        """
        raw = content.encode("utf-8") if isinstance(content, str) else content
        body = FileWrite(
            message=message,
            content=base64.b64encode(raw).decode("ascii"),
            sha=sha,
            branch=branch,
            committer=committer,
            author=author,
        )
        response = await self._transport.send(
            "PUT", f"{self._repo_path}/contents/{_path(path)}", json=_dump(body)
        )
        return parse(FileCommit, response.json())

    # --- pull requests -----------------------------------------------------------------

    async def create_pull_request(
        self,
        *,
        title: str,
        head: str,
        base: str,
        body: str | None = None,
        draft: bool = False,
        maintainer_can_modify: bool | None = None,
        exist_ok: bool = False,
    ) -> PullRequest:
        """Open a pull request from ``head`` into ``base``.

        With ``exist_ok`` an already open pull request for the same head and base is returned
        instead of GitHub's 422, so a re-executed step does not open a second one.
        """
        payload = NewPullRequest(
            title=title,
            head=head,
            base=base,
            body=body,
            draft=draft,
            maintainer_can_modify=maintainer_can_modify,
        )
        try:
            response = await self._transport.send(
                "POST", f"{self._repo_path}/pulls", json=_dump(payload)
            )
        except GitHubValidationError as exc:
            if not exist_ok or not any("already exists" in (e.message or "") for e in exc.errors):
                raise
            matches = self.list_pull_requests(state="open", head=head, base=base)
            async with aclosing(matches):
                async for existing in matches:
                    return existing
            raise
        return parse(PullRequest, response.json())

    async def get_pull_request(self, number: int) -> PullRequest:
        response = await self._transport.send("GET", f"{self._repo_path}/pulls/{number}")
        return parse(PullRequest, response.json())

    def list_pull_requests(
        self,
        *,
        state: PullRequestFilterState = "open",
        head: str | None = None,
        base: str | None = None,
        sort: PullRequestSort | None = None,
        direction: SortDirection | None = None,
        per_page: int = 30,
    ) -> AsyncGenerator[PullRequest, None]:
        """Every matching pull request, fetching pages as the iteration reaches them.

        ``head`` may be a bare branch name; it is qualified with the repository owner as
        GitHub's filter requires (``owner:branch``).
        """
        params: dict[str, str | int] = {"state": state, "per_page": _per_page(per_page)}
        if head is not None:
            params["head"] = head if ":" in head else f"{self.config.owner}:{head}"
        if base is not None:
            params["base"] = base
        if sort is not None:
            params["sort"] = sort
        if direction is not None:
            params["direction"] = direction
        return self._transport.paginate(f"{self._repo_path}/pulls", params, PullRequest)

    async def update_pull_request(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: PullRequestState | None = None,
        base: str | None = None,
    ) -> PullRequest:
        """Change the given fields only (``state="closed"`` closes without merging)."""
        update = PullRequestUpdate(title=title, body=body, state=state, base=base)
        payload = update.model_dump(exclude_none=True)
        if not payload:
            raise ValueError("nothing to update")
        response = await self._transport.send(
            "PATCH", f"{self._repo_path}/pulls/{number}", json=payload
        )
        return parse(PullRequest, response.json())

    # --- issue comments ----------------------------------------------------------------

    async def create_issue_comment(self, number: int, body: str) -> IssueComment:
        """Comment on issue or pull request ``number`` (the conversation, not a review)."""
        payload = NewIssueComment(body=body)
        response = await self._transport.send(
            "POST", f"{self._repo_path}/issues/{number}/comments", json=_dump(payload)
        )
        return parse(IssueComment, response.json())

    def list_issue_comments(
        self, number: int, *, since: datetime | None = None, per_page: int = 30
    ) -> AsyncGenerator[IssueComment, None]:
        """Every comment on issue or pull request ``number``, oldest first."""
        params: dict[str, str | int] = {"per_page": _per_page(per_page)}
        if since is not None:
            params["since"] = since.isoformat()
        return self._transport.paginate(
            f"{self._repo_path}/issues/{number}/comments", params, IssueComment
        )


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


def _path(value: str) -> str:
    return quote(value.strip("/"), safe="/")


def _per_page(value: int) -> int:
    if not 1 <= value <= 100:
        raise ValueError("per_page must be between 1 and 100")
    return value
