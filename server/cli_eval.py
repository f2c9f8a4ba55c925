"""``royal eval``: run the evaluation suites over recorded cassettes (or re-record them)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated

import typer

from server.cli_common import console, fail


def eval_command(
    suites: Annotated[
        list[str] | None, typer.Argument(help="Suite names or files (default: every suite).")
    ] = None,
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="Re-record the cassettes: from the real services and model when configured, "
            "otherwise from the sandbox and the scripted model server.",
        ),
    ] = False,
    baseline: Annotated[
        Path | None, typer.Option(help="An earlier report.json to compare with.")
    ] = None,
    min_pass_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Exit 1 below this share of passing cases.")
    ] = 1.0,
    out: Annotated[Path, typer.Option(help="Where report.json and report.html go.")] = Path(
        "eval-report"
    ),
    cassettes: Annotated[
        Path | None, typer.Option(help="Cassette directory (default: evals/cassettes).")
    ] = None,
) -> None:
    """Score whole multi-agent runs (routing, trajectory, approvals, final state, invariants)."""
    started = time.perf_counter()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from evals.case import SuiteFileError, suite_paths
    from evals.report import write_reports
    from evals.runner import CASSETTES_DIR
    from evals.suite_run import EvalOptions, case_count, run_suites

    try:
        paths = suite_paths(suites or None)
        total = case_count(paths)
    except SuiteFileError as exc:
        raise fail(str(exc)) from None
    if not paths:
        raise fail("no suites found")
    options = EvalOptions(record=record, cassettes=cassettes or CASSETTES_DIR)
    with Progress(
        TextColumn("[bold]eval[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("starting", total=total)

        def advance(name: str) -> None:
            bar.update(task, advance=1, description=name)

        report = asyncio.run(run_suites(paths, options, progress=advance, baseline=baseline))
    json_path, html_path = write_reports(report, out)
    for case in report.cases:
        if not case.passed:
            failed = [s for s in case.scores if s.passed is False]
            reasons = "; ".join(f"{s.name}: {s.reason}" for s in failed)
            console.print(f"[red]FAIL[/] {case.key}: {case.error or reasons}")
    rate = report.pass_rate
    console.print(
        f"{sum(c.passed for c in report.cases)}/{len(report.cases)} cases passed "
        f"({rate:.0%}, {report.header.mode} mode); report: {html_path} and {json_path}"
    )
    tickets = report.aggregates.get("support_tickets")
    if tickets:
        share = report.aggregates.get("support_auto_handled_share")
        console.print(
            f"support tickets handled without a person: "
            f"{report.aggregates.get('support_auto_handled')} of {tickets} "
            f"({share:.0%}; the seeds' target is 80%)"
            if isinstance(share, float)
            else ""
        )
    if report.comparison is not None:
        comp = report.comparison
        console.print(
            f"against the baseline: {len(comp.regressions)} regression(s) "
            f"{comp.regressions or ''}, {len(comp.improvements)} improvement(s)"
        )
    console.print(f"Total time: {time.perf_counter() - started:.1f}s")
    invariant = report.invariant_failures
    if invariant:
        raise fail(f"policy invariants failed in: {', '.join(invariant)}", code=1)
    if rate < min_pass_rate:
        raise fail(f"pass rate {rate:.0%} is below the required {min_pass_rate:.0%}", code=1)
