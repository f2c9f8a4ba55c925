"""The write operations. ``userErrors { code }`` is selected only where the type has it."""

from __future__ import annotations

from tools.shopify.documents import fragments as f

_PRODUCT_FRAGMENTS = (f.PRODUCT, f.PRODUCT_SUMMARY, f.VARIANT, f.VARIANT_CORE, f.MONEY, f.PAGE_INFO)

PRODUCT_CREATE = f.document(
    """
mutation ProductCreate($product: ProductCreateInput!) {
  productCreate(product: $product) {
    product {
      ...ProductFields
    }
    userErrors {
      field
      message
    }
  }
}
""",
    *_PRODUCT_FRAGMENTS,
)

PRODUCT_UPDATE = f.document(
    """
mutation ProductUpdate($product: ProductUpdateInput!) {
  productUpdate(product: $product) {
    product {
      ...ProductFields
    }
    userErrors {
      field
      message
    }
  }
}
""",
    *_PRODUCT_FRAGMENTS,
)

PRODUCT_SET = f.document(
    """
mutation ProductSet($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product {
      ...ProductFields
    }
    userErrors {
      field
      message
      code
    }
  }
}
""",
    *_PRODUCT_FRAGMENTS,
)

PUBLISHABLE_PUBLISH = """
mutation PublishablePublish($id: ID!, $input: [PublicationInput!]!) {
  publishablePublish(id: $id, input: $input) {
    publishable {
      ... on Node {
        id
      }
    }
    userErrors {
      field
      message
    }
  }
}
"""

PRODUCT_VARIANTS_BULK_UPDATE = f.document(
    """
mutation ProductVariantsBulkUpdate(
  $productId: ID!
  $variants: [ProductVariantsBulkInput!]!
  $allowPartialUpdates: Boolean
) {
  productVariantsBulkUpdate(
    productId: $productId
    variants: $variants
    allowPartialUpdates: $allowPartialUpdates
  ) {
    productVariants {
      ...VariantCoreFields
    }
    userErrors {
      field
      message
      code
    }
  }
}
""",
    f.VARIANT_CORE,
)

INVENTORY_SET_QUANTITIES = """
mutation InventorySetQuantities($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup {
      id
      createdAt
      reason
      referenceDocumentUri
      changes {
        name
        delta
        quantityAfterChange
        item {
          id
        }
        location {
          id
        }
      }
    }
    userErrors {
      field
      message
      code
    }
  }
}
"""

FULFILLMENT_CREATE = """
mutation FulfillmentCreate($fulfillment: FulfillmentInput!, $message: String) {
  fulfillmentCreate(fulfillment: $fulfillment, message: $message) {
    fulfillment {
      id
      name
      status
      createdAt
      trackingInfo {
        company
        number
        url
      }
    }
    userErrors {
      field
      message
    }
  }
}
"""

REFUND_CREATE = f.document(
    """
mutation RefundCreate($input: RefundInput!) {
  refundCreate(input: $input) {
    refund {
      id
      note
      createdAt
      totalRefundedSet {
        shopMoney {
          ...Money
        }
        presentmentMoney {
          ...Money
        }
      }
    }
    userErrors {
      field
      message
    }
  }
}
""",
    f.MONEY,
)

DISCOUNT_CODE_BASIC_CREATE = """
mutation DiscountCodeBasicCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode {
      id
      codeDiscount {
        ... on DiscountCodeBasic {
          title
          status
          summary
          startsAt
          endsAt
          usageLimit
          codes(first: 10) {
            nodes {
              code
            }
          }
        }
      }
    }
    userErrors {
      field
      message
      code
      extraInfo
    }
  }
}
"""

_AUTOMATIC_DISCOUNT_FIELDS = """
      id
      automaticDiscount {
        ... on DiscountAutomaticBasic {
          title
          status
          summary
          startsAt
          endsAt
        }
      }
"""

DISCOUNT_AUTOMATIC_BASIC_CREATE = (
    """
mutation DiscountAutomaticBasicCreate($automaticBasicDiscount: DiscountAutomaticBasicInput!) {
  discountAutomaticBasicCreate(automaticBasicDiscount: $automaticBasicDiscount) {
    automaticDiscountNode {"""
    + _AUTOMATIC_DISCOUNT_FIELDS
    + """    }
    userErrors {
      field
      message
      code
      extraInfo
    }
  }
}
"""
)

#: The newest automatic discounts first; a create looks itself up here before writing.
AUTOMATIC_DISCOUNTS = (
    """
query AutomaticDiscounts($first: Int!, $after: String) {
  automaticDiscountNodes(first: $first, after: $after, reverse: true) {
    nodes {"""
    + _AUTOMATIC_DISCOUNT_FIELDS
    + """    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
"""
)

COLLECTION_UPDATE = f.document(
    """
mutation CollectionUpdate($input: CollectionInput!) {
  collectionUpdate(input: $input) {
    collection {
      ...CollectionFields
    }
    userErrors {
      field
      message
    }
  }
}
""",
    f.COLLECTION,
)
