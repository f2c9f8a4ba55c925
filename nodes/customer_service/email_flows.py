"""The email marketing agent: one flow (welcome, abandoned cart, post-purchase, win-back) to
the customers it is for, through the email provider (Klaviyo).

Who gets a message is decided by code from Shopify's data: a customer without Shopify's
``emailMarketingConsent`` SUBSCRIBED, or unsubscribed or suppressed in Klaviyo, gets none, and
the report counts each reason. The batch is one policy-rated write (by recipient count); each
message inside it goes through the effects ledger under a key derived from customer and
trigger, and that key is Klaviyo's event ``unique_id``, so a re-executed run sends none twice.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from langgraph.runtime import Runtime
from pydantic import JsonValue

from nodes.approval import GateStatus, ProposalContext
from nodes.catalog.common import gated
from nodes.clusters import ServiceFailure
from nodes.context import Context, services_of
from nodes.customer_service.email_audience import Audience, Candidate, Skip, SkipReason, audience
from nodes.customer_service.email_models import (
    METRIC,
    TITLE,
    EmailBatchArgs,
    Flow,
    Recipient,
    email_action,
    message_key,
)
from nodes.customer_service.email_send import SendResult, send_batch
from nodes.customer_service.models import Outcome, OutcomeStatus
from nodes.customer_service.state import CustomerServiceState
from nodes.services import Services
from policies import Action
from storage import EffectStatus
from tools.email import Consent, EmailProvider, EmailProviderError
from tools.shopify.errors import ShopifyError

_STOPPED = {GateStatus.REJECTED: OutcomeStatus.REJECTED, GateStatus.EXPIRED: OutcomeStatus.EXPIRED}


def consent_skip(candidate: Candidate, klaviyo: Consent | None) -> Skip | None:
    who = candidate.recipient.email
    if candidate.shopify_consent != "SUBSCRIBED":
        detail = candidate.shopify_consent.lower().replace("_", " ")
        return Skip(who=who, reason=SkipReason.NO_CONSENT, detail=detail)
    if klaviyo is None or klaviyo.can_receive:
        return None
    if klaviyo.suppressions and klaviyo.consent == "SUBSCRIBED":
        return Skip(who=who, reason=SkipReason.SUPPRESSED, detail=klaviyo.reason)
    return Skip(who=who, reason=SkipReason.UNSUBSCRIBED, detail=klaviyo.reason)


async def _sendable(
    services: Services, provider: EmailProvider, flow: Flow, found: Audience
) -> tuple[list[Recipient], list[Skip]]:
    """Consent in Shopify and Klaviyo, then what no earlier run already sent."""
    emails = [c.recipient.email for c in found.candidates]
    consents = await provider.consents(emails) if emails else {}
    ready: list[Recipient] = []
    skipped = list(found.skipped)
    for candidate in found.candidates:
        recipient = candidate.recipient
        skip = consent_skip(candidate, consents.get(recipient.email))
        if skip is None:
            record = await services.effects.get(
                message_key(flow, recipient.trigger, recipient.email)
            )
            if record is not None and record.status is EffectStatus.APPLIED:
                skip = Skip(who=recipient.email, reason=SkipReason.ALREADY_SENT)
        if skip is None:
            ready.append(recipient)
        else:
            skipped.append(skip)
    return ready, skipped


def _skip_text(skipped: list[Skip]) -> str:
    counts = Counter(s.reason for s in skipped)
    return ", ".join(f"{n} {reason.value}" for reason, n in counts.most_common())


def _outcomes(flow: Flow, sent: list[str], skipped: list[Skip]) -> list[Outcome]:
    items = [
        Outcome(
            subject=f"{TITLE[flow]} email to {email}",
            status=OutcomeStatus.SENT,
            detail="sent once through Klaviyo",
            category=flow.value,
        )
        for email in sent
    ]
    items += [
        Outcome(
            subject=f"{TITLE[flow]} email to {s.who}",
            status=OutcomeStatus.SKIPPED,
            detail=s.reason.value + (f" ({s.detail})" if s.detail else ""),
            category=flow.value,
        )
        for s in skipped
    ]
    return items


def _figures(sent: int, skipped: list[Skip]) -> str:
    text = f"{sent} email(s) sent"
    if skipped:
        text += f", {len(skipped)} customer(s) skipped ({_skip_text(skipped)})"
    return text


def _note(flow: Flow, sent: int, skipped: list[Skip]) -> str:
    return f"{TITLE[flow]}: {_figures(sent, skipped)}"


async def email_flow(state: CustomerServiceState, runtime: Runtime[Context]) -> dict[str, Any]:
    services = await services_of(runtime)
    raw = state.get("email_flow")
    if raw not in set(Flow):
        return {"notes": [f"No email flow to send (got {raw!r})."]}
    flow = Flow(str(raw))
    provider = services.email
    if provider is None:
        failure = ServiceFailure(
            service="Email provider",
            operation=f"send the {TITLE[flow].lower()} emails",
            error="NotConfigured",
            message="no email provider is configured (KLAVIYO_API_KEY)",
            skipped="no email was sent",
        )
        return {"failures": [failure]}
    try:
        found = await audience(services.shopify, flow, services.clock())
    except ShopifyError as exc:
        return {
            "failures": [ServiceFailure.of("Shopify", "read customers", exc, "no email was sent")]
        }
    try:
        ready, skipped = await _sendable(services, provider, flow, found)
    except EmailProviderError as exc:
        failure = ServiceFailure.of(provider.name, "read email consent", exc, "no email was sent")
        return {"failures": [failure]}
    if not ready:
        summary = Outcome(
            subject=f"{TITLE[flow]} emails",
            status=OutcomeStatus.SKIPPED,
            detail=_figures(0, skipped),
            category=flow.value,
        )
        return {
            "outcomes": [summary, *_outcomes(flow, [], skipped)],
            "notes": [_note(flow, 0, skipped)],
        }
    return await _send(runtime, services, provider, flow, ready, skipped)


async def _send(
    runtime: Runtime[Context],
    services: Services,
    provider: EmailProvider,
    flow: Flow,
    ready: list[Recipient],
    skipped: list[Skip],
) -> dict[str, Any]:
    args = EmailBatchArgs(flow=flow, metric=METRIC[flow], recipients=ready)
    proposed = {r.identity for r in ready}
    switch = runtime.context.kill_switch if runtime.context else None

    def build(chosen: EmailBatchArgs) -> Action:
        if chosen.flow is not flow or not {r.identity for r in chosen.recipients} <= proposed:
            raise ValueError("an edit may drop recipients, not add any or change the flow")
        return email_action(chosen)

    async def execute(action: Action, _key: str) -> JsonValue:
        classification = services.gate(kill_switch=switch).classify(action)
        result = await send_batch(runtime, services, provider, action, classification)
        return result.model_dump(mode="json")

    context = ProposalContext(
        title=f"{TITLE[flow]} email to {len(ready)} customer(s)",
        description=(
            f"Send the {TITLE[flow].lower()} email to {len(ready)} customer(s) who consented to "
            f"email marketing; {len(skipped)} skipped"
            + (f" ({_skip_text(skipped)})" if skipped else "")
        ),
        reasoning=f"{TITLE[flow]} flow run by the operator",
        data_sources=["Shopify customers and emailMarketingConsent", "Klaviyo profiles"],
    )
    gate = await gated(runtime, args, build, context, execute)
    if gate.status is not GateStatus.EXECUTED:
        reasons = [*gate.classification.reasons, f"approver {gate.status}"]
        stopped = Outcome(
            subject=f"{TITLE[flow]} emails",
            status=_STOPPED[gate.status],
            detail=f"{len(ready)} email(s) not sent" + (f": {gate.notes}" if gate.notes else ""),
            reasons=reasons,
            risk_level=str(gate.classification.level),
            approval_id=gate.approval_id,
            category=flow.value,
        )
        return {"outcomes": [stopped, *_outcomes(flow, [], skipped)]}
    result = SendResult.model_validate(gate.result)
    sent, failed = result.sent, result.failed
    summary = Outcome(
        subject=f"{TITLE[flow]} emails",
        status=OutcomeStatus.SENT,
        detail=_figures(len(sent), skipped),
        reasons=list(gate.classification.reasons),
        risk_level=str(gate.classification.level),
        approval_id=gate.approval_id,
        category=flow.value,
    )
    failures = [
        ServiceFailure(
            service=provider.name,
            operation=f"send the {TITLE[flow].lower()} email to {f.email}",
            error="EmailProviderError",
            message=f.error,
            skipped="that customer got no email; a later run retries",
        )
        for f in failed
    ]
    return {
        "outcomes": [summary, *_outcomes(flow, sent, skipped)],
        "notes": [_note(flow, len(sent), skipped)],
        "failures": failures,
    }
