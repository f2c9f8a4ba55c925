"""The Git database endpoints, pull request files and merges, with GitHub's answers and errors.

Blobs, trees and commits are created as on GitHub (``POST /git/blobs``, ``/git/trees`` with a
``base_tree`` and ``sha: null`` deletions, ``/git/commits``) and a branch is moved with
``PATCH /git/refs/heads/{branch}``, refused with "Update is not a fast forward" unless forced. A
merge (``PUT /pulls/{n}/merge``) makes a merge commit of the three-way merge of the trees, or
answers 405 when both sides changed a file.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from tools.sandbox.github import serialize
from tools.sandbox.github.errors import DOCS_REFS, ApiError, invalid_request, not_found
from tools.sandbox.github.inputs import Body, optional_actor, optional_str, required_str
from tools.sandbox.github.serialize import Json, Urls
from tools.sandbox.github.service import AGENT, AGENT_ACTOR, SERVICE, GitHubService
from tools.sandbox.github.store import (
    Actor,
    PullRequestRecord,
    Repository,
    blob_sha,
    merge_trees,
)

DOCS_BLOBS = "https://docs.github.com/rest/git/blobs"
DOCS_TREES = "https://docs.github.com/rest/git/trees"
DOCS_COMMITS = "https://docs.github.com/rest/git/commits"
DOCS_MERGE = "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request"
DOCS_FILES = "https://docs.github.com/rest/pulls/pulls#list-pull-requests-files"
_FILE_MODES = frozenset({"100644", "100755"})


class GitData:
    """Git database operations on the repositories of a ``GitHubService`` (under its lock)."""

    def __init__(self, service: GitHubService) -> None:
        self.service = service

    # --- reading -------------------------------------------------------------------------

    def get_commit(self, owner: str, name: str, sha: str, urls: Urls) -> Json:
        repo = self.service.repo(owner, name)
        commit = repo.commits.get(sha)
        if commit is None:
            raise not_found(DOCS_COMMITS)
        return serialize.commit(repo, commit, urls)

    def get_tree(self, owner: str, name: str, ref: str, recursive: bool, urls: Urls) -> Json:
        """A tree by its sha, or the tree of a commit or branch; flat paths when recursive."""
        repo = self.service.repo(owner, name)
        tree = repo.trees.get(ref)
        if tree is None:
            commit_sha = repo.resolve(ref)
            if commit_sha is None:
                raise not_found(DOCS_TREES)
            tree = repo.commits[commit_sha].tree
        return serialize.tree(repo, tree, urls, recursive=recursive)

    def get_blob(self, owner: str, name: str, sha: str, urls: Urls) -> Json:
        repo = self.service.repo(owner, name)
        data = repo.blobs.get(sha)
        if data is None:
            raise not_found(DOCS_BLOBS)
        return serialize.blob(repo, sha, data, urls)

    def pull_files(self, owner: str, name: str, number: str, urls: Urls) -> list[Json]:
        """What the pull request changes: head against the merge base (or, once merged,
        the merge commit against its first parent)."""
        repo, pr = self.service.pull(owner, name, number)
        before, after = _pull_trees(repo, pr)
        files: list[Json] = []
        for path in sorted({*before, *after}):
            old, new = before.get(path), after.get(path)
            if old == new:
                continue
            status = "added" if old is None else "removed" if new is None else "modified"
            files.append(serialize.pull_file(repo, path, old, new, status, pr, urls))
        return files

    # --- writing -------------------------------------------------------------------------

    def create_blob(self, owner: str, name: str, body: Body, urls: Urls) -> Json:
        repo = self.service.repo(owner, name)
        content = required_str(body, "content", DOCS_BLOBS)
        encoding = optional_str(body, "encoding", DOCS_BLOBS) or "utf-8"
        if encoding == "base64":
            try:
                data = base64.b64decode("".join(content.split()), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ApiError(
                    422, "content is not valid Base64", documentation_url=DOCS_BLOBS
                ) from exc
        elif encoding == "utf-8":
            data = content.encode()
        else:
            raise invalid_request(f"encoding {encoding!r} is not utf-8 or base64", DOCS_BLOBS)
        sha = blob_sha(data)
        repo.blobs[sha] = data
        return {"sha": sha, "url": f"{urls.repo(repo)}/git/blobs/{sha}"}

    def create_tree(self, owner: str, name: str, body: Body, urls: Urls) -> Json:
        repo = self.service.repo(owner, name)
        base = optional_str(body, "base_tree", DOCS_TREES)
        entries = body.get("tree")
        if not isinstance(entries, list):
            raise invalid_request('"tree" wasn\'t supplied.', DOCS_TREES)
        if base is not None and base not in repo.trees:
            raise ApiError(422, "Invalid tree info", documentation_url=DOCS_TREES)
        tree = dict(repo.trees[base]) if base else {}
        for entry in entries:
            _apply_entry(repo, tree, entry)
        repo.store_tree(tree)
        return serialize.tree(repo, tree, urls, recursive=False)

    def create_commit(self, owner: str, name: str, body: Body, urls: Urls) -> Json:
        repo = self.service.repo(owner, name)
        message = required_str(body, "message", DOCS_COMMITS)
        tree_ref = required_str(body, "tree", DOCS_COMMITS)
        parents = body.get("parents") or []
        if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
            raise invalid_request("For 'properties/parents', it is not an array.", DOCS_COMMITS)
        tree = repo.trees.get(tree_ref)
        if tree is None:
            raise ApiError(
                422, f"Tree SHA does not exist: {tree_ref}", documentation_url=DOCS_COMMITS
            )
        for parent in parents:
            if parent not in repo.commits:
                raise ApiError(
                    422, f"Parent SHA does not exist or is not a commit object: {parent}",
                    documentation_url=DOCS_COMMITS,
                )  # fmt: skip
        author = optional_actor(body, "author", DOCS_COMMITS)
        committer = optional_actor(body, "committer", DOCS_COMMITS)
        committer_actor = Actor(*committer) if committer else AGENT_ACTOR
        author_actor = Actor(*author) if author else committer_actor
        commit = repo.commit_tree(
            tree, tuple(parents), message, author_actor, committer_actor, self.service.now()
        )
        self.service.record("createCommit", f"{repo.full_name}:{commit.sha}")
        return serialize.commit(repo, commit, urls)

    def update_ref(self, owner: str, name: str, branch: str, body: Body, urls: Urls) -> Json:
        repo = self.service.repo(owner, name)
        sha = required_str(body, "sha", DOCS_REFS)
        force = bool(body.get("force"))
        current = repo.branches.get(branch)
        if current is None:
            raise ApiError(422, "Reference does not exist", documentation_url=DOCS_REFS)
        if sha not in repo.commits:
            raise ApiError(422, "Object does not exist", documentation_url=DOCS_REFS)
        if not force and not repo.is_ancestor(current, sha):
            raise ApiError(422, "Update is not a fast forward", documentation_url=DOCS_REFS)
        if sha != current:
            self.service.move_branch(repo, branch, sha, self.service.now())
            self.service.record("updateRef", f"{repo.full_name}:refs/heads/{branch}")
        return serialize.ref(repo, branch, sha, urls)

    def merge_pull(
        self, owner: str, name: str, number: str, body: Body, urls: Urls
    ) -> tuple[Repository, PullRequestRecord, Json]:
        """Merge like the merge button: a merge commit on the base branch, the PR closed."""
        repo, pr = self.service.pull(owner, name, number)
        expected = optional_str(body, "sha", DOCS_MERGE)
        if pr.merged_at is not None or pr.state != "open":
            raise ApiError(405, "Pull Request is not mergeable", documentation_url=DOCS_MERGE)
        if expected is not None and expected != pr.head_sha:
            raise ApiError(
                409, "Head branch was modified. Review and try the merge again.",
                documentation_url=DOCS_MERGE,
            )  # fmt: skip
        base_sha = repo.branches[pr.base_ref]
        ancestor = repo.merge_base(base_sha, pr.head_sha)
        merged = merge_trees(
            repo.commits[ancestor].tree if ancestor else {},
            repo.commits[base_sha].tree,
            repo.commits[pr.head_sha].tree,
        )
        if merged is None:
            raise ApiError(405, "Pull Request is not mergeable", documentation_url=DOCS_MERGE)
        title = optional_str(body, "commit_title", DOCS_MERGE) or (
            f"Merge pull request #{pr.number} from {repo.owner}/{pr.head_ref}"
        )
        message = optional_str(body, "commit_message", DOCS_MERGE) or pr.title
        when = self.service.now()
        commit = repo.commit_tree(
            merged, (base_sha, pr.head_sha), f"{title}\n\n{message}", AGENT_ACTOR, AGENT_ACTOR, when
        )
        self.service.move_branch(repo, pr.base_ref, commit.sha, when)
        pr.state, pr.closed_at, pr.merged_at, pr.updated_at = "closed", when, when, when
        pr.merge_commit_sha, pr.merged_by = commit.sha, AGENT
        self.service.record("mergePullRequest", f"{repo.full_name}#{pr.number}")
        answer = {"sha": commit.sha, "merged": True, "message": "Pull Request successfully merged"}
        return repo, pr, answer


def _apply_entry(repo: Repository, tree: dict[str, str], entry: Any) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        raise invalid_request('"path" wasn\'t supplied.', DOCS_TREES)
    path = entry["path"].strip("/")
    if entry.get("type", "blob") != "blob" or entry.get("mode", "100644") not in _FILE_MODES:
        raise ApiError(422, "The sandbox only writes file blobs", documentation_url=DOCS_TREES)
    if "sha" in entry and entry["sha"] is None:
        if tree.pop(path, None) is None:
            raise ApiError(422, f"Tree entry {path} does not exist", documentation_url=DOCS_TREES)
        return
    if isinstance(entry.get("content"), str):
        data = entry["content"].encode()
        sha = blob_sha(data)
        repo.blobs[sha] = data
    elif isinstance(entry.get("sha"), str) and entry["sha"] in repo.blobs:
        sha = entry["sha"]
    else:
        raise ApiError(422, "Invalid tree info", documentation_url=DOCS_TREES)
    tree[path] = sha


def _pull_trees(repo: Repository, pr: PullRequestRecord) -> tuple[dict[str, str], dict[str, str]]:
    if pr.merge_commit_sha is not None:
        merge = repo.commits[pr.merge_commit_sha]
        return repo.commits[merge.parents[0]].tree, merge.tree
    base_sha = repo.branches.get(pr.base_ref, "")
    ancestor = repo.merge_base(base_sha, pr.head_sha) if base_sha else None
    before = repo.commits[ancestor].tree if ancestor else {}
    return before, repo.commits[pr.head_sha].tree


__all__ = ["SERVICE", "GitData"]
