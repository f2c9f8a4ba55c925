"""Third-party tokens in the app database, sealed at rest and shared by every process.

A token a provider rations (CJdropshipping issues one access token per five minutes per key) or
that costs a round trip to mint (Shopify's client-credentials grant, a GitHub App installation
token) is fetched by one process and read by all the others. ``obtain`` returns the stored
secret while it is fresh; when it is due, one process takes the row's renewal lease (a
compare-and-set on ``lease_until``), asks the provider once and stores the answer, while the
others wait for that answer instead of asking too. Leases expire, so a process that dies while
renewing delays the others by at most ``lease_seconds``.

Secrets are sealed with AES-GCM (``storage.crypto``) under associated data naming the row, so a
ciphertext moved to another row does not open. A secret sealed under an older key is re-sealed
under the newest one when it is read (``royal credentials reencrypt`` does all rows at once).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, SecretStr
from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.clock import Clock, utcnow
from storage.credentials_schema import credentials
from storage.crypto import DecryptionError, Keyring, Sealed
from storage.engine import Database
from storage.sql import insert_or_ignore

_AAD_PREFIX = b"royal.credentials.v1"


class CredentialError(Exception):
    """Base of the credential store's errors."""


class CredentialUnreadableError(CredentialError):
    """A stored secret did not open (wrong or missing key, or tampering)."""

    def __init__(self, provider: str, account: str, reason: str) -> None:
        self.provider = provider
        self.account = account
        super().__init__(f"the stored {provider} credential for {account} is unreadable: {reason}")


class CredentialBusyError(CredentialError):
    """Another process held the renewal lease for longer than we were willing to wait."""


class NewSecret(BaseModel):
    """A secret to store: its values (sealed) and what may be read without the key."""

    model_config = ConfigDict(frozen=True)

    values: dict[str, SecretStr] = Field(min_length=1)
    expires_in: float | None = Field(default=None, ge=0, description="Seconds until invalid.")
    renew_in: float | None = Field(
        default=None, ge=0, description="Seconds until it should be replaced (before expiry)."
    )
    details: dict[str, JsonValue] = Field(
        default_factory=dict, description="Not secret: scopes, ids, the provider's dates."
    )

    @classmethod
    def of(
        cls,
        values: Mapping[str, str],
        *,
        expires_in: float | None = None,
        renew_in: float | None = None,
        details: Mapping[str, JsonValue] | None = None,
    ) -> NewSecret:
        return cls(
            values={name: SecretStr(value) for name, value in values.items()},
            expires_in=expires_in,
            renew_in=renew_in,
            details=dict(details or {}),
        )


class CredentialInfo(BaseModel):
    """A stored credential without its secret (for listings)."""

    model_config = ConfigDict(frozen=True)

    provider: str
    account: str
    key_id: str | None
    expires_at: AwareDatetime | None
    renew_after: AwareDatetime | None
    details: dict[str, JsonValue]
    version: int
    updated_at: AwareDatetime


