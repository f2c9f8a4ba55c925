"""``build_suppliers`` picks the real API per supplier when its credential is set."""

from __future__ import annotations

import pytest

from settings import Settings
from tools.suppliers import CJSupplier, PrintfulSupplier, Supplier, build_suppliers


async def test_without_credentials_every_supplier_is_the_sandbox() -> None:
    suppliers = build_suppliers(Settings(), sandbox_url="http://127.0.0.1:9999/")
    try:
        assert set(suppliers) == {"cjdropshipping", "printful"}
        assert all(isinstance(s, Supplier) for s in suppliers.values())
        cj, printful = suppliers["cjdropshipping"], suppliers["printful"]
        assert isinstance(cj, CJSupplier)
        assert isinstance(printful, PrintfulSupplier)
        assert cj.base_url == "http://127.0.0.1:9999/cj/api2.0/v1"
        assert printful.base_url == "http://127.0.0.1:9999/printful"
        assert (cj.mode, printful.mode) == ("sandbox", "sandbox")
    finally:
        for supplier in suppliers.values():
            await supplier.aclose()


async def test_the_sandbox_url_defaults_to_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROYAL_SANDBOX_PORT", "8123")
    suppliers = build_suppliers(Settings())
    cj = suppliers["cjdropshipping"]
    assert isinstance(cj, CJSupplier)
    assert cj.base_url == "http://127.0.0.1:8123/cj/api2.0/v1"
    for supplier in suppliers.values():
        await supplier.aclose()


async def test_each_credential_switches_only_its_supplier_to_real(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CJ_API_KEY", "real-cj-key")
    suppliers = build_suppliers(Settings())
    cj, printful = suppliers["cjdropshipping"], suppliers["printful"]
    assert isinstance(cj, CJSupplier)
    assert isinstance(printful, PrintfulSupplier)
    assert cj.mode == "real"
    assert cj.base_url == "https://developers.cjdropshipping.com/api2.0/v1"
    assert cj.client.requests_per_second == 1.0  # a Free-level account until told otherwise
    assert printful.mode == "sandbox"
    assert "real-cj-key" not in repr(cj.client.__dict__)
    for supplier in suppliers.values():
        await supplier.aclose()


async def test_printful_real_mode_carries_the_store_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRINTFUL_TOKEN", "pf-real")
    monkeypatch.setenv("PRINTFUL_STORE_ID", "4242")
    suppliers = build_suppliers(Settings())
    printful = suppliers["printful"]
    assert isinstance(printful, PrintfulSupplier)
    assert (printful.mode, printful.base_url) == ("real", "https://api.printful.com")
    assert printful.client.requests_per_minute == 120
    for supplier in suppliers.values():
        await supplier.aclose()
