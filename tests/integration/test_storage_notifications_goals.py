"""Notifications and goals on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from storage.engine import Database
from storage.enums import GoalStatus, NotificationLevel
from storage.errors import NotFoundError
from storage.goals import GoalRepository, NewGoal
from storage.notifications import NewNotification, NotificationRepository
from tests.integration.storage_support import BACKENDS, FrozenClock, backend_url, migrated


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with migrated(backend_url(request, tmp_path)) as database:
        yield database


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


async def test_notifications(database: Database, clock: FrozenClock) -> None:
    repo = NotificationRepository(database, clock=clock)
    executed = await repo.create(
        NewNotification(
            level=NotificationLevel.INFO,
            title="Price updated",
            body="Trail Lamp 19.99 → 22.99 (MEDIUM)",
            risk_level="MEDIUM",
            thread_id="t1",
            run_id="r1",
            cluster="product",
        )
    )
    clock.advance(timedelta(minutes=1))
    alert = await repo.create(
        NewNotification(level=NotificationLevel.CRITICAL, title="Supplier failed vetting", body="…")
    )
    assert executed.at == clock.now - timedelta(minutes=1)
    assert (executed.read_at, executed.risk_level) == (None, "MEDIUM")

    assert [n.id for n in (await repo.list()).items] == [alert.id, executed.id]
    assert [n.id for n in (await repo.list(level=NotificationLevel.CRITICAL)).items] == [alert.id]
    assert [n.id for n in (await repo.list(thread_id="t1")).items] == [executed.id]
    assert await repo.count_unread() == 2

    clock.advance(timedelta(minutes=1))
    first_read = clock.now
    assert await repo.mark_read([executed.id], reader="ada") == [executed.id]
    clock.advance(timedelta(minutes=1))
    assert await repo.mark_read([executed.id], reader="ada") == []  # already read: unchanged
    assert (await repo.get(executed.id, reader="ada")).read_at == first_read  # first read kept
    assert (await repo.get(executed.id)).read_at == first_read  # anyone's first read

    # Each reader has their own marks: Otto has read nothing yet.
    assert (await repo.count_unread("ada"), await repo.count_unread("otto")) == (1, 2)
    assert await repo.count_unread() == 1  # read by nobody
    unread = await repo.list(reader="ada", unread_only=True)
    assert ([n.id for n in unread.items], unread.total) == ([alert.id], 1)
    everything = await repo.list(reader="otto")
    assert [(n.id, n.read_at) for n in everything.items] == [(alert.id, None), (executed.id, None)]
    assert (await repo.get(executed.id, reader="otto")).read_at is None

    # Marking all: every one unread by that reader, oldest first; others' marks untouched.
    assert await repo.mark_read(None, reader="otto") == [executed.id, alert.id]
    assert await repo.mark_read(None, reader="otto") == []
    assert (await repo.count_unread("otto"), await repo.count_unread("ada")) == (0, 1)
    assert (await repo.get(executed.id, reader="otto")).read_at == clock.now
    assert (await repo.get(executed.id, reader="ada")).read_at == first_read

    # An unknown id marks nothing, not even the known ones beside it.
    for missing in ("3f1c1f8e-0000-4000-8000-000000000000", "nope"):
        with pytest.raises(NotFoundError):
            await repo.mark_read([alert.id, missing], reader="ada")
        with pytest.raises(NotFoundError):
            await repo.get(missing)
    assert await repo.count_unread("ada") == 1


async def test_goals(database: Database, clock: FrozenClock) -> None:
    repo = GoalRepository(database, clock=clock)
    conversion = await repo.create(
        NewGoal(
            text="Raise conversion 5% this month",
            thread_id="t1",
            metric="conversion_rate",
            target="+5%",
            due=clock.now + timedelta(days=30),
        )
    )
    clock.advance(timedelta(minutes=1))
    products = await repo.create(NewGoal(text="Publish two new products under €30"))
    assert conversion.status is GoalStatus.ACTIVE
    assert conversion.due == clock.now - timedelta(minutes=1) + timedelta(days=30)
    assert await repo.get(conversion.id) == conversion
    assert await repo.get("nope") is None

    assert [g.id for g in await repo.list_active()] == [conversion.id, products.id]
    assert [g.id for g in await repo.list_active(thread_id="t1")] == [conversion.id]

    clock.advance(timedelta(hours=1))
    done = await repo.update_status(conversion.id, GoalStatus.DONE)
    assert (done.status, done.updated_at, done.created_at) == (
        GoalStatus.DONE,
        clock.now,
        conversion.created_at,
    )
    assert [g.id for g in await repo.list_active()] == [products.id]
    assert (await repo.list(status=GoalStatus.DONE)).items == [done]
    assert (await repo.list()).total == 2

    with pytest.raises(NotFoundError):
        await repo.update_status("3f1c1f8e-0000-4000-8000-000000000000", GoalStatus.ABANDONED)


async def test_a_goal_created_twice_under_one_id_is_one_goal(
    database: Database, clock: FrozenClock
) -> None:
    repo = GoalRepository(database, clock=clock)
    goal_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    first = await repo.create(NewGoal(text="Publish a smart jump rope"), goal_id=goal_id)
    clock.advance(timedelta(minutes=1))
    again = await repo.create(NewGoal(text="Publish a smart jump rope"), goal_id=goal_id)
    assert again == first
    assert (await repo.list()).total == 1

    # Settling only an active goal: a second outcome does not overwrite the first.
    done = await repo.update_status(goal_id, GoalStatus.DONE, only_if=GoalStatus.ACTIVE)
    assert done.status is GoalStatus.DONE
    still = await repo.update_status(goal_id, GoalStatus.ABANDONED, only_if=GoalStatus.ACTIVE)
    assert (still.status, still.updated_at) == (GoalStatus.DONE, done.updated_at)
