"""The emulator's records in GitHub's JSON shapes (the fields the reference lists, and the
common ones around them), with URLs pointing back at the sandbox."""

from __future__ import annotations

import base64
import posixpath
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tools.sandbox.github.store import (
    Actor,
    CommentRecord,
    Commit,
    PullRequestRecord,
    Repository,
    User,
    tree_sha,
)

Json = dict[str, Any]


@dataclass(frozen=True)
class Urls:
    """Absolute URLs of the emulator as the client reached it (``…/github``)."""

    api: str

    def repo(self, repo: Repository) -> str:
        return f"{self.api}/repos/{repo.full_name}"

    def html(self, repo: Repository) -> str:
        return f"{self.api}/{repo.full_name}"


def timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id(kind: str, number: int | str) -> str:
    return base64.b64encode(f"{kind}:{number}".encode()).decode().rstrip("=")


def user(value: User, urls: Urls) -> Json:
    return {
        "login": value.login,
        "id": value.id,
        "node_id": node_id("User", value.id),
        "type": value.type,
        "url": f"{urls.api}/users/{value.login}",
        "html_url": f"{urls.api}/{value.login}",
        "site_admin": False,
    }


def ref(repo: Repository, branch: str, sha: str, urls: Urls) -> Json:
    return {
        "ref": f"refs/heads/{branch}",
        "node_id": node_id("Ref", f"{repo.id}:{branch}"),
        "url": f"{urls.repo(repo)}/git/refs/heads/{branch}",
        "object": {"sha": sha, "type": "commit", "url": f"{urls.repo(repo)}/git/commits/{sha}"},
    }


def content_entry(
    repo: Repository, path: str, sha: str, size: int, ref_name: str, urls: Urls
) -> Json:
    """A file's metadata, as in a directory listing or after a write."""
    url = f"{urls.repo(repo)}/contents/{path}?ref={ref_name}"
    html = f"{urls.html(repo)}/blob/{ref_name}/{path}"
    git = f"{urls.repo(repo)}/git/blobs/{sha}"
    return {
        "type": "file",
        "name": posixpath.basename(path),
        "path": path,
        "sha": sha,
        "size": size,
        "url": url,
        "html_url": html,
        "git_url": git,
        "download_url": f"{urls.api}/raw/{repo.full_name}/{ref_name}/{path}",
        "_links": {"self": url, "git": git, "html": html},
    }


def directory_entry(repo: Repository, path: str, ref_name: str, urls: Urls) -> Json:
    url = f"{urls.repo(repo)}/contents/{path}?ref={ref_name}"
    html = f"{urls.html(repo)}/tree/{ref_name}/{path}"
    return {
        "type": "dir",
        "name": posixpath.basename(path),
        "path": path,
        "sha": node_id("Tree", path),
        "size": 0,
        "url": url,
        "html_url": html,
        "git_url": None,
        "download_url": None,
        "_links": {"self": url, "git": None, "html": html},
    }


def file_contents(
    repo: Repository, path: str, data: bytes, sha: str, ref_name: str, urls: Urls
) -> Json:
    """``GET contents`` for a file: base64 wrapped at 60 characters, as GitHub sends it."""
    encoded = base64.b64encode(data).decode("ascii")
    wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60))
    return {
        **content_entry(repo, path, sha, len(data), ref_name, urls),
        "encoding": "base64",
        "content": wrapped + "\n" if wrapped else "",
    }


def _actor(value: Actor, date: datetime) -> Json:
    return {"name": value.name, "email": value.email, "date": timestamp(date)}


def commit(repo: Repository, value: Commit, urls: Urls) -> Json:
    return {
        "sha": value.sha,
        "node_id": node_id("Commit", value.sha),
        "url": f"{urls.repo(repo)}/git/commits/{value.sha}",
        "html_url": f"{urls.html(repo)}/commit/{value.sha}",
        "author": _actor(value.author, value.date),
        "committer": _actor(value.committer, value.date),
        "message": value.message,
        "tree": {
            "sha": tree_sha(value.tree),
            "url": f"{urls.repo(repo)}/git/trees/{tree_sha(value.tree)}",
        },
        "parents": [
            {
                "sha": parent,
                "url": f"{urls.repo(repo)}/git/commits/{parent}",
                "html_url": f"{urls.html(repo)}/commit/{parent}",
            }
            for parent in value.parents
        ],
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
        },
    }


def tree(repo: Repository, entries: dict[str, str], urls: Urls, *, recursive: bool) -> Json:
    """A tree as ``GET /git/trees/{sha}`` answers: blobs, and directories as ``tree`` entries
    (their contents only when ``recursive``)."""
    sha = tree_sha(entries)
    listed: list[Json] = []
    directories: set[str] = set()
    for path, blob in sorted(entries.items()):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            directory = "/".join(parts[:depth])
            if directory not in directories and (recursive or depth == 1):
                directories.add(directory)
                listed.append(
                    {
                        "path": directory,
                        "mode": "040000",
                        "type": "tree",
                        "sha": node_id("Tree", directory),
                    }
                )
        if recursive or len(parts) == 1:
            listed.append(
                {
                    "path": path,
                    "mode": "100644",
                    "type": "blob",
                    "sha": blob,
                    "size": len(repo.blobs[blob]),
                    "url": f"{urls.repo(repo)}/git/blobs/{blob}",
                }
            )
    return {
        "sha": sha,
        "url": f"{urls.repo(repo)}/git/trees/{sha}",
        "tree": listed,
        "truncated": False,
    }


