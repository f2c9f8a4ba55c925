"""The credential store on SQLite and PostgreSQL: sealed at rest, renewed once across stores
(as separate processes would), rotated keys re-sealed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from storage.credentials import (
    Credential,
    CredentialStore,
    CredentialUnreadableError,
    NewSecret,
)
from storage.credentials_schema import credentials
from storage.crypto import Keyring, generate_key
from storage.engine import Database
from tests.integration.storage_support import BACKENDS, FrozenClock, backend_url, migrated

KEY, OTHER = generate_key(), generate_key()
TOKEN = "API@CJ1000123@CJ:eyJhbGciOiJIUzI1NiJ9.sandbox-token"


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated(backend_url(request, tmp_path)) as opened:
        yield opened


def store(database: Database, key: str = KEY) -> CredentialStore:
    return CredentialStore(database, Keyring.from_string(key))


async def raw_row(database: Database, provider: str, account: str) -> dict[str, Any]:
    query = select(credentials).where(
        credentials.c.provider == provider, credentials.c.account == account
    )
    async with database.read() as connection:
        return dict((await connection.execute(query)).one()._mapping)


async def test_a_stored_token_is_sealed_and_opens_only_with_the_key(database: Database) -> None:
    saved = await store(database).put(
        "cjdropshipping", "sandbox#1", NewSecret.of({"access_token": TOKEN}, expires_in=3600)
    )
    assert saved.value("access_token") == TOKEN
    assert TOKEN not in repr(saved)
    row = await raw_row(database, "cjdropshipping", "sandbox#1")
    ciphertext = bytes(row["ciphertext"])
    assert TOKEN.encode() not in ciphertext
    assert b"sandbox-token" not in ciphertext
    assert row["key_id"] == Keyring.from_string(KEY).primary.key_id
    with pytest.raises(CredentialUnreadableError, match="not in ENCRYPTION_KEY"):
        await store(database, OTHER).get("cjdropshipping", "sandbox#1")
    found = await store(database).get("cjdropshipping", "sandbox#1")
    assert found is not None
    assert found.value("access_token") == TOKEN


async def test_swapping_two_rows_ciphertexts_is_detected(database: Database) -> None:
    keeper = store(database)
    await keeper.put("shopify.oauth", "a.myshopify.com", NewSecret.of({"access_token": "A"}))
    await keeper.put("shopify.oauth", "b.myshopify.com", NewSecret.of({"access_token": "B"}))
    a = await raw_row(database, "shopify.oauth", "a.myshopify.com")
    async with database.transaction() as connection:
        await connection.execute(
            update(credentials)
            .where(credentials.c.account == "b.myshopify.com")
            .values(nonce=a["nonce"], ciphertext=a["ciphertext"])
        )
    with pytest.raises(CredentialUnreadableError, match="tampered or moved"):
        await keeper.get("shopify.oauth", "b.myshopify.com")


async def test_two_stores_renew_once_and_share_the_result(database: Database) -> None:
    """Two stores on one database stand for two processes: one renews, the other waits."""
    calls: list[str] = []

    async def renew(current: Credential | None) -> NewSecret:
        calls.append("renew")
        await asyncio.sleep(0.3)  # the provider is slow; the other store must wait, not ask
        return NewSecret.of({"access_token": TOKEN}, expires_in=3600, renew_in=3000)

    first, second = store(database), store(database)
    results = await asyncio.gather(
        *(s.obtain("cjdropshipping", "k#1", renew) for s in (first, second, first, second))
    )
    assert calls == ["renew"]
    assert {r.value("access_token") for r in results} == {TOKEN}
    assert {r.version for r in results} == {1}
    row = await raw_row(database, "cjdropshipping", "k#1")
    assert row["lease_owner"] is None
    assert row["lease_until"] is None


async def test_a_refused_version_is_renewed_but_a_newer_one_is_kept(database: Database) -> None:
    clock = FrozenClock()
    keeper = CredentialStore(database, Keyring.from_string(KEY), clock=clock)
    issued = iter(["t1", "t2", "t3"])

    async def renew(current: Credential | None) -> NewSecret:
        return NewSecret.of({"access_token": next(issued)}, expires_in=3600)

    first = await keeper.obtain("shopify.client_credentials", "shop#x", renew)
    assert await keeper.invalidate("shopify.client_credentials", "shop#x", version=first.version)
    second = await keeper.obtain("shopify.client_credentials", "shop#x", renew)
    assert second.value("access_token") == "t2"
    assert second.version == first.version + 1
    # A process still holding version 1 reports it refused: the newer token stays.
    assert not await keeper.invalidate("shopify.client_credentials", "shop#x", version=1)
    again = await keeper.obtain("shopify.client_credentials", "shop#x", renew)
    assert again.value("access_token") == "t2"
    clock.advance(timedelta(hours=2))  # expired: renewed
    assert (await keeper.obtain("shopify.client_credentials", "shop#x", renew)).value(
        "access_token"
    ) == "t3"


async def test_a_lease_left_by_a_dead_process_is_taken_over(database: Database) -> None:
    clock = FrozenClock()
    keeper = CredentialStore(
        database, Keyring.from_string(KEY), clock=clock, lease_seconds=30, poll_seconds=0.01
    )
    assert await keeper._claim("cjdropshipping", "k#2", "dead-process")

    async def renew(current: Credential | None) -> NewSecret:
        return NewSecret.of({"access_token": TOKEN})

    waiting = asyncio.create_task(keeper.obtain("cjdropshipping", "k#2", renew))
    await asyncio.sleep(0.1)
    assert not waiting.done()  # the lease is held
    clock.advance(timedelta(seconds=31))
    assert (await asyncio.wait_for(waiting, 5)).value("access_token") == TOKEN


async def test_rotation_reseals_on_read_and_by_command(database: Database) -> None:
    old = store(database, KEY)
    await old.put("github.app_installation", "1", NewSecret.of({"token": "ghs_one"}))
    await old.put("github.app_installation", "2", NewSecret.of({"token": "ghs_two"}))
    rotated = store(database, f"{OTHER},{KEY}")
    new_id = rotated.keyring.primary.key_id

    found = await rotated.get("github.app_installation", "1")
    assert found is not None
    assert found.value("token") == "ghs_one"
    assert (await raw_row(database, "github.app_installation", "1"))["key_id"] == new_id
    assert (await raw_row(database, "github.app_installation", "2"))["key_id"] != new_id

    assert await rotated.reencrypt_all() == 1
    assert await rotated.reencrypt_all() == 0
    only_new = store(database, OTHER)  # the old key can now be removed
    assert [c.account for c in await only_new.list()] == ["1", "2"]
    second = await only_new.get("github.app_installation", "2")
    assert second is not None
    assert second.value("token") == "ghs_two"
