"""Re-recording against the sandbox and the scripted model server reproduces the cassettes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml

from evals.case import suite_paths
from evals.cassettes import normalised_interactions, read_label
from evals.runner import CASSETTES_DIR
from evals.suite_run import EvalOptions, run_suites
from settings import Settings

CASES = ("mug_proven_supplier", "jump_rope_modified_price", "price_change_21pct_approved")


async def test_re_recording_reproduces_equivalent_cassettes(tmp_path: Path) -> None:
    source = next(p for p in suite_paths() if p.stem == "product_pipeline")
    data = yaml.safe_load(source.read_text())
    data["cases"] = [c for c in data["cases"] if c["id"] in CASES]
    suite_file = tmp_path / "product_pipeline.yaml"
    suite_file.write_text(yaml.safe_dump(data, sort_keys=False))
    cassettes = tmp_path / "cassettes"

    report = await run_suites(
        [suite_file], EvalOptions(record=True, cassettes=cassettes, settings=Settings())
    )

    assert report.header.mode == "record"
    assert report.pass_rate == 1.0, [c.scores for c in report.cases if not c.passed]
    for case in CASES:
        fresh = cassettes / "product_pipeline" / f"{case}.yaml"
        shipped = CASSETTES_DIR / "product_pipeline" / f"{case}.yaml"
        assert normalised_interactions(fresh) == normalised_interactions(shipped), case
        label = read_label(fresh)
        assert label["recorded_with"] == "scripted model server + royal sandbox"
        shipped_label = read_label(shipped)
        assert label.pop("recorded_at") > shipped_label.pop("recorded_at")  # when, not how
        assert label == shipped_label
        text = fresh.read_text()
        assert "sk-royal-eval-scripted" not in text  # the placeholder key is never stored
        assert "127.0.0.1" not in text  # loopback addresses are rewritten


@pytest.mark.parametrize("path", suite_paths(), ids=lambda p: p.stem)
def test_every_shipped_cassette_is_labelled(path: Path) -> None:
    suite = yaml.safe_load(path.read_text())["suite"]
    for case in yaml.safe_load(path.read_text())["cases"]:
        label = read_label(CASSETTES_DIR / suite / f"{case['id']}.yaml")
        assert label.get("recorded_with"), case["id"]


async def test_an_eval_run_leaves_no_working_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each case runs in its own data directory; the run removes them all when it ends."""
    source = next(p for p in suite_paths() if p.stem == "product_pipeline")
    data = yaml.safe_load(source.read_text())
    data["cases"] = [c for c in data["cases"] if c["id"] == CASES[0]]
    suite_file = tmp_path / "product_pipeline.yaml"
    suite_file.write_text(yaml.safe_dump(data, sort_keys=False))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    report = await run_suites(
        [suite_file], EvalOptions(cassettes=CASSETTES_DIR, settings=Settings())
    )

    assert report.pass_rate == 1.0, [c.scores for c in report.cases if not c.passed]
    assert list(scratch.glob("royal-eval-*")) == []
