"""What the finance cluster did with each order line, and which supplier variant fulfils a SKU.

``variant_suppliers`` maps a store SKU to the supplier variant that ships it (CJdropshipping or
Printful). ``order_lines`` holds one row per Shopify order line the fulfilment agent touched:
placed with a supplier (and what it cost), shipped with tracking, held with a reason and a
proposed resolution, waiting for fraud review, or cancelled. Its primary key (the line item id)
is what makes "placed once per line" visible in the database; the supplier's own de-duplication
on our order reference covers a crash between the supplier call and this record.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    select,
    update,
)

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.schema import metadata
from storage.sql import insert_or_ignore
from storage.types import UtcDateTime

variant_suppliers = Table(
    "variant_suppliers",
    metadata,
    Column("sku", String(255), primary_key=True),
    Column("supplier", String(32), nullable=False),
    Column("product_id", String(255), nullable=False),
    Column("variant_id", String(255), nullable=False),
    Column("mapped_at", UtcDateTime, nullable=False),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("line_item_id", String(255), primary_key=True),
    Column("order_id", String(255), nullable=False),
    Column("order_name", String(64), nullable=False),
    Column("ordered_at", UtcDateTime, nullable=False),
    Column("title", String(255), nullable=False),
    Column("sku", String(255)),
    Column("quantity", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("supplier", String(32)),
    Column("supplier_order_id", String(255)),
    Column("cost_cents", BigInteger),
    Column("currency", String(3)),
    Column("tracking_number", String(255)),
    Column("tracking_company", String(255)),
    Column("tracking_url", Text),
    Column("fulfillment_id", String(255)),
    Column("reason", Text),
    Column("resolution", Text),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_order_lines_order_id", "order_id"),
    Index("ix_order_lines_status", "status", "updated_at"),
)

_CENT = Decimal("0.01")


class LineStatus(StrEnum):
    PLACED = "placed"
    SHIPPED = "shipped"
    HELD = "held"
    FRAUD_REVIEW = "fraud_review"
    CANCELLED = "cancelled"


class VariantSupplier(BaseModel):
    model_config = ConfigDict(frozen=True)

    sku: str = Field(min_length=1, max_length=255)
    supplier: str = Field(min_length=1, max_length=32, description="cjdropshipping or printful")
    product_id: str = Field(min_length=1, max_length=255)
    variant_id: str = Field(min_length=1, max_length=255)


class LineRef(BaseModel):
    """An order line as Shopify knows it, before anything was done with it."""

    model_config = ConfigDict(frozen=True)

    line_item_id: str
    order_id: str
    order_name: str
    ordered_at: AwareDatetime
    title: str
    sku: str | None = None
    quantity: int


class OrderLineRecord(LineRef):
    """What was done with a line: its status, supplier order, cost and tracking."""

    status: LineStatus
    supplier: str | None = None
    supplier_order_id: str | None = None
    cost: Decimal | None = None
    currency: str | None = None
    tracking_number: str | None = None
    tracking_company: str | None = None
    tracking_url: str | None = None
    fulfillment_id: str | None = None
    reason: str | None = None
    resolution: str | None = None
    updated_at: AwareDatetime


def _record(row: dict[str, object]) -> OrderLineRecord:
    cents = row.pop("cost_cents")
    cost = None if cents is None else Decimal(int(str(cents))) * _CENT
    return OrderLineRecord.model_validate({**row, "cost": cost})


class OrderLineRepository:
    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._db = database
        self._clock = clock

    # --- the SKU -> supplier variant mapping ----------------------------------------------------
    async def map_variant(self, mapping: VariantSupplier) -> None:
        """Map a SKU to its supplier variant (a later mapping replaces an earlier one)."""
        async with self._db.transaction() as connection:
            await connection.execute(
                variant_suppliers.delete().where(variant_suppliers.c.sku == mapping.sku)
            )
            await connection.execute(
                variant_suppliers.insert().values(**mapping.model_dump(), mapped_at=self._clock())
            )

    async def map_unmapped(self, mappings: Iterable[VariantSupplier]) -> int:
        """Map each SKU that has no mapping yet (an operator's own mapping is never replaced);
        returns how many were added."""
        added = 0
        async with self._db.transaction() as connection:
            for mapping in mappings:
                insert = insert_or_ignore(connection, variant_suppliers, ["sku"])
                result = await connection.execute(
                    insert.values(**mapping.model_dump(), mapped_at=self._clock())
                )
                added += max(result.rowcount or 0, 0)
        return added

    async def suppliers_of(self, skus: Iterable[str]) -> dict[str, VariantSupplier]:
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        query = select(variant_suppliers).where(variant_suppliers.c.sku.in_(wanted))
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return {
            row["sku"]: VariantSupplier.model_validate(
                {k: v for k, v in row.items() if k != "mapped_at"}
            )
            for row in rows
        }

    # --- order lines ----------------------------------------------------------------------------
    async def of_orders(self, order_ids: Iterable[str]) -> dict[str, OrderLineRecord]:
        """The recorded lines of these orders, by line item id."""
        wanted = sorted(set(order_ids))
        if not wanted:
            return {}
        query = select(order_lines).where(order_lines.c.order_id.in_(wanted))
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).mappings().all()
        records = [_record(dict(row)) for row in rows]
        return {r.line_item_id: r for r in records}

    async def recent(self, limit: int = 200) -> list[OrderLineRecord]:
        query = select(order_lines).order_by(order_lines.c.updated_at.desc()).limit(limit)
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_record(dict(row)) for row in rows]

    async def with_status(self, *statuses: LineStatus) -> list[OrderLineRecord]:
        query = (
            select(order_lines)
            .where(order_lines.c.status.in_([str(s) for s in statuses]))
            .order_by(order_lines.c.ordered_at)
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_record(dict(row)) for row in rows]

    async def ordered_between(self, start: datetime, end: datetime) -> list[OrderLineRecord]:
        """Lines of orders placed with ``start <= ordered_at < end``."""
        query = select(order_lines).where(
            order_lines.c.ordered_at >= start, order_lines.c.ordered_at < end
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_record(dict(row)) for row in rows]

    async def set_status(
        self,
        lines: Iterable[LineRef],
        status: LineStatus,
        *,
        supplier: str | None = None,
        supplier_order_id: str | None = None,
        cost_by_line: dict[str, Decimal] | None = None,
        currency: str | None = None,
        reason: str | None = None,
        resolution: str | None = None,
    ) -> None:
        """Record lines in ``status`` (creating their rows on first sight)."""
        now = self._clock()
        async with self._db.transaction() as connection:
            for line in lines:
                insert = insert_or_ignore(connection, order_lines, ["line_item_id"])
                await connection.execute(
                    insert.values(**line.model_dump(), status=str(status), updated_at=now)
                )
                cost = (cost_by_line or {}).get(line.line_item_id)
                values: dict[str, object] = {
                    "status": str(status),
                    "reason": reason,
                    "resolution": resolution,
                    "updated_at": now,
                }
                if supplier is not None:
                    values |= {"supplier": supplier, "supplier_order_id": supplier_order_id}
                if cost is not None:
                    values |= {
                        "cost_cents": int((cost / _CENT).to_integral_value()),
                        "currency": currency,
                    }
                await connection.execute(
                    update(order_lines)
                    .where(order_lines.c.line_item_id == line.line_item_id)
                    .values(**values)
                )

    async def mark_shipped(
        self,
        supplier_order_id: str,
        *,
        number: str,
        company: str | None,
        url: str | None,
        fulfillment_id: str | None,
    ) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                update(order_lines)
                .where(order_lines.c.supplier_order_id == supplier_order_id)
                .values(
                    status=str(LineStatus.SHIPPED),
                    tracking_number=number,
                    tracking_company=company,
                    tracking_url=url,
                    fulfillment_id=fulfillment_id,
                    reason=None,
                    resolution=None,
                    updated_at=self._clock(),
                )
            )
