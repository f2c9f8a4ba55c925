"""Git database operations: read trees and blobs, commit several files at once on a branch,
list what a pull request changes, merge it, and register repository webhooks.

``commit_files`` writes one commit with any number of added, changed and deleted files (the
contents API writes one file per commit) and moves the branch only by fast-forward, retrying on
a fresh head when another writer moved it first.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from tools.github.config import GitHubConfig
from tools.github.errors import GitHubValidationError
from tools.github.git_models import (
    Blob,
    GitCommit,
    GitTree,
    Hook,
    MergeResult,
    PullRequestFile,
)
from tools.github.models import GitRef
from tools.github.transport import GitHubTransport, parse

FAST_FORWARD_ATTEMPTS = 5


class GitDataOperations:
    """Mixed into ``GitHubClient``: uses its transport and repository path."""

    config: GitHubConfig
    _transport: GitHubTransport
    _repo_path: str

    async def get_branch_sha(self, branch: str) -> str:
        raise NotImplementedError  # pragma: no cover - GitHubClient's

    async def get_commit(self, sha: str) -> GitCommit:
        response = await self._transport.send("GET", f"{self._repo_path}/git/commits/{sha}")
        return parse(GitCommit, response.json())

    async def get_tree(self, ref: str, *, recursive: bool = True) -> GitTree:
        """The tree of a commit, branch or tree sha; every file with ``recursive``."""
        params = {"recursive": "1"} if recursive else None
        response = await self._transport.send(
            "GET", f"{self._repo_path}/git/trees/{quote(ref, safe='')}", params=params
        )
        return parse(GitTree, response.json())

    async def get_blob(self, sha: str) -> bytes:
        response = await self._transport.send("GET", f"{self._repo_path}/git/blobs/{sha}")
        blob = parse(Blob, response.json())
        if blob.encoding != "base64":
            return blob.content.encode()
        return base64.b64decode("".join(blob.content.split()))

    async def create_commit(self, message: str, tree: str, parents: list[str]) -> GitCommit:
        body = {"message": message, "tree": tree, "parents": parents}
        response = await self._transport.send("POST", f"{self._repo_path}/git/commits", json=body)
        return parse(GitCommit, response.json())

    async def create_tree(self, base_tree: str | None, files: Mapping[str, str | None]) -> str:
        """A tree: ``base_tree`` with ``files`` written (text) or deleted (None); its sha."""
        entries: list[dict[str, Any]] = []
        for path, content in sorted(files.items()):
            entry: dict[str, Any] = {"path": path, "mode": "100644", "type": "blob"}
            entry |= {"sha": None} if content is None else {"content": content}
            entries.append(entry)
        body: dict[str, Any] = {"tree": entries}
        if base_tree is not None:
            body["base_tree"] = base_tree
        response = await self._transport.send("POST", f"{self._repo_path}/git/trees", json=body)
        sha = response.json().get("sha")
        if not isinstance(sha, str):
            raise GitHubValidationError("POST git/trees answered without a sha", status_code=201)
        return sha

    async def update_branch(self, branch: str, sha: str, *, force: bool = False) -> GitRef:
        """Move ``branch`` to ``sha``: a fast-forward unless ``force``."""
        response = await self._transport.send(
            "PATCH",
            f"{self._repo_path}/git/refs/heads/{quote(branch, safe='/')}",
            json={"sha": sha, "force": force},
        )
        return parse(GitRef, response.json())

    async def commit_files(
        self, branch: str, files: Mapping[str, str | None], message: str
    ) -> GitCommit | None:
        """One commit on ``branch`` writing (text) or deleting (None) ``files``.

        Returns None when the branch already holds exactly those contents (nothing to commit).
        When another writer moves the branch meanwhile, the commit is rebuilt on the new head.
        """
        for _attempt in range(FAST_FORWARD_ATTEMPTS):
            head_sha = await self.get_branch_sha(branch)
            head = await self.get_commit(head_sha)
            current = (await self.get_tree(head.tree.sha)).blobs()
            changed = {
                path: content
                for path, content in files.items()
                if (content is None and path in current)
                or (content is not None and current.get(path) != _blob_sha(content))
            }
            if not changed:
                return None
            tree = await self.create_tree(head.tree.sha, changed)
            commit = await self.create_commit(message, tree, [head_sha])
            try:
                await self.update_branch(branch, commit.sha)
            except GitHubValidationError as exc:
                if "fast forward" not in str(exc).lower():
                    raise
                continue
            return commit
        raise GitHubValidationError(
            f"{branch} kept moving; gave up after {FAST_FORWARD_ATTEMPTS} attempts",
            status_code=422,
        )

    async def read_text_files(self, ref: str, prefix: str) -> dict[str, str]:
        """Every file under ``prefix`` at ``ref`` (a branch or commit), decoded as UTF-8."""
        tree = await self.get_tree(ref)
        found: dict[str, str] = {}
        for path, sha in tree.blobs().items():
            if path.startswith(prefix):
                found[path] = (await self.get_blob(sha)).decode("utf-8")
        return found

    async def list_pull_request_files(self, number: int) -> list[PullRequestFile]:
        files: list[PullRequestFile] = []
        pages = self._transport.paginate(
            f"{self._repo_path}/pulls/{number}/files", {"per_page": 100}, PullRequestFile
        )
        async for item in pages:
            files.append(item)
        return files

    async def merge_pull_request(
        self, number: int, *, sha: str | None = None, commit_title: str | None = None
    ) -> MergeResult:
        body: dict[str, Any] = {"merge_method": "merge"}
        if sha is not None:
            body["sha"] = sha
        if commit_title is not None:
            body["commit_title"] = commit_title
        response = await self._transport.send(
            "PUT", f"{self._repo_path}/pulls/{number}/merge", json=body
        )
        return parse(MergeResult, response.json())

    async def create_hook(self, url: str, secret: str, events: list[str]) -> Hook:
        body = {
            "name": "web",
            "active": True,
            "events": events,
            "config": {"url": url, "content_type": "json", "secret": secret, "insecure_ssl": "0"},
        }
        response = await self._transport.send("POST", f"{self._repo_path}/hooks", json=body)
        return parse(Hook, response.json())


def _blob_sha(text: str) -> str:
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
