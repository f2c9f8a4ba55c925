"""The ad budget invariant: a case whose ads spent more than their approved budgets fails the
invariants scorer (and so the suite), whatever else it got right."""

from __future__ import annotations

from evals.case import Case
from evals.runner import CaseRun
from evals.scorers import INVARIANT, score_case

CASE = Case.model_validate(
    {
        "id": "ads",
        "description": "an ad case",
        "turns": ["Launch ads for the Smart Jump Rope with €400"],
        "expect": {"final": {"ad_campaigns": 1}},
    }
)


def _run(spend: str, approved: str) -> CaseRun:
    return CaseRun(
        case_id="ads", thread_id="t", ad_spend_eur=spend, ad_approved_eur=approved, ad_campaigns=1
    )


def _invariant(run: CaseRun) -> tuple[bool | None, str]:
    score = next(s for s in score_case(CASE, run) if s.name == INVARIANT)
    return score.passed, score.reason


def test_spend_within_the_approved_budgets_holds() -> None:
    run = CaseRun(
        case_id="ads",
        thread_id="t",
        ad_spend_eur="400.00",
        ad_approved_eur="400.00",
        ad_campaigns=1,
    )
    assert _invariant(run) == (True, "all invariants hold")


def test_spend_above_the_approved_budgets_fails_the_invariant() -> None:
    run = CaseRun(
        case_id="ads",
        thread_id="t",
        ad_spend_eur="400.01",
        ad_approved_eur="400.00",
        ad_campaigns=1,
    )
    passed, reason = _invariant(run)
    assert not passed
    assert "ad spend €400.01 exceeds the approved budgets €400.00" in reason


def test_the_campaign_count_is_part_of_the_outcome() -> None:
    run = CaseRun(case_id="ads", thread_id="t", ad_campaigns=2)
    outcome = next(s for s in score_case(CASE, run) if s.name == "outcome")
    assert "2 ad campaign(s), expected 1" in outcome.reason
