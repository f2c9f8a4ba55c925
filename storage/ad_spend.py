"""Ad spend per day and campaign: what the marketing cluster records from the ads platforms'
insights and the finance cluster's P&L and ROI read.

One row per (day, platform, campaign): insights are read many times a day, and each read
replaces the day's figures (spend only grows within a day on the platforms). Money is kept in
integer cents, exact on both back-ends.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.schema import metadata
from storage.types import UtcDateTime

ad_spend = Table(
    "ad_spend",
    metadata,
    Column("day", Date, nullable=False),
    Column("platform", String(32), nullable=False),
    Column("campaign_id", String(255), nullable=False),
    Column("campaign_name", String(255), nullable=False),
    Column("spend_cents", BigInteger, nullable=False),
    Column("purchases", Integer, nullable=False),
    Column("revenue_cents", BigInteger, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("day", "platform", "campaign_id", name="pk_ad_spend"),
    Index("ix_ad_spend_campaign_id", "campaign_id"),
)

_CENT = Decimal("0.01")


def _cents(amount: Decimal) -> int:
    return int((amount / _CENT).to_integral_value())


class AdSpendEntry(BaseModel):
    """One campaign's spend and results on one day, in EUR."""

    model_config = ConfigDict(frozen=True)

    day: date
    platform: str = Field(min_length=1, max_length=32, description="e.g. meta, tiktok, google")
    campaign_id: str = Field(min_length=1, max_length=255)
    campaign_name: str = Field(max_length=255)
    spend_eur: Decimal = Field(ge=0, decimal_places=2)
    purchases: int = Field(default=0, ge=0)
    revenue_eur: Decimal = Field(default=Decimal("0"), ge=0, decimal_places=2)


class AdSpendRecord(AdSpendEntry):
    recorded_at: AwareDatetime


class AdSpendRepository:
    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._db = database
        self._clock = clock

    async def record(self, entry: AdSpendEntry, at: datetime | None = None) -> AdSpendRecord:
        """Record (or replace) a campaign's figures for a day."""
        values = {
            "day": entry.day,
            "platform": entry.platform,
            "campaign_id": entry.campaign_id,
            "campaign_name": entry.campaign_name,
            "spend_cents": _cents(entry.spend_eur),
            "purchases": entry.purchases,
            "revenue_cents": _cents(entry.revenue_eur),
            "recorded_at": at or self._clock(),
        }
        async with self._db.transaction() as connection:
            insert = (
                postgresql_insert(ad_spend)
                if connection.dialect.name == "postgresql"
                else sqlite_insert(ad_spend)
            ).values(values)
            changed = {k: insert.excluded[k] for k in values if k not in _KEY}
            upsert = insert.on_conflict_do_update(index_elements=_KEY, set_=changed)
            await connection.execute(upsert)
        return AdSpendRecord(**entry.model_dump(), recorded_at=values["recorded_at"])

    async def between(self, start: date, end: date) -> list[AdSpendRecord]:
        """Every row with ``start <= day <= end``, by day then campaign."""
        query = (
            select(ad_spend)
            .where(ad_spend.c.day >= start, ad_spend.c.day <= end)
            .order_by(ad_spend.c.day, ad_spend.c.platform, ad_spend.c.campaign_id)
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
        return [
            AdSpendRecord(
                day=row.day,
                platform=row.platform,
                campaign_id=row.campaign_id,
                campaign_name=row.campaign_name,
                spend_eur=Decimal(row.spend_cents) * _CENT,
                purchases=row.purchases,
                revenue_eur=Decimal(row.revenue_cents) * _CENT,
                recorded_at=row.recorded_at,
            )
            for row in rows
        ]

    async def total(self, start: date, end: date, campaign_id: str | None = None) -> Decimal:
        """Total spend in EUR with ``start <= day <= end`` (one campaign's, if named)."""
        query = select(func.coalesce(func.sum(ad_spend.c.spend_cents), 0)).where(
            ad_spend.c.day >= start, ad_spend.c.day <= end
        )
        if campaign_id is not None:
            query = query.where(ad_spend.c.campaign_id == campaign_id)
        async with self._db.read() as connection:
            cents = int((await connection.execute(query)).scalar_one())
        return Decimal(cents) * _CENT


_KEY = ["day", "platform", "campaign_id"]
