"""The Graph API subset the Meta client uses, under ``/{version}/...``.

Writes come as JSON bodies or form-encoded (nested fields then as JSON strings), as the Graph
API takes both; reads take ``fields``, ``filtering``
and cursor paging, budgets come back as strings of minor units, and every failure is a Graph
API error object with HTTP 400 (or 404 for an unknown path).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tools.ads.meta import SANDBOX_ACCOUNT
from tools.sandbox.meta.store import GraphError, MetaStore, Node, invalid

Handler = Callable[[Request, dict[str, str]], Awaitable[dict[str, Any]]]

_FIELDS = {
    "campaign": ("id", "name", "status", "objective"),
    "adset": ("id", "name", "status", "campaign_id", "daily_budget", "lifetime_budget", "end_time"),
    "ad": ("id", "name", "status", "adset_id", "campaign_id"),
    "adcreative": ("id", "name", "object_story_spec"),
}


_WORDLESS = re.compile(r"\W+")


def build_router(store: MetaStore, tokens: frozenset[str]) -> APIRouter:
    router = APIRouter()

    def authorize(request: Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        token = token or request.query_params.get("access_token", "")
        if not token:
            raise GraphError("An active access token must be used to query information.", code=2500)
        if token not in tokens:
            raise GraphError("Invalid OAuth access token - Cannot parse access token", code=190)

    def account(request: Request) -> None:
        if request.path_params["account"] != SANDBOX_ACCOUNT:
            raise GraphError(
                f"Ad account act_{request.path_params['account']} does not exist or this token "
                "has no access to it",
                code=100,
                subcode=33,
            )

    def route(methods: list[str], path: str, handler: Handler, *, own_account: bool) -> None:
        async def endpoint(request: Request) -> Response:
            trace = uuid.uuid4().hex[:11]
            try:
                authorize(request)
                if own_account:
                    account(request)
                params = dict(request.query_params)
                if request.method == "POST" and request.headers.get("content-type", "").startswith(
                    "application/json"
                ):
                    params.update(_json_params(await request.body()))
                elif request.method == "POST":
                    async with request.form() as form:
                        for key, value in form.multi_items():
                            if isinstance(value, UploadFile):
                                params[f"@{key}"] = value.filename or key
                                request.state.upload = await value.read()
                            else:
                                params[key] = value
                return JSONResponse(await handler(request, params))
            except GraphError as exc:
                return JSONResponse(exc.body(trace), status_code=exc.status)

        for method in methods:  # one route per method: each needs its own OpenAPI operation id
            router.add_api_route(
                path,
                endpoint,
                methods=[method],
                name=f"meta:{path}:{method}",
                operation_id=f"meta_{method.lower()}_{_WORDLESS.sub('_', path).strip('_')}",
            )

    async def campaigns(request: Request, params: dict[str, str]) -> dict[str, Any]:
        if request.method == "GET":
            return listing(store.of_type("campaign"), params, "campaign")
        return {"id": store.create_campaign(params).id}

    async def adsets(request: Request, params: dict[str, str]) -> dict[str, Any]:
        return {"id": store.create_ad_set(params).id}

    async def adimages(request: Request, params: dict[str, str]) -> dict[str, Any]:
        upload = getattr(request.state, "upload", None)
        name = params.get("@filename")
        if upload is None or name is None:
            raise invalid("upload the image as the multipart field 'filename'")
        return {"images": {name: store.upload_image(name, upload)}}

    async def adcreatives(request: Request, params: dict[str, str]) -> dict[str, Any]:
        spec = _json(params, "object_story_spec")
        if not isinstance(spec, dict):
            raise invalid("object_story_spec must be a JSON object")
        return {"id": store.create_creative(params, spec).id}

    async def ads(request: Request, params: dict[str, str]) -> dict[str, Any]:
        creative = _json(params, "creative")
        if not isinstance(creative, dict) or not creative.get("creative_id"):
            raise invalid("creative must be a JSON object with creative_id")
        return {"id": store.create_ad(params, str(creative["creative_id"])).id}

    async def edges(request: Request, params: dict[str, str]) -> dict[str, Any]:
        parent = store.get(request.path_params["object_id"])
        edge = request.path_params["edge"]
        key = f"{parent.type}_id"
        if edge == "insights":
            return insights(parent, params)
        child = {"adsets": "adset", "ads": "ad"}.get(edge)
        if child is None or parent.type not in ("campaign", "adset"):
            raise GraphError(f"Tried accessing nonexisting field ({edge})", code=100)
        return listing(store.of_type(child, parent.id, key), params, child)

    async def node(request: Request, params: dict[str, str]) -> dict[str, Any]:
        object_id = request.path_params["object_id"]
        if request.method == "POST":
            store.update(object_id, params)
            return {"success": True}
        found = store.get(object_id)
        return shape(found, params)

    def shape(found: Node, params: dict[str, str]) -> dict[str, Any]:
        allowed = _FIELDS[found.type]
        wanted = [f for f in params.get("fields", "id,name").split(",") if f]
        unknown = [f for f in wanted if f not in allowed]
        if unknown:
            raise GraphError(
                f"(#100) Tried accessing nonexisting field ({unknown[0]}) on node type "
                f"({found.type})",
                code=100,
            )
        row: dict[str, Any] = {}
        for name in wanted:
            value = found.id if name == "id" else found.fields.get(name)
            if name.endswith("_budget"):
                value = "0" if value is None else str(value)
            if value is not None:
                row[name] = value
        row.setdefault("id", found.id)
        return row

    def listing(nodes: list[Node], params: dict[str, str], type_: str) -> dict[str, Any]:
        for condition in _filters(params):
            field, op, value = condition
            if field != "name" or op not in ("CONTAIN", "EQUAL"):
                raise invalid(f"filtering on {field} {op} is not supported by the sandbox")
            nodes = [
                n
                for n in nodes
                if (value in n.fields["name"] if op == "CONTAIN" else n.fields["name"] == value)
            ]
        nodes = [n for n in nodes if n.fields.get("status") != "DELETED"]
        rows = [shape(n, params) for n in nodes]
        return page(rows, params)

    def insights(parent: Node, params: dict[str, str]) -> dict[str, Any]:
        level = params.get("level", parent.type)
        if level != "ad":
            raise invalid("the sandbox reports insights at level=ad")
        key = f"{parent.type}_id"
        ads_of = [parent] if parent.type == "ad" else store.of_type("ad", parent.id, key)
        day = store.nodes and min(n.created for n in store.nodes.values())
        start = day.date().isoformat() if day else ""
        rows = []
        for ad in ads_of:
            delivered = ad.delivery
            spend = delivered.spend_minor / 100
            value = delivered.value_minor / 100
            row: dict[str, Any] = {
                "ad_id": ad.id,
                "ad_name": ad.fields["name"],
                "adset_id": ad.fields["adset_id"],
                "spend": f"{spend:.2f}",
                "date_start": start,
                "date_stop": store_today(),
            }
            if delivered.purchases:
                row["actions"] = [{"action_type": "purchase", "value": str(delivered.purchases)}]
                row["action_values"] = [{"action_type": "purchase", "value": f"{value:.2f}"}]
            if delivered.spend_minor:
                row["purchase_roas"] = [
                    {"action_type": "omni_purchase", "value": f"{value / spend:.2f}"}
                ]
            rows.append(row)
        return page(rows, params)

    def store_today() -> str:
        return store._clock.now().date().isoformat()

    version = "/{version}"
    route(["GET", "POST"], f"{version}/act_{{account}}/campaigns", campaigns, own_account=True)
    route(["POST"], f"{version}/act_{{account}}/adsets", adsets, own_account=True)
    route(["POST"], f"{version}/act_{{account}}/adimages", adimages, own_account=True)
    route(["POST"], f"{version}/act_{{account}}/adcreatives", adcreatives, own_account=True)
    route(["POST"], f"{version}/act_{{account}}/ads", ads, own_account=True)
    route(["GET"], f"{version}/{{object_id}}/{{edge}}", edges, own_account=False)
    route(["GET", "POST"], f"{version}/{{object_id}}", node, own_account=False)
    return router


def _json_params(raw: bytes) -> dict[str, str]:
    """A JSON body as the form parameters it stands for (nested values JSON-encoded)."""
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise invalid("the body is not JSON") from None
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    return {str(key): _param(value) for key, value in body.items()}


def _param(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _json(params: dict[str, str], name: str) -> Any:
    raw = params.get(name)
    if raw is None:
        raise invalid(f"{name} is required")
    try:
        return json.loads(raw)
    except ValueError:
        raise invalid(f"{name} must be JSON") from None


def _filters(params: dict[str, str]) -> list[tuple[str, str, str]]:
    raw = params.get("filtering")
    if not raw:
        return []
    try:
        items = json.loads(raw)
        return [(str(i["field"]), str(i["operator"]), str(i["value"])) for i in items]
    except (ValueError, KeyError, TypeError):
        raise invalid("filtering must be a JSON list of {field, operator, value}") from None


def page(rows: list[dict[str, Any]], params: dict[str, str]) -> dict[str, Any]:
    limit_raw = params.get("limit", "25")
    limit = int(limit_raw) if limit_raw.isdigit() and int(limit_raw) > 0 else 25
    after = params.get("after")
    start = int(base64.b64decode(after).decode()) if after else 0
    chunk = rows[start : start + limit]
    body: dict[str, Any] = {"data": chunk}
    if rows:
        cursors = {
            "before": base64.b64encode(str(start).encode()).decode(),
            "after": base64.b64encode(str(start + len(chunk)).encode()).decode(),
        }
        body["paging"] = {"cursors": cursors}
        if start + limit < len(rows):
            body["paging"]["next"] = f"?after={cursors['after']}&limit={limit}"
    return body
