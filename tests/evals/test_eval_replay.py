"""The shipped suites in replay mode (the CI gate), and what replay refuses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from evals.case import SuiteFileError, load_suite, suite_paths
from evals.report import Report
from evals.runner import CASSETTES_DIR, RunOptions, run_case
from server.cli import app

pytestmark = pytest.mark.slow


@pytest.mark.timeout(300)  # 43 cases; a shared, loaded machine takes over two minutes
def test_royal_eval_passes_every_shipped_suite_in_replay(tmp_path: Path) -> None:
    """No sandbox, no model server, no network (pytest-socket allows loopback only, and the
    cassettes name sandbox.test and model.test, which never resolve)."""
    result = CliRunner().invoke(app, ["eval", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Total time:" in result.output
    report = Report.model_validate_json((tmp_path / "report.json").read_text())
    assert report.header.mode == "replay"
    assert len(report.cases) >= 25
    assert report.pass_rate == 1.0
    assert not report.invariant_failures
    assert all(case.cassette_sha256 for case in report.cases)
    assert report.aggregates["approval_precision"] == 1.0
    assert report.aggregates["approval_recall"] == 1.0
    tokens = {case.case_id: case.tokens for case in report.cases}
    assert tokens["jump_rope_left_pending"] > 0  # spent before the interrupt, still counted
    assert tokens["multi_turn_clarify_then_publish"] > tokens["mug_proven_supplier"]  # 2 turns
    assert tokens["budget_99"] == 0  # a gate probe calls no model


def _copy_case(tmp_path: Path, suite: str, case_id: str) -> tuple[Path, Path]:
    """One shipped case (suite file with just it) and its cassette, copied to edit freely."""
    source = next(p for p in suite_paths() if p.stem == suite)
    data = yaml.safe_load(source.read_text())
    data["cases"] = [c for c in data["cases"] if c["id"] == case_id]
    suite_file = tmp_path / f"{suite}.yaml"
    suite_file.write_text(yaml.safe_dump(data, sort_keys=False))
    cassettes = tmp_path / "cassettes"
    (cassettes / suite).mkdir(parents=True)
    shutil.copy(CASSETTES_DIR / suite / f"{case_id}.yaml", cassettes / suite / f"{case_id}.yaml")
    return suite_file, cassettes / suite / f"{case_id}.yaml"


async def test_replay_fails_loudly_on_an_unrecorded_request(tmp_path: Path) -> None:
    suite_file, cassette = _copy_case(tmp_path, "product_pipeline", "mug_proven_supplier")
    data = yaml.safe_load(cassette.read_text())
    # The store's product search is no longer recorded: the run's request finds no answer.
    data["interactions"] = [
        i for i in data["interactions"] if "printful/products?" not in i["request"]["uri"]
    ]
    cassette.write_text(yaml.safe_dump(data))
    suite = load_suite(suite_file)
    run = await run_case(
        suite, suite.cases[0], RunOptions(cassettes=tmp_path / "cassettes", workdir=tmp_path)
    )
    assert any(
        p.startswith("unrecorded request: GET http://sandbox.test/printful/products")
        for p in run.problems
    ), run.problems


async def test_replay_fails_loudly_on_an_unused_recorded_interaction(tmp_path: Path) -> None:
    suite_file, cassette = _copy_case(tmp_path, "product_pipeline", "blanket_low_margin_rejected")
    data = yaml.safe_load(cassette.read_text())
    extra = dict(data["interactions"][0])
    extra["request"] = {**extra["request"], "uri": "http://sandbox.test/github/never-called"}
    data["interactions"].append(extra)
    cassette.write_text(yaml.safe_dump(data))
    suite = load_suite(suite_file)
    run = await run_case(
        suite, suite.cases[0], RunOptions(cassettes=tmp_path / "cassettes", workdir=tmp_path)
    )
    assert run.error is None
    assert any(
        "1 recorded interaction(s) never used" in p and "never-called" in p for p in run.problems
    ), run.problems


def test_royal_eval_exits_non_zero_on_an_unused_interaction(tmp_path: Path) -> None:
    suite_file, cassette = _copy_case(tmp_path, "product_pipeline", "blanket_low_margin_rejected")
    data = yaml.safe_load(cassette.read_text())
    extra = dict(data["interactions"][0])
    extra["request"] = {**extra["request"], "uri": "http://sandbox.test/github/never-called"}
    data["interactions"].append(extra)
    cassette.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(
        app,
        [
            "eval",
            str(suite_file),
            "--cassettes",
            str(tmp_path / "cassettes"),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 1
    assert "policy invariants failed" in result.output


def test_a_bad_suite_file_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "suite: bad\nversion: 1\ndescription: x\ncases:\n"
        "  - id: one\n    description: y\n    turns: [hi]\n"
        "    expect:\n      trajectory:\n        mode: sideways\n"
    )
    with pytest.raises(SuiteFileError) as raised:
        load_suite(bad)
    message = str(raised.value)
    assert f"{bad}:10: cases.0.expect.trajectory.mode:" in message
