"""Models on the wire: camelCase, Decimal as strings, ids checked, explicit nulls kept."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from tools.shopify.errors import ShopifyUserError, UserErrorDetail
from tools.shopify.models import (
    DiscountCode,
    DiscountCodeBasicInput,
    DiscountCustomerGetsInput,
    DiscountMinimumQuantityInput,
    DiscountMinimumRequirementInput,
    DiscountValueInput,
    InventoryQuantityInput,
    InventorySetQuantitiesInput,
    OptionCreateInput,
    Order,
    Product,
    ProductSetIdentifier,
    RefundInput,
    RefundTransactionInput,
    VariantUpdate,
    ensure_gid,
    gid,
    parse_gid,
)

VARIANT = gid("ProductVariant", 11)
PRODUCT = gid("Product", 1)


def test_decimal_money_travels_as_a_string() -> None:
    update = VariantUpdate(id=VARIANT, price=Decimal("19.90"))
    assert update.to_variables() == {"id": VARIANT, "price": "19.90"}


def test_unset_fields_are_omitted_but_explicit_none_is_sent_as_null() -> None:
    assert VariantUpdate(id=VARIANT, compare_at_price=None).to_variables() == {
        "id": VARIANT,
        "compareAtPrice": None,
    }


def test_change_from_quantity_is_required_and_always_sent() -> None:
    with pytest.raises(ValidationError, match="changeFromQuantity"):
        InventoryQuantityInput(  # type: ignore[call-arg]
            inventory_item_id=gid("InventoryItem", 1), location_id=gid("Location", 1), quantity=3
        )
    request = InventorySetQuantitiesInput(
        reason="correction",
        quantities=[
            InventoryQuantityInput(
                inventory_item_id=gid("InventoryItem", 1),
                location_id=gid("Location", 1),
                quantity=3,
                change_from_quantity=None,
            )
        ],
    )
    assert request.to_variables() == {
        "name": "available",
        "reason": "correction",
        "quantities": [
            {
                "inventoryItemId": "gid://shopify/InventoryItem/1",
                "locationId": "gid://shopify/Location/1",
                "quantity": 3,
                "changeFromQuantity": None,
            }
        ],
    }


def test_inputs_refuse_unknown_fields_and_wrong_id_kinds() -> None:
    with pytest.raises(ValidationError, match="extra"):
        VariantUpdate(id=VARIANT, cost=Decimal(1))  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="expected a ProductVariant id"):
        VariantUpdate(id=PRODUCT)
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        VariantUpdate(id=VARIANT, price=Decimal("-1"))


def test_global_ids() -> None:
    assert parse_gid("gid://shopify/Product/123") == ("Product", "123")
    assert parse_gid("gid://shopify/InventoryLevel/9?inventory_item_id=4")[0] == "InventoryLevel"
    assert ensure_gid(PRODUCT, "Product") == PRODUCT
    for bad in ("123", "gid://shopify/Product/", "gid://other/Product/1", "gid://shopify//1"):
        with pytest.raises(ValueError, match="global id"):
            parse_gid(bad)


def test_option_values_accept_plain_text() -> None:
    option = OptionCreateInput(name="Size", values=["S", "M"])
    assert option.to_variables() == {"name": "Size", "values": [{"name": "S"}, {"name": "M"}]}


def test_product_set_identifier_is_exactly_one_of_id_or_handle() -> None:
    assert ProductSetIdentifier(handle="mug").to_variables() == {"handle": "mug"}
    with pytest.raises(ValidationError, match="exactly one"):
        ProductSetIdentifier()
    with pytest.raises(ValidationError, match="exactly one"):
        ProductSetIdentifier(id=PRODUCT, handle="mug")


def test_discount_input_shapes() -> None:
    discount = DiscountCodeBasicInput(
        title="Spring",
        code="SPRING15",
        starts_at=datetime(2026, 3, 1, tzinfo=UTC),
        customer_gets=DiscountCustomerGetsInput(value=DiscountValueInput(percentage=0.15)),
        minimum_requirement=DiscountMinimumRequirementInput(
            quantity=DiscountMinimumQuantityInput(greater_than_or_equal_to_quantity=2)
        ),
    )
    assert discount.to_variables() == {
        "title": "Spring",
        "code": "SPRING15",
        "startsAt": "2026-03-01T00:00:00Z",
        "appliesOncePerCustomer": False,
        "context": {"all": "ALL"},
        "customerGets": {"value": {"percentage": 0.15}, "items": {"all": True}},
        "minimumRequirement": {"quantity": {"greaterThanOrEqualToQuantity": "2"}},
    }
    with pytest.raises(ValidationError, match="exactly one of percentage"):
        DiscountValueInput()


def test_refund_amount_sums_its_transactions() -> None:
    order = gid("Order", 5)
    refund = RefundInput(
        order_id=order,
        transactions=[
            RefundTransactionInput(order_id=order, amount=Decimal("10.50"), gateway="manual"),
            RefundTransactionInput(order_id=order, amount=Decimal("4.50"), gateway="manual"),
        ],
    )
    assert refund.amount == Decimal("15.00")
    assert refund.to_variables()["transactions"][0] == {
        "orderId": order,
        "amount": "10.50",
        "gateway": "manual",
        "kind": "REFUND",
    }


def _money(amount: str) -> dict[str, object]:
    return {"shopMoney": {"amount": amount, "currencyCode": "EUR"}}


def test_product_reads_the_wire_shape() -> None:
    product = Product.model_validate(
        {
            "id": PRODUCT,
            "title": "Mug",
            "handle": "mug",
            "status": "ACTIVE",
            "vendor": "Royal",
            "productType": "Kitchen",
            "tags": ["gift"],
            "totalInventory": 7,
            "createdAt": "2026-01-02T03:04:05Z",
            "updatedAt": "2026-01-02T03:04:05Z",
            "descriptionHtml": "<p>Mug</p>",
            "priceRangeV2": {
                "minVariantPrice": {"amount": "9.5", "currencyCode": "EUR"},
                "maxVariantPrice": {"amount": "12.0", "currencyCode": "EUR"},
            },
            "variants": {
                "nodes": [
                    {
                        "id": VARIANT,
                        "title": "Default Title",
                        "price": "9.50",
                        "compareAtPrice": None,
                        "inventoryQuantity": 7,
                        "inventoryPolicy": "DENY",
                        "selectedOptions": [{"name": "Title", "value": "Default Title"}],
                        "inventoryItem": {
                            "id": gid("InventoryItem", 21),
                            "tracked": True,
                            "inventoryLevels": {
                                "nodes": [
                                    {
                                        "location": {"id": gid("Location", 3), "name": "HQ"},
                                        "quantities": [
                                            {"name": "available", "quantity": 7},
                                            {"name": "on_hand", "quantity": 9},
                                        ],
                                    }
                                ]
                            },
                        },
                    }
                ],
                "pageInfo": {"hasNextPage": False, "endCursor": None},
            },
        }
    )
    variant = product.variants[0]
    assert variant.price == Decimal("9.50")
    assert product.price_range is not None
    assert product.price_range.max_variant_price.amount == Decimal("12.0")
    assert variant.inventory_item is not None
    level = variant.inventory_item.inventory_levels[0]
    assert (level.location_id, level.quantities) == (
        gid("Location", 3),
        {"available": 7, "on_hand": 9},
    )
    assert product.created_at.tzinfo is not None


def test_order_flattens_ids_and_money() -> None:
    order = Order.model_validate(
        {
            "id": gid("Order", 5),
            "name": "#1001",
            "createdAt": "2026-01-02T03:04:05Z",
            "currencyCode": "EUR",
            "displayFinancialStatus": "PAID",
            "displayFulfillmentStatus": "UNFULFILLED",
            "totalPriceSet": _money("25.00"),
            "lineItems": {
                "nodes": [
                    {
                        "id": gid("LineItem", 7),
                        "title": "Mug",
                        "quantity": 2,
                        "variant": {"id": VARIANT},
                        "originalUnitPriceSet": _money("12.50"),
                    }
                ],
                "pageInfo": {"hasNextPage": False},
            },
            "fulfillmentOrders": {
                "nodes": [
                    {
                        "id": gid("FulfillmentOrder", 8),
                        "status": "OPEN",
                        "lineItems": {
                            "nodes": [
                                {
                                    "id": gid("FulfillmentOrderLineItem", 9),
                                    "totalQuantity": 2,
                                    "remainingQuantity": 2,
                                    "lineItem": {"id": gid("LineItem", 7)},
                                }
                            ]
                        },
                    }
                ]
            },
            "transactions": [
                {
                    "id": gid("OrderTransaction", 4),
                    "kind": "SALE",
                    "status": "SUCCESS",
                    "gateway": "manual",
                    "amountSet": _money("25.00"),
                }
            ],
        }
    )
    assert order.total_price.shop_money.amount == Decimal("25.00")
    assert order.line_items[0].variant_id == VARIANT
    assert order.fulfillment_orders[0].line_items[0].line_item_id == gid("LineItem", 7)
    assert order.transactions[0].amount.shop_money.amount == Decimal("25.00")


def test_discount_code_flattens_the_code_discount_node() -> None:
    code = DiscountCode.model_validate(
        {
            "id": gid("DiscountCodeNode", 1),
            "codeDiscount": {
                "title": "Spring",
                "status": "ACTIVE",
                "startsAt": "2026-03-01T00:00:00Z",
                "endsAt": None,
                "usageLimit": None,
                "codes": {"nodes": [{"code": "SPRING15"}]},
            },
        }
    )
    assert (code.title, code.codes) == ("Spring", ["SPRING15"])


def test_user_error_message_names_the_mutation_and_field_path() -> None:
    error = ShopifyUserError(
        "productVariantsBulkUpdate",
        [
            UserErrorDetail(
                field=["variants", "0", "price"], message="Price must be positive", code="INVALID"
            )
        ],
    )
    assert str(error) == (
        "productVariantsBulkUpdate failed: variants.0.price: Price must be positive (INVALID)"
    )
    assert error.codes == ["INVALID"]
    assert str(UserErrorDetail(field=None, message="Handle taken")) == "Handle taken"
