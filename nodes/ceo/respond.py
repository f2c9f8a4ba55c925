"""The CEO's answer to the operator: what was done, what waits, what stopped."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from nodes.ceo.goals import settle_goal
from nodes.ceo.offline import render_summary
from nodes.ceo.plan import last_human
from nodes.ceo.state import CEOState
from nodes.context import Context, services_of
from nodes.llm import ask_text, run_id_of
from nodes.services import Services
from prompts import load_prompt, prompt_versions
from storage import ApprovalStatus
from tools.llm import BudgetExceededError, describe_model


async def respond(state: CEOState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    reports = [r.model_dump(mode="json") for r in state.get("reports", [])]
    pending = await _pending(services, runtime)
    plan = state.get("plan")
    stopped = state.get("stopped")
    if stopped:
        message = AIMessage(f"I stopped before finishing: {stopped}")
    elif plan is not None and not plan.tasks and plan.clarifying_question:
        message = AIMessage(plan.clarifying_question)
    else:
        prompt = load_prompt("ceo_summary")
        try:
            message = await ask_text(
                services,
                runtime,
                "ceo",
                prompt.format_messages(
                    state.get("messages", [])[-6:],
                    goal=state.get("goal", ""),
                    plan=plan.model_dump(mode="json") if plan else {},
                    reports=reports,
                    pending_approvals=pending,
                ),
            )
        except BudgetExceededError as exc:
            message = AIMessage(f"{render_summary(reports, pending)}\n\n(Summary shortened: {exc})")
    await _settle_goal(services, runtime, state)
    run_id = run_id_of(runtime)
    usage = services.usage(run_id).summary()
    services.end_run(run_id)
    failures = [
        f"{report.task}: {failure.sentence()}"
        for report in state.get("reports", [])
        for failure in report.failures
    ]
    message = _with_failures(message, state)
    return {
        "messages": [message],
        "run_info": {
            "model": dict(describe_model(services.models)),
            "prompts": prompt_versions(),
            "usage": usage.model_dump(mode="json"),
            "failures": failures,
        },
    }


async def _settle_goal(services: Services, runtime: Runtime[Context], state: CEOState) -> None:
    """The turn is over: its goal is done or abandoned unless something still waits."""
    human = last_human(state.get("messages", []))
    if human is None or state.get("plan") is None:
        return
    info = runtime.execution_info
    await settle_goal(
        services,
        runtime.store,
        thread_id=info.thread_id if info else None,
        message_id=human.id or state.get("goal", ""),
        reports=state.get("reports", []),
    )


async def _pending(services: Services, runtime: Runtime[Context]) -> list[dict[str, Any]]:
    info = runtime.execution_info
    if info is None or info.thread_id is None:
        return []
    page = await services.approvals.list(status=ApprovalStatus.PENDING, thread_id=info.thread_id)
    return [
        {
            "id": record.id,
            "title": record.request.get("title"),
            "risk_level": record.risk_level,
            "deadline": record.deadline.isoformat() if record.deadline else None,
            "rules": record.request.get("matched_rules"),
        }
        for record in page.items
    ]


def _with_failures(message: AIMessage, state: CEOState) -> AIMessage:
    """The answer always says which outside service failed and why: a model's summary that
    leaves one out gets the sentence appended, word for word from the cluster's report."""
    missing = [
        failure.sentence()
        for report in state.get("reports", [])
        for failure in report.failures
        if failure.service not in message.text or failure.error not in message.text
    ]
    if not missing:
        return message
    problems = "\n".join(f"- {sentence}" for sentence in missing)
    return AIMessage(f"{message.text}\n\n**Problems**\n{problems}", id=message.id)
