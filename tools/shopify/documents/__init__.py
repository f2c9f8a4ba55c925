"""Every GraphQL document the client sends, as module constants (validated against the SDL)."""

from tools.shopify.documents import mutations, queries

#: name -> document, for validation and for callers that want the raw text.
ALL_DOCUMENTS: dict[str, str] = {
    "Shop": queries.SHOP,
    "Products": queries.PRODUCTS,
    "Product": queries.PRODUCT,
    "ProductByHandle": queries.PRODUCT_BY_HANDLE,
    "ProductFeaturedImage": queries.PRODUCT_FEATURED_IMAGE,
    "ProductVariants": queries.PRODUCT_VARIANTS,
    "Publications": queries.PUBLICATIONS,
    "Collections": queries.COLLECTIONS,
    "Collection": queries.COLLECTION,
    "CollectionProductIds": queries.COLLECTION_PRODUCT_IDS,
    "Orders": queries.ORDERS,
    "Order": queries.ORDER,
    "OrderLineItems": queries.ORDER_LINE_ITEMS,
    "OrderSales": queries.ORDER_SALES,
    "ProductCreate": mutations.PRODUCT_CREATE,
    "ProductUpdate": mutations.PRODUCT_UPDATE,
    "ProductSet": mutations.PRODUCT_SET,
    "PublishablePublish": mutations.PUBLISHABLE_PUBLISH,
    "CollectionUpdate": mutations.COLLECTION_UPDATE,
    "ProductVariantsBulkUpdate": mutations.PRODUCT_VARIANTS_BULK_UPDATE,
    "InventorySetQuantities": mutations.INVENTORY_SET_QUANTITIES,
    "FulfillmentCreate": mutations.FULFILLMENT_CREATE,
    "RefundCreate": mutations.REFUND_CREATE,
    "DiscountCodeBasicCreate": mutations.DISCOUNT_CODE_BASIC_CREATE,
    "DiscountAutomaticBasicCreate": mutations.DISCOUNT_AUTOMATIC_BASIC_CREATE,
    "AutomaticDiscounts": mutations.AUTOMATIC_DISCOUNTS,
}

__all__ = ["ALL_DOCUMENTS", "mutations", "queries"]
