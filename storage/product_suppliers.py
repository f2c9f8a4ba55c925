"""The suppliers the store has onboarded: a vendor a human approved to fulfil our products.

The product cluster onboards a vendor through the approval gate (``supplier.onboard`` is HIGH);
vetting then treats it as proven (no longer "not yet onboarded") unless its figures fail. One
row per (platform, vendor): onboarding the same vendor again changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue
from sqlalchemy import Column, PrimaryKeyConstraint, String, Table, select, tuple_, update

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.schema import metadata
from storage.sql import insert_or_ignore
from storage.types import JsonColumn, UtcDateTime

onboarded_suppliers = Table(
    "onboarded_suppliers",
    metadata,
    Column("platform", String(32), nullable=False),
    Column("vendor_id", String(255), nullable=False),
    Column("vendor_name", String(255), nullable=False),
    Column("onboarded_at", UtcDateTime, nullable=False),
    Column("onboarded_by", String(255)),
    Column("approval_id", String(64)),
    Column("thread_id", String(255)),
    Column("scorecard", JsonColumn),
    PrimaryKeyConstraint("platform", "vendor_id", name="pk_onboarded_suppliers"),
)


class NewOnboarding(BaseModel):
    """A vendor to onboard, and who decided it."""

    model_config = ConfigDict(frozen=True)

    platform: str = Field(min_length=1, max_length=32, description="e.g. cjdropshipping")
    vendor_id: str = Field(min_length=1, max_length=255)
    vendor_name: str = Field(max_length=255)
    onboarded_by: str | None = Field(default=None, max_length=255)
    approval_id: str | None = Field(default=None, max_length=64)
    thread_id: str | None = Field(default=None, max_length=255)
    scorecard: dict[str, JsonValue] | None = None


class OnboardedSupplier(NewOnboarding):
    onboarded_at: AwareDatetime


class SupplierRegistry:
    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._db = database
        self._clock = clock

    async def onboard(self, entry: NewOnboarding, at: datetime | None = None) -> OnboardedSupplier:
        """Record the vendor as onboarded; if it already is, the first record stands."""
        values = entry.model_dump() | {"onboarded_at": at or self._clock()}
        async with self._db.transaction() as connection:
            insert = insert_or_ignore(connection, onboarded_suppliers, ["platform", "vendor_id"])
            await connection.execute(insert.values(values))
        found = await self.get(entry.platform, entry.vendor_id)
        if found is None:  # pragma: no cover - the row was just written
            raise RuntimeError(f"onboarding {entry.vendor_id} was not stored")
        return found

    async def attribute(
        self, platform: str, vendor_id: str, *, by: str | None, approval_id: str | None
    ) -> None:
        """Record who approved the onboarding (known only once the gate has decided)."""
        table = onboarded_suppliers
        query = (
            update(table)
            .where(table.c.platform == platform, table.c.vendor_id == vendor_id)
            .values(onboarded_by=by, approval_id=approval_id)
        )
        async with self._db.transaction() as connection:
            await connection.execute(query)

    async def get(self, platform: str, vendor_id: str) -> OnboardedSupplier | None:
        found = await self.among([(platform, vendor_id)])
        return found.get((platform, vendor_id))

    async def among(
        self, vendors: list[tuple[str, str]]
    ) -> dict[tuple[str, str], OnboardedSupplier]:
        """Which of these (platform, vendor id) pairs are onboarded."""
        if not vendors:
            return {}
        table = onboarded_suppliers
        query = select(table).where(tuple_(table.c.platform, table.c.vendor_id).in_(vendors))
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).mappings().all()
        records = [OnboardedSupplier.model_validate(dict(row)) for row in rows]
        return {(r.platform, r.vendor_id): r for r in records}

    async def list(self) -> list[OnboardedSupplier]:
        query = select(onboarded_suppliers).order_by(onboarded_suppliers.c.onboarded_at)
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [OnboardedSupplier.model_validate(dict(row)) for row in rows]
