"""The catalog in the store's repository: product files on a branch, and changes proposed as a
pull request from the sync branch.

Proposing is repeatable: the commit is skipped when the branch already holds the files (a
re-executed step after a crash), the pull request is found instead of opened twice, and the
description gets each sync's section once (marked with the sync's id).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import aclosing

from pydantic import BaseModel, ConfigDict

from tools.catalog.codec import CATALOG_DIR
from tools.github import GitHubClient, GitHubNotFoundError, GitHubValidationError, PullRequest

SYNC_BRANCH = "catalog-sync/shopify"
"""Where changes made on Shopify are committed for review."""
BASE_BRANCH = "main"


class Proposal(BaseModel):
    """What was proposed: the pull request and the commit (None when the branch already had
    the files)."""

    model_config = ConfigDict(frozen=True)

    pull_request: int
    url: str
    branch: str
    commit_sha: str | None


async def read_files(github: GitHubClient, ref: str, prefix: str = CATALOG_DIR) -> dict[str, str]:
    """Every file under ``prefix`` at ``ref`` (a branch or commit sha), as text."""
    return await github.read_text_files(ref, prefix.rstrip("/") + "/")


async def open_pull_request(github: GitHubClient, branch: str, base: str) -> PullRequest | None:
    found = github.list_pull_requests(state="open", head=branch, base=base)
    async with aclosing(found):
        async for pull in found:
            return pull
    return None


async def _catch_up(github: GitHubClient, branch: str, base_head: str) -> None:
    """Bring a branch whose pull request was merged up to the base, by fast-forward only: a
    branch with commits the base lacks (another sync committing at this moment, or a pull
    request closed unmerged) keeps them rather than losing them."""
    try:
        await github.update_branch(branch, base_head)
    except GitHubValidationError as exc:
        if "fast forward" not in str(exc).lower():
            raise


async def propose(
    github: GitHubClient,
    *,
    branch: str,
    files: Mapping[str, str | None],
    message: str,
    title: str,
    section: str,
    marker: str,
    base: str = BASE_BRANCH,
) -> Proposal | None:
    """Commit ``files`` (text, or None to delete) on ``branch`` and make sure an open pull
    request into ``base`` carries them, with ``section`` in its description once.

    Returns None when nothing differs from ``base`` and no pull request is open.
    """
    existing = await open_pull_request(github, branch, base)
    base_head = await github.get_branch_sha(base)
    try:
        await github.get_branch_sha(branch)
    except GitHubNotFoundError:
        await github.create_branch(branch, sha=base_head, exist_ok=True)
    else:
        if existing is None:
            await _catch_up(github, branch, base_head)
    commit = await github.commit_files(branch, files, message)
    if commit is None and existing is None:
        return None
    body = f"{section}\n\n{marker}"
    if existing is None:
        # A new pull request carries the section from the start. (One that another sync opened
        # a moment earlier keeps its own description; this sync's commit is on it all the same.)
        pull = await github.create_pull_request(
            title=title, head=branch, base=base, body=body, exist_ok=True
        )
    elif marker not in (existing.body or ""):
        pull = await github.update_pull_request(
            existing.number, body=f"{existing.body or ''}\n\n{body}".strip()
        )
    else:
        pull = existing
    return Proposal(
        pull_request=pull.number,
        url=pull.html_url,
        branch=branch,
        commit_sha=None if commit is None else commit.sha,
    )
