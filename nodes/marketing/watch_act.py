"""ROAS watcher, the writes: pause a losing ad (``ad.pause``, LOW) or raise a winner's ad set
budget (``budget.adjust`` with the raise as its amount: < €100 LOW, €100–1000 MEDIUM, > €1000
HIGH). Each goes through the approval gate, so the reason is in the audit log; a raise above
the campaign's approved budget is refused at execution, whatever an approver edited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from nodes.approval import GateStatus, Proposal, ProposalContext, run_gated
from nodes.approval.args import register_args_model
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.marketing.launcher import ads_of
from nodes.marketing.models import Outcome, OutcomeStatus
from nodes.marketing.watch import WatchInput
from nodes.marketing.watch_rules import WatchDecision, WatchKind
from nodes.services import Services
from policies import Action, ActionKind
from storage.marketing import CampaignRepository
from tools.ads import AdsError, Status

AGENT = "roas_watcher"
PAUSE_TOOL = "meta_pause_ad"
BUDGET_TOOL = "meta_set_ad_set_budget"


class PauseArgs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    campaign_key: str
    ad_id: str


class BudgetArgs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    campaign_key: str
    adset_id: str
    budget_eur: Decimal = Field(gt=0, decimal_places=2)


class OverApprovedBudgetError(ValueError):
    """A budget above what the campaign's approver (or the policy) allowed."""


register_args_model(PAUSE_TOOL, PauseArgs)
register_args_model(BUDGET_TOOL, BudgetArgs)


def _pause_action(args: PauseArgs, reason: str) -> Action:
    return Action(
        cluster="marketing",
        agent=AGENT,
        tool=PAUSE_TOOL,
        kind=ActionKind.AD_PAUSE,
        args=args.model_dump(mode="json"),
        reasoning=reason,
    )


def _budget_action(args: BudgetArgs, before: Decimal, reason: str) -> Action:
    return Action(
        cluster="marketing",
        agent=AGENT,
        tool=BUDGET_TOOL,
        kind=ActionKind.BUDGET_ADJUST,
        args=args.model_dump(mode="json"),
        amount=max(Decimal(0), args.budget_eur - before),
        reasoning=reason,
    )


async def watch_act(state: WatchInput, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    decision = WatchDecision.model_validate(state["decision"])
    proposal, execute = (
        _pause(services, decision)
        if decision.kind is WatchKind.PAUSE
        else _scale(services, decision)
    )
    context = runtime.context
    try:
        gate = await run_gated(
            proposal,
            execute,
            services=services.gate(kill_switch=context.kill_switch if context else None),
            info=runtime.execution_info,
            writer=runtime.stream_writer,
        )
    except OverApprovedBudgetError as exc:
        return {"outcomes": [_outcome(decision, OutcomeStatus.STOPPED, [str(exc)])]}
    except AdsError as exc:
        failure = ServiceFailure.of("Meta Ads", decision.title, exc, "nothing was changed")
        return {
            "outcomes": [_outcome(decision, OutcomeStatus.FAILED, [str(exc)])],
            "failures": [failure],
        }
    reasons = [decision.reason, *gate.classification.reasons]
    if gate.status is not GateStatus.EXECUTED:
        reasons.append(f"approver {gate.status}" + (f": {gate.notes}" if gate.notes else ""))
        return {"outcomes": [_outcome(decision, OutcomeStatus.REJECTED, reasons, gate)]}
    done = OutcomeStatus.PAUSED if decision.kind is WatchKind.PAUSE else OutcomeStatus.SCALED
    return {"outcomes": [_outcome(decision, done, reasons, gate)]}


def _outcome(
    decision: WatchDecision, status: OutcomeStatus, reasons: list[str], gate: Any = None
) -> Outcome:
    return Outcome(
        title=decision.title,
        status=status,
        detail=decision.reason,
        reasons=reasons,
        budget_eur=decision.budget_after_eur,
        risk_level=str(gate.classification.level) if gate is not None else None,
        approval_id=gate.approval_id if gate is not None else None,
    )


Execute = Any


def _pause(services: Services, decision: WatchDecision) -> tuple[Proposal, Execute]:
    assert decision.ad_id is not None
    args = PauseArgs(campaign_key=decision.campaign_key, ad_id=decision.ad_id)
    campaigns = CampaignRepository(services.database, clock=services.clock)

    async def execute(action: Action, key: str) -> JsonValue:
        approved = PauseArgs.model_validate(action.args)
        await ads_of(services).set_status(approved.ad_id, Status.PAUSED)
        record = await campaigns.get(approved.campaign_key)
        if record is not None:
            ads = [
                ad.model_copy(update={"status": "PAUSED", "paused_reason": decision.reason})
                if ad.ad_id == approved.ad_id
                else ad
                for ad in record.ads
            ]
            await campaigns.update(record.key, ads=ads)
        return {"ad_id": approved.ad_id, "status": "PAUSED"}

    proposal = Proposal(
        action=_pause_action(args, decision.reason),
        context=ProposalContext(
            title=f"Pause the ad {decision.title}",
            description=decision.reason,
            reasoning=decision.reason,
            data_sources=[f"meta:insights of ad {decision.ad_id}"],
        ),
        args_model=PauseArgs,
        rebuild=lambda edited: _pause_action(PauseArgs.model_validate(edited), decision.reason),
    )
    return proposal, execute


def _scale(services: Services, decision: WatchDecision) -> tuple[Proposal, Execute]:
    assert decision.adset_id is not None
    assert decision.budget_after_eur is not None
    before = decision.budget_before_eur or Decimal(0)
    args = BudgetArgs(
        campaign_key=decision.campaign_key,
        adset_id=decision.adset_id,
        budget_eur=decision.budget_after_eur,
    )
    campaigns = CampaignRepository(services.database, clock=services.clock)

    async def execute(action: Action, key: str) -> JsonValue:
        approved = BudgetArgs.model_validate(action.args)
        record = await campaigns.get(approved.campaign_key)
        if record is None:
            raise OverApprovedBudgetError(f"campaign {approved.campaign_key} is not recorded")
        if approved.budget_eur > record.approved_budget_eur:
            raise OverApprovedBudgetError(
                f"€{approved.budget_eur} is above the approved budget of "
                f"€{record.approved_budget_eur}; a higher budget needs a new approval"
            )
        await ads_of(services).set_budget(approved.adset_id, approved.budget_eur)
        await campaigns.update(record.key, budget_eur=approved.budget_eur)
        return {"adset_id": approved.adset_id, "budget_eur": str(approved.budget_eur)}

    proposal = Proposal(
        action=_budget_action(args, before, decision.reason),
        context=ProposalContext(
            title=f"Raise the budget of {decision.title} to €{decision.budget_after_eur}",
            description=decision.reason,
            reasoning=decision.reason,
            data_sources=[f"meta:insights of ad set {decision.adset_id}"],
            estimated_cost=decision.budget_after_eur - before,
            risk_factors=[f"the approved budget is €{decision.approved_budget_eur}"],
        ),
        args_model=BudgetArgs,
        rebuild=lambda edited: _budget_action(
            BudgetArgs.model_validate(edited), before, decision.reason
        ),
    )
    return proposal, execute
