"""The Support page: the helpdesk's conversations with the agent's replies, hand-offs waiting
for a person with a reply box, and the customer-service cluster's figures."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from host.email_figures import emails_today
from host.support import conversations, figures, reply_as_person
from policies.risk import Role
from server.console.security import OperatorWrite, RuntimeDep, Viewer
from server.console.views import render
from tools.helpdesk import HelpdeskError

router = APIRouter()
MAX_REPLY = 5000


@router.get("/support", response_class=HTMLResponse)
async def support_page(request: Request, runtime: RuntimeDep, user: Viewer) -> HTMLResponse:
    services = runtime.require_services()
    try:
        found = await conversations(services)
    except HelpdeskError as exc:
        raise HTTPException(status_code=503, detail=f"{services.helpdesk.name}: {exc}") from exc
    return render(
        request,
        "support.html",
        user,
        conversations=found,
        figures=await figures(services, found),
        emails=await emails_today(services),
        message=request.query_params.get("message"),
        may_reply=user.principal.has(Role.OPERATOR),
        helpdesk=services.helpdesk.name,
    )


@router.post("/support/{ticket_id}/reply")
async def reply(
    request: Request, ticket_id: int, runtime: RuntimeDep, user: OperatorWrite
) -> Response:
    """A person's reply to a ticket the agent handed off (or any other)."""
    form = await request.form()
    body = form.get("body")
    if not isinstance(body, str) or not body.strip():
        raise HTTPException(status_code=422, detail="the reply is empty")
    if len(body) > MAX_REPLY:
        raise HTTPException(status_code=422, detail=f"the reply is over {MAX_REPLY} characters")
    services = runtime.require_services()
    try:
        await reply_as_person(services, ticket_id, body, user.principal.subject)
    except HelpdeskError as exc:
        raise HTTPException(status_code=503, detail=f"{services.helpdesk.name}: {exc}") from exc
    query = urlencode({"message": f"Your reply to ticket #{ticket_id} was sent."})
    return RedirectResponse(f"/console/support?{query}", status_code=303)
