"""pydantic models of the GitHub REST resources and inputs this project uses.

Outputs ignore fields they do not name (GitHub adds fields over time); inputs forbid unknown
fields so a typo fails before any request is sent.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

PullRequestState = Literal["open", "closed"]
PullRequestFilterState = Literal["open", "closed", "all"]
PullRequestSort = Literal["created", "updated", "popularity", "long-running"]
SortDirection = Literal["asc", "desc"]


class _Resource(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- resources ---------------------------------------------------------------------------


class SimpleUser(_Resource):
    login: str
    id: int
    type: str = "User"


class GitObject(_Resource):
    sha: str
    type: str
    url: str | None = None


class GitRef(_Resource):
    """A git reference such as ``refs/heads/main``."""

    ref: str
    node_id: str | None = None
    url: str | None = None
    object: GitObject

    @property
    def sha(self) -> str:
        return self.object.sha

    @property
    def branch(self) -> str:
        return self.ref.removeprefix("refs/heads/")


class FileContents(_Resource):
    """A file read through the contents API; ``content`` is base64 as GitHub sends it."""

    type: Literal["file"]
    encoding: str
    size: int
    name: str
    path: str
    content: str
    sha: str
    url: str | None = None
    html_url: str | None = None
    download_url: str | None = None

    @property
    def decoded(self) -> bytes:
        """The file's bytes (GitHub wraps the base64 in newlines)."""
        if self.encoding != "base64":
            raise ValueError(f"unsupported content encoding {self.encoding!r}")
        return base64.b64decode("".join(self.content.split()), validate=True)

    @property
    def text(self) -> str:
        return self.decoded.decode("utf-8")


class ContentEntry(_Resource):
    """File metadata returned after a write (no content)."""

    name: str
    path: str
    sha: str
    size: int
    type: str = "file"
    url: str | None = None
    html_url: str | None = None


class GitActor(_Resource):
    name: str
    email: str
    date: datetime | None = None


class Commit(_Resource):
    sha: str
    message: str
    url: str | None = None
    html_url: str | None = None
    author: GitActor | None = None
    committer: GitActor | None = None


class FileCommit(_Resource):
    """Result of creating or updating a file: the new blob and the commit that holds it."""

    content: ContentEntry
    commit: Commit


class PullRequestBranch(_Resource):
    label: str | None = None
    ref: str
    sha: str


class PullRequest(_Resource):
    id: int
    number: int
    state: PullRequestState
    title: str
    body: str | None = None
    draft: bool = False
    html_url: str
    url: str | None = None
    user: SimpleUser | None = None
    head: PullRequestBranch
    base: PullRequestBranch
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    merged_at: datetime | None = None


class IssueComment(_Resource):
    id: int
    body: str
    html_url: str
    url: str | None = None
    user: SimpleUser | None = None
    created_at: datetime
    updated_at: datetime


# --- inputs ------------------------------------------------------------------------------


class CommitAuthor(_Input):
    name: str = Field(min_length=1)
    email: str = Field(min_length=3)


class NewReference(_Input):
    """Body of ``POST /repos/{o}/{r}/git/refs``."""

    ref: str = Field(pattern=r"^refs/[^/]+/.+$", description="Full ref, e.g. refs/heads/x.")
    sha: str = Field(pattern=r"^[0-9a-f]{40}$")


class FileWrite(_Input):
    """Body of ``PUT /repos/{o}/{r}/contents/{path}``; ``content`` is already base64."""

    message: str = Field(min_length=1)
    content: str
    sha: str | None = Field(default=None, description="Blob sha being replaced (updates).")
    branch: str | None = None
    committer: CommitAuthor | None = None
    author: CommitAuthor | None = None

    @field_validator("content")
    @classmethod
    def _base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except binascii.Error as exc:
            raise ValueError("content must be base64") from exc
        return value


class NewPullRequest(_Input):
    """Body of ``POST /repos/{o}/{r}/pulls``."""

    title: str = Field(min_length=1)
    head: str = Field(min_length=1, description="'branch' or 'owner:branch'.")
    base: str = Field(min_length=1)
    body: str | None = None
    draft: bool = False
    maintainer_can_modify: bool | None = None


class PullRequestUpdate(_Input):
    """Body of ``PATCH /repos/{o}/{r}/pulls/{n}``; only set fields are sent."""

    title: str | None = Field(default=None, min_length=1)
    body: str | None = None
    state: PullRequestState | None = None
    base: str | None = Field(default=None, min_length=1)


class NewIssueComment(_Input):
    body: str = Field(min_length=1)
