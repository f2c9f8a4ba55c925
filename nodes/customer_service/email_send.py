"""Sending an approved batch: each message through the effects ledger under its customer-and-
trigger key (also Klaviyo's event ``unique_id``) and audited as executed, once.

A provider failure for one customer is recorded and the batch goes on; the message's ledger
record stays FAILED, so a later run retries exactly that customer.
"""

from __future__ import annotations

from langgraph.runtime import Runtime
from pydantic import BaseModel, JsonValue

from nodes.context import Context
from nodes.customer_service.email_models import EMAIL_TOOL, EmailBatchArgs, message_key
from nodes.customer_service.models import CLUSTER
from nodes.services import Services
from policies import Action, ActionKind, Classification
from storage import ActorKind, AuditEntry, AuditEvent
from tools.email import EmailProvider, EmailProviderError, FlowMessage


class FailedSend(BaseModel):
    email: str
    error: str


class SendResult(BaseModel):
    """What the batch's effect records: who got the message, whose send failed."""

    sent: list[str]
    failed: list[FailedSend]


async def send_batch(
    runtime: Runtime[Context],
    services: Services,
    provider: EmailProvider,
    action: Action,
    classification: Classification,
) -> SendResult:
    batch = EmailBatchArgs.model_validate(action.args)
    info = runtime.execution_info
    thread_id = info.thread_id if info and info.thread_id else "unthreaded"
    task_id = info.task_id if info else "email"
    sent: list[str] = []
    failed: list[FailedSend] = []
    for recipient in batch.recipients:
        message = FlowMessage(
            metric=batch.metric,
            email=recipient.email,
            first_name=recipient.first_name,
            properties=recipient.properties,
        )
        key = message_key(batch.flow, recipient.trigger, recipient.email)
        args: dict[str, JsonValue] = {
            "flow": batch.flow.value,
            "trigger": recipient.trigger,
            "email": recipient.email,
        }

        async def apply(message: FlowMessage = message, key: str = key) -> JsonValue:
            await provider.send(message, idempotency_key=key)
            return {"email": message.email, "metric": message.metric}

        try:
            await services.effects.run_once(
                key,
                thread_id=thread_id,
                task_id=task_id,
                action_kind=str(ActionKind.EMAIL_SEND),
                tool=EMAIL_TOOL,
                args=args,
                apply=apply,
            )
        except EmailProviderError as exc:
            failed.append(FailedSend(email=recipient.email, error=str(exc)[:300]))
            continue
        sent.append(recipient.email)
        await services.audit.append(
            AuditEntry(
                event=AuditEvent.ACTION_EXECUTED,
                actor=action.agent,
                actor_kind=ActorKind.AGENT,
                thread_id=thread_id,
                run_id=info.run_id if info else None,
                cluster=CLUSTER,
                action_kind=str(ActionKind.EMAIL_SEND),
                risk_level=classification.level,
                payload={
                    "tool": EMAIL_TOOL,
                    "args": args,
                    "level": str(classification.level),
                    "rules": list(classification.matched_rules),
                    "idempotency_key": key,
                    "approved": classification.requires_approval,
                },
                dedupe_key=f"{key}:executed",
            )
        )
    return SendResult(sent=sent, failed=failed)
