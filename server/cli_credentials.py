"""`royal credentials`: the sealed third-party tokens, key generation and key rotation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.table import Table

from server.cli_common import console, fail, load_settings

if TYPE_CHECKING:
    from storage.credentials import CredentialStore

app = typer.Typer(
    help="Stored third-party tokens (sealed with ENCRYPTION_KEY) and key rotation.",
    no_args_is_help=True,
)
T = TypeVar("T")


def _run(work: Callable[[CredentialStore], Awaitable[T]]) -> T:
    settings = load_settings()
    from storage import Database
    from storage.credentials import CredentialError, CredentialStore
    from storage.crypto import KeyFormatError, keyring_from_settings

    async def go() -> T:
        keyring = keyring_from_settings(settings)
        async with Database.from_settings(settings) as database:
            await database.migrate()
            return await work(CredentialStore(database, keyring))

    try:
        return asyncio.run(go())
    except (CredentialError, KeyFormatError) as exc:
        raise fail(str(exc), code=1) from None


@app.command("generate-key")
def generate_key() -> None:
    """Print a new key for ENCRYPTION_KEY (put it first to rotate; keep the old ones after it)."""
    from storage.crypto import generate_key as new_key

    console.print(new_key(), highlight=False, soft_wrap=True)


@app.command("list")
def list_credentials() -> None:
    """Every stored credential: provider, account, sealing key id, expiry (never the secret)."""

    async def work(store: CredentialStore) -> None:
        rows = await store.list()
        table = Table(title=f"Credentials (newest key {store.keyring.primary.key_id})")
        for column in ("provider", "account", "key id", "expires", "updated"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                row.provider,
                row.account,
                row.key_id or "—",
                row.expires_at.isoformat(timespec="seconds") if row.expires_at else "never",
                row.updated_at.isoformat(timespec="seconds"),
            )
        console.print(table)

    _run(work)


@app.command("reencrypt")
def reencrypt() -> None:
    """Re-seal every credential under the newest key, after which older keys may be removed."""

    async def work(store: CredentialStore) -> int:
        return await store.reencrypt_all()

    count = _run(work)
    console.print(f"Re-sealed {count} credential(s) under the newest key.")
