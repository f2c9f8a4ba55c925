"""What the customer-service cluster reads from and writes to Shopify."""
