"""Issue 11's proof, on SQLite and PostgreSQL: two separate processes fetching CJdropshipping
catalog results within a minute both succeed, and the sandbox issued one access token (CJ, like
its emulator, issues one per five minutes per key); the stored token is sealed."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from settings import Settings
from storage.credentials import CredentialStore, CredentialUnreadableError
from storage.credentials_schema import credentials
from storage.crypto import Keyring, generate_key, keyring_from_settings
from storage.engine import Database
from tests.integration.pipeline_support import database_for, point_at
from tests.integration.storage_support import BACKENDS
from tools.sandbox import SandboxServer
from tools.sandbox.cj import CJEmulator
from tools.suppliers.cj.client import CREDENTIAL_PROVIDER

ROOT = Path(__file__).resolve().parents[2]


async def run_process(env: dict[str, str]) -> dict[str, object]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.credentials_process",
        "yoga mat",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()[-2000:]
    answer: dict[str, object] = json.loads(out.decode().strip().splitlines()[-1])
    return answer


@pytest.fixture(params=BACKENDS)
def settings(
    request: pytest.FixtureRequest,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    return point_at(monkeypatch, sandbox, database_for(request, tmp_path))


async def test_two_processes_share_one_cj_token(settings: Settings, sandbox: SandboxServer) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env["PYTHONPATH"] = str(ROOT)
    first, second = await asyncio.gather(run_process(env), run_process(env))
    assert [first.get("error"), second.get("error")] == [None, None], (first, second)
    assert first["items"]
    assert second["items"]
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        stats = (await http.get("/_sandbox/cj/stats")).json()
    assert stats["getAccessToken"] == 1
    assert stats.get("throttled", 0) == 0
    assert stats["calls.product/listV2"] >= 2  # both processes searched with that one token

    emulator = sandbox.sandbox.emulators["cj"]
    assert isinstance(emulator, CJEmulator)
    (issued,) = emulator.gate._access  # the one token the emulator handed out
    async with Database.from_settings(settings) as database:
        async with database.read() as connection:
            (row,) = (
                await connection.execute(
                    select(credentials).where(credentials.c.provider == CREDENTIAL_PROVIDER)
                )
            ).all()
        assert issued.encode() not in bytes(row.ciphertext)
        assert issued.split(":")[-1].encode() not in bytes(row.ciphertext)
        with pytest.raises(CredentialUnreadableError):
            await CredentialStore(database, Keyring.from_string(generate_key())).get(
                row.provider, row.account
            )
        opened = await CredentialStore(database, keyring_from_settings(settings)).get(
            row.provider, row.account
        )
    assert opened is not None
    assert opened.value("access_token") == issued
