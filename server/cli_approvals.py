"""`royal approvals`: list, show and decide approval requests; deciding resumes the thread."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.table import Table

from server.cli_common import console, fail, load_settings

if TYPE_CHECKING:  # the engine pulls in every graph: imported only by commands that use it
    from server.engine import Engine

app = typer.Typer(help="Approval requests for HIGH-risk actions.", no_args_is_help=True)
T = TypeVar("T")


def _run(work: Callable[[Engine], Awaitable[T]]) -> T:
    load_settings()
    from pydantic import ValidationError

    from nodes.approval import InvalidDecisionError
    from server.engine import ApprovalNotPendingError, open_engine
    from storage import NotFoundError

    async def go() -> T:
        async with open_engine() as engine:
            return await work(engine)

    try:
        return asyncio.run(go())
    except NotFoundError as exc:
        raise fail(str(exc), code=1) from None
    except ApprovalNotPendingError as exc:
        raise fail(str(exc), code=1) from None
    except (InvalidDecisionError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise fail(f"the decision was refused, nothing changed: {first}", code=2) from None


@app.command("list")
def list_approvals(
    status: Annotated[
        str, typer.Option(help="PENDING, APPROVED, REJECTED, EXPIRED or all.")
    ] = "PENDING",
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """Approval requests, most urgent first."""
    from storage import ApprovalStatus

    try:
        wanted = None if status.lower() == "all" else ApprovalStatus(status.upper())
    except ValueError:
        raise fail(f"unknown status {status!r}") from None

    async def work(engine: Engine) -> None:
        page = await engine.services.approvals.list(status=wanted, limit=limit)
        table = Table(title=f"Approvals ({page.total})", title_justify="left")
        for column in ("id", "status", "risk", "title", "cluster", "deadline", "decided by"):
            table.add_column(column, overflow="fold")
        for record in page.items:
            table.add_row(
                record.id,
                record.status.value,
                record.risk_level,
                str(record.request.get("title", "")),
                record.cluster,
                record.deadline.isoformat(timespec="minutes") if record.deadline else "",
                record.decided_by or "",
            )
        console.print(table)

    _run(work)


@app.command()
def show(approval_id: str) -> None:
    """Everything in one request: context, impact, risk, alternatives, the exact action."""

    from storage import NotFoundError

    async def work(engine: Engine) -> None:
        record = await engine.services.approvals.get(approval_id)
        if record is None:
            raise NotFoundError("approval", approval_id)
        request = record.request
        console.print(f"[bold]{request.get('title')}[/]  ({record.status.value})")
        for field in (
            "risk_level", "priority", "agent", "cluster", "action", "tool", "requested_at",
            "deadline", "description", "reasoning", "data_sources", "estimated_revenue",
            "estimated_cost", "estimated_roi", "confidence", "risk_factors", "reasons",
            "matched_rules", "approver_roles", "alternatives",
        ):  # fmt: skip
            console.print(f"[dim]{field}:[/] {request.get(field)}", markup=True, highlight=False)
        console.print("[dim]args:[/]")
        console.print_json(json.dumps(request.get("args", {})))
        if record.decided_by:
            console.print(
                f"decided {record.decision} by {record.decided_by} at {record.decided_at}"
                + (f": {record.notes}" if record.notes else "")
            )

    _run(work)


def _decide(approval_id: str, decision: dict[str, Any]) -> None:
    from server.cli_progress import show_progress
    from server.engine import local_identity

    async def work(engine: Engine) -> None:
        record = await engine.pending_approval(approval_id)
        resume = engine.decision_resume(record, decision, decided_by=local_identity())
        await show_progress(
            console, engine, record.thread_id, engine.stream_resume(record.thread_id, resume)
        )
        decided = await engine.services.approvals.get(approval_id)
        if decided is not None:
            console.print(f"approval {decided.id}: {decided.status.value} by {decided.decided_by}")

    _run(work)


@app.command()
def approve(
    approval_id: str, notes: Annotated[str | None, typer.Option(help="Recorded with it.")] = None
) -> None:
    """Approve: the thread resumes and the action executes."""
    _decide(approval_id, {"decision": "approve", "notes": notes})


@app.command()
def reject(
    approval_id: str,
    reason: Annotated[str, typer.Option(help="Why (required).")],
) -> None:
    """Reject: the thread resumes down the reject path; nothing executes."""
    if not reason.strip():
        raise fail("a rejection needs a reason")
    _decide(approval_id, {"decision": "reject", "notes": reason})


@app.command()
def modify(
    approval_id: str,
    set_: Annotated[
        list[str], typer.Option("--set", help="field=value to change in the action's args.")
    ],
    notes: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Approve with edited arguments; the edited action is re-classified before it runs."""
    changes: dict[str, str] = {}
    for item in set_:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise fail(f"--set takes field=value, not {item!r}")
        changes[key.strip()] = value
    from server.cli_progress import show_progress
    from server.engine import local_identity

    async def work(engine: Engine) -> None:
        record = await engine.pending_approval(approval_id)
        current = record.request.get("args")
        args = dict(current) if isinstance(current, dict) else {}
        unknown = sorted(set(changes) - set(args))
        if unknown:
            raise typer.Exit(_unknown_fields(unknown, sorted(args)))
        edited = args | engine.coerce_edits(record, changes)
        problems = engine.edit_errors(record, edited)
        if problems:
            raise typer.Exit(_invalid_edit(problems))
        resume = engine.decision_resume(
            record,
            {"decision": "modify", "args": edited, "notes": notes},
            decided_by=local_identity(),
        )
        await show_progress(
            console, engine, record.thread_id, engine.stream_resume(record.thread_id, resume)
        )
        decided = await engine.services.approvals.get(approval_id)
        if decided is not None:
            console.print(
                f"approval {decided.id}: {decided.status.value} by {decided.decided_by}, "
                f"re-classified {decided.reclassified_level}"
            )

    _run(work)


def _invalid_edit(problems: list[str]) -> int:
    fail(f"the edited action is invalid, nothing changed: {'; '.join(problems)}")
    return 2


def _unknown_fields(unknown: list[str], known: list[str]) -> int:
    fail(f"unknown field(s) {', '.join(unknown)}; the action's args are {', '.join(known)}")
    return 2


@app.command()
def sweep() -> None:
    """Expire overdue requests and resume their threads down the reject path."""

    async def work(engine: Engine) -> None:
        expired = await engine.expire_due()
        console.print(f"expired {len(expired)} approval(s)")

    _run(work)
