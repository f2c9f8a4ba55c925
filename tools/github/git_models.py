"""pydantic models of the Git database, pull request files and merges, and repository hooks."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.github.models import GitActor


class _Resource(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TreeRef(_Resource):
    sha: str
    url: str | None = None


class ParentRef(_Resource):
    sha: str


class GitCommit(_Resource):
    """``GET/POST /git/commits``: a commit with its tree and parents."""

    sha: str
    message: str
    tree: TreeRef
    parents: list[ParentRef] = Field(default_factory=list)
    author: GitActor | None = None
    committer: GitActor | None = None
    html_url: str | None = None


class TreeEntry(_Resource):
    path: str
    mode: str
    type: Literal["blob", "tree", "commit"]
    sha: str
    size: int | None = None


class GitTree(_Resource):
    sha: str
    tree: list[TreeEntry]
    truncated: bool = False

    def blobs(self) -> dict[str, str]:
        """path -> blob sha of every file listed."""
        return {e.path: e.sha for e in self.tree if e.type == "blob"}


class Blob(_Resource):
    sha: str
    content: str
    encoding: str
    size: int | None = None


class PullRequestFile(_Resource):
    sha: str | None = None
    filename: str
    status: Literal["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"]
    additions: int = 0
    deletions: int = 0
    changes: int = 0
    previous_filename: str | None = None


class MergeResult(_Resource):
    sha: str
    merged: bool
    message: str


class Hook(_Resource):
    id: int
    name: str
    active: bool
    events: list[str]
