"""Meta Marketing API (Graph API) client: campaigns, ad sets, images, creatives, ads, insights.

The wire format is the Graph API's: writes as JSON bodies (the Graph API takes JSON as well as
form parameters; JSON keeps nested fields typed), the image upload as multipart, budgets as
integers in the ad account's minor units (cents for EUR), ``{"data": [...], "paging": {...}}``
lists, and ``{"error": {"message", "type", "code", "fbtrace_id"}}`` failures.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx

from tools.ads.errors import AdsAuthError, AdsError, AdsNotFoundError, AdsRateLimitError
from tools.ads.models import (
    AdInsights,
    AdObject,
    BudgetKind,
    NewAd,
    NewAdSet,
    NewCampaign,
    Status,
    utc_text,
)

API_VERSION = "v21.0"
#: The sandbox's ad account, page and token (no real account is touched without credentials).
SANDBOX_ACCOUNT = "1000000001"
SANDBOX_PAGE = "2000000001"
SANDBOX_TOKEN = "meta_sandbox_token"
SANDBOX_PATH = "/meta"

_AUTH_CODES = frozenset({102, 190, 200, 10})
_RATE_CODES = frozenset({4, 17, 32, 613, 80000, 80003, 80004})
_CENT = Decimal("0.01")


def to_minor(amount: Decimal) -> int:
    return int((amount / _CENT).to_integral_value())


def from_minor(value: Any) -> Decimal:
    return Decimal(int(value)) * _CENT


def _name_contains(tag: str) -> str:
    return json.dumps([{"field": "name", "operator": "CONTAIN", "value": tag}])


class MetaAdsClient:
    """One ad account through the Graph API."""

    name = "meta"

    def __init__(
        self,
        *,
        access_token: str,
        ad_account_id: str,
        page_id: str,
        base_url: str = "https://graph.facebook.com",
        api_version: str = API_VERSION,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._account = f"act_{ad_account_id.removeprefix('act_')}"
        self._page_id = page_id
        self._base = f"{base_url.rstrip('/')}/{api_version}"
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(20.0, connect=5.0))
        self._headers = {"Authorization": f"Bearer {access_token}"}

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    # --- transport --------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            response = await self._http.request(
                method,
                f"{self._base}/{path.lstrip('/')}",
                params=params,
                json=data if files is None else None,
                files=files,
                headers=self._headers,
            )
        except httpx.HTTPError as exc:
            raise AdsError(f"Meta is unreachable: {type(exc).__name__}: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 or not isinstance(body, dict):
            raise _error(response.status_code, body)
        if "error" in body:
            raise _error(response.status_code, body)
        return body

    async def _list(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        query = {"limit": 100, **params}
        while True:
            body = await self._call("GET", path, params=query)
            items.extend(body.get("data", []))
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                return items
            query = {**query, "after": after}

    # --- campaigns, ad sets, ads ------------------------------------------------------------

    async def find_campaigns(self, tag: str) -> list[AdObject]:
        rows = await self._list(
            f"{self._account}/campaigns",
            {"fields": "id,name,status", "filtering": _name_contains(tag)},
        )
        return [_object(row) for row in rows]

    async def create_campaign(self, campaign: NewCampaign) -> AdObject:
        body = await self._call(
            "POST",
            f"{self._account}/campaigns",
            data={
                "name": campaign.name,
                "objective": "OUTCOME_SALES",
                "status": campaign.status.value,
                "special_ad_categories": [],
                "buying_type": "AUCTION",
            },
        )
        return AdObject(id=str(body["id"]), name=campaign.name, status=campaign.status.value)

    async def find_ad_sets(self, campaign_id: str, tag: str) -> list[AdObject]:
        rows = await self._list(
            f"{campaign_id}/adsets",
            {
                "fields": "id,name,status,daily_budget,lifetime_budget",
                "filtering": _name_contains(tag),
            },
        )
        return [_object(row) for row in rows]

    async def create_ad_set(self, ad_set: NewAdSet) -> AdObject:
        budget_field = f"{ad_set.budget_kind.value}_budget"
        body = await self._call(
            "POST",
            f"{self._account}/adsets",
            data={
                "name": ad_set.name,
                "campaign_id": ad_set.campaign_id,
                budget_field: to_minor(ad_set.budget_eur),
                "billing_event": "IMPRESSIONS",
                "optimization_goal": "OFFSITE_CONVERSIONS",
                "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
                "targeting": {"geo_locations": {"countries": ad_set.countries}},
                "end_time": utc_text(ad_set.end_time),
                "status": ad_set.status.value,
            },
        )
        return AdObject(
            id=str(body["id"]),
            name=ad_set.name,
            status=ad_set.status.value,
            budget_eur=ad_set.budget_eur,
            budget_kind=ad_set.budget_kind,
        )

    async def find_ads(self, campaign_id: str, tag: str) -> list[AdObject]:
        rows = await self._list(
            f"{campaign_id}/ads",
            {"fields": "id,name,status,adset_id", "filtering": _name_contains(tag)},
        )
        return [_object(row) for row in rows]

    async def create_ad(self, ad: NewAd) -> AdObject:
        uploaded = await self._call(
            "POST",
            f"{self._account}/adimages",
            files={"filename": (ad.image_name, ad.image_png, "image/png")},
        )
        image_hash = next(iter(uploaded["images"].values()))["hash"]
        link_data = {
            "message": ad.primary_text,
            "link": ad.link,
            "name": ad.headline,
            "description": ad.description,
            "image_hash": image_hash,
            "call_to_action": {"type": "SHOP_NOW", "value": {"link": ad.link}},
        }
        creative = await self._call(
            "POST",
            f"{self._account}/adcreatives",
            data={
                "name": f"{ad.name} creative",
                "object_story_spec": {"page_id": self._page_id, "link_data": link_data},
            },
        )
        body = await self._call(
            "POST",
            f"{self._account}/ads",
            data={
                "name": ad.name,
                "adset_id": ad.adset_id,
                "creative": {"creative_id": str(creative["id"])},
                "status": ad.status.value,
            },
        )
        return AdObject(id=str(body["id"]), name=ad.name, status=ad.status.value)

    async def set_status(self, object_id: str, status: Status) -> None:
        await self._call("POST", object_id, data={"status": status.value})

    async def get_ad_set(self, adset_id: str) -> AdObject:
        row = await self._call(
            "GET", adset_id, params={"fields": "id,name,status,daily_budget,lifetime_budget"}
        )
        return _object(row)

    async def get_ad(self, ad_id: str) -> AdObject:
        return _object(await self._call("GET", ad_id, params={"fields": "id,name,status"}))

    async def set_budget(self, adset_id: str, budget_eur: Decimal) -> AdObject:
        current = await self.get_ad_set(adset_id)
        kind = current.budget_kind or BudgetKind.LIFETIME
        await self._call("POST", adset_id, data={f"{kind.value}_budget": to_minor(budget_eur)})
        return current.model_copy(update={"budget_eur": budget_eur})

    async def insights(self, campaign_id: str) -> list[AdInsights]:
        rows = await self._list(
            f"{campaign_id}/insights",
            {
                "level": "ad",
                "date_preset": "maximum",
                "fields": "ad_id,ad_name,adset_id,spend,actions,action_values,purchase_roas",
            },
        )
        return [_insights(row) for row in rows]


def _object(row: dict[str, Any]) -> AdObject:
    budget: Decimal | None = None
    kind: BudgetKind | None = None
    for candidate in (BudgetKind.LIFETIME, BudgetKind.DAILY):
        raw = row.get(f"{candidate.value}_budget")
        if raw not in (None, "", "0", 0):
            budget, kind = from_minor(raw), candidate
    return AdObject(
        id=str(row["id"]),
        name=str(row.get("name", "")),
        status=str(row.get("status", "")),
        budget_eur=budget,
        budget_kind=kind,
    )


def _action_value(entries: Any, action_type: str = "purchase") -> Decimal:
    for entry in entries or []:
        if entry.get("action_type") in {action_type, f"omni_{action_type}"}:
            return Decimal(str(entry.get("value", "0")))
    return Decimal(0)


def _insights(row: dict[str, Any]) -> AdInsights:
    spend = Decimal(str(row.get("spend", "0")))
    value = _action_value(row.get("action_values"))
    reported = row.get("purchase_roas")
    roas = _action_value(reported, "purchase") if reported else None
    if roas is None and spend > 0:
        roas = (value / spend).quantize(Decimal("0.01"))
    return AdInsights(
        ad_id=str(row["ad_id"]),
        ad_name=str(row.get("ad_name", "")),
        adset_id=str(row.get("adset_id", "")),
        spend_eur=spend,
        purchases=int(_action_value(row.get("actions"))),
        purchase_value_eur=value,
        roas=roas,
        date_start=str(row.get("date_start", "")),
        date_stop=str(row.get("date_stop", "")),
    )


def _error(status: int, body: Any) -> AdsError:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return AdsError(f"Meta answered HTTP {status} without a Graph API error", status=status)
    code = error.get("code")
    message = f"{error.get('message', 'unknown error')} (code {code})"
    kind: type[AdsError] = AdsError
    if code in _AUTH_CODES or status in (401, 403):
        kind = AdsAuthError
    elif code in _RATE_CODES or status == 429:
        kind = AdsRateLimitError
    elif code == 100 and error.get("error_subcode") == 33:
        kind = AdsNotFoundError
    return kind(message, code=code if isinstance(code, int) else None, status=status)
