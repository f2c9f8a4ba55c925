"""The eval report: JSON for machines and baselines, one self-contained HTML page for people."""

from __future__ import annotations

import html
import json
import statistics
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, JsonValue

from evals.scorers import INVARIANT, Score
from nodes.customer_service.actions import HANDOFF_TOOL, REPLY_TOOL


class CaseResult(BaseModel):
    suite: str
    case_id: str
    description: str
    passed: bool
    scores: list[Score]
    judges: list[Score] = Field(default_factory=list)
    trajectory: dict[str, JsonValue] = Field(default_factory=dict)
    interrupts: list[dict[str, JsonValue]] = Field(default_factory=list)
    error: str | None = None
    tokens: int = 0
    cost_eur: str = "0"
    latency_s: float = 0.0
    cassette: str
    cassette_sha256: str | None = None

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.case_id}"

    @property
    def invariant_failed(self) -> bool:
        return any(s.name == INVARIANT and s.passed is False for s in self.scores)


class Header(BaseModel):
    commit: str | None
    mode: str
    suites: dict[str, int] = Field(description="suite -> version")
    models: dict[str, JsonValue]
    prompts: dict[str, str]
    cassettes: dict[str, str | None]
    started_at: str
    duration_s: float = 0.0
    judges: str


class Comparison(BaseModel):
    baseline: str
    regressions: list[str] = Field(default_factory=list)
    improvements: list[str] = Field(default_factory=list)
    new: list[str] = Field(default_factory=list)
    score_changes: dict[str, dict[str, str]] = Field(default_factory=dict)


class Report(BaseModel):
    header: Header
    cases: list[CaseResult]
    aggregates: dict[str, JsonValue] = Field(default_factory=dict)
    comparison: Comparison | None = None

    @property
    def pass_rate(self) -> float:
        return sum(c.passed for c in self.cases) / len(self.cases) if self.cases else 0.0

    @property
    def invariant_failures(self) -> list[str]:
        return [c.key for c in self.cases if c.invariant_failed]


def aggregate(cases: list[CaseResult]) -> dict[str, JsonValue]:
    """Pass rate per scorer, approval precision/recall, tokens, cost and latency."""
    per_scorer: dict[str, list[bool]] = {}
    tp = fp = fn = 0
    for case in cases:
        for score in case.scores:
            if score.passed is not None:
                per_scorer.setdefault(score.name, []).append(score.passed)
            if score.name == "approvals":
                tp += _int(score.details.get("tp"))
                fp += _int(score.details.get("fp"))
                fn += _int(score.details.get("fn"))
    latencies = sorted(c.latency_s for c in cases) or [0.0]
    return {
        "cases": len(cases),
        "passed": sum(c.passed for c in cases),
        "pass_rate": round(sum(c.passed for c in cases) / len(cases), 4) if cases else 0.0,
        "scorers": {
            name: round(sum(values) / len(values), 4) for name, values in per_scorer.items()
        },
        "approval_precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "approval_recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "tokens": sum(c.tokens for c in cases),
        "cost_eur": str(sum((Decimal(c.cost_eur) for c in cases), Decimal(0))),
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_max_s": round(latencies[-1], 3),
        **support_share(cases),
    }


def support_share(cases: list[CaseResult]) -> dict[str, JsonValue]:
    """Helpdesk tickets the cases' runs answered without a person, out of all they handled
    (replies vs hand-offs); empty when no case handled a ticket."""
    tools = [
        str(call.get("tool"))
        for case in cases
        for call in _items(case.trajectory.get("actual"))
        if isinstance(call, dict)
    ]
    answered, handed = tools.count(REPLY_TOOL), tools.count(HANDOFF_TOOL)
    if not answered + handed:
        return {}
    return {
        "support_tickets": answered + handed,
        "support_auto_handled": answered,
        "support_auto_handled_share": round(answered / (answered + handed), 4),
    }


def _int(value: JsonValue) -> int:
    return value if isinstance(value, int) else 0


def _items(value: JsonValue) -> list[JsonValue]:
    return value if isinstance(value, list) else []


def compare(report: Report, baseline_path: Path) -> Comparison:
    baseline = Report.model_validate_json(baseline_path.read_text(encoding="utf-8"))
    before = {c.key: c for c in baseline.cases}
    comparison = Comparison(baseline=str(baseline_path))
    for case in report.cases:
        old = before.get(case.key)
        if old is None:
            comparison.new.append(case.key)
            continue
        if old.passed and not case.passed:
            comparison.regressions.append(case.key)
        elif case.passed and not old.passed:
            comparison.improvements.append(case.key)
        old_scores = {s.name: s.passed for s in old.scores}
        changes = {
            s.name: f"{_mark(old_scores.get(s.name))} -> {_mark(s.passed)}"
            for s in case.scores
            if old_scores.get(s.name) != s.passed
        }
        if changes:
            comparison.score_changes[case.key] = changes
    return comparison


def _mark(value: bool | None) -> str:
    return {True: "pass", False: "fail", None: "n/a"}[value]


def write_reports(report: Report, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / "report.json"
    html_path = directory / "report.html"
    json_path.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0;width:100%}
