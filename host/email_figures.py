"""Marketing emails sent today per flow, for the Support page: counted from the audit log,
where each message is one ``action.executed`` entry of the email agent (batches are not)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time

from pydantic import BaseModel, ConfigDict

from nodes.customer_service.email_models import TITLE, Flow
from nodes.services import Services
from policies import ActionKind
from storage import AuditEvent

AGENT = "email_marketing_agent"
PAGE = 500


class FlowFigure(BaseModel):
    model_config = ConfigDict(frozen=True)

    flow: str
    title: str
    sent_today: int


async def emails_today(services: Services) -> list[FlowFigure]:
    now = services.clock()
    midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    counts: Counter[str] = Counter()
    offset = 0
    while True:
        page = await services.audit.list(
            event=AuditEvent.ACTION_EXECUTED,
            actor=AGENT,
            cluster="customer_service",
            since=midnight,
            limit=PAGE,
            offset=offset,
        )
        for entry in page.items:
            args = entry.payload.get("args")
            # One message has a trigger; the batch it belongs to has recipients instead.
            is_message = isinstance(args, dict) and "trigger" in args
            if entry.action_kind == ActionKind.EMAIL_SEND and isinstance(args, dict) and is_message:
                counts[str(args.get("flow"))] += 1
        offset += len(page.items)
        if len(page.items) < PAGE:
            break
    return [FlowFigure(flow=f.value, title=TITLE[f], sent_today=counts[f.value]) for f in Flow]
