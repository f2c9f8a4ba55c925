"""Third-party credentials (supplier, Shopify and GitHub tokens), sealed with AES-GCM.

A row holds one secret per (provider, account): which key sealed it, the nonce and the
ciphertext (``storage.crypto``), plus what may be read without the key (expiry, renewal time,
non-secret metadata such as scopes). A row may exist without a secret while a process holds the
renewal lease (``lease_owner`` until ``lease_until``): only the holder asks the provider for a
new token, the others wait for its result.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Integer, LargeBinary, String, Table

from storage.schema import metadata
from storage.types import JsonColumn, UtcDateTime

credentials = Table(
    "credentials",
    metadata,
    Column("provider", String(64), primary_key=True),
    Column("account", String(255), primary_key=True),
    Column("key_id", String(32)),
    Column("nonce", LargeBinary),
    Column("ciphertext", LargeBinary),
    Column("expires_at", UtcDateTime),
    Column("renew_after", UtcDateTime),
    Column("details", JsonColumn, nullable=False),
    Column("version", Integer, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_until", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "(key_id IS NULL) = (ciphertext IS NULL) AND (nonce IS NULL) = (ciphertext IS NULL)",
        name="sealed",
    ),
)
