"""The HTML report in a real browser, with a routing rule broken on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import graphs.ceo
import graphs.product
from evals.case import suite_paths
from evals.report import Report
from evals.runner import CASSETTES_DIR
from server.cli import app

CHROMIUM = Path("/usr/bin/chromium")
CASE = "mug_proven_supplier"


def _one_case_suite(tmp_path: Path) -> tuple[Path, Path]:
    source = next(p for p in suite_paths() if p.stem == "product_pipeline")
    data = yaml.safe_load(source.read_text())
    data["cases"] = [c for c in data["cases"] if c["id"] == CASE]
    suite_file = tmp_path / "product_pipeline.yaml"
    suite_file.write_text(yaml.safe_dump(data, sort_keys=False))
    cassettes = tmp_path / "cassettes"
    (cassettes / "product_pipeline").mkdir(parents=True)
    shutil.copy(CASSETTES_DIR / "product_pipeline" / f"{CASE}.yaml", cassettes / "product_pipeline")
    return suite_file, cassettes


def test_broken_routing_rule_shows_in_the_html_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The broken rule: the CEO decision never routes approved products to `publish`. The
    # runtime serves the graph langgraph.json names, so the CEO graph is rebuilt with it.
    monkeypatch.setattr(graphs.product, "route_approved", lambda state: "report")
    monkeypatch.setattr(graphs.ceo, "graph", graphs.ceo.build_ceo_graph().compile(name="ceo"))
    suite_file, cassettes = _one_case_suite(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["eval", str(suite_file), "--cassettes", str(cassettes), "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert f"FAIL product_pipeline/{CASE}" in result.output
    report = Report.model_validate_json((out / "report.json").read_text())
    (case,) = report.cases
    assert not case.passed
    assert case.trajectory["missing"] == ["shopify_create_and_publish_product"]

    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install -y chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            page.goto((out / "report.html").as_uri())
            assert page.title() == "Royal eval report"
            row = page.locator("tr.fail", has_text=f"product_pipeline/{CASE}")
            assert row.count() == 1
            diff = page.locator(f'[id="diff-product_pipeline/{CASE}"]')
            assert diff.is_visible()
            text = diff.inner_text()
            assert "missing calls: shopify_create_and_publish_product" in text
            assert "Trajectory diff: product_pipeline/mug_proven_supplier" in text
        finally:
            browser.close()
