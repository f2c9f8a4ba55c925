"""LLM-as-judge scorers (answer quality, plan adherence): only with a real model configured.

They are reported apart from the deterministic scorers and never decide the pass rate: a
judge's opinion is advice for a human reading the report, not a CI gate.
"""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from evals.case import Case
from evals.runner import CaseRun
from evals.scorers import Score
from settings import Settings
from tools.llm import ModelConfig, chat_model


class Verdict(BaseModel):
    score: float = Field(ge=0, le=1)
    reason: str


_CRITERIA = {
    "answer_quality": "Is the final answer to the operator accurate, complete and clear about "
    "what was done, what waits for approval and what was refused?",
    "plan_adherence": "Did the agents do what the operator asked, within the stated limits, "
    "without extra actions?",
}


def judges_available(settings: Settings) -> str | None:
    """None when judges can run, else why they are skipped."""
    if settings.openai_api_key is None:
        return "skipped: no model configured (set OPENAI_API_KEY to run LLM-as-judge scorers)"
    return None


async def judge(case: Case, run: CaseRun, settings: Settings) -> list[Score]:
    model = chat_model("ceo", ModelConfig.from_settings(settings)).with_structured_output(Verdict)
    scores = []
    for name, question in _CRITERIA.items():
        verdict = await model.ainvoke(
            [
                SystemMessage(f"You grade an AI agent system's run. {question} Score 0..1."),
                HumanMessage(
                    f"Case: {case.description}\nOperator turns: {case.turns}\n"
                    f"Writes: {[c.model_dump(mode='json') for c in run.calls]}\n"
                    f"Final answer:\n{run.reply}"
                ),
            ]
        )
        assert isinstance(verdict, Verdict)
        scores.append(
            Score(
                name=name, passed=verdict.score >= 0.5, score=verdict.score, reason=verdict.reason
            )
        )
    return scores