def blob(repo: Repository, sha: str, data: bytes, urls: Urls) -> Json:
    return {
        "sha": sha,
        "node_id": node_id("Blob", sha),
        "size": len(data),
        "url": f"{urls.repo(repo)}/git/blobs/{sha}",
        "content": base64.b64encode(data).decode("ascii"),
        "encoding": "base64",
    }


def pull_file(
    repo: Repository,
    path: str,
    old: str | None,
    new: str | None,
    status: str,
    pr: PullRequestRecord,
    urls: Urls,
) -> Json:
    """One entry of ``GET /pulls/{n}/files``; the line counts are of whole-line differences."""
    before = repo.blobs[old].decode("utf-8", "replace").splitlines() if old else []
    after = repo.blobs[new].decode("utf-8", "replace").splitlines() if new else []
    additions = len([line for line in after if line not in before])
    deletions = len([line for line in before if line not in after])
    sha = new or old or ""
    ref = pr.merge_commit_sha or pr.head_sha
    return {
        "sha": sha,
        "filename": path,
        "status": status,
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "blob_url": f"{urls.html(repo)}/blob/{ref}/{path}",
        "raw_url": f"{urls.html(repo)}/raw/{ref}/{path}",
        "contents_url": f"{urls.repo(repo)}/contents/{path}?ref={ref}",
    }


def repository(repo: Repository, urls: Urls) -> Json:
    return {
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "private": True,
        "owner": user(repo.owner_user, urls),
        "html_url": urls.html(repo),
        "url": urls.repo(repo),
        "default_branch": repo.default_branch,
    }


def pull_request(repo: Repository, pr: PullRequestRecord, urls: Urls, *, detailed: bool) -> Json:
    """A pull request; ``detailed`` adds the fields only ``GET /pulls/{n}`` returns."""
    base_sha = repo.branches.get(pr.base_ref, "")
    repo_json = repository(repo, urls)
    owner = repo.owner_user
    number_url = f"{urls.repo(repo)}/pulls/{pr.number}"
    issue_url = f"{urls.repo(repo)}/issues/{pr.number}"
    data: Json = {
        "url": number_url,
        "id": pr.id,
        "node_id": node_id("PullRequest", pr.id),
        "html_url": f"{urls.html(repo)}/pull/{pr.number}",
        "diff_url": f"{urls.html(repo)}/pull/{pr.number}.diff",
        "patch_url": f"{urls.html(repo)}/pull/{pr.number}.patch",
        "issue_url": issue_url,
        "comments_url": f"{issue_url}/comments",
        "commits_url": f"{number_url}/commits",
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "user": user(pr.user, urls),
        "body": pr.body,
        "labels": [],
        "created_at": timestamp(pr.created_at),
        "updated_at": timestamp(pr.updated_at),
        "closed_at": timestamp(pr.closed_at),
        "merged_at": timestamp(pr.merged_at),
        "merge_commit_sha": pr.merge_commit_sha,
        "draft": pr.draft,
        "head": {
            "label": f"{repo.owner}:{pr.head_ref}",
            "ref": pr.head_ref,
            "sha": pr.head_sha,
            "user": user(owner, urls),
            "repo": repo_json,
        },
        "base": {
            "label": f"{repo.owner}:{pr.base_ref}",
            "ref": pr.base_ref,
            "sha": base_sha,
            "user": user(owner, urls),
            "repo": repo_json,
        },
        "author_association": "MEMBER",
    }
    if detailed:
        data |= {
            "merged": pr.merged_at is not None,
            "merged_by": None if pr.merged_by is None else user(pr.merged_by, urls),
            "mergeable": pr.state == "open",
            "comments": sum(1 for c in repo.comments.values() if c.number == pr.number),
            "maintainer_can_modify": pr.maintainer_can_modify,
            "commits": _commit_count(repo, pr),
        }
    return data


def _commit_count(repo: Repository, pr: PullRequestRecord) -> int:
    base = repo.branches.get(pr.base_ref)
    count, sha = 0, pr.head_sha
    while sha and sha in repo.commits and not (base and repo.is_ancestor(sha, base)):
        count += 1
        parents = repo.commits[sha].parents
        sha = parents[0] if parents else ""
    return count


def comment(repo: Repository, value: CommentRecord, urls: Urls) -> Json:
    return {
        "id": value.id,
        "node_id": node_id("IssueComment", value.id),
        "url": f"{urls.repo(repo)}/issues/comments/{value.id}",
        "html_url": f"{urls.html(repo)}/issues/{value.number}#issuecomment-{value.id}",
        "issue_url": f"{urls.repo(repo)}/issues/{value.number}",
        "body": value.body,
        "user": user(value.user, urls),
        "created_at": timestamp(value.created_at),
        "updated_at": timestamp(value.updated_at),
        "author_association": "MEMBER",
    }
