"""The read operations."""

from __future__ import annotations

from tools.shopify.documents import fragments as f

SHOP = f.document(
    """
query Shop {
  shop {
    id
    name
    email
    myshopifyDomain
    currencyCode
    ianaTimezone
    primaryDomain {
      host
      url
    }
    plan {
      publicDisplayName
      partnerDevelopment
      shopifyPlus
    }
  }
}
"""
)

PRODUCTS = f.document(
    """
query Products(
  $first: Int!
  $after: String
  $query: String
  $sortKey: ProductSortKeys
  $reverse: Boolean
) {
  products(first: $first, after: $after, query: $query, sortKey: $sortKey, reverse: $reverse) {
    nodes {
      ...ProductSummaryFields
    }
    pageInfo {
      ...PageInfoFields
    }
  }
}
""",
    f.PRODUCT_SUMMARY,
    f.PAGE_INFO,
)

_PRODUCT_FRAGMENTS = (f.PRODUCT, f.PRODUCT_SUMMARY, f.VARIANT, f.VARIANT_CORE, f.MONEY, f.PAGE_INFO)

PRODUCT = f.document(
    """
query Product($id: ID!) {
  product(id: $id) {
    ...ProductFields
  }
}
""",
    *_PRODUCT_FRAGMENTS,
)

PRODUCT_BY_HANDLE = f.document(
    """
query ProductByHandle($handle: String!) {
  productByIdentifier(identifier: {handle: $handle}) {
    ...ProductFields
  }
}
""",
    *_PRODUCT_FRAGMENTS,
)

PRODUCT_VARIANTS = f.document(
    f"""
query ProductVariants($id: ID!, $after: String) {{
  product(id: $id) {{
    variants(first: {f.VARIANTS_PAGE_SIZE}, after: $after) {{
      nodes {{
        ...VariantFields
      }}
      pageInfo {{
        ...PageInfoFields
      }}
    }}
  }}
}}
""",
    f.VARIANT,
    f.VARIANT_CORE,
    f.PAGE_INFO,
)

PUBLICATIONS = f.document(
    """
query Publications($first: Int!, $after: String) {
  publications(first: $first, after: $after) {
    nodes {
      id
      name
      autoPublish
    }
    pageInfo {
      ...PageInfoFields
    }
  }
}
""",
    f.PAGE_INFO,
)

_ORDER_FRAGMENTS = (f.ORDER, f.ORDER_SUMMARY, f.LINE_ITEM, f.MONEY, f.PAGE_INFO)

ORDERS = f.document(
    """
query Orders(
  $first: Int!
  $after: String
  $query: String
  $sortKey: OrderSortKeys
  $reverse: Boolean
) {
  orders(first: $first, after: $after, query: $query, sortKey: $sortKey, reverse: $reverse) {
    nodes {
      ...OrderSummaryFields
    }
    pageInfo {
      ...PageInfoFields
    }
  }
}
""",
    f.ORDER_SUMMARY,
    f.MONEY,
    f.PAGE_INFO,
)

ORDER_COSTS = f.document(
    """
query OrderCosts($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query) {
    nodes {
      id
      createdAt
      cancelledAt
      totalPriceSet {
        shopMoney {
          ...Money
        }
      }
      lineItems(first: 20) {
        nodes {
          quantity
          currentQuantity
          variant {
            inventoryItem {
              unitCost {
                ...Money
              }
            }
          }
        }
        pageInfo {
          hasNextPage
        }
      }
    }
    pageInfo {
      ...PageInfoFields
    }
  }
}
""",
    f.MONEY,
    f.PAGE_INFO,
)

ORDER_SALES = f.document(
    """
query OrderSales($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query) {
    nodes {
      id
      createdAt
      cancelledAt
      lineItems(first: 20) {
        nodes {
          quantity
          currentQuantity
          product {
            id
            title
          }
          originalUnitPriceSet {
            shopMoney {
              ...Money
            }
          }
        }
        pageInfo {
          hasNextPage
        }
      }
    }
    pageInfo {
      ...PageInfoFields
    }
  }
}
""",
    f.MONEY,
    f.PAGE_INFO,
)

ORDER = f.document(
    """
query Order($id: ID!) {
  order(id: $id) {
    ...OrderFields
  }
}
""",
    *_ORDER_FRAGMENTS,
)

ORDER_LINE_ITEMS = f.document(
    f"""
query OrderLineItems($id: ID!, $after: String) {{
  order(id: $id) {{
    lineItems(first: {f.LINE_ITEMS_PAGE_SIZE}, after: $after) {{
      nodes {{
        ...LineItemFields
      }}
      pageInfo {{
        ...PageInfoFields
      }}
    }}
  }}
}}
""",
    f.LINE_ITEM,
    f.MONEY,
    f.PAGE_INFO,
)

#: The product's featured image (its first media), for ad creatives.
PRODUCT_FEATURED_IMAGE = """
query ProductFeaturedImage($id: ID!) {
  product(id: $id) {
    featuredMedia {
      ... on MediaImage {
        image {
          url
          altText
        }
      }
    }
  }
}
"""

COLLECTIONS = f.document(
    """
query Collections($first: Int!, $after: String) {
  collections(first: $first, after: $after) {
    nodes {
      ...CollectionFields
    }
    pageInfo {
      ...PageInfoFields
    }
  }
}
""",
    f.COLLECTION,
    f.PAGE_INFO,
)

COLLECTION = f.document(
    """
query Collection($id: ID!) {
  collection(id: $id) {
    ...CollectionFields
  }
}
""",
    f.COLLECTION,
)

COLLECTION_PRODUCT_IDS = f.document(
    """
query CollectionProductIds($id: ID!, $first: Int!, $after: String) {
  collection(id: $id) {
    products(first: $first, after: $after) {
      nodes {
        id
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
}
""",
    f.PAGE_INFO,
)

ORDER_FULFILLMENTS = f.document(
    """
query OrderFulfillments($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 10) {
      id
      name
      status
      createdAt
      trackingInfo(first: 5) {
        company
        number
        url
      }
      fulfillmentLineItems(first: 20) {
        nodes {
          quantity
          lineItem {
            id
          }
        }
      }
    }
  }
}
"""
)

ORDER_REFUNDS = f.document(
    """
query OrderRefunds($id: ID!) {
  order(id: $id) {
    id
    refunds(first: 10) {
      id
      note
      createdAt
      totalRefundedSet {
        shopMoney {
          ...Money
        }
      }
      refundLineItems(first: 20) {
        nodes {
          quantity
          lineItem {
            id
          }
        }
      }
      transactions(first: 5) {
        nodes {
          id
          kind
          status
          gateway
          amountSet {
            shopMoney {
              ...Money
            }
          }
        }
      }
    }
  }
}
""",
    f.MONEY,
)

DISCOUNT_CODE_BY_CODE = """
query DiscountCodeByCode($code: String!) {
  codeDiscountNodeByCode(code: $code) {
    id
    codeDiscount {
      ... on DiscountCodeBasic {
        title
        status
        summary
        startsAt
        endsAt
        createdAt
        usageLimit
        codes(first: 10) {
          nodes {
            code
          }
        }
      }
    }
  }
}
"""

PUBLISHED_ON = """
query PublishedOn($id: ID!, $publication: ID!) {
  product(id: $id) {
    id
    publishedOnPublication(publicationId: $publication)
  }
}
"""
