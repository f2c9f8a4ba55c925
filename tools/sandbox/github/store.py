"""The emulator's data: a tiny content-addressed git (blobs, commits, branches) per repository,
plus its pull requests, issues and comments. No HTTP and no GitHub error semantics here."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class User:
    login: str
    id: int
    type: str = "User"


@dataclass(frozen=True)
class Actor:
    """A git author or committer."""

    name: str
    email: str


@dataclass(frozen=True)
class Commit:
    sha: str
    tree: dict[str, str]  # path -> blob sha
    parents: tuple[str, ...]
    message: str
    author: Actor
    committer: Actor
    date: datetime


@dataclass
class PullRequestRecord:
    id: int
    number: int
    title: str
    body: str | None
    head_ref: str
    head_sha: str
    base_ref: str
    user: User
    draft: bool
    maintainer_can_modify: bool
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    closed_at: datetime | None = None
    merged_at: datetime | None = None
    merge_commit_sha: str | None = None
    merged_by: User | None = None


@dataclass
class IssueRecord:
    number: int
    title: str
    body: str | None
    user: User
    created_at: datetime
    state: str = "open"


@dataclass
class CommentRecord:
    id: int
    number: int
    body: str
    user: User
    created_at: datetime
    updated_at: datetime


def blob_sha(data: bytes) -> str:
    """The git blob id GitHub reports as a file's ``sha``."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def tree_sha(tree: dict[str, str]) -> str:
    """A stable id for a flat tree (path -> blob sha): equal trees have equal ids."""
    digest = hashlib.sha1(b"tree\0", usedforsecurity=False)
    for path, blob in sorted(tree.items()):
        digest.update(f"{path}\0{blob}\n".encode())
    return digest.hexdigest()


def merge_trees(
    base: dict[str, str], ours: dict[str, str], theirs: dict[str, str]
) -> dict[str, str] | None:
    """The three-way merge of two trees by path; None when a path changed on both sides."""
    merged: dict[str, str] = {}
    for path in sorted({*base, *ours, *theirs}):
        was, mine, other = base.get(path), ours.get(path), theirs.get(path)
        if mine == other:
            value = mine
        elif mine == was:
            value = other
        elif other == was:
            value = mine
        else:
            return None
        if value is not None:
            merged[path] = value
    return merged


_BAD_REF = re.compile(r"(^[./-])|(\.\.)|([\x00-\x20~^:?*\[\\\x7f])|(@\{)|(\.lock$)|(/$)|(//)|(/\.)")


def is_valid_branch_name(name: str) -> bool:
    """``git check-ref-format --branch`` rules, in brief."""
    return bool(name) and name != "@" and not name.endswith(".") and not _BAD_REF.search(name)


@dataclass
class Repository:
    owner: str
    name: str
    id: int
    owner_id: int
    default_branch: str = "main"
    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, dict[str, str]] = field(default_factory=dict)  # tree sha -> tree
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)  # name -> commit sha
    pulls: dict[int, PullRequestRecord] = field(default_factory=dict)
    issues: dict[int, IssueRecord] = field(default_factory=dict)
    comments: dict[int, CommentRecord] = field(default_factory=dict)  # id -> comment, id order
    last_number: int = 0
    _commit_sequence: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def owner_user(self) -> User:
        return User(login=self.owner, id=self.owner_id, type="Organization")

    def next_number(self) -> int:
        """Issues and pull requests share one number sequence, as on GitHub."""
        self.last_number += 1
        return self.last_number

    def commit(
        self,
        parent: str | None,
        changes: dict[str, bytes],
        message: str,
        author: Actor,
        committer: Actor,
        date: datetime,
    ) -> Commit:
        """A new commit on top of ``parent`` with ``changes`` applied (no branch is moved)."""
        tree = dict(self.commits[parent].tree) if parent else {}
        for path, data in changes.items():
            sha = blob_sha(data)
            self.blobs[sha] = data
            tree[path] = sha
        return self.commit_tree(tree, (parent,) if parent else (), message, author, committer, date)

    def store_tree(self, tree: dict[str, str]) -> str:
        sha = tree_sha(tree)
        self.trees[sha] = dict(tree)
        return sha

    def commit_tree(
        self,
        tree: dict[str, str],
        parents: tuple[str, ...],
        message: str,
        author: Actor,
        committer: Actor,
        date: datetime,
    ) -> Commit:
        """A new commit of ``tree`` with ``parents`` (no branch is moved)."""
        self.store_tree(tree)
        parent = parents[0] if parents else None
        self._commit_sequence += 1
        digest = hashlib.sha1(usedforsecurity=False)
        for part in (
            *(f"{p}:{s}" for p, s in sorted(tree.items())),
            parent or "",
            message,
            author.email,
            str(self._commit_sequence),
        ):
            digest.update(part.encode())
            digest.update(b"\0")
        for extra in parents[1:]:
            digest.update(extra.encode())
        commit = Commit(
            sha=digest.hexdigest(),
            tree=tree,
            parents=parents,
            message=message,
            author=author,
            committer=committer,
            date=date,
        )
        self.commits[commit.sha] = commit
        return commit

    def resolve(self, ref: str) -> str | None:
        """A commit sha for a branch name, ``heads/x``, ``refs/heads/x`` or a commit sha."""
        name = ref.removeprefix("refs/").removeprefix("heads/")
        if name in self.branches:
            return self.branches[name]
        return ref if ref in self.commits else None

    def merge_base(self, one: str, other: str) -> str | None:
        """The nearest commit reachable from both (breadth-first from ``other``)."""
        pending, seen = [other], set()
        while pending:
            sha = pending.pop(0)
            if sha in seen or sha not in self.commits:
                continue
            seen.add(sha)
            if self.is_ancestor(sha, one):
                return sha
            pending.extend(self.commits[sha].parents)
        return None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when ``ancestor`` is ``descendant`` or reachable from it through parents."""
        pending = [descendant]
        seen: set[str] = set()
        while pending:
            sha = pending.pop()
            if sha == ancestor:
                return True
            if sha in seen or sha not in self.commits:
                continue
            seen.add(sha)
            pending.extend(self.commits[sha].parents)
        return False

    def numbered(self, number: int) -> PullRequestRecord | IssueRecord | None:
        return self.pulls.get(number) or self.issues.get(number)
