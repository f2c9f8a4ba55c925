"""The reply to one message: facts and a correct draft by code, wording by the model.

The model sees the customer's text only fenced (``prompts.untrusted``). What it writes is the
argument of the reply tool, so it is checked before use: every fact the draft must carry
(a tracking number, a link) is still there, it names no address other than the store's, and it
is not too long. Otherwise the draft is sent as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, Field

from nodes.context import Context
from nodes.customer_service.faq import StoreFaq
from nodes.llm import ask_structured
from nodes.services import Services
from prompts import load_prompt
from prompts.untrusted import UNTRUSTED_RULE, fence
from tools.customer_service.shopify import SupportOrder

MAX_REPLY_CHARS = 1500
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


class SupportReply(BaseModel):
    """The reply text the model proposes."""

    model_config = ConfigDict(extra="forbid")

    reply: str = Field(description="The email reply to the customer, plain text.")


@dataclass(frozen=True)
class Draft:
    """A reply stated correctly by code, and the facts any rewording must keep."""

    text: str
    facts: dict[str, object]
    must_include: list[str] = field(default_factory=list)
    asks_customer: bool = False


def _greeting(name: str | None) -> str:
    first = (name or "").split(" ")[0].strip()
    return f"Hi {first}," if first else "Hi,"


def _sign(faq: StoreFaq) -> str:
    return f"Kind regards,\n{faq.store} support"


def order_draft(order: SupportOrder, name: str | None, faq: StoreFaq) -> Draft:
    """Where the order is: shipped (carrier, tracking number and link) or not yet."""
    facts: dict[str, object] = {
        "order": order.name,
        "fulfillment_status": order.fulfillment_status,
        "customer_name": name,
    }
    if order.tracking:
        lines = []
        must: list[str] = []
        for tracking in order.tracking:
            carrier = tracking.company or "the carrier"
            line = f"{carrier}, tracking number {tracking.number}"
            if tracking.url:
                line += f" ({tracking.url})"
                must.append(tracking.url)
            lines.append(line)
            if tracking.number:
                must.append(tracking.number)
        shipped = order.shipped_at.strftime("%d %B %Y") if order.shipped_at else "recently"
        partly = " Part of it" if order.fulfillment_status == "PARTIALLY_FULFILLED" else " It"
        text = (
            f"{_greeting(name)}\n\nThanks for your message. Your order {order.name} has shipped."
            f"{partly} left our warehouse on {shipped} with " + "; ".join(lines) + ".\n\n"
            f"{_sign(faq)}"
        )
        facts |= {"shipped_on": shipped, "tracking": [t.model_dump() for t in order.tracking]}
        return Draft(text=text, facts=facts, must_include=must)
    text = (
        f"{_greeting(name)}\n\nThanks for your message. Your order {order.name} has not shipped "
        f"yet. We ship within {faq.handling_days} business days, and you will get an email "
        f"with the tracking number as soon as it leaves our warehouse.\n\n{_sign(faq)}"
    )
    return Draft(text=text, facts=facts, must_include=[order.name])


def not_your_order_draft(number: int, name: str | None, faq: StoreFaq) -> Draft:
    text = (
        f"{_greeting(name)}\n\nThanks for your message. For your privacy we can only share "
        f"details of order #{number} with the email address it was placed with. Please write "
        f"to us from that address and we will help you right away.\n\n{_sign(faq)}"
    )
    return Draft(text=text, facts={"order": f"#{number}"}, asks_customer=True)


def no_order_draft(name: str | None, faq: StoreFaq) -> Draft:
    text = (
        f"{_greeting(name)}\n\nThanks for your message. We could not find an order placed with "
        "this email address. Could you send us your order number (it starts with #)? Then we "
        f"will look it up right away.\n\n{_sign(faq)}"
    )
    return Draft(text=text, facts={"order": None}, asks_customer=True)


def faq_draft(answers: list[str], name: str | None, faq: StoreFaq) -> Draft:
    body = "\n\n".join(answers)
    text = f"{_greeting(name)}\n\nThanks for your message. {body}\n\n{_sign(faq)}"
    return Draft(text=text, facts={"policies": answers, "customer_name": name})


def checked(proposed: str, draft: Draft, faq: StoreFaq) -> str | None:
    """``proposed`` when it keeps the draft's facts and adds no foreign address; else None."""
    text = proposed.strip()
    if not text or len(text) > MAX_REPLY_CHARS:
        return None
    if any(fact not in text for fact in draft.must_include):
        return None
    if any(email.lower() != faq.support_email for email in _EMAIL.findall(text)):
        return None
    return text


async def write_reply(
    services: Services, runtime: Runtime[Context], draft: Draft, message: str, faq: StoreFaq
) -> tuple[str, bool]:
    """The reply to send and whether the model's wording was used (else the draft)."""
    prompt = load_prompt("support_reply")
    facts = {**draft.facts, "draft": draft.text, "must_include": draft.must_include}
    proposed = await ask_structured(
        services,
        runtime,
        "cluster",
        SupportReply,
        prompt.format_messages(
            store=faq.store, facts=facts, message=fence(message), untrusted_rule=UNTRUSTED_RULE
        ),
    )
    reply = checked(proposed.reply, draft, faq)
    return (reply, True) if reply is not None else (draft.text, False)
