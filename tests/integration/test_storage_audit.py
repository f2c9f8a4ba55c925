"""The audit log on SQLite and PostgreSQL: appends, listing, and the database refusing edits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.audit import AuditEntry, AuditEvent, AuditLog
from storage.engine import Database
from storage.enums import ActorKind
from tests.integration.storage_support import BACKENDS, FrozenClock, backend_url, migrated


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated(backend_url(request, tmp_path)) as database:
        yield database


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def audit(database: Database, clock: FrozenClock) -> AuditLog:
    return AuditLog(database, clock=clock)


def entry(
    event: str, *, thread_id: str = "t1", actor: str = "pricing", **extra: object
) -> AuditEntry:
    return AuditEntry.model_validate(
        {
            "event": event,
            "actor": actor,
            "actor_kind": "agent",
            "thread_id": thread_id,
            "run_id": "run-1",
            "cluster": "product",
            "action_kind": "product.publish",
            "risk_level": "MEDIUM",
            "payload": {"price": "24.99", "rules": ["price_change_over_20pct"]},
            "reasoning": "margin 42% after fees",
        }
        | extra
    )


async def test_append_and_list(audit: AuditLog, clock: FrozenClock) -> None:
    proposed = await audit.append(entry(AuditEvent.ACTION_PROPOSED))
    clock.advance(timedelta(seconds=1))
    decided = await audit.append(
        entry(AuditEvent.APPROVAL_DECIDED, actor="ada@example.com", actor_kind="human")
    )
    clock.advance(timedelta(seconds=1))
    other = await audit.append(entry(AuditEvent.ACTION_EXECUTED, thread_id="t2"))
    expired = await audit.append(
        entry(
            AuditEvent.APPROVAL_EXPIRED,
            actor="system",
            actor_kind="system",
            at=clock.now + timedelta(hours=1),
        )
    )

    assert proposed.id < decided.id < other.id < expired.id
    assert proposed.at == clock.now - timedelta(seconds=2)
    assert proposed.payload == {"price": "24.99", "rules": ["price_change_over_20pct"]}
    assert (proposed.reasoning, proposed.risk_level) == ("margin 42% after fees", "MEDIUM")
    assert expired.at == clock.now + timedelta(hours=1)

    everything = await audit.list()
    assert [r.id for r in everything.items] == [expired.id, other.id, decided.id, proposed.id]
    assert (await audit.list(newest_first=False)).items[0].id == proposed.id

    thread = await audit.list(thread_id="t1", newest_first=False)
    assert [r.id for r in thread.items] == [proposed.id, decided.id, expired.id]
    assert [r.id for r in (await audit.list(actor_kind=ActorKind.HUMAN)).items] == [decided.id]
    assert [r.id for r in (await audit.list(actor="ada@example.com")).items] == [decided.id]
    events = await audit.list(event=[AuditEvent.APPROVAL_DECIDED, AuditEvent.APPROVAL_EXPIRED])
    assert {r.id for r in events.items} == {decided.id, expired.id}
    window = await audit.list(since=decided.at, until=expired.at)
    assert {r.id for r in window.items} == {decided.id, other.id}

    page = await audit.list(limit=3, offset=3)
    assert (page.total, [r.id for r in page.items]) == (4, [proposed.id])


async def test_the_database_refuses_to_change_or_remove_audit_rows(
    audit: AuditLog, database: Database
) -> None:
    record = await audit.append(entry(AuditEvent.APPROVAL_DECIDED))

    for statement in (
        "UPDATE audit_log SET reasoning = 'rewritten' WHERE id = :id",
        "DELETE FROM audit_log WHERE id = :id",
        "DELETE FROM audit_log",
    ):
        with pytest.raises(IntegrityError, match="append-only"):
            async with database.transaction() as connection:
                await connection.execute(text(statement), {"id": record.id})

    page = await audit.list()
    assert page.items == [record]


@pytest.mark.postgres
async def test_truncate_is_refused_on_postgres(postgres_url: str) -> None:
    async with migrated(postgres_url) as database:
        await AuditLog(database).append(entry(AuditEvent.ALERT))
        with pytest.raises(IntegrityError, match="append-only"):
            async with database.transaction() as connection:
                await connection.execute(text("TRUNCATE audit_log"))
        assert (await AuditLog(database).list()).total == 1


async def test_append_with_dedupe_key_writes_once(audit: AuditLog) -> None:
    """A node that re-executes (resume, crash) appends its entry once."""
    first = await audit.append(entry(AuditEvent.ACTION_EXECUTED, dedupe_key="effect-1:executed"))
    again = await audit.append(entry(AuditEvent.ACTION_EXECUTED, dedupe_key="effect-1:executed"))
    other = await audit.append(entry(AuditEvent.ACTION_EXECUTED, dedupe_key="effect-2:executed"))
    plain = [await audit.append(entry(AuditEvent.ALERT)) for _ in range(2)]
    assert again.id == first.id
    assert other.id != first.id
    assert plain[0].id != plain[1].id  # entries without a key are never merged
    listed = await audit.list(thread_id="t1", event=AuditEvent.ACTION_EXECUTED)
    assert listed.total == 2
