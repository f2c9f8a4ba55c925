"""Column types that behave the same on PostgreSQL and SQLite.

SQLite has no time zones and no JSONB; without these decorators a timestamp written as UTC
would come back naive on SQLite and aware on Postgres, and comparisons in SQL (deadlines)
would depend on the back-end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB

#: JSON documents: JSONB on Postgres (indexable, compact), JSON text on SQLite. Python ``None``
#: is SQL NULL (not the JSON literal ``null``), so ``IS NULL`` means "absent" on both.
JsonColumn = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

#: Auto-incrementing 64-bit keys: BIGSERIAL on Postgres; SQLite only auto-increments INTEGER.
BigIntKey = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC (``timestamptz`` on Postgres) and always returned aware.

    Naive datetimes are refused: guessing their zone is how deadlines drift by hours.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware value")
        value = value.astimezone(UTC)
        # SQLite stores text; a fixed zone-less UTC format keeps string comparison chronological.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - driver contract
            raise TypeError(f"expected a datetime from the driver, got {type(value).__name__}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
