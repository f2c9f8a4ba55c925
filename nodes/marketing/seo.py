"""SEO Agent, the write: one ``seo.update`` action for every product and collection the plan
changes.

A bulk SEO change is one decision (the ``seo-bulk`` rule rates it MEDIUM: it executes and
notifies; with the kill switch it waits for an approver, who may edit the list) and one effect
in the ledger. Executing it writes each product through ``shopify_update_product`` — the typed
product-update tool — and each collection through ``collectionUpdate``, after reading it: one
that already reads as its change is not written again, so a crash half-way re-applies only
what was not yet written.
"""

from __future__ import annotations

import logging
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, model_validator

from nodes.approval import GateOutcome, GateStatus, Proposal, ProposalContext, run_gated
from nodes.approval.args import register_args_model
from nodes.approval.gate import Execute
from nodes.clusters import ClusterTask, ServiceFailure
from nodes.context import Context, services_of
from nodes.marketing.models import Outcome, OutcomeStatus
from nodes.marketing.seo_collections import CollectionSeoChange, applied, no_description
from nodes.marketing.seo_copy import SeoChange
from nodes.marketing.seo_plan import (
    KEYWORD_DAYS,
    MAX_COLLECTIONS,
    MAX_PRODUCTS,
    SeoParams,
    SeoPlan,
    plan_seo,
)
from nodes.marketing.state import MarketingState
from nodes.product.jobs import problem_of
from nodes.services import Services
from policies import Action, ActionKind
from tools.agent_tools import ToolClients, ToolInputError
from tools.agent_tools.shopify_products import UPDATE_PRODUCT, UpdateProductArgs
from tools.shopify.errors import ShopifyError
from tools.shopify.models import CollectionUpdateInput, Product, SeoInput

logger = logging.getLogger(__name__)

AGENT = "seo_agent"
TOOL = "shopify_bulk_seo"


