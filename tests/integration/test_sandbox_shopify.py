"""The Shopify Admin GraphQL emulator over real HTTP: wire format, auth, cost, state, mutations."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from graphql import GraphQLObjectType

from tools.sandbox import SandboxServer
from tools.sandbox.shopify import (
    CLIENT_ID,
    CLIENT_SECRET,
    STATIC_TOKEN,
    ShopifyEmulator,
    ShopifyStore,
)

API = "/shopify/admin/api/2026-01/graphql.json"
TOKEN_URL = "/shopify/admin/oauth/access_token"
ADMIN = "/_sandbox/shopify"


class Shop:
    """A thin GraphQL caller bound to the running sandbox."""

    def __init__(self, server: SandboxServer, http: httpx.Client) -> None:
        self.server = server
        self.http = http
        emulator = server.sandbox.emulators["shopify"]
        assert isinstance(emulator, ShopifyEmulator)
        self.emulator = emulator

    def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str = STATIC_TOKEN
    ) -> httpx.Response:
        return self.http.post(
            API,
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": token},
        )

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(query, variables)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def ledger(self) -> dict[str, int]:
        return self.server.sandbox.ledger.counts()


@pytest.fixture
def shop(sandbox: SandboxServer) -> Iterator[Shop]:
    with httpx.Client(base_url=sandbox.url, timeout=10) as http:
        yield Shop(sandbox, http)


# --- wire format and errors -----------------------------------------------------------------------


def test_documented_curl_returns_products_with_cost(shop: Shop) -> None:
    response = shop.http.post(
        API,
        content=b'{"query": "{ products(first: 5) { nodes { id title handle } } }"}',
        headers={"X-Shopify-Access-Token": STATIC_TOKEN, "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert response.headers["x-shopify-api-version"] == "2026-01"
    body = response.json()
    nodes = body["data"]["products"]["nodes"]
    assert len(nodes) == 5
    assert nodes[0] == {
        "id": "gid://shopify/Product/1000001",
        "title": "Adjustable Dumbbell Set",
        "handle": "adjustable-dumbbell-set",
    }
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 7  # connection 2 + 5 nodes
    assert cost["actualQueryCost"] == 7
    status = cost["throttleStatus"]
    assert isinstance(status["maximumAvailable"], float)
    assert status["maximumAvailable"] == 1000.0
    assert status["restoreRate"] == 100.0
    assert isinstance(status["currentlyAvailable"], int)


def test_malformed_graphql_is_a_graphql_error_not_500(shop: Shop) -> None:
    response = shop.post("{ products(first: 1) { nodes { id }")
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "PARSE_ERROR"
    assert error["locations"][0]["line"] == 1
    assert "cost" in body["extensions"]


def test_unknown_field_is_a_graphql_error(shop: Shop) -> None:
    response = shop.post("{ products(first: 1) { nodes { id colour } } }")
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["message"] == "Field 'colour' doesn't exist on type 'Product'"
    assert error["extensions"] == {
        "code": "undefinedField",
        "typeName": "Product",
        "fieldName": "colour",
    }


def test_wrong_variable_type_and_missing_argument(shop: Shop) -> None:
    wrong = shop.post("query($n: Int!) { products(first: $n) { nodes { id } } }", {"n": "ten"})
    assert wrong.status_code == 200
    assert wrong.json()["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"
    missing = shop.post("{ product { id } }")
    assert missing.json()["errors"][0]["extensions"]["code"] == "missingRequiredArguments"


def test_invalid_global_id_and_page_size_errors(shop: Shop) -> None:
    bad_id = shop.post('{ product(id: "1000001") { id } }').json()
    assert bad_id["errors"][0]["message"] == "Invalid global id '1000001'"
    too_big = shop.post("{ products(first: 251) { nodes { id } } }").json()
    assert too_big["errors"][0]["path"] == ["products"]
    assert "250" in too_big["errors"][0]["message"]
    no_size = shop.post("{ products { nodes { id } } }").json()
    assert no_size["errors"][0]["message"] == "you must provide one of first or last"


def test_unexpected_resolver_failure_becomes_internal_server_error(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom")

    shop_type = shop.emulator.executor.schema.type_map["Shop"]
    assert isinstance(shop_type, GraphQLObjectType)
    field = shop_type.fields["name"]
    monkeypatch.setattr(field, "resolve", explode)
    response = shop.post("{ shop { name } }")
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "boom" not in error["message"]


def test_bad_bodies_and_versions(shop: Shop) -> None:
    headers = {"X-Shopify-Access-Token": STATIC_TOKEN}
    not_json = shop.http.post(API, content=b"{not json", headers=headers)
    assert not_json.status_code == 400
    assert isinstance(not_json.json()["errors"], str)
    no_query = shop.http.post(API, json={"variables": {}}, headers=headers)
    assert no_query.status_code == 400
    unknown_version = shop.http.post(
        "/shopify/admin/api/2026-02/graphql.json", json={"query": "{ shop { id } }"}
    )
    assert unknown_version.status_code == 404
    older = shop.http.post(
        "/shopify/admin/api/2025-10/graphql.json",
        json={"query": "{ shop { name } }"},
        headers=headers,
    )
    assert older.json()["data"]["shop"]["name"] == "Royal Equips Demo"


# --- authentication -------------------------------------------------------------------------------


def test_bad_or_missing_token_is_401(shop: Shop) -> None:
    expected = {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }
    bad = shop.post("{ shop { id } }", token="shpat_wrong")
    assert bad.status_code == 401
    assert bad.json() == expected
    missing = shop.http.post(API, json={"query": "{ shop { id } }"})
    assert missing.status_code == 401


def _grant(shop: Shop, **overrides: str) -> httpx.Response:
    body = {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        **overrides,
    }
    return shop.http.post(TOKEN_URL, json=body)


def test_client_credentials_grant_issues_working_tokens(shop: Shop) -> None:
    granted = _grant(shop)
    assert granted.status_code == 200
    body = granted.json()
    assert body["access_token"].startswith("shpat_cc_")
    assert body["expires_in"] == 86399
    assert "write_products" in body["scope"]
    assert shop.post("{ shop { id } }", token=body["access_token"]).status_code == 200
    form = shop.http.post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert form.status_code == 200
    wrong_secret = _grant(shop, client_secret="nope")
    assert wrong_secret.status_code == 401
    assert wrong_secret.json()["error"] == "invalid_client"
    wrong_grant = _grant(shop, grant_type="password")
    assert wrong_grant.status_code == 400
    assert wrong_grant.json()["error"] == "unsupported_grant_type"


def test_revoked_and_expired_tokens_are_rejected(shop: Shop) -> None:
    token = _grant(shop).json()["access_token"]
    assert shop.post("{ shop { id } }", token=token).status_code == 200
    assert shop.http.post(f"{ADMIN}/auth/revoke").json() == {"revoked": 1}
    assert shop.post("{ shop { id } }", token=token).status_code == 401
    assert shop.post("{ shop { id } }").status_code == 200  # the static token stays valid

    shop.http.put(f"{ADMIN}/auth", json={"tokenLifetimeSeconds": 0}).raise_for_status()
    expired = _grant(shop).json()
    assert expired["expires_in"] == 0
    assert shop.post("{ shop { id } }", token=expired["access_token"]).status_code == 401


# --- cost and throttling --------------------------------------------------------------------------


def test_throttled_when_the_bucket_is_drained(shop: Shop) -> None:
    limits = shop.http.put(f"{ADMIN}/limits", json={"maximumAvailable": 10, "restoreRate": 0})
    assert limits.json()["maximumAvailable"] == 10.0
    query = "{ products(first: 5) { nodes { id } } }"
    first = shop.post(query).json()
    assert first["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 3
    throttled = shop.post(query)
    assert throttled.status_code == 200
    body = throttled.json()
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 7
    assert cost["actualQueryCost"] is None
    assert cost["throttleStatus"] == {
        "maximumAvailable": 10.0,
        "currentlyAvailable": 3,
        "restoreRate": 0.0,
    }


def test_unused_cost_is_refunded_and_huge_queries_are_refused(shop: Shop) -> None:
    shop.http.put(f"{ADMIN}/limits", json={"restoreRate": 0}).raise_for_status()
    body = shop.post("{ products(first: 250) { nodes { id } } }").json()
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 252
    assert cost["actualQueryCost"] == 22  # 20 products came back
    assert cost["throttleStatus"]["currentlyAvailable"] == 1000 - 22
    huge = shop.post(
        "{ products(first: 250) { nodes { variants(first: 10) { nodes { id } } } } }"
    ).json()
    assert "data" not in huge
    assert huge["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert huge["extensions"]["cost"]["actualQueryCost"] is None


# --- idempotency ----------------------------------------------------------------------------------

CREATE = """
mutation Create($product: ProductCreateInput!) {
  productCreate(product: $product) @idempotent(key: "create-key-1") {
    product { id title handle status }
    userErrors { field message }
  }
}
"""


def test_idempotent_replay_applies_once(shop: Shop) -> None:
    product = {"title": "Smart Jump Rope", "status": "DRAFT"}
    first = shop.gql(CREATE, {"product": product})["productCreate"]
    second = shop.gql(CREATE, {"product": product})["productCreate"]
    assert first == second
    assert first["product"]["handle"] == "smart-jump-rope-1"  # the seed owns smart-jump-rope
    assert shop.ledger() == {"shopify.productCreate": 1}
    assert shop.server.sandbox.ledger.records()[0].key == "create-key-1"
    assert len(shop.emulator.store.products) == 21

    mismatch = shop.post(CREATE, {"product": {"title": "Another"}}).json()
    assert mismatch["data"] == {"productCreate": None}
    assert mismatch["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    assert shop.ledger() == {"shopify.productCreate": 1}


# --- mutations and userErrors ---------------------------------------------------------------------


def test_product_create_validation_and_update(shop: Shop) -> None:
    blank = shop.gql(
        'mutation { productCreate(product: {title: "  "}) { product { id } '
        "userErrors { field message } } }"
    )["productCreate"]
    assert blank == {
        "product": None,
        "userErrors": [{"field": ["title"], "message": "Title can't be blank"}],
    }
    assert shop.ledger() == {}

    created = shop.gql(
        """mutation($p: ProductCreateInput!) { productCreate(product: $p) {
             product { id handle status vendor tags variants(first: 5) { nodes { title price } } }
             userErrors { field message } } }""",
        {"p": {"title": "Trail Camera", "vendor": "SunVolt", "tags": ["outdoor", "new"]}},
    )["productCreate"]
    assert created["userErrors"] == []
    assert created["product"]["status"] == "ACTIVE"
    assert created["product"]["variants"]["nodes"] == [{"title": "Default Title", "price": "0.00"}]

    taken = shop.gql(
        """mutation($p: ProductUpdateInput!) { productUpdate(product: $p) {
             product { id } userErrors { field message } } }""",
        {"p": {"id": created["product"]["id"], "handle": "smart-jump-rope"}},
    )["productUpdate"]
    assert taken["userErrors"][0]["field"] == ["handle"]

    updated = shop.gql(
        """mutation($p: ProductUpdateInput!) { productUpdate(product: $p) {
             product { title descriptionHtml seo { title } } userErrors { field message } } }""",
        {
            "p": {
                "id": created["product"]["id"],
                "title": "Trail Camera 4K",
                "descriptionHtml": "<p>Sharp.</p>",
                "seo": {"title": "4K trail cam"},
            }
        },
    )["productUpdate"]
    assert updated["product"] == {
        "title": "Trail Camera 4K",
        "descriptionHtml": "<p>Sharp.</p>",
        "seo": {"title": "4K trail cam"},
    }
    assert shop.ledger() == {"shopify.productCreate": 1, "shopify.productUpdate": 1}


BULK = """
mutation($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id price compareAtPrice }
    userErrors { field message code }
  }
}
"""


def test_variants_bulk_update_prices_and_errors(shop: Shop) -> None:
    product_id = "gid://shopify/Product/1000001"
    negative = shop.gql(
        BULK,
        {
            "productId": product_id,
            "variants": [{"id": "gid://shopify/ProductVariant/2000001", "price": "-1.00"}],
        },
    )["productVariantsBulkUpdate"]
    assert negative["productVariants"] is None
    assert negative["userErrors"] == [
        {
            "field": ["variants", "0", "price"],
            "message": "Price must be greater than or equal to 0",
            "code": "GREATER_THAN_OR_EQUAL_TO",
        }
    ]
    unknown = shop.gql(
        BULK,
        {"productId": product_id, "variants": [{"id": "gid://shopify/ProductVariant/2000099"}]},
    )["productVariantsBulkUpdate"]
    assert unknown["userErrors"][0]["code"] == "PRODUCT_VARIANT_DOES_NOT_EXIST"
    assert shop.ledger() == {}

    ok = shop.gql(
        BULK,
        {
            "productId": product_id,
            "variants": [
                {
                    "id": "gid://shopify/ProductVariant/2000001",
                    "price": "79.95",
                    "compareAtPrice": "99.95",
                }
            ],
        },
    )["productVariantsBulkUpdate"]
    assert ok["userErrors"] == []
    assert ok["productVariants"] == [
        {"id": "gid://shopify/ProductVariant/2000001", "price": "79.95", "compareAtPrice": "99.95"}
    ]
    variant = shop.emulator.store.variant("gid://shopify/ProductVariant/2000001")
    assert variant is not None
    assert variant.price == Decimal("79.95")
    assert shop.ledger() == {"shopify.productVariantsBulkUpdate": 1}


def test_partial_variant_updates_apply_the_valid_entries(shop: Shop) -> None:
    result = shop.gql(
        """mutation($variants: [ProductVariantsBulkInput!]!) {
             productVariantsBulkUpdate(productId: "gid://shopify/Product/1000001",
                                       variants: $variants, allowPartialUpdates: true) {
               productVariants { id price } userErrors { field code } } }""",
        {
            "variants": [
                {"id": "gid://shopify/ProductVariant/2000002", "price": "95.00"},
                {"id": "gid://shopify/ProductVariant/2000009", "price": "1.00"},
            ]
        },
    )["productVariantsBulkUpdate"]
    assert result["productVariants"] == [
        {"id": "gid://shopify/ProductVariant/2000002", "price": "95.00"}
    ]
    assert result["userErrors"] == [
        {"field": ["variants", "1", "id"], "code": "PRODUCT_VARIANT_DOES_NOT_EXIST"}
    ]
    assert shop.ledger() == {"shopify.productVariantsBulkUpdate": 1}


def test_input_arrays_over_250_are_refused(shop: Shop) -> None:
    body = shop.post(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": ["gid://shopify/Product/1000001"] * 251},
    ).json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "MAX_INPUT_SIZE_EXCEEDED"


SET_QUANTITIES = """
mutation($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { reason changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}
"""


def test_inventory_set_quantities_compare_and_set(shop: Shop) -> None:
    store = shop.emulator.store
    item, warehouse = "gid://shopify/InventoryItem/3000001", "gid://shopify/Location/71001"
    current = store.inventory_quantity(item, warehouse)
    assert current is not None

    def set_to(quantity: int, **extra: Any) -> dict[str, Any]:
        entry = {"inventoryItemId": item, "locationId": warehouse, "quantity": quantity, **extra}
        payload = {"name": "available", "reason": "correction", "quantities": [entry]}
        result: dict[str, Any] = shop.gql(SET_QUANTITIES, {"input": payload})[
            "inventorySetQuantities"
        ]
        return result

    stale = set_to(5, changeFromQuantity=current + 1)
    assert stale["inventoryAdjustmentGroup"] is None
    assert stale["userErrors"][0]["code"] == "CHANGE_FROM_QUANTITY_STALE"
    assert stale["userErrors"][0]["field"] == ["input", "quantities", "0", "changeFromQuantity"]
    required = set_to(5)
    assert required["userErrors"][0]["code"] == "COMPARE_QUANTITY_REQUIRED"
    assert store.inventory_quantity(item, warehouse) == current

    applied = set_to(5, changeFromQuantity=current)
    assert applied["userErrors"] == []
    assert applied["inventoryAdjustmentGroup"]["changes"][0] == {
        "name": "available",
        "delta": 5 - current,
        "quantityAfterChange": 5,
    }
    assert store.inventory_quantity(item, warehouse) == 5
    assert set_to(7, changeFromQuantity=None)["userErrors"] == []  # explicit opt-out
    assert store.inventory_quantity(item, warehouse) == 7
    assert shop.ledger() == {"shopify.inventorySetQuantities": 2}


def test_publishable_publish_puts_a_draft_on_the_online_store(shop: Shop) -> None:
    store = shop.emulator.store
    draft = store.product_by_handle("robot-window-cleaner")
    assert draft is not None
    assert store.published_publications(draft.id) == []
    result = shop.gql(
        """mutation($id: ID!, $input: [PublicationInput!]!) {
             publishablePublish(id: $id, input: $input) {
               publishable { ... on Product {
                 id publishedOnPublication(publicationId: "gid://shopify/Publication/81001") } }
               userErrors { field message } } }""",
        {"id": draft.id, "input": [{"publicationId": "gid://shopify/Publication/81001"}]},
    )["publishablePublish"]
    assert result["userErrors"] == []
    assert result["publishable"]["publishedOnPublication"] is True
    assert store.published_publications(draft.id) == ["Online Store"]
    unknown = shop.gql(
        """mutation { publishablePublish(id: "gid://shopify/Product/1000001",
             input: [{publicationId: "gid://shopify/Publication/1"}]) {
               userErrors { field message } } }"""
    )["publishablePublish"]
    assert unknown["userErrors"] == [
        {"field": ["input", "0", "publicationId"], "message": "Publication does not exist"}
    ]


PRODUCT_SET = """
mutation($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product { id handle title variants(first: 10) { nodes { id title sku price } } }
    userErrors { field message code }
  }
}
"""


def test_product_set_creates_then_replaces_variants(shop: Shop) -> None:
    warehouse = "gid://shopify/Location/71001"
    options = [{"name": "Color", "values": [{"name": "Red"}, {"name": "Blue"}]}]

    def variant(color: str, price: str) -> dict[str, Any]:
        return {
            "optionValues": [{"optionName": "Color", "name": color}],
            "price": price,
            "sku": f"RE-KB-{color.upper()}",
            "inventoryQuantities": [{"locationId": warehouse, "name": "available", "quantity": 9}],
        }

    created = shop.gql(
        PRODUCT_SET,
        {
            "input": {
                "title": "Kettlebell",
                "handle": "kettlebell",
                "productOptions": options,
                "variants": [variant("Red", "39.00"), variant("Blue", "41.00")],
            },
            "identifier": {"handle": "kettlebell"},
        },
    )["productSet"]
    assert created["userErrors"] == []
    red_id = created["product"]["variants"]["nodes"][0]["id"]
    assert [v["sku"] for v in created["product"]["variants"]["nodes"]] == [
        "RE-KB-RED",
        "RE-KB-BLUE",
    ]
    red = shop.emulator.store.variant(red_id)
    assert red is not None
    assert shop.emulator.store.inventory_quantity(red.inventory_item.id, warehouse) == 9

    replaced = shop.gql(
        PRODUCT_SET,
        {
            "input": {"productOptions": options, "variants": [variant("Red", "35.00")]},
            "identifier": {"handle": "kettlebell"},
        },
    )["productSet"]
    assert replaced["product"]["id"] == created["product"]["id"]
    assert replaced["product"]["variants"]["nodes"] == [
        {"id": red_id, "title": "Red", "sku": "RE-KB-RED", "price": "35.00"}
    ]
    bad = shop.gql(
        PRODUCT_SET,
        {
            "input": {
                "productOptions": options,
                "variants": [{"optionValues": [{"optionName": "Size", "name": "XL"}]}],
            },
            "identifier": {"handle": "kettlebell"},
        },
    )["productSet"]
    assert bad["userErrors"][0]["code"] == "OPTION_DOES_NOT_EXIST"
    assert shop.ledger() == {"shopify.productSet": 2}


def test_asynchronous_product_set_can_be_polled(shop: Shop) -> None:
    started = shop.gql(
        """mutation { productSet(synchronous: false, input: {title: "Balance Board"}) {
             product { id } productSetOperation { id status } userErrors { code } } }"""
    )["productSet"]
    assert started["product"] is None
    operation = started["productSetOperation"]
    polled = shop.gql(
        "query($id: ID!) { productOperation(id: $id) { status product { handle } } }",
        {"id": operation["id"]},
    )["productOperation"]
    assert polled == {"status": "COMPLETE", "product": {"handle": "balance-board"}}


def _open_order(shop: Shop) -> dict[str, Any]:
    orders = shop.gql(
        """{ orders(first: 5, query: "fulfillment_status:unfulfilled financial_status:paid") {
             nodes { id name totalPriceSet { shopMoney { amount } }
               lineItems(first: 5) { nodes { id quantity } }
               fulfillmentOrders(first: 2) { nodes { id status
                 lineItems(first: 5) { nodes { id remainingQuantity } } } } } } }"""
    )["orders"]["nodes"]
    assert orders
    order: dict[str, Any] = orders[0]
    return order


def test_fulfillment_create_ships_the_fulfillment_order(shop: Shop) -> None:
    order = _open_order(shop)
    fulfillment_order = order["fulfillmentOrders"]["nodes"][0]
    mutation = """mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) {
        fulfillment { id status trackingInfo { company number url } }
        userErrors { field message } } }"""
    variables = {
        "f": {
            "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fulfillment_order["id"]}],
            "trackingInfo": {
                "company": "PostNL",
                "number": "3SABC123",
                "url": "https://postnl.nl/t",
            },
            "notifyCustomer": True,
        }
    }
    created = shop.gql(mutation, variables)["fulfillmentCreate"]
    assert created["userErrors"] == []
    assert created["fulfillment"]["trackingInfo"] == [
        {"company": "PostNL", "number": "3SABC123", "url": "https://postnl.nl/t"}
    ]
    after = shop.gql(
        """query($id: ID!) { order(id: $id) { displayFulfillmentStatus
             fulfillmentOrders(first: 1) { nodes { status
               lineItems(first: 5) { nodes { remainingQuantity } } } } } }""",
        {"id": order["id"]},
    )["order"]
    assert after["displayFulfillmentStatus"] == "FULFILLED"
    fo = after["fulfillmentOrders"]["nodes"][0]
    assert fo["status"] == "CLOSED"
    assert {line["remainingQuantity"] for line in fo["lineItems"]["nodes"]} == {0}
    again = shop.gql(mutation, variables)["fulfillmentCreate"]
    assert "unfulfillable status" in again["userErrors"][0]["message"]
    assert shop.ledger() == {"shopify.fulfillmentCreate": 1}


REFUND = """
mutation($input: RefundInput!) {
  refundCreate(input: $input) {
    refund { id totalRefundedSet { shopMoney { amount currencyCode } } }
    order { displayFinancialStatus totalRefundedSet { shopMoney { amount } } }
    userErrors { field message }
  }
}
"""


def test_refund_create_cannot_exceed_what_was_paid(shop: Shop) -> None:
    order = _open_order(shop)
    total = Decimal(order["totalPriceSet"]["shopMoney"]["amount"])
    line = order["lineItems"]["nodes"][0]

    def refund(amount: Decimal) -> dict[str, Any]:
        transaction = {
            "orderId": order["id"],
            "amount": str(amount),
            "gateway": "shopify_payments",
            "kind": "REFUND",
        }
        result: dict[str, Any] = shop.gql(
            REFUND,
            {
                "input": {
                    "orderId": order["id"],
                    "note": "Damaged on arrival",
                    "refundLineItems": [
                        {"lineItemId": line["id"], "quantity": 1, "restockType": "NO_RESTOCK"}
                    ],
                    "transactions": [transaction],
                }
            },
        )["refundCreate"]
        return result

    too_much = refund(total + Decimal("0.01"))
    assert too_much["refund"] is None
    assert too_much["userErrors"][0]["field"] == ["transactions"]
    assert shop.emulator.store.refunds_for_order(order["id"]) == []

    done = refund(Decimal("10.00"))
    assert done["userErrors"] == []
    assert done["refund"]["totalRefundedSet"]["shopMoney"] == {
        "amount": "10.0",
        "currencyCode": "EUR",
    }
    assert done["order"]["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    refunds = shop.emulator.store.refunds_for_order(order["id"])
    assert [r.total_refunded for r in refunds] == [Decimal("10.00")]
    assert shop.ledger() == {"shopify.refundCreate": 1}


DISCOUNT = """
mutation($d: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $d) {
    codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { title status summary
      codes(first: 1) { nodes { code } } } } }
    userErrors { field code message extraInfo }
  }
}
"""


def test_discount_code_basic_create_rejects_duplicate_codes(shop: Shop) -> None:
    discount = {
        "title": "Spring 10",
        "code": "SPRING10",
        "startsAt": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "context": {"all": "ALL"},
        "customerGets": {"items": {"all": True}, "value": {"percentage": 0.1}},
        "combinesWith": {"shippingDiscounts": True},
    }
    created = shop.gql(DISCOUNT, {"d": discount})["discountCodeBasicCreate"]
    assert created["userErrors"] == []
    basic = created["codeDiscountNode"]["codeDiscount"]
    assert basic["status"] == "ACTIVE"
    assert basic["summary"] == "10% off entire order"
    assert basic["codes"]["nodes"] == [{"code": "SPRING10"}]
    duplicate = shop.gql(DISCOUNT, {"d": {**discount, "code": "spring10"}})[
        "discountCodeBasicCreate"
    ]
    assert duplicate["codeDiscountNode"] is None
    assert duplicate["userErrors"] == [
        {
            "field": ["basicCodeDiscount", "code"],
            "code": "TAKEN",
            "message": "Code must be unique. Please try a different code.",
            "extraInfo": None,
        }
    ]
    assert shop.ledger() == {"shopify.discountCodeBasicCreate": 1}


AUTOMATIC = """
mutation($d: DiscountAutomaticBasicInput!) {
  discountAutomaticBasicCreate(automaticBasicDiscount: $d) {
    automaticDiscountNode { id automaticDiscount { ... on DiscountAutomaticBasic { title status
      summary startsAt endsAt } } }
    userErrors { field code message extraInfo }
  }
}
"""

AUTOMATIC_NODES = """
{ automaticDiscountNodes(first: 5, reverse: true) { nodes { id automaticDiscount {
  ... on DiscountAutomaticBasic { title } } } } }
