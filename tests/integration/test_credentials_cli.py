"""`royal credentials`: a new key, the stored rows without secrets, re-sealing after rotation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from storage.credentials import CredentialStore, NewSecret
from storage.crypto import Keyring, generate_key, parse_keys
from storage.engine import Database


def royal(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "credentials", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200", **env},
        check=False,
    )


async def test_rotate_list_and_reencrypt(tmp_path: Path) -> None:
    printed = royal("generate-key", env={}).stdout.strip()
    assert len(parse_keys(printed)) == 1

    old, new = generate_key(), generate_key()
    data = tmp_path / "data"
    async with Database(f"sqlite:///{data / 'royal.sqlite3'}") as database:
        await database.migrate()
        store = CredentialStore(database, Keyring.from_string(old))
        await store.put("shopify.oauth", "acme.myshopify.com", NewSecret.of({"access_token": "T"}))

    env = {"ROYAL_DATA_DIR": str(data), "ENCRYPTION_KEY": f"{new},{old}"}
    listing = royal("list", env=env)
    assert listing.returncode == 0, listing.stderr
    assert "acme.myshopify.com" in listing.stdout
    assert Keyring.from_string(old).primary.key_id in listing.stdout
    assert "T " not in listing.stdout.replace("\u2502", " ")
    done = royal("reencrypt", env=env)
    assert done.returncode == 0, done.stderr
    assert "Re-sealed 1 credential(s)" in done.stdout

    only_new = royal("list", env={**env, "ENCRYPTION_KEY": new})
    assert Keyring.from_string(new).primary.key_id in only_new.stdout
    wrong_key = royal("reencrypt", env={**env, "ENCRYPTION_KEY": generate_key()})
    assert wrong_key.returncode == 1
    assert wrong_key.stderr.count("\n") == 1
    assert "not in ENCRYPTION_KEY" in wrong_key.stderr
    assert "Traceback" not in wrong_key.stderr
