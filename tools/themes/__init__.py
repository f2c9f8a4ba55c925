"""Online store themes: Liquid and structure checks, and the Shopify theme operations."""
