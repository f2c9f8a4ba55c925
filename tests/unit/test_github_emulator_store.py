"""The emulator's git model and paging helper, without HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.datastructures import URL

from tools.sandbox.github.pagination import paginate
from tools.sandbox.github.store import Actor, Repository, blob_sha, is_valid_branch_name


def test_blob_sha_matches_git() -> None:
    assert blob_sha(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    assert blob_sha(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


@pytest.mark.parametrize("name", ["main", "feature/summer-collection", "agent/x_1", "v1.2"])
def test_valid_branch_names(name: str) -> None:
    assert is_valid_branch_name(name)


@pytest.mark.parametrize(
    "name", ["", "a..b", "a b", "-x", "x.lock", "x/", "a//b", "a~1", "a^", "a:b", "@", "a@{b", "x."]
)
def test_invalid_branch_names(name: str) -> None:
    assert not is_valid_branch_name(name)


def test_commits_share_unchanged_files_and_track_ancestry() -> None:
    repo = Repository(owner="o", name="r", id=1, owner_id=2)
    who = Actor("A", "a@example.com")
    when = datetime(2026, 1, 1, tzinfo=UTC)
    root = repo.commit(None, {"a.txt": b"a", "b.txt": b"b"}, "root", who, who, when)
    child = repo.commit(root.sha, {"b.txt": b"B"}, "change b", who, who, when)
    other = repo.commit(root.sha, {"c.txt": b"c"}, "add c", who, who, when)
    assert child.tree["a.txt"] == root.tree["a.txt"]
    assert child.tree["b.txt"] == blob_sha(b"B")
    assert "c.txt" not in child.tree
    assert repo.is_ancestor(root.sha, child.sha)
    assert not repo.is_ancestor(child.sha, root.sha)
    assert not repo.is_ancestor(other.sha, child.sha)
    assert len({root.sha, child.sha, other.sha}) == 3
    repo.branches["main"] = child.sha
    assert repo.resolve("main") == repo.resolve("refs/heads/main") == child.sha
    assert repo.resolve(root.sha) == root.sha
    assert repo.resolve("missing") is None


def test_paginate_slices_and_links() -> None:
    items = list(range(1, 24))
    url = URL("http://sandbox.test/github/repos/o/r/pulls?state=all&per_page=10")
    first, link = paginate(items, url)
    assert first == list(range(1, 11))
    assert link is not None
    assert 'page=2>; rel="next"' in link
    assert 'page=3>; rel="last"' in link
    assert 'rel="prev"' not in link
    last, link = paginate(items, url.include_query_params(page=3))
    assert last == [21, 22, 23]
    assert link is not None
    assert 'rel="next"' not in link
    assert 'page=2>; rel="prev"' in link
    beyond, _ = paginate(items, url.include_query_params(page=9))
    assert beyond == []
    capped, link = paginate(list(range(150)), URL("http://x/?per_page=1000"))
    assert len(capped) == 100
    junk, _ = paginate(items, URL("http://x/?per_page=abc&page=-1"))
    assert junk == items  # unparsable paging falls back to page 1 of 30
    assert paginate([], URL("http://x/")) == ([], None)