"""


def test_discount_automatic_basic_create_has_no_code_and_reports_errors_at_its_root(
    shop: Shop,
) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    discount = {
        "title": "Summer 10",
        "startsAt": start.isoformat(),
        "endsAt": (start + timedelta(days=7)).isoformat(),
        "customerGets": {"items": {"all": True}, "value": {"percentage": 0.1}},
    }
    created = shop.gql(AUTOMATIC, {"d": discount})["discountAutomaticBasicCreate"]
    assert created["userErrors"] == []
    node = created["automaticDiscountNode"]
    assert node["id"].startswith("gid://shopify/DiscountAutomaticNode/")
    assert node["automaticDiscount"]["status"] == "ACTIVE"
    assert node["automaticDiscount"]["summary"] == "10% off entire order"
    listed = shop.gql(AUTOMATIC_NODES)["automaticDiscountNodes"]["nodes"]
    assert [n["id"] for n in listed] == [node["id"]]
    bad = {**discount, "customerGets": {"items": {"all": True}, "value": {"percentage": 1.5}}}
    refused = shop.gql(AUTOMATIC, {"d": bad})["discountAutomaticBasicCreate"]
    assert refused["automaticDiscountNode"] is None
    assert refused["userErrors"] == [
        {
            "field": ["automaticBasicDiscount", "customerGets", "value", "percentage"],
            "code": "VALUE_OUTSIDE_RANGE",
            "message": "Value must be between 0.0 and 1.0",
            "extraInfo": None,
        }
    ]
    assert shop.ledger() == {"shopify.discountAutomaticBasicCreate": 1}


# --- seeded state ---------------------------------------------------------------------------------


def test_seeded_demo_shop_is_deterministic(shop: Shop) -> None:
    store = shop.emulator.store
    assert store.summary() == {
        "products": 20,
        "activeProducts": 15,
        "variants": 38,
        "customers": 12,
        "orders": 30,
        "locations": 2,
        "publications": 2,
        "refunds": 4,
        "fulfillments": 21,
        "discounts": 0,
        "automaticDiscounts": 0,
    }
    statuses = [p.status for p in store.products.values()]
    assert (statuses.count("DRAFT"), statuses.count("ARCHIVED")) == (4, 1)
    assert all(1 <= len(p.variants) <= 4 for p in store.products.values())
    assert all(v.sku for v in store.variants.values())
    twin = ShopifyStore(seed=7)
    assert [(v.id, v.sku, v.price) for v in twin.variants.values()] == [
        (v.id, v.sku, v.price) for v in store.variants.values()
    ]
    assert [o.name for o in twin.orders.values()] == [o.name for o in store.orders.values()]
    assert ShopifyStore(seed=8).summary()["orders"] == 30


def test_seed_is_the_same_at_any_time_of_day() -> None:
    """Orders follow the clock, but what was ordered, paid and shipped does not."""
    midnight = datetime(2026, 5, 1, tzinfo=UTC)
    stores = []
    for hours in (0.01, 6, 12, 23.99):
        at = midnight + timedelta(hours=hours)
        store = ShopifyStore(seed=7, clock=functools.partial(lambda moment: moment, at))
        store.reset()
        stores.append(store)
    shapes = {
        str(
            (
                store.summary(),
                [
                    (o.name, o.financial_status, [li.sku for li in o.line_items])
                    for o in store.orders.values()
                ],
            )
        )
        for store in stores
    }
    assert len(shapes) == 1


# --- search, sorting and pagination ---------------------------------------------------------------


def _product_titles(shop: Shop, query: str, **args: Any) -> list[str]:
    extra = "".join(f", {k}: {v}" for k, v in args.items())
    data = shop.gql(
        f"query($q: String) {{ products(first: 50, query: $q{extra}) {{ nodes {{ title }} }} }}",
        {"q": query},
    )
    return [n["title"] for n in data["products"]["nodes"]]


def test_product_search_filters(shop: Shop) -> None:
    assert len(_product_titles(shop, "status:draft")) == 4
    assert len(_product_titles(shop, "status:active,draft")) == 19
    assert _product_titles(shop, "sku:RE-DMB-10KG") == ["Adjustable Dumbbell Set"]
    assert _product_titles(shop, "handle:foam-roller-pro") == ["Foam Roller Pro"]
    assert _product_titles(shop, "title:yoga") == ["Eco Grip Yoga Mat"]
    assert _product_titles(shop, "lantern") == ["LED Camping Lantern"]
    assert set(_product_titles(shop, "tag:bestseller")) == {
        "Resistance Band Kit",
        "Mini Massage Gun",
        "Solar Power Bank 20000 mAh",
    }
    pulse_active = _product_titles(shop, "vendor:PulseFit AND status:active")
    assert pulse_active == ["Smart Jump Rope", "Mini Massage Gun"]
    assert "Smart Jump Rope" not in _product_titles(shop, "vendor:PulseFit -status:active")
    by_title = _product_titles(shop, "status:active", sortKey="TITLE", reverse="true")
    assert by_title == sorted(by_title, key=str.casefold, reverse=True)


def test_order_search_filters_and_recent_revenue(shop: Shop) -> None:
    def names(query: str) -> list[str]:
        data = shop.gql(
            "query($q: String) { orders(first: 100, query: $q, sortKey: CREATED_AT) "
            "{ nodes { name displayFinancialStatus } } }",
            {"q": query},
        )
        return [n["name"] for n in data["orders"]["nodes"]]

    assert len(names("")) == 30
    assert names("name:#1001") == ["#1001"]
    refunded = shop.gql(
        '{ orders(first: 50, query: "financial_status:refunded") '
        "{ nodes { displayFinancialStatus } } }"
    )["orders"]["nodes"]
    assert refunded
    assert {n["displayFinancialStatus"] for n in refunded} == {"REFUNDED"}
    today = datetime.now(UTC).date()
    yesterday = today - timedelta(days=1)
    assert len(names(f"created_at:>={today.isoformat()}")) >= 4
    assert len(names(f"created_at:>={yesterday} created_at:<{today}")) >= 4
    assert len(names(f"created_at:<{today - timedelta(days=14)}")) == 0
    email = shop.emulator.store.orders[5_000_001].email
    assert all(
        shop.emulator.store.order_by_name(n).email == email  # type: ignore[union-attr]
        for n in names(f"email:{email}")
    )


def test_cursor_pagination_across_more_than_250_products(shop: Shop) -> None:
    ids = shop.emulator.store.add_generated_products(300)
    assert len(ids) == 300
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = shop.gql(
            "query($after: String) { products(first: 250, after: $after) "
            "{ edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }",
            {"after": cursor},
        )["products"]
        pages += 1
        seen.extend(edge["node"]["id"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            assert page["pageInfo"]["hasPreviousPage"] is True
            break
        cursor = page["pageInfo"]["endCursor"]
    assert pages == 2
    assert len(seen) == len(set(seen)) == 320
    last_two = shop.gql(
        "query($before: String) { products(last: 2, before: $before) { nodes { id } } }",
        {"before": page["edges"][0]["cursor"]},
    )["products"]["nodes"]
    assert [n["id"] for n in last_two] == seen[248:250]
    bad_cursor = shop.post('{ products(first: 1, after: "zzz") { nodes { id } } }').json()
    assert bad_cursor["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_lookup_by_identifier_and_nodes(shop: Shop) -> None:
    data = shop.gql(
        """{ byHandle: productByIdentifier(identifier: {handle: "eco-grip-yoga-mat"}) {
               id totalInventory variantsCount { count } }
             missing: product(id: "gid://shopify/Product/999") { id }
             nodes(ids: ["gid://shopify/Location/71001", "gid://shopify/Customer/4000001"]) {
               id ... on Location { name } ... on Customer { displayName } } }"""
    )
    assert data["byHandle"]["variantsCount"] == {"count": 4}
    assert data["missing"] is None
    assert data["nodes"] == [
        {"id": "gid://shopify/Location/71001", "name": "Amsterdam Warehouse"},
        {"id": "gid://shopify/Customer/4000001", "displayName": "Sanne de Vries"},
    ]


# --- reset ----------------------------------------------------------------------------------------


def test_reset_restores_the_seeded_shop(shop: Shop) -> None:
    shop.gql(CREATE, {"product": {"title": "Temporary"}})
    shop.http.put(f"{ADMIN}/limits", json={"maximumAvailable": 50}).raise_for_status()
    token = _grant(shop).json()["access_token"]
    assert len(shop.emulator.store.products) == 21

    shop.http.post("/_sandbox/reset").raise_for_status()

    assert shop.emulator.store.summary()["products"] == 20
    assert shop.ledger() == {}
    assert shop.http.get(f"{ADMIN}/limits").json()["maximumAvailable"] == 1000.0
    assert shop.post("{ shop { id } }", token=token).status_code == 401
    replay = shop.gql(CREATE, {"product": {"title": "Temporary"}})["productCreate"]
    assert replay["product"]["id"] == "gid://shopify/Product/1000021"  # applied afresh
    assert shop.ledger() == {"shopify.productCreate": 1}
