"""The Klaviyo client against the emulator over real HTTP: JSON:API profiles with consent
(batched, paged), events deduplicated by ``unique_id``, and Klaviyo's auth and error bodies."""

from __future__ import annotations

import httpx
import pytest

from settings import Settings
from tools.email import EmailProviderError, FlowMessage, KlaviyoClient
from tools.email.klaviyo import REVISION, SANDBOX_API_KEY, SANDBOX_PATH, build_email_provider
from tools.sandbox import SandboxServer
from tools.sandbox.klaviyo import KlaviyoEmulator


def klaviyo(sandbox: SandboxServer) -> KlaviyoEmulator:
    emulator = sandbox.sandbox.emulators["klaviyo"]
    assert isinstance(emulator, KlaviyoEmulator)
    return emulator


def client(sandbox: SandboxServer, key: str = SANDBOX_API_KEY) -> KlaviyoClient:
    return KlaviyoClient(sandbox.url + SANDBOX_PATH, key, mode="sandbox")


async def test_consent_of_many_addresses_is_batched_and_paged(sandbox: SandboxServer) -> None:
    store = klaviyo(sandbox).store
    emails = [f"bulk{i:03}@example.com" for i in range(230)]
    for email in emails:
        store.add_profile(email, consent="SUBSCRIBED")
    provider = client(sandbox)
    try:
        found = await provider.consents([*emails, "emma.bakker@example.com", "nobody@example.com"])
    finally:
        await provider.aclose()
    assert len(found) == 231
    assert all(found[e].can_receive for e in emails)
    emma = found["emma.bakker@example.com"]
    assert (emma.consent, emma.suppressions, emma.can_receive) == (
        "UNSUBSCRIBED",
        ["USER_SUPPRESSED"],
        False,
    )
    assert "nobody@example.com" not in found


async def test_an_event_is_kept_once_per_unique_id_and_starts_its_flow(
    sandbox: SandboxServer,
) -> None:
    provider = client(sandbox)
    message = FlowMessage(
        metric="Royal Win Back", email="Liam.Peeters@example.com", properties={"n": 1}
    )
    try:
        for _ in range(3):
            await provider.send(message, idempotency_key="key-1")
        await provider.send(
            message.model_copy(update={"email": "sofia.rossi@example.com"}), idempotency_key="k2"
        )
    finally:
        await provider.aclose()
    counts = sandbox.sandbox.ledger.counts()
    assert counts.get("klaviyo.event.create") == 2
    assert counts.get("klaviyo.email.send") == 1  # Sofia's address hard-bounced
    emails = klaviyo(sandbox).store.emails
    assert [(e.email, e.flow, e.skipped) for e in emails] == [
        ("liam.peeters@example.com", "Win-back", None),
        ("sofia.rossi@example.com", "Win-back", "suppressed: HARD_BOUNCE"),
    ]


async def test_a_wrong_key_is_an_error_that_explains_itself(sandbox: SandboxServer) -> None:
    provider = client(sandbox, key="pk_wrong")
    with pytest.raises(EmailProviderError, match="HTTP 401: Incorrect authentication"):
        await provider.consents(["ann@example.com"])
    await provider.aclose()


async def test_the_wire_format_needs_klaviyos_headers(sandbox: SandboxServer) -> None:
    url = f"{sandbox.url}{SANDBOX_PATH}/profiles"
    async with httpx.AsyncClient() as http:
        basic = await http.get(url, headers={"Authorization": f"Bearer {SANDBOX_API_KEY}"})
        no_revision = await http.get(
            url, headers={"Authorization": f"Klaviyo-API-Key {SANDBOX_API_KEY}"}
        )
        headers = {"Authorization": f"Klaviyo-API-Key {SANDBOX_API_KEY}", "revision": REVISION}
        bad_event = await http.post(
            f"{sandbox.url}{SANDBOX_PATH}/events", headers=headers, json={"data": {"type": "x"}}
        )
        page = await http.get(url, headers=headers, params={"page[size]": 5})
    assert basic.status_code == 401
    assert basic.json()["errors"][0]["code"] == "not_authenticated"
    assert no_revision.status_code == 400
    assert bad_event.status_code == 400
    assert bad_event.json()["errors"][0]["source"]["pointer"] == "/data/type"
    body = page.json()
    assert page.headers["content-type"].startswith("application/vnd.api+json")
    assert [p["type"] for p in body["data"]] == ["profile"] * 5
    assert "subscriptions" not in body["data"][0]["attributes"]  # only when asked for
    assert body["links"]["next"]


def test_the_sandbox_is_the_default_and_a_key_selects_klaviyo() -> None:
    assert build_email_provider(Settings()).mode == "sandbox"
    real = build_email_provider(Settings(klaviyo_api_key="pk_live"))
    assert (real.mode, real.base_url) == ("real", "https://a.klaviyo.com/api")
