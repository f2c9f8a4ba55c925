"""Run suites of cases and build the report: the engine behind ``royal eval``."""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from evals.case import load_suite
from evals.cassettes import cassette_digest, read_label
from evals.judges import judge, judges_available
from evals.report import CaseResult, Header, Report, aggregate, compare
from evals.runner import CASSETTES_DIR, Recording, RunOptions, cassette_path, run_case
from evals.scorers import score_case, trajectory_diff
from prompts import prompt_versions
from settings import Settings, get_settings

Progress = Callable[[str], None]


@dataclass
class EvalOptions:
    record: bool = False
    cassettes: Path = CASSETTES_DIR
    settings: Settings | None = None
    judges: bool = True


def git_commit(cwd: Path | None = None) -> str | None:
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=cwd or Path(__file__).parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], capture_output=True, text=True, cwd=cwd
    ).stdout.strip()
    return found.stdout.strip() + ("+dirty" if dirty else "")


@contextmanager
def recording_from(settings: Settings) -> Iterator[Recording]:
    """The sandbox and the scripted model server, for whatever is not configured for real."""
    from evals.model_server import ModelServer
    from tools.sandbox import Sandbox, SandboxServer

    with ExitStack() as stack:
        services = (
            settings.shopify_mode,
            settings.github_mode,
            settings.cj_mode,
            settings.printful_mode,
        )
        sandbox = None
        if any(mode.value == "sandbox" for mode in services):
            sandbox = stack.enter_context(SandboxServer(Sandbox(seed=settings.royal_sandbox_seed)))
        real_model = settings.openai_api_key is not None
        model_url = None
        if not real_model:
            server = ModelServer()
            stack.enter_context(server)
            model_url = server.base_url
        yield Recording(
            sandbox=sandbox, model_base_url=model_url, real_model=real_model, settings=settings
        )


async def run_suites(
    paths: list[Path],
    options: EvalOptions,
    *,
    progress: Progress | None = None,
    baseline: Path | None = None,
) -> Report:
    started = time.perf_counter()
    settings = options.settings or get_settings()
    suites = [load_suite(path) for path in paths]
    results: list[CaseResult] = []
    judge_note = judges_available(settings) if options.judges else "skipped: disabled"
    with ExitStack() as stack:
        recording = stack.enter_context(recording_from(settings)) if options.record else None
        # Each case's data directory lives here, removed with the run (~70 MB for all suites).
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="royal-eval-")))
        run_options = RunOptions(
            record=options.record,
            cassettes=options.cassettes,
            recording=recording,
            workdir=workdir,
        )
        for suite in suites:
            for case in suite.cases:
                run = await run_case(suite, case, run_options)
                scores = score_case(case, run)
                judged = []
                if judge_note is None and not run.error:
                    judged = await judge(case, run, settings)
                path = cassette_path(run_options, suite, case)
                results.append(
                    CaseResult(
                        suite=suite.suite,
                        case_id=case.id,
                        description=case.description,
                        passed=all(s.passed is not False for s in scores),
                        scores=scores,
                        judges=judged,
                        trajectory=trajectory_diff(case, run)
                        if case.expect.trajectory is not None
                        else {},
                        interrupts=[i.model_dump(mode="json") for i in run.interrupts],
                        error=run.error,
                        tokens=run.tokens,
                        cost_eur=run.cost_eur,
                        latency_s=run.latency_s,
                        cassette=str(path),
                        cassette_sha256=cassette_digest(path),
                    )
                )
                if progress is not None:
                    progress(f"{suite.suite}/{case.id}")
    labels = [read_label(Path(r.cassette)) for r in results]
    models = next((label for label in labels if label), {})
    report = Report(
        header=Header(
            commit=git_commit(),
            mode="record" if options.record else "replay",
            suites={suite.suite: suite.version for suite in suites},
            models={
                "recorded_with": models.get("recorded_with"),
                "models": models.get("models"),
                "base_url": models.get("model_base_url"),
            },
            prompts=prompt_versions(),
            cassettes={f"{r.suite}/{r.case_id}": r.cassette_sha256 for r in results},
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            judges=judge_note or "run (reported separately; never part of the pass rate)",
        ),
        cases=results,
    )
    report.aggregates = aggregate(results)
    if baseline is not None:
        report.comparison = compare(report, baseline)
    report.header.duration_s = round(time.perf_counter() - started, 2)
    return report


def case_count(paths: list[Path]) -> int:
    return sum(len(load_suite(path).cases) for path in paths)
