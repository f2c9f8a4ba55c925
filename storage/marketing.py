"""Ad campaigns the marketing cluster launched, with the budget an approver (or the policy)
allowed, their ads, the watcher's pause reasons, and the creatives (PNG) each ad shows.

``approved_budget_cents`` is the ceiling every later budget change is held to: the ROAS
watcher scales a winner only up to it, and a raise above it is a new approval. The month's
approved budgets summed are what the policy's monthly ad budget cap limits.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue
from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    func,
    select,
    update,
)

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.schema import metadata
from storage.sql import insert_or_ignore
from storage.types import JsonColumn, UtcDateTime

ad_campaigns = Table(
    "ad_campaigns",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("adset_id", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("product_id", String(255), nullable=False),
    Column("product_title", String(255), nullable=False),
    Column("approved_budget_cents", BigInteger, nullable=False),
    Column("budget_cents", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("thread_id", String(255)),
    Column("ads", JsonColumn, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_ad_campaigns_created_at", "created_at"),
)

ad_creatives = Table(
    "ad_creatives",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("campaign_key", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("png", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_ad_creatives_campaign_key", "campaign_key"),
)

_CENT = Decimal("0.01")


def cents(amount: Decimal) -> int:
    return int((amount / _CENT).to_integral_value())


def euros(value: int) -> Decimal:
    return Decimal(value) * _CENT


class AdRecord(BaseModel):
    """One ad of a campaign: its copy, its creatives, and whether the watcher paused it."""

    model_config = ConfigDict(frozen=True)

    ad_id: str
    name: str
    language: str
    headline: str
    primary_text: str
    creative_ids: list[str] = Field(default_factory=list)
    status: str = "ACTIVE"
    paused_reason: str | None = None


class CampaignRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    platform: str
    campaign_id: str
    adset_id: str
    name: str
    product_id: str
    product_title: str
    approved_budget_eur: Decimal
    budget_eur: Decimal
    status: str
    thread_id: str | None
    ads: list[AdRecord]
    created_at: AwareDatetime
    updated_at: AwareDatetime


class CreativeRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    campaign_key: str
    name: str
    width: int
    height: int
    created_at: AwareDatetime


def creative_id(campaign_key: str, name: str) -> str:
    return hashlib.sha256(f"{campaign_key}\x1f{name}".encode()).hexdigest()[:32]


class CampaignRepository:
    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._db = database
        self._clock = clock

    async def save(self, record: CampaignRecord) -> CampaignRecord:
        """Insert the campaign once (a re-executed launch finds it already there)."""
        values = _row(record)
        async with self._db.transaction() as connection:
            await connection.execute(
                insert_or_ignore(connection, ad_campaigns, ["key"]).values(values)
            )
        saved = await self.get(record.key)
        assert saved is not None
        return saved

    async def get(self, key: str) -> CampaignRecord | None:
        async with self._db.read() as connection:
            row = (
                await connection.execute(select(ad_campaigns).where(ad_campaigns.c.key == key))
            ).first()
        return None if row is None else _record(row._mapping)

    async def recent(self, limit: int = 100) -> list[CampaignRecord]:
        query = select(ad_campaigns).order_by(ad_campaigns.c.created_at.desc()).limit(limit)
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
        return [_record(row._mapping) for row in rows]

    async def approved_since(self, start: datetime) -> Decimal:
        """The approved budgets of the campaigns launched since ``start`` (the month's use)."""
        query = select(func.coalesce(func.sum(ad_campaigns.c.approved_budget_cents), 0)).where(
            ad_campaigns.c.created_at >= start
        )
        async with self._db.read() as connection:
            return euros(int((await connection.execute(query)).scalar_one()))

    async def update(
        self,
        key: str,
        *,
        budget_eur: Decimal | None = None,
        approved_budget_eur: Decimal | None = None,
        ads: list[AdRecord] | None = None,
        status: str | None = None,
    ) -> CampaignRecord:
        changes: dict[str, object] = {"updated_at": self._clock()}
        if budget_eur is not None:
            changes["budget_cents"] = cents(budget_eur)
        if approved_budget_eur is not None:
            changes["approved_budget_cents"] = cents(approved_budget_eur)
        if ads is not None:
            changes["ads"] = [ad.model_dump(mode="json") for ad in ads]
        if status is not None:
            changes["status"] = status
        async with self._db.transaction() as connection:
            await connection.execute(
                update(ad_campaigns).where(ad_campaigns.c.key == key).values(changes)
            )
        saved = await self.get(key)
        if saved is None:
            raise KeyError(key)
        return saved

    async def save_creative(
        self, campaign_key: str, name: str, png: bytes, size: tuple[int, int]
    ) -> str:
        """Store one creative once; returns its id."""
        identifier = creative_id(campaign_key, name)
        values = {
            "id": identifier,
            "campaign_key": campaign_key,
            "name": name,
            "width": size[0],
            "height": size[1],
            "png": png,
            "created_at": self._clock(),
        }
        async with self._db.transaction() as connection:
            await connection.execute(
                insert_or_ignore(connection, ad_creatives, ["id"]).values(values)
            )
        return identifier

    async def creatives(self, campaign_key: str) -> list[CreativeRecord]:
        query = (
            select(
                ad_creatives.c.id,
                ad_creatives.c.campaign_key,
                ad_creatives.c.name,
                ad_creatives.c.width,
                ad_creatives.c.height,
                ad_creatives.c.created_at,
            )
            .where(ad_creatives.c.campaign_key == campaign_key)
            .order_by(ad_creatives.c.name)
        )
        async with self._db.read() as connection:
            rows = (await connection.execute(query)).all()
        return [CreativeRecord.model_validate(dict(row._mapping)) for row in rows]

    async def creative_png(self, identifier: str) -> bytes | None:
        query = select(ad_creatives.c.png).where(ad_creatives.c.id == identifier)
        async with self._db.read() as connection:
            value = (await connection.execute(query)).scalar_one_or_none()
        return None if value is None else bytes(value)


def _row(record: CampaignRecord) -> dict[str, object]:
    data: dict[str, JsonValue] = record.model_dump(mode="json")
    return {
        "key": record.key,
        "platform": record.platform,
        "campaign_id": record.campaign_id,
        "adset_id": record.adset_id,
        "name": record.name[:255],
        "product_id": record.product_id,
        "product_title": record.product_title[:255],
        "approved_budget_cents": cents(record.approved_budget_eur),
        "budget_cents": cents(record.budget_eur),
        "status": record.status,
        "thread_id": record.thread_id,
        "ads": data["ads"],
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


def _record(row: object) -> CampaignRecord:
    values = dict(row)  # type: ignore[call-overload]
    return CampaignRecord(
        key=values["key"],
        platform=values["platform"],
        campaign_id=values["campaign_id"],
        adset_id=values["adset_id"],
        name=values["name"],
        product_id=values["product_id"],
        product_title=values["product_title"],
        approved_budget_eur=euros(values["approved_budget_cents"]),
        budget_eur=euros(values["budget_cents"]),
        status=values["status"],
        thread_id=values["thread_id"],
        ads=[AdRecord.model_validate(ad) for ad in values["ads"] or []],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
    )
