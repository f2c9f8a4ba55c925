"""The dashboard's customer-service card shows the cluster's figures (auto-handled share,
median first response, refunds today) as the Support page counts them, and says so when the
helpdesk does not answer."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.console.conftest import Console, console, viewer
from tests.console.test_console_support import _answer
from tools.sandbox import FaultSettings

__all__ = ["console", "viewer"]


def test_the_customer_service_card_shows_the_support_figures(
    console: Console, viewer: Page
) -> None:
    _answer(console, "wismo")
    _answer(console, "chargeback")
    viewer.goto(f"{console.url}/console/")
    card = viewer.locator("#support-card")
    expect(card.locator("#card-auto-share")).to_have_text("50% (1 of 2)")
    expect(card.locator("#card-first-response")).to_contain_text("min")
    expect(card.locator("#card-refunds-today")).to_have_text("0 (€0)")

    console.sandbox.sandbox.faults.set("zendesk", FaultSettings(outage=True))
    try:
        viewer.goto(f"{console.url}/console/")
        expect(viewer.locator("#support-card-error")).to_contain_text("Zendesk did not answer")
    finally:
        console.sandbox.sandbox.faults.set("zendesk", FaultSettings())
