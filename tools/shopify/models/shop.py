"""The shop itself: identity, currency and plan."""

from __future__ import annotations

from tools.shopify.models.common import GlobalId, ShopifyModel


class Domain(ShopifyModel):
    host: str
    url: str


class ShopPlan(ShopifyModel):
    public_display_name: str
    partner_development: bool
    shopify_plus: bool


class Shop(ShopifyModel):
    id: GlobalId
    name: str
    email: str
    myshopify_domain: str
    currency_code: str
    iana_timezone: str
    primary_domain: Domain
    plan: ShopPlan
