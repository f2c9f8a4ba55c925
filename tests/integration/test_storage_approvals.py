"""Approval records on SQLite and PostgreSQL: idempotent creation, atomic decisions, expiry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from storage.approvals import ApprovalRecord, ApprovalRepository, NewApproval
from storage.engine import Database
from storage.enums import ApprovalStatus, Decision
from storage.errors import ApprovalAlreadyDecidedError, ApprovalExpiredError, NotFoundError
from tests.integration.storage_support import BACKENDS, FrozenClock, backend_url, migrated


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated(backend_url(request, tmp_path)) as database:
        yield database


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def repo(database: Database, clock: FrozenClock) -> ApprovalRepository:
    return ApprovalRepository(database, clock=clock)


def new_approval(
    clock: FrozenClock,
    *,
    interrupt_id: str = "int-1",
    thread_id: str = "thread-1",
    cluster: str = "product",
    risk_level: str = "HIGH",
    deadline_in: timedelta | None = timedelta(hours=24),
) -> NewApproval:
    return NewApproval.model_validate(
        {
            "thread_id": thread_id,
            "interrupt_id": interrupt_id,
            "run_id": "run-1",
            "checkpoint_ns": "publisher:abc",
            "task_id": "task-1",
            "risk_level": risk_level,
            "priority": "high",
            "cluster": cluster,
            "agent": "supplier_vetting",
            "tool": "onboard_supplier",
            "action_kind": "supplier.onboard",
            "request": {
                "title": "Onboard supplier Shenzhen Gadgets",
                "estimated_cost": "120.00",
                "risk_factors": ["new supplier"],
                "args": {"supplier_id": "cj-991"},
            },
            "approver_roles": ["approver", "admin"],
            "deadline": None if deadline_in is None else clock.now + deadline_in,
        }
    )


async def test_create_pending_is_idempotent_per_interrupt(
    repo: ApprovalRepository, clock: FrozenClock
) -> None:
    first = await repo.create_pending(new_approval(clock))
    assert first.status is ApprovalStatus.PENDING
    assert first.created_at == clock.now
    assert first.priority == "HIGH"
    assert first.request["risk_factors"] == ["new supplier"]
    assert first.approver_roles == ["approver", "admin"]

    # The gate node re-runs on resume and asks again: same record, nothing new.
    again = await repo.create_pending(new_approval(clock))
    assert again == first
    other = await repo.create_pending(new_approval(clock, interrupt_id="int-2"))
    assert other.id != first.id
    assert (await repo.list()).total == 2

    # After the decision, the re-running node must see the decision, not a fresh request.
    await repo.decide(first.id, Decision.APPROVE, by="ada@example.com")
    after = await repo.create_pending(new_approval(clock))
    assert after.id == first.id
    assert after.status is ApprovalStatus.APPROVED


async def test_lookups(repo: ApprovalRepository, clock: FrozenClock) -> None:
    record = await repo.create_pending(new_approval(clock))
    assert await repo.get(record.id) == record
    assert await repo.get_by_interrupt("thread-1", "int-1") == record
    assert await repo.get_by_interrupt("thread-1", "int-9") is None
    assert await repo.get("3f1c1f8e-0000-4000-8000-000000000000") is None
    assert await repo.get("not-a-uuid") is None


async def test_approve_records_who_and_when_and_refuses_a_second_decision(
    repo: ApprovalRepository, clock: FrozenClock, database: Database
) -> None:
    record = await repo.create_pending(new_approval(clock))
    clock.advance(timedelta(minutes=5))
    approved = await repo.decide(record.id, Decision.APPROVE, by="ada@example.com", notes="ok")
    assert approved.status is ApprovalStatus.APPROVED
    assert approved.decision is Decision.APPROVE
    assert (approved.decided_by, approved.decided_at, approved.notes) == (
        "ada@example.com",
        clock.now,
        "ok",
    )

    with pytest.raises(ApprovalAlreadyDecidedError) as raised:
        await repo.decide(record.id, Decision.REJECT, by="bob@example.com")
    assert raised.value.current == approved
    assert await repo.get(record.id) == approved
    async with database.read() as connection:
        absent = text("SELECT count(*) FROM approvals WHERE modified_args IS NULL")
        assert (await connection.execute(absent)).scalar_one() == 1  # SQL NULL, not JSON null


async def test_reject_and_modify(repo: ApprovalRepository, clock: FrozenClock) -> None:
    rejected = await repo.create_pending(new_approval(clock, interrupt_id="a"))
    modified = await repo.create_pending(new_approval(clock, interrupt_id="b"))

    result = await repo.decide(rejected.id, Decision.REJECT, by="ada", notes="too risky")
    assert (result.status, result.decision, result.notes) == (
        ApprovalStatus.REJECTED,
        Decision.REJECT,
        "too risky",
    )

    with pytest.raises(ValueError, match="modified_args"):
        await repo.decide(modified.id, Decision.MODIFY, by="ada")
    with pytest.raises(ValueError, match="modified_args"):
        await repo.decide(modified.id, Decision.APPROVE, by="ada", modified_args={"x": 1})
    with pytest.raises(ValueError, match="expire_due"):
        await repo.decide(modified.id, Decision.EXPIRE, by="ada")
    with pytest.raises(ValueError, match="identity"):
        await repo.decide(modified.id, Decision.APPROVE, by="  ")

    result = await repo.decide(
        modified.id,
        Decision.MODIFY,
        by="ada",
        modified_args={"price": "24.99", "tags": ["summer"]},
        reclassified_level="MEDIUM",
    )
    assert result.status is ApprovalStatus.APPROVED
    assert result.decision is Decision.MODIFY
    assert result.modified_args == {"price": "24.99", "tags": ["summer"]}
    assert result.reclassified_level == "MEDIUM"


async def test_deciding_an_unknown_approval(repo: ApprovalRepository) -> None:
    with pytest.raises(NotFoundError):
        await repo.decide("3f1c1f8e-0000-4000-8000-000000000000", Decision.APPROVE, by="ada")
    with pytest.raises(NotFoundError):
        await repo.decide("nope", Decision.APPROVE, by="ada")


async def test_concurrent_decisions_exactly_one_wins(
    repo: ApprovalRepository, clock: FrozenClock
) -> None:
    for n in range(3):
        record = await repo.create_pending(new_approval(clock, interrupt_id=f"race-{n}"))
        deciders = [
            repo.decide(record.id, Decision.APPROVE if i % 2 else Decision.REJECT, by=f"user-{i}")
            for i in range(6)
        ]
        outcomes = await asyncio.gather(*deciders, return_exceptions=True)

        winners = [o for o in outcomes if isinstance(o, ApprovalRecord)]
        losers = [o for o in outcomes if isinstance(o, ApprovalAlreadyDecidedError)]
        assert len(winners) == 1, outcomes
        assert len(losers) == 5, outcomes
        # Every loser is told who won, and the stored record is the winner's.
        assert {loser.current.decided_by for loser in losers} == {winners[0].decided_by}
        assert await repo.get(record.id) == winners[0]


async def test_a_decision_after_the_deadline_loses_to_expiry(
    repo: ApprovalRepository, clock: FrozenClock
) -> None:
    record = await repo.create_pending(new_approval(clock, deadline_in=timedelta(hours=1)))
    clock.advance(timedelta(hours=1, seconds=1))

    with pytest.raises(ApprovalExpiredError) as raised:
        await repo.decide(record.id, Decision.APPROVE, by="ada")
    assert raised.value.current.status is ApprovalStatus.PENDING  # the sweep has not run yet

    expired = await repo.expire_due()
    assert [e.id for e in expired] == [record.id]
    with pytest.raises(ApprovalAlreadyDecidedError) as again:
        await repo.decide(record.id, Decision.APPROVE, by="ada")
    assert again.value.current.status is ApprovalStatus.EXPIRED


async def test_expire_due_touches_only_pending_past_deadline(
    repo: ApprovalRepository, clock: FrozenClock
) -> None:
    due = await repo.create_pending(
        new_approval(clock, interrupt_id="due", deadline_in=timedelta(minutes=30))
    )
    due_later = await repo.create_pending(
        new_approval(clock, interrupt_id="later", deadline_in=timedelta(hours=2))
    )
    no_deadline = await repo.create_pending(
        new_approval(clock, interrupt_id="open", deadline_in=None)
    )
    decided = await repo.create_pending(
        new_approval(clock, interrupt_id="decided", deadline_in=timedelta(minutes=10))
    )
    await repo.decide(decided.id, Decision.REJECT, by="ada")

    clock.advance(timedelta(hours=1))
    expired = await repo.expire_due()
    assert [e.id for e in expired] == [due.id]
    assert expired[0].status is ApprovalStatus.EXPIRED
    assert (expired[0].decision, expired[0].decided_by, expired[0].decided_at) == (
        Decision.EXPIRE,
        "system",
        clock.now,
    )

    assert await repo.expire_due() == []  # already expired: not returned twice
    assert (await repo.get(due_later.id) or due_later).status is ApprovalStatus.PENDING
    assert (await repo.get(no_deadline.id) or no_deadline).status is ApprovalStatus.PENDING
    assert (await repo.get(decided.id) or decided).status is ApprovalStatus.REJECTED

    # Exactly at the deadline counts as past it.
    clock.now = due_later.deadline or clock.now
    assert [e.id for e in await repo.expire_due()] == [due_later.id]


async def test_listing_filters_order_and_pagination(
    repo: ApprovalRepository, clock: FrozenClock
) -> None:
    made: list[ApprovalRecord] = []
    for n, (cluster, risk, deadline_h) in enumerate(
        [
            ("product", "HIGH", 5),
            ("product", "HIGH", 1),
            ("marketing", "HIGH", 3),
            ("product", "MEDIUM", None),
            ("product", "HIGH", 2),
        ]
    ):
        clock.advance(timedelta(minutes=1))
        made.append(
            await repo.create_pending(
                new_approval(
                    clock,
                    interrupt_id=f"i{n}",
                    thread_id=f"t{n % 2}",
                    cluster=cluster,
                    risk_level=risk,
                    deadline_in=None if deadline_h is None else timedelta(hours=deadline_h),
                )
            )
        )
    await repo.decide(made[4].id, Decision.APPROVE, by="ada")

    pending = await repo.list(status=ApprovalStatus.PENDING)
    assert pending.total == 4
    # Most urgent deadline first; no deadline last.
    assert [r.id for r in pending.items] == [made[1].id, made[2].id, made[0].id, made[3].id]

    product_high = await repo.list(cluster="product", risk_level="HIGH", order="oldest")
    assert [r.id for r in product_high.items] == [made[0].id, made[1].id, made[4].id]

    first_page = await repo.list(order="newest", limit=2)
    second_page = await repo.list(order="newest", limit=2, offset=2)
    last_page = await repo.list(order="newest", limit=2, offset=4)
    assert (first_page.total, first_page.has_more, last_page.has_more) == (5, True, False)
    assert [r.id for r in [*first_page.items, *second_page.items, *last_page.items]] == [
        r.id for r in reversed(made)
    ]

    by_thread = await repo.list(
        thread_id="t1", status=[ApprovalStatus.PENDING, ApprovalStatus.APPROVED]
    )
    assert {r.id for r in by_thread.items} == {made[1].id, made[3].id}
    assert (await repo.list(status=ApprovalStatus.EXPIRED)).total == 0

    with pytest.raises(ValueError, match="limit"):
        await repo.list(limit=0)
    with pytest.raises(ValueError, match="offset"):
        await repo.list(offset=-1)


async def test_pending_count_and_oldest_age(repo: ApprovalRepository, clock: FrozenClock) -> None:
    assert await repo.count_pending() == 0
    assert await repo.oldest_pending_age() is None

    oldest = await repo.create_pending(new_approval(clock, interrupt_id="a"))
    clock.advance(timedelta(minutes=10))
    await repo.create_pending(new_approval(clock, interrupt_id="b", cluster="marketing"))
    clock.advance(timedelta(minutes=5))

    assert await repo.count_pending() == 2
    assert await repo.count_pending(cluster="marketing") == 1
    assert await repo.oldest_pending_age() == timedelta(minutes=15)

    await repo.decide(oldest.id, Decision.APPROVE, by="ada")
    assert await repo.count_pending() == 1
    assert await repo.oldest_pending_age() == timedelta(minutes=5)


def test_risk_levels_from_any_enum_spelling(clock: FrozenClock) -> None:
    class PolicyRisk(StrEnum):
        HIGH = "high"

    approval = new_approval(clock).model_copy(update={"risk_level": "HIGH"})
    assert (
        NewApproval.model_validate(
            approval.model_dump() | {"risk_level": PolicyRisk.HIGH}
        ).risk_level
        == "HIGH"
    )
    with pytest.raises(ValidationError):
        NewApproval.model_validate(approval.model_dump() | {"risk_level": "SEVERE"})
    with pytest.raises(ValidationError, match="timezone"):
        NewApproval.model_validate(approval.model_dump() | {"deadline": "2025-06-01T12:00:00"})