class Credential(CredentialInfo):
    """A stored credential with its opened secret values."""

    values: dict[str, SecretStr]

    def value(self, name: str) -> str:
        return self.values[name].get_secret_value()

    def get(self, name: str) -> str | None:
        found = self.values.get(name)
        return None if found is None else found.get_secret_value()

    def usable(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at

    def due(self, now: datetime) -> bool:
        """Whether to renew now: expired, or past the time the provider advised."""
        return not self.usable(now) or (self.renew_after is not None and now >= self.renew_after)

    def seconds_left(self, now: datetime) -> float:
        """Seconds until it is due (infinite when it never is)."""
        ends = [at for at in (self.renew_after, self.expires_at) if at is not None]
        return min((at - now).total_seconds() for at in ends) if ends else float("inf")


Renew = Callable[[Credential | None], Awaitable[NewSecret]]
"""Asks the provider for a new secret; receives the current one (e.g. for its refresh token)."""


def account_key(label: str, secret: str) -> str:
    """An account name for a secret-keyed account (an API key, a client id): a readable label
    and a digest of the secret, so rows tell keys apart without containing them."""
    digest = hashlib.sha256(b"royal-credential-account\x00" + secret.encode()).hexdigest()[:16]
    return f"{label}#{digest}"


def associated_data(provider: str, account: str) -> bytes:
    return b"\x00".join((_AAD_PREFIX, provider.encode(), account.encode()))


class CredentialStore:
    def __init__(
        self,
        database: Database,
        keyring: Keyring,
        *,
        clock: Clock = utcnow,
        lease_seconds: float = 30.0,
        poll_seconds: float = 0.05,
    ) -> None:
        self._db = database
        self.keyring = keyring
        self._clock = clock
        self._lease = timedelta(seconds=lease_seconds)
        self._poll = poll_seconds
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def now(self) -> datetime:
        return self._clock()

    # --- reading -------------------------------------------------------------------------
    async def get(self, provider: str, account: str) -> Credential | None:
        """The stored secret, or None when none is stored (a bare lease row has none)."""
        async with self._db.read() as connection:
            row = (await connection.execute(_by_key(provider, account))).first()
        if row is None or row.ciphertext is None:
            return None
        credential = self._open(row)
        if not self.keyring.is_current(row.key_id):
            await self._reseal(credential, row.key_id)
        return credential

    async def list(self) -> list[CredentialInfo]:
        query = select(credentials).order_by(credentials.c.provider, credentials.c.account)
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
        return [_info(row) for row in rows if row.ciphertext is not None]

    # --- writing -------------------------------------------------------------------------
    async def put(self, provider: str, account: str, secret: NewSecret) -> Credential:
        """Store ``secret`` (replacing any), whoever holds the lease."""
        async with self._db.transaction() as connection:
            await self._ensure_row(connection, provider, account)
            row = (
                await connection.execute(
                    update(credentials)
                    .where(*_key(provider, account))
                    .values(self._sealed_values(provider, account, secret))
                    .returning(*credentials.c)
                )
            ).one()
        return self._open(row)

    async def delete(self, provider: str, account: str) -> bool:
        async with self._db.transaction() as connection:
            result = await connection.execute(delete(credentials).where(*_key(provider, account)))
        return bool(result.rowcount)

    async def invalidate(self, provider: str, account: str, *, version: int) -> bool:
        """Mark the secret of ``version`` expired (the provider refused it), so the next
        ``obtain`` renews. A newer version, stored meanwhile by another process, is kept."""
        now = self._clock()
        statement = (
            update(credentials)
            .where(*_key(provider, account), credentials.c.version == version)
            .values(expires_at=now, renew_after=now, updated_at=now)
        )
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
        return bool(result.rowcount)

    async def reencrypt_all(self) -> int:
        """Re-seal every secret not sealed under the newest key; returns how many."""
        query = select(credentials).where(
            credentials.c.ciphertext.is_not(None),
            credentials.c.key_id != self.keyring.primary.key_id,
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
        count = 0
        for row in rows:
            if await self._reseal(self._open(row), row.key_id):
                count += 1
        return count

    # --- the shared renewal --------------------------------------------------------------
    async def obtain(
        self,
        provider: str,
        account: str,
        renew: Renew,
        *,
        fresh: Callable[[Credential], bool] | None = None,
        wait_seconds: float | None = None,
    ) -> Credential:
        """The stored secret when ``fresh`` (default: not due); otherwise renewed exactly once
        across processes: the lease holder calls ``renew``, the others wait for its result."""
        is_fresh = fresh or (lambda credential: not credential.due(self._clock()))
        limit = wait_seconds if wait_seconds is not None else self._lease.total_seconds() * 2
        deadline = time.monotonic() + limit
        pause = self._poll
        async with self._locks.setdefault((provider, account), asyncio.Lock()):
            while True:
                current = await self.get(provider, account)
                if current is not None and is_fresh(current):
                    return current
                owner = uuid.uuid4().hex
                if await self._claim(provider, account, owner):
                    return await self._renew_holding(provider, account, owner, renew, is_fresh)
                if time.monotonic() >= deadline:
                    raise CredentialBusyError(
                        f"another process has been renewing the {provider} credential for "
                        f"{account} for over {limit:g}s"
                    )
                await asyncio.sleep(pause)
                pause = min(pause * 1.5, 0.5)

    async def _renew_holding(
        self,
        provider: str,
        account: str,
        owner: str,
        renew: Renew,
        is_fresh: Callable[[Credential], bool],
    ) -> Credential:
        try:
            # Another process may have stored a new secret between our read and our claim.
            current = await self.get(provider, account)
            if current is not None and is_fresh(current):
                return current
            secret = await renew(current)
            return await self._store_and_release(provider, account, owner, secret)
        finally:
            await self._release(provider, account, owner)

    async def _claim(self, provider: str, account: str, owner: str) -> bool:
        now = self._clock()
        async with self._db.transaction() as connection:
            await self._ensure_row(connection, provider, account)
            lease_free = credentials.c.lease_until.is_(None) | (credentials.c.lease_until <= now)
            result = await connection.execute(
                update(credentials)
                .where(*_key(provider, account), lease_free)
                .values(lease_owner=owner, lease_until=now + self._lease)
            )
        return bool(result.rowcount)

    async def _store_and_release(
        self, provider: str, account: str, owner: str, secret: NewSecret
    ) -> Credential:
        values = self._sealed_values(provider, account, secret) | {
            "lease_owner": None,
            "lease_until": None,
        }
        async with self._db.transaction() as connection:
            row = (
                await connection.execute(
                    update(credentials)
                    .where(*_key(provider, account))
                    .values(values)
                    .returning(*credentials.c)
                )
            ).one()
        return self._open(row)

    async def _release(self, provider: str, account: str, owner: str) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                update(credentials)
                .where(*_key(provider, account), credentials.c.lease_owner == owner)
                .values(lease_owner=None, lease_until=None)
            )

    # --- sealing -------------------------------------------------------------------------
    async def _ensure_row(self, connection: AsyncConnection, provider: str, account: str) -> None:
        now = self._clock()
        await connection.execute(
            insert_or_ignore(connection, credentials, ("provider", "account")).values(
                provider=provider,
                account=account,
                details={},
                version=0,
                created_at=now,
                updated_at=now,
            )
        )

    def _sealed_values(self, provider: str, account: str, secret: NewSecret) -> dict[str, Any]:
        now = self._clock()
        sealed = self.keyring.seal(_plaintext(secret.values), associated_data(provider, account))
        return {
            "key_id": sealed.key_id,
            "nonce": sealed.nonce,
            "ciphertext": sealed.ciphertext,
            "expires_at": _after(now, secret.expires_in),
            "renew_after": _after(now, secret.renew_in),
            "details": secret.details,
            "version": credentials.c.version + 1,
            "updated_at": now,
        }

    def _open(self, row: Row[Any]) -> Credential:
        sealed = Sealed(key_id=row.key_id, nonce=row.nonce, ciphertext=row.ciphertext)
        try:
            plaintext = self.keyring.open(sealed, associated_data(row.provider, row.account))
        except DecryptionError as exc:
            raise CredentialUnreadableError(row.provider, row.account, str(exc)) from None
        values = {name: SecretStr(value) for name, value in json.loads(plaintext).items()}
        return Credential(**_info(row).model_dump(), values=values)

    async def _reseal(self, credential: Credential, old_key_id: str) -> bool:
        """Seal ``credential`` under the newest key unless its row changed meanwhile."""
        sealed = self.keyring.seal(
            _plaintext(credential.values), associated_data(credential.provider, credential.account)
        )
        async with self._db.transaction() as connection:
            result = await connection.execute(
                update(credentials)
                .where(
                    *_key(credential.provider, credential.account),
                    credentials.c.version == credential.version,
                    credentials.c.key_id == old_key_id,
                )
                .values(key_id=sealed.key_id, nonce=sealed.nonce, ciphertext=sealed.ciphertext)
            )
        return bool(result.rowcount)


def _plaintext(values: Mapping[str, SecretStr]) -> bytes:
    return json.dumps(
        {name: value.get_secret_value() for name, value in values.items()}, sort_keys=True
    ).encode()


def _key(provider: str, account: str) -> tuple[Any, Any]:
    return credentials.c.provider == provider, credentials.c.account == account


def _by_key(provider: str, account: str) -> Any:
    return select(credentials).where(*_key(provider, account))


def _after(now: datetime, seconds: float | None) -> datetime | None:
    return None if seconds is None else now + timedelta(seconds=seconds)


def _info(row: Row[Any]) -> CredentialInfo:
    return CredentialInfo(
        provider=row.provider,
        account=row.account,
        key_id=row.key_id,
        expires_at=row.expires_at,
        renew_after=row.renew_after,
        details=row.details or {},
        version=row.version,
        updated_at=row.updated_at,
    )


class CredentialSlot:
    """One (provider, account) of a store: what a client needs to share its token."""

    def __init__(self, store: CredentialStore, provider: str, account: str) -> None:
        self.store = store
        self.provider = provider
        self.account = account

    async def get(self) -> Credential | None:
        return await self.store.get(self.provider, self.account)

    async def put(self, secret: NewSecret) -> Credential:
        return await self.store.put(self.provider, self.account, secret)

    async def obtain(
        self, renew: Renew, *, fresh: Callable[[Credential], bool] | None = None
    ) -> Credential:
        return await self.store.obtain(self.provider, self.account, renew, fresh=fresh)

    async def invalidate(self, version: int) -> bool:
        return await self.store.invalidate(self.provider, self.account, version=version)

    def now(self) -> datetime:
        return self.store.now()

    def __repr__(self) -> str:
        return f"CredentialSlot({self.provider!r}, {self.account!r})"
