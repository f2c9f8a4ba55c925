"""Campaign Manager, second step: the launch through the approval gate, in its own task.

The action is ``campaign.launch`` with the whole budget as its amount, so the policy decides:
≤ €500 executes and notifies (MEDIUM), > €500 waits for an approver (HIGH). An approver's edit
(a different budget, other copy) is re-validated and re-classified; the product's own text
travels with the request for the approver and is never classified.
"""

from __future__ import annotations

import logging
from typing import Any

from langgraph.runtime import Runtime
from pydantic import JsonValue

from nodes.approval import GateOutcome, GateStatus, Proposal, ProposalContext, run_gated
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.marketing.ad_background import creative_image
from nodes.marketing.budget_cap import BudgetCapError
from nodes.marketing.launch_args import TOOL, LaunchArgs
from nodes.marketing.launcher import launch_campaign, start_budget
from nodes.marketing.models import Outcome, OutcomeStatus
from nodes.marketing.state import MarketingState
from nodes.services import Services
from policies import Action, ActionKind
from tools.ads import AdsError

logger = logging.getLogger(__name__)

AGENT = "campaign_manager"


def launch_action(args: LaunchArgs, *, source_text: str = "") -> Action:
    return Action(
        cluster="marketing",
        agent=AGENT,
        tool=TOOL,
        kind=ActionKind.CAMPAIGN_LAUNCH,
        args=args.model_dump(mode="json"),
        amount=args.budget_eur,
        currency="EUR",
        reasoning=f"Launch Meta ads for {args.product_title} with a total budget of "
        f"€{args.budget_eur} over {args.days} days, as the operator asked.",
        source_text=source_text,
    )


async def launch(state: MarketingState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    args = state.get("launch")
    assert args is not None
    args = LaunchArgs.model_validate(args)
    source_text = state.get("source_text", "")
    info = runtime.execution_info
    thread_id = info.thread_id if info is not None else None

    async def execute(action: Action, key: str) -> JsonValue:
        approved = LaunchArgs.model_validate(action.args)
        image, note = await creative_image(
            services.settings, services.shopify, approved.product_id, approved.product_title
        )
        result = await launch_campaign(
            services, approved, key, thread_id=thread_id, product_image=image
        )
        return result | {"creatives_on": note}

    context = runtime.context
    try:
        outcome = await run_gated(
            _proposal(services, args, source_text),
            execute,
            services=services.gate(kill_switch=context.kill_switch if context else None),
            info=info,
            writer=runtime.stream_writer,
        )
    except BudgetCapError as exc:
        stopped = Outcome(
            title=f"Ads for {args.product_title}", status=OutcomeStatus.STOPPED, reasons=[str(exc)]
        )
        return {"outcomes": [stopped]}
    except AdsError as exc:
        logger.warning("ad launch failed: %s", exc)
        failure = ServiceFailure.of(
            "Meta Ads", f"launch the campaign for {args.product_title}", exc, "no ads run"
        )
        failed = Outcome(
            title=f"Ads for {args.product_title}",
            status=OutcomeStatus.FAILED,
            reasons=[f"{type(exc).__name__}: {exc}"],
        )
        return {"outcomes": [failed], "failures": [failure]}
    return {"outcomes": [_outcome(services, args, outcome)]}


def _proposal(services: Services, args: LaunchArgs, source_text: str) -> Proposal:
    limits = services.policy.policy.document.ads
    start = start_budget(args.budget_eur, limits)
    languages = sorted({ad.language for ad in args.ads})

    def rebuild(edited: dict[str, JsonValue]) -> Action:
        return launch_action(LaunchArgs.model_validate(edited), source_text=source_text)

    return Proposal(
        action=launch_action(args, source_text=source_text),
        context=ProposalContext(
            title=f"Launch Meta ads for {args.product_title} with €{args.budget_eur}",
            description=(
                f"A sales campaign for {args.product_title} ({args.product_url}) over "
                f"{args.days} days with a total budget of €{args.budget_eur}: the ad set starts "
                f"at €{start} and the ROAS watcher may scale it up to the approved €"
                f"{args.budget_eur}, never above. {len(args.ads)} ads in "
                f"{', '.join(languages)}, each with a 1080×1080 and a 1080×1920 creative."
            ),
            reasoning=f"The operator asked for ads for {args.product_title} with "
            f"€{args.budget_eur}.",
            data_sources=[f"shopify:{args.product_id} (title, price, handle)"],
            estimated_cost=args.budget_eur,
            risk_factors=[
                f"spend up to €{args.budget_eur}; the monthly hard cap is "
                f"€{limits.monthly_cap_eur}",
            ],
        ),
        args_model=LaunchArgs,
        rebuild=rebuild,
    )


def _outcome(services: Services, args: LaunchArgs, gate: GateOutcome) -> Outcome:
    title = f"Ads for {args.product_title}"
    reasons = list(gate.classification.reasons)
    approved = LaunchArgs.model_validate(gate.action.args)
    if gate.status is not GateStatus.EXECUTED:
        reasons.append(f"approver {gate.status}" + (f": {gate.notes}" if gate.notes else ""))
        status = {
            GateStatus.REJECTED: OutcomeStatus.REJECTED,
            GateStatus.EXPIRED: OutcomeStatus.EXPIRED,
        }[gate.status]
        return Outcome(
            title=title,
            status=status,
            detail=f"no campaign was created (budget €{args.budget_eur})",
            reasons=reasons,
            budget_eur=approved.budget_eur,
            risk_level=str(gate.classification.level),
            approval_id=gate.approval_id,
            decided_by=gate.decided_by,
        )
    result = gate.result if isinstance(gate.result, dict) else {}
    ads = result.get("ad_ids")
    count = len(ads) if isinstance(ads, list) else 0
    edited = " (as the approver edited it)" if approved != args else ""
    photo = result.get("creatives_on")
    on = f"; {photo}" if isinstance(photo, str) and photo else ""
    return Outcome(
        title=title,
        status=OutcomeStatus.LAUNCHED,
        detail=(
            f"Meta campaign {result.get('campaign_id')} with {count} ads and "
            f"{result.get('creatives')} creatives; approved budget €{approved.budget_eur}, "
            f"starting at €{result.get('start_budget_eur')}{edited}{on}"
        ),
        reasons=reasons,
        budget_eur=approved.budget_eur,
        risk_level=str(gate.classification.level),
        approval_id=gate.approval_id,
        decided_by=gate.decided_by,
        campaign_id=str(result.get("campaign_id")),
    )
