"""The Marketing page: campaigns with status, approved and current budget, spend and ROAS, the
watcher's pause reasons, and the creative gallery (PNGs served from the campaign's records)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from host.marketing import campaign_views, campaigns
from server.console.security import RuntimeDep, Viewer
from server.console.views import render

router = APIRouter()


@router.get("/marketing", response_class=HTMLResponse)
async def marketing_page(request: Request, runtime: RuntimeDep, user: Viewer) -> HTMLResponse:
    views = await campaign_views(runtime.require_services())
    return render(request, "marketing.html", user, views=views)


@router.get("/marketing/creatives/{creative_id}.png")
async def creative(creative_id: str, runtime: RuntimeDep, user: Viewer) -> Response:
    png = await campaigns(runtime.require_services()).creative_png(creative_id)
    if png is None:
        raise HTTPException(status_code=404, detail=f"creative {creative_id} not found")
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
