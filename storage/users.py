"""Console users: names, roles and scrypt password hashes (the password itself is never stored).

A hash is ``scrypt$n$r$p$salt$digest`` (salt and digest base64), so the cost can be raised
later without invalidating stored hashes. Verification compares in constant time, and signing
in as an unknown or disabled user costs the same scrypt as a wrong password, so response times
do not reveal which names exist.
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import hmac
import re
import secrets

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.errors import NotFoundError, StorageError
from storage.users_schema import USER_ROLES, users

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
DIGEST_BYTES = 32
SALT_BYTES = 16
MIN_PASSWORD_LENGTH = 8
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"


class UserExistsError(StorageError):
    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"user {username!r} already exists")


class UserRecord(BaseModel):
    """A user as the console sees it: no password hash."""

    model_config = ConfigDict(frozen=True)

    username: str = Field(pattern=USERNAME_PATTERN)
    role: str
    disabled: bool
    created_at: AwareDatetime
    updated_at: AwareDatetime


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, dklen=DIGEST_BYTES, maxmem=64 * 1024 * 1024
    )


def hash_password(password: str) -> str:
    """A fresh salted scrypt hash of ``password``."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison of the digests)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def check_role(role: str) -> str:
    if role not in USER_ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(USER_ROLES)}")
    return role


def check_username(username: str) -> str:
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise ValueError(
            "a user name is 1-64 letters, digits or . _ @ - (starting with a letter or digit)"
        )
    return username


def _record(row: Row[tuple[object, ...]]) -> UserRecord:
    data = dict(row._mapping)
    data.pop("password_hash", None)
    return UserRecord.model_validate(data)


class UserRepository:
    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._db = database
        self._clock = clock

    async def add(self, username: str, *, role: str, password: str) -> UserRecord:
        """Create an enabled user; ``UserExistsError`` if the name is taken."""
        check_username(username)
        check_role(role)
        check_new_password(password)
        now = self._clock()
        values = {
            "username": username,
            "role": role,
            "password_hash": hash_password(password),
            "disabled": False,
            "created_at": now,
            "updated_at": now,
        }
        try:
            async with self._db.transaction() as connection:
                row = (
                    await connection.execute(insert(users).values(values).returning(*users.c))
                ).one()
        except IntegrityError:
            raise UserExistsError(username) from None
        return _record(row)

    async def get(self, username: str) -> UserRecord | None:
        async with self._db.read() as connection:
            row = (
                await connection.execute(select(users).where(users.c.username == username))
            ).first()
        return None if row is None else _record(row)

    async def list(self) -> builtins.list[UserRecord]:
        async with self._db.read() as connection:
            rows = (await connection.execute(select(users).order_by(users.c.username))).all()
        return [_record(row) for row in rows]

    async def authenticate(self, username: str, password: str) -> UserRecord | None:
        """The user if the password is right and the account enabled, else ``None``."""
        async with self._db.read() as connection:
            row = (
                await connection.execute(select(users).where(users.c.username == username))
            ).first()
        stored = _DUMMY_HASH if row is None else str(row._mapping["password_hash"])
        matches = verify_password(password, stored)  # always pay for one scrypt
        if row is None or not matches or row._mapping["disabled"]:
            return None
        return _record(row)

    async def set_role(self, username: str, role: str) -> UserRecord:
        check_role(role)
        return await self._update(username, role=role)

    async def set_password(self, username: str, password: str) -> UserRecord:
        check_new_password(password)
        return await self._update(username, password_hash=hash_password(password))

    async def disable(self, username: str) -> UserRecord:
        return await self._update(username, disabled=True)

    async def enable(self, username: str) -> UserRecord:
        return await self._update(username, disabled=False)

    async def _update(self, username: str, **values: object) -> UserRecord:
        statement = (
            update(users)
            .where(users.c.username == username)
            .values(**values, updated_at=self._clock())
            .returning(*users.c)
        )
        async with self._db.transaction() as connection:
            row = (await connection.execute(statement)).first()
        if row is None:
            raise NotFoundError("user", username)
        return _record(row)