td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;font-size:.9rem;text-align:left}
.pass{background:#e7f6e7}.fail{background:#fbe3e3}.na{color:#888}
.diff{background:#fafafa;border:1px solid #ddd;padding:.5rem;margin:.5rem 0}
.missing{color:#b00}.extra{color:#a60}.reordered{color:#06a}
code,pre{font-size:.85rem}
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _cell(score: Score) -> str:
    css = {True: "pass", False: "fail", None: "na"}[score.passed]
    reason = _e(score.reason)
    return (
        f'<td class="{css}" title="{reason}">{_mark(score.passed)}<br><small>{reason}</small></td>'
    )


def _diff_html(case: CaseResult) -> str:
    diff = case.trajectory
    if not diff and not case.interrupts:
        return ""
    parts = [f'<div class="diff" id="diff-{_e(case.key)}"><h4>Trajectory diff: {_e(case.key)}</h4>']
    if diff:
        for name, css in (("missing", "missing"), ("extra", "extra")):
            items = _items(diff.get(name))
            if items:
                parts.append(f'<p class="{css}">{name} calls: {_e(", ".join(map(str, items)))}</p>')
        if diff.get("reordered"):
            parts.append('<p class="reordered">calls reordered</p>')
        for difference in _items(diff.get("differences")):
            assert isinstance(difference, dict)
            for arg in _items(difference.get("args")):
                assert isinstance(arg, dict)
                parts.append(
                    f"<p>argument difference in {_e(difference['tool'])}.{_e(arg['field'])}: "
                    f"expected <code>{_e(json.dumps(arg['expected']))}</code>, "
                    f"got <code>{_e(json.dumps(arg['actual']))}</code></p>"
                )
            for problem in _items(difference.get("problems")):
                parts.append(f"<p>{_e(difference['tool'])}: {_e(problem)}</p>")
        parts.append("<table><tr><th>expected</th><th>actual</th></tr>")
        expected = _items(diff.get("expected"))
        actual = _items(diff.get("actual"))
        for index in range(max(len(expected), len(actual))):
            left = expected[index] if index < len(expected) else ""
            right = actual[index] if index < len(actual) else ""
            parts.append(
                f"<tr><td><pre>{_e(json.dumps(left, indent=1))}</pre></td>"
                f"<td><pre>{_e(json.dumps(right, indent=1))}</pre></td></tr>"
            )
        parts.append("</table>")
    if case.interrupts:
        parts.append("<p>Interrupts:</p><ul>")
        for item in case.interrupts:
            parts.append(
                f"<li>{_e(item.get('action'))} via {_e(item.get('tool'))}: "
                f"{_e(item.get('risk_level'))}, rules {_e(item.get('rules'))} "
                f"({_e('; '.join(map(str, _items(item.get('reasons')))))}) → "
                f"decision {_e(item.get('decision') or 'left pending')}</li>"
            )
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def render_html(report: Report) -> str:
    header = report.header
    names: list[str] = []
    for case in report.cases:
        for score in case.scores:
            if score.name not in names:
                names.append(score.name)
    rows = []
    for case in report.cases:
        css = "pass" if case.passed else "fail"
        by_name = {s.name: s for s in case.scores}
        cells = "".join(
            _cell(by_name[n]) if n in by_name else '<td class="na">n/a</td>' for n in names
        )
        judges = "; ".join(f"{j.name}: {j.reason}" for j in case.judges) or "skipped"
        rows.append(
            f'<tr class="{css}"><td><a href="#diff-{_e(case.key)}">{_e(case.key)}</a><br>'
            f"<small>{_e(case.description)}</small></td><td>{'PASS' if case.passed else 'FAIL'}"
            f"{'<br>' + _e(case.error) if case.error else ''}</td>{cells}"
            f"<td>{case.tokens}</td><td>€{_e(case.cost_eur)}</td><td>{case.latency_s:.2f}s</td>"
            f"<td><small>{_e(judges)}</small></td></tr>"
        )
    failing = [c for c in report.cases if not c.passed]
    shown = failing + [c for c in report.cases if c.passed]
    comparison = ""
    if report.comparison is not None:
        comp = report.comparison
        comparison = (
            f"<h2>Baseline comparison</h2><p>against {_e(comp.baseline)}</p>"
            f"<p class='missing'>regressions ({len(comp.regressions)}): "
            f"{_e(', '.join(comp.regressions) or 'none')}</p>"
            f"<p>improvements ({len(comp.improvements)}): "
            f"{_e(', '.join(comp.improvements) or 'none')}</p>"
            f"<p>new cases: {_e(', '.join(comp.new) or 'none')}</p>"
            f"<pre>{_e(json.dumps(comp.score_changes, indent=1))}</pre>"
        )
    head_cells = "".join(f"<th>{_e(n)}</th>" for n in names)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Royal eval report</title>
<style>{_STYLE}</style></head><body>
<h1>Royal eval report</h1>
<table>
<tr><th>commit</th><td>{_e(header.commit)}</td></tr>
<tr><th>mode</th><td>{_e(header.mode)}</td></tr>
<tr><th>suites</th><td>{_e(header.suites)}</td></tr>
<tr><th>models</th><td><pre>{_e(json.dumps(header.models, indent=1))}</pre></td></tr>
<tr><th>prompts</th><td>{_e(header.prompts)}</td></tr>
<tr><th>LLM judges</th><td>{_e(header.judges)}</td></tr>
<tr><th>started</th><td>{_e(header.started_at)} — {header.duration_s:.1f}s in all</td></tr>
</table>
<h2>Aggregates</h2><pre>{_e(json.dumps(report.aggregates, indent=1))}</pre>
{comparison}
<h2>Cases</h2>
<table><tr><th>case</th><th>result</th>{head_cells}<th>tokens</th><th>cost</th><th>latency</th>
<th>judges (separate)</th></tr>
{"".join(rows)}</table>
<h2>Trajectory diffs</h2>
{"".join(_diff_html(c) for c in shown)}
<h2>Cassettes</h2><pre>{_e(json.dumps(header.cassettes, indent=1))}</pre>
</body></html>
"""