class SeoBulkArgs(BaseModel):
    """What the approver sees and may edit: the products and collections and their new SEO.

    ``collections`` is left out (None) when no collection changes, so a products-only action
    reads as it did before collections were supported.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    changes: list[SeoChange] = Field(default_factory=list, max_length=MAX_PRODUCTS)
    collections: list[CollectionSeoChange] | None = Field(
        default=None, min_length=1, max_length=MAX_COLLECTIONS
    )

    @model_validator(mode="after")
    def _not_empty(self) -> SeoBulkArgs:
        if not self.changes and not self.collections:
            raise ValueError("an SEO change needs at least one product or collection")
        return self

    def count(self) -> str:
        """``3 product(s) and 4 collection(s)``, for titles and reasons."""
        text = f"{len(self.changes)} product(s)"
        return text + (f" and {len(self.collections)} collection(s)" if self.collections else "")


register_args_model(TOOL, SeoBulkArgs)


def _action(args: SeoBulkArgs, reasoning: str) -> Action:
    return Action(
        cluster="marketing",
        agent=AGENT,
        tool=TOOL,
        kind=ActionKind.SEO_UPDATE,
        args=args.model_dump(mode="json", exclude_none=True),
        reasoning=reasoning,
    )


def _update_args(change: SeoChange) -> UpdateProductArgs:
    return UpdateProductArgs(
        product_id=change.product_id,
        title=change.title,
        handle=change.handle,
        seo_title=change.seo_title,
        seo_description=change.seo_description,
        reasoning=f"SEO with the store's keywords: {', '.join(change.keywords) or 'none'}",
    )


def _describe(plan: SeoPlan) -> str:
    lines = []
    for change in plan.changes:
        parts = [f"meta title {change.seo_title!r}"]
        if change.title:
            parts.append(f"title {change.title!r}")
        if change.handle:
            parts.append(f"handle '{change.handle}' (old URL redirects)")
        lines.append(f"- {change.product}: " + "; ".join(parts))
    for item in plan.collections:
        text = f"- collection {item.collection}: meta title {item.seo_title!r}"
        lines.append(text + ("; a description (it has none)" if item.description_html else ""))
    top = ", ".join(f"{k.word} ({k.units})" for k in plan.keywords[:8]) or "no sales yet"
    return (
        f"SEO for {len(plan.changes)} product(s)"
        + (f" and {len(plan.collections)} collection(s)" if plan.collections else "")
        + ":\n"
        + "\n".join(lines)
        + f"\nKeywords from units kept in the last {KEYWORD_DAYS} days: {top}."
    )


def _applied(change: SeoChange, product: Product) -> bool:
    """Whether ``product`` already reads as ``change`` (an earlier attempt wrote it)."""
    seo = product.seo
    return (
        seo is not None
        and seo.title == change.seo_title
        and seo.description == change.seo_description
        and (change.title is None or product.title == change.title)
        and (change.handle is None or product.handle == change.handle)
    )


async def apply_changes(services: Services, args: SeoBulkArgs, key: str) -> JsonValue:
    """Each product through ``shopify_update_product``, once.

    The bulk action is one effect in the ledger (the gate's); inside it, each product is read
    first and written only if it does not already read as its change — so a re-execution
    after a crash half-way writes only the products the crashed attempt had not reached.
    A product Shopify refuses is reported (``failed``) and the others still go through.
    """
    clients = ToolClients(
        shopify=services.shopify, github=services.github, suppliers=services.suppliers
    )
    done: list[JsonValue] = []
    failed: list[JsonValue] = []
    for change in args.changes:
        try:
            current = await services.shopify.get_product(change.product_id)
            if current is None:
                raise ToolInputError("the product is no longer in the store")
            if not _applied(change, current):
                write = await UPDATE_PRODUCT.prepare(
                    _update_args(change), clients, cluster="marketing", agent=AGENT
                )
                await write.execute(write.action, f"{key}:{change.product_id}")
        except (ShopifyError, ToolInputError) as exc:
            logger.warning("SEO update of %s failed: %s", change.product_id, exc)
            failed.append({"product_id": change.product_id, "error": str(exc)})
            continue
        done.append(change.product_id)
    for item in args.collections or []:
        try:
            await _write_collection(services, item)
        except (ShopifyError, ToolInputError) as exc:
            logger.warning("SEO update of %s failed: %s", item.collection_id, exc)
            failed.append({"collection_id": item.collection_id, "error": str(exc)})
            continue
        done.append(item.collection_id)
    return {"updated": done, "failed": failed}


async def _write_collection(services: Services, change: CollectionSeoChange) -> None:
    """``collectionUpdate`` unless the collection already reads as ``change``."""
    current = await services.shopify.get_collection(change.collection_id)
    if current is None:
        raise ToolInputError("the collection is no longer in the store")
    if applied(change, current):
        return
    fields: dict[str, object] = {
        "id": change.collection_id,
        "seo": SeoInput(title=change.seo_title, description=change.seo_description),
    }
    # Only into an empty description (someone may have written one since the plan); and
    # never an explicit None, which would clear it.
    if change.description_html is not None and no_description(current.description_html):
        fields["description_html"] = change.description_html
    await services.shopify.update_collection(CollectionUpdateInput.model_validate(fields))


def _executor(services: Services) -> Execute:
    async def execute(action: Action, key: str) -> JsonValue:
        return await apply_changes(services, SeoBulkArgs.model_validate(action.args), key)

    return execute


async def seo(state: MarketingState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    task = ClusterTask.model_validate(state["task"])
    try:
        params = SeoParams.of(task)
    except ValidationError as exc:
        stopped = Outcome(title="SEO", status=OutcomeStatus.STOPPED, reasons=[problem_of(exc)])
        return {"task": task, "outcomes": [stopped]}
    try:
        plan = await plan_seo(services, params)
        if not plan.changes and not plan.collections:
            return {"task": task, "outcomes": [_nothing(plan, params)]}
        args = SeoBulkArgs(changes=plan.changes, collections=plan.collections or None)
        reasoning = (
            f"{len(plan.changes)} of {plan.considered} active product(s) get meta titles and "
            "descriptions with the words customers bought."
        )
        if plan.collections:
            reasoning += (
                f" {len(plan.collections)} of {plan.collections_considered} collection(s) too, "
                "with the words bought in each."
            )
        context = runtime.context
        gate = await run_gated(
            Proposal(
                action=_action(args, reasoning),
                context=ProposalContext(
                    title=f"SEO for {args.count()}",
                    description=_describe(plan),
                    reasoning=reasoning,
                    data_sources=[
                        "shopify:products (active)",
                        *(["shopify:collections"] if plan.collections else []),
                        f"shopify:orders of the last {KEYWORD_DAYS} days",
                    ],
                ),
                args_model=SeoBulkArgs,
                rebuild=lambda edited: _action(SeoBulkArgs.model_validate(edited), reasoning),
            ),
            _executor(services),
            services=services.gate(kill_switch=context.kill_switch if context else None),
            info=runtime.execution_info,
            writer=runtime.stream_writer,
        )
    except ShopifyError as exc:
        logger.warning("SEO failed: %s", exc)
        failed = Outcome(title="SEO", status=OutcomeStatus.FAILED, reasons=[str(exc)])
        failure = ServiceFailure.of("Shopify", "read the products for SEO", exc, "no SEO change")
        return {"task": task, "outcomes": [failed], "failures": [failure]}
    outcomes = _outcomes(gate, args)
    alerts = [
        f"Shopify refused the SEO update of {o.title.removeprefix('SEO ')}: {o.reasons[0]}"
        for o in outcomes
        if o.status is OutcomeStatus.FAILED and o.reasons
    ]
    return {"task": task, "outcomes": outcomes, "alerts": alerts}


def _nothing(plan: SeoPlan, params: SeoParams) -> Outcome:
    if plan.considered == 0:
        which = f"called {params.product!r}" if params.product else "at all"
        return Outcome(
            title="SEO",
            status=OutcomeStatus.STOPPED,
            reasons=[f"no active product {which} in the store"],
        )
    collections = (
        f" and {plan.collections_considered} collection(s)" if plan.collections_considered else ""
    )
    return Outcome(
        title="SEO",
        status=OutcomeStatus.KEPT,
        detail=f"{plan.considered} active product(s){collections} already have this SEO",
    )


def _outcomes(gate: GateOutcome, proposed: SeoBulkArgs) -> list[Outcome]:
    status = gate.status
    reasons = list(gate.classification.reasons)
    level = str(gate.classification.level)
    if status is not GateStatus.EXECUTED:
        note = f"approver {status}" + (f": {gate.notes}" if gate.notes else "")
        return [
            Outcome(
                title=f"SEO for {proposed.count()}",
                status=OutcomeStatus.REJECTED,
                reasons=[*reasons, note],
                risk_level=level,
                approval_id=gate.approval_id,
                decided_by=gate.decided_by,
            )
        ]
    made = SeoBulkArgs.model_validate(gate.action.args)
    result = gate.result if isinstance(gate.result, dict) else {}
    failed = result.get("failed")
    errors = {
        str(f.get("product_id") or f.get("collection_id")): str(f.get("error"))
        for f in (failed if isinstance(failed, list) else [])
        if isinstance(f, dict)
    }
    outcomes = []
    for change in made.changes:
        error = errors.get(change.product_id)
        detail = f"meta title {change.seo_title!r}" + (
            f", handle '{change.handle}'" if change.handle else ""
        )
        outcomes.append(
            Outcome(
                title=f"SEO {change.product}",
                status=OutcomeStatus.FAILED if error else OutcomeStatus.UPDATED,
                detail=detail,
                reasons=[error] if error else reasons,
                risk_level=level,
                approval_id=gate.approval_id,
                decided_by=gate.decided_by,
            )
        )
    for item in made.collections or []:
        error = errors.get(item.collection_id)
        detail = f"meta title {item.seo_title!r}" + (
            ", a description" if item.description_html else ""
        )
        outcomes.append(
            Outcome(
                title=f"SEO collection {item.collection}",
                status=OutcomeStatus.FAILED if error else OutcomeStatus.UPDATED,
                detail=detail,
                reasons=[error] if error else reasons,
                risk_level=level,
                approval_id=gate.approval_id,
                decided_by=gate.decided_by,
            )
        )
    return outcomes
