"""Console users: hashing, sign-in checks and role changes on SQLite and Postgres; the CLI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from server.cli import app
from storage import Database, NotFoundError
from storage.users import (
    UserExistsError,
    UserRecord,
    UserRepository,
    hash_password,
    verify_password,
)
from tests.integration.storage_support import BACKENDS, backend_url, migrated


@pytest.fixture(params=BACKENDS)
async def users(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[UserRepository]:
    async with migrated(backend_url(request, tmp_path)) as database:
        yield UserRepository(database)


def test_hashes_are_salted_and_verify_only_the_password() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second  # a salt per hash
    assert first.startswith("scrypt$")
    assert "correct horse" not in first
    assert verify_password("correct horse", first)
    assert not verify_password("correct horsf", first)
    assert not verify_password("correct horse", "not-a-hash")


async def test_a_user_signs_in_with_the_right_password_only(users: UserRepository) -> None:
    added = await users.add("ada", role="approver", password="approver-pass")
    assert (added.username, added.role, added.disabled) == ("ada", "approver", False)
    assert await users.authenticate("ada", "approver-pass") == added
    assert await users.authenticate("ada", "wrong-password") is None
    assert await users.authenticate("nobody", "approver-pass") is None
    with pytest.raises(UserExistsError):
        await users.add("ada", role="viewer", password="another-pass")


async def test_role_changes_and_disabling_take_effect(users: UserRepository) -> None:
    await users.add("vic", role="viewer", password="viewer-pass")
    assert (await users.set_role("vic", "operator")).role == "operator"
    await users.disable("vic")
    assert await users.authenticate("vic", "viewer-pass") is None
    await users.enable("vic")
    await users.set_password("vic", "a-new-password")
    assert await users.authenticate("vic", "viewer-pass") is None
    assert await users.authenticate("vic", "a-new-password") is not None
    with pytest.raises(NotFoundError):
        await users.set_role("ghost", "admin")


async def test_bad_names_roles_and_short_passwords_are_refused(users: UserRepository) -> None:
    with pytest.raises(ValueError, match="role"):
        await users.add("ada", role="owner", password="long-enough")
    with pytest.raises(ValueError, match="at least"):
        await users.add("ada", role="viewer", password="short")
    with pytest.raises(ValueError, match="user name"):
        await users.add("bad name", role="viewer", password="long-enough")
    assert await users.list() == []


def test_the_cli_adds_lists_and_changes_users(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROYAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ROYAL_USER_PASSWORD", "scripted-pass")
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "ada", "--role", "approver"])
    assert added.exit_code == 0, added.output
    again = runner.invoke(app, ["users", "add", "ada"])
    assert again.exit_code == 1
    assert runner.invoke(app, ["users", "set-role", "ada", "admin"]).exit_code == 0
    assert runner.invoke(app, ["users", "disable", "ada"]).exit_code == 0
    listed = runner.invoke(app, ["users", "list"])
    assert "ada" in listed.output
    assert "admin" in listed.output
    assert runner.invoke(app, ["users", "add", "eve", "--role", "owner"]).exit_code == 2

    async def stored() -> tuple[UserRecord | None, UserRecord | None]:
        async with Database(f"sqlite:///{tmp_path / 'royal.sqlite3'}") as database:
            users = UserRepository(database)
            return await users.get("ada"), await users.get("eve")

    ada, eve = asyncio.run(stored())
    assert ada is not None
    assert (ada.role, ada.disabled) == ("admin", True)
    assert eve is None
