"""Shared selections. Each document appends exactly the fragments it spreads.

Sizes are chosen against Shopify's requested-cost gate (1,000 points at most per query, and the
bucket must hold the requested cost before a query runs): a page of 250 product summaries
requests 252; a product with a page of 20 variants and 5 inventory levels each about 410; an
order with 50 line items and 5 fulfillment orders about 790. Actual costs are far lower and
Shopify refunds the difference.
"""

from __future__ import annotations

VARIANTS_PAGE_SIZE = 20
#: Locations per variant in product details (stores rarely stock at more than a few).
LOCATIONS_PER_VARIANT = 5
LINE_ITEMS_PAGE_SIZE = 50

MONEY = """
fragment Money on MoneyV2 {
  amount
  currencyCode
}
"""

PAGE_INFO = """
fragment PageInfoFields on PageInfo {
  hasNextPage
  endCursor
}
"""

PRODUCT_SUMMARY = """
fragment ProductSummaryFields on Product {
  id
  title
  handle
  status
  vendor
  productType
  tags
  totalInventory
  createdAt
  updatedAt
}
"""

VARIANT_CORE = """
fragment VariantCoreFields on ProductVariant {
  id
  title
  sku
  barcode
  price
  compareAtPrice
  taxable
  inventoryQuantity
  inventoryPolicy
  selectedOptions {
    name
    value
  }
  inventoryItem {
    id
    tracked
  }
}
"""

VARIANT = f"""
fragment VariantFields on ProductVariant {{
  ...VariantCoreFields
  inventoryItem {{
    inventoryLevels(first: {LOCATIONS_PER_VARIANT}) {{
      nodes {{
        location {{
          id
          name
        }}
        quantities(names: ["available", "on_hand"]) {{
          name
          quantity
        }}
      }}
    }}
  }}
}}
"""

PRODUCT = f"""
fragment ProductFields on Product {{
  ...ProductSummaryFields
  descriptionHtml
  seo {{
    title
    description
  }}
  options {{
    name
    position
    values
  }}
  priceRangeV2 {{
    minVariantPrice {{
      ...Money
    }}
    maxVariantPrice {{
      ...Money
    }}
  }}
  variants(first: {VARIANTS_PAGE_SIZE}) {{
    nodes {{
      ...VariantFields
    }}
    pageInfo {{
      ...PageInfoFields
    }}
  }}
}}
"""

ORDER_SUMMARY = """
fragment OrderSummaryFields on Order {
  id
  name
  email
  createdAt
  processedAt
  cancelledAt
  currencyCode
  displayFinancialStatus
  displayFulfillmentStatus
  totalPriceSet {
    shopMoney {
      ...Money
    }
  }
  tags
}
"""

LINE_ITEM = """
fragment LineItemFields on LineItem {
  id
  title
  quantity
  currentQuantity
  sku
  variant {
    id
  }
  originalUnitPriceSet {
    shopMoney {
      ...Money
    }
  }
}
"""

ORDER = f"""
fragment OrderFields on Order {{
  ...OrderSummaryFields
  note
  subtotalPriceSet {{
    shopMoney {{
      ...Money
    }}
  }}
  totalRefundedSet {{
    shopMoney {{
      ...Money
    }}
  }}
  shippingAddress {{
    name
    address1
    address2
    city
    province
    zip
    country
    countryCodeV2
    phone
  }}
  lineItems(first: {LINE_ITEMS_PAGE_SIZE}) {{
    nodes {{
      ...LineItemFields
    }}
    pageInfo {{
      ...PageInfoFields
    }}
  }}
  fulfillmentOrders(first: 5) {{
    nodes {{
      id
      status
      lineItems(first: 50) {{
        nodes {{
          id
          totalQuantity
          remainingQuantity
          lineItem {{
            id
          }}
        }}
      }}
    }}
  }}
  transactions(first: 20) {{
    id
    kind
    status
    gateway
    amountSet {{
      shopMoney {{
        ...Money
      }}
    }}
  }}
}}
"""


COLLECTION = """
fragment CollectionFields on Collection {
  id
  handle
  title
  descriptionHtml
  seo {
    title
    description
  }
}
"""


def document(operation: str, *fragments: str) -> str:
    """``operation`` followed by ``fragments`` (each once, in order)."""
    unique = list(dict.fromkeys(fragment.strip() for fragment in fragments))
    return "\n\n".join([operation.strip(), *unique]) + "\n"
