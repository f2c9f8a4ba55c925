"""Who is calling and what they may do: API keys, HS256 bearer tokens and roles.

Credentials are the SDK's ``x-api-key`` header (``ROYAL_API_KEYS``) and ``Authorization: Bearer``
JWTs signed with ``JWT_SECRET``. Roles are ordered viewer < operator < approver < admin. With no
credentials configured in development the server runs open on loopback as ``dev:anonymous``
(admin); anywhere else it refuses to start. The identity recorded on an approval decision is
always the credential's, never a field of the request body.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

import jwt
from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from policies.risk import Role
from settings import Environment, Settings
from settings.model import MIN_JWT_SECRET_BYTES

if TYPE_CHECKING:
    from server.api.models import RunCreate
    from server.api.runtime import ApiRuntime
    from storage import ApprovalRecord

logger = logging.getLogger(__name__)

JWT_ALGORITHM = "HS256"
AuthMethod = Literal["api_key", "jwt", "session", "dev_open", "system"]


class Principal(BaseModel):
    """An authenticated caller: the identity recorded on what they do, and their role."""

    model_config = ConfigDict(frozen=True)

    subject: str = Field(min_length=1, max_length=255)
    role: Role
    method: AuthMethod

    def has(self, role: Role) -> bool:
        return self.role >= role


ANONYMOUS = Principal(subject="dev:anonymous", role=Role.ADMIN, method="dev_open")
SYSTEM = Principal(subject="system", role=Role.ADMIN, method="system")


#: Identities the server records for its own actors: no token may claim them.
RESERVED_SUBJECTS = ("system", "unknown", "key:", "dev:", "cli:")


def reserved(subject: str) -> bool:
    return subject in RESERVED_SUBJECTS or subject.startswith(RESERVED_SUBJECTS[2:])


class TokenClaims(BaseModel):
    """The claims a bearer token must carry."""

    sub: str = Field(min_length=1, max_length=255)
    role: Role
    exp: int

    @field_validator("sub")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if reserved(value):
            raise ValueError("reserved subject")
        return value


# --- configuration and start-up checks --------------------------------------------------------
@dataclass(frozen=True)
class _Key:
    name: str
    role: Role
    secret: bytes


@dataclass(frozen=True)
class Authenticator:
    """The credentials one process accepts, read once from the settings."""

    keys: tuple[_Key, ...]
    jwt_secret: bytes | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Authenticator:
        keys = tuple(
            _Key(entry.name, Role(entry.role), entry.key.get_secret_value().encode())
            for entry in settings.api_keys()
        )
        secret = settings.jwt_secret.get_secret_value().encode() if settings.jwt_secret else None
        return cls(keys=keys, jwt_secret=secret)

    @property
    def open(self) -> bool:
        """No credentials configured: every caller is ``dev:anonymous``."""
        return not self.keys and self.jwt_secret is None

    def authenticate(self, api_key: str | None, bearer: str | None) -> Principal:
        if self.open:
            return ANONYMOUS
        if api_key:
            return self._by_key(api_key)
        if bearer:
            return self._by_token(bearer)
        raise unauthorized("missing credentials: send x-api-key or Authorization: Bearer")

    def _by_key(self, presented: str) -> Principal:
        given = presented.encode()
        found: _Key | None = None
        for key in self.keys:  # compare against every key: timing says nothing about which
            if hmac.compare_digest(given, key.secret):
                found = key
        if found is None:
            raise unauthorized("invalid API key")
        return Principal(subject=f"key:{found.name}", role=found.role, method="api_key")

    def _by_token(self, token: str) -> Principal:
        if self.jwt_secret is None:
            raise unauthorized("bearer tokens are not accepted here (no JWT_SECRET)")
        try:
            raw = jwt.decode(
                token,
                self.jwt_secret,
                algorithms=[JWT_ALGORITHM],
                options={"require": ["sub", "role", "exp"]},
            )
            claims = TokenClaims.model_validate(raw)
        except jwt.ExpiredSignatureError:
            raise unauthorized("token expired", error="invalid_token") from None
        except (jwt.InvalidTokenError, ValidationError):
            raise unauthorized("invalid token", error="invalid_token") from None
        return Principal(subject=claims.sub, role=claims.role, method="jwt")


def unauthorized(detail: str, *, error: str | None = None) -> HTTPException:
    challenge = "Bearer" if error is None else f'Bearer error="{error}"'
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": challenge})


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def startup_problem(settings: Settings, host: str) -> str | None:
    """Why the API must not start with these settings on ``host`` (``None`` when it may)."""
    secret = settings.jwt_secret
    if secret is not None and len(secret.get_secret_value().encode()) < MIN_JWT_SECRET_BYTES:
        return f"JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes for HS256"
    if not Authenticator.from_settings(settings).open:
        return None
    if settings.royal_env is Environment.PRODUCTION:
        return "ROYAL_ENV=production needs API credentials: set ROYAL_API_KEYS or JWT_SECRET"
    if not _is_loopback(host):
        return (
            f"refusing to serve {host} without credentials: set ROYAL_API_KEYS or JWT_SECRET, "
            "or listen on 127.0.0.1"
        )
    return None


def warn_if_open(settings: Settings) -> bool:
    """Log that the API is open (development on loopback); ``True`` when it is."""
    if Authenticator.from_settings(settings).open:
        logger.warning(
            "no API credentials configured: the API is open on loopback and every caller is "
            "dev:anonymous (admin); set ROYAL_API_KEYS or JWT_SECRET to require them"
        )
        return True
    return False


def mint_token(
    secret: str, *, subject: str, role: Role, ttl: timedelta, now: datetime | None = None
) -> str:
    """An HS256 bearer token for ``subject`` with ``role``, valid for ``ttl``."""
    issued = now or datetime.now(UTC)
    claims = {"sub": subject, "role": role.value, "iat": issued, "exp": issued + ttl}
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


# --- request dependencies ----------------------------------------------------------------------
_current: ContextVar[Principal | None] = ContextVar("royal_principal", default=None)
_api_key = APIKeyHeader(name="x-api-key", auto_error=False, description="An API key.")
_bearer = HTTPBearer(auto_error=False, description="A JWT signed with JWT_SECRET (HS256).")


def current_principal() -> Principal | None:
    """The caller of the request being handled (set by the auth dependencies)."""
    return _current.get()


@contextmanager
def acting_as(principal: Principal) -> Iterator[None]:
    """Run internal work (the sweeper) as ``principal``."""
    token = _current.set(principal)
    try:
        yield
    finally:
        _current.reset(token)


def _authenticator(request: Request) -> Authenticator:
    state = request.app.state
    found: Authenticator | None = getattr(state, "authenticator", None)
    if found is None:
        found = Authenticator.from_settings(state.runtime.settings)
        state.authenticator = found
    return found


async def authenticate(
    request: Request,
    api_key: Annotated[str | None, Security(_api_key)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal:
    principal = _authenticator(request).authenticate(
        api_key, None if bearer is None else bearer.credentials
    )
    _current.set(principal)  # async: visible to the endpoint, which runs in this task
    return principal


def forbidden(principal: Principal, needed: str) -> HTTPException:
    return HTTPException(
        status_code=403, detail=f"{principal.subject} ({principal.role}) may not {needed}"
    )


def require(role: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency answering 403 unless the caller has at least ``role``."""

    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not principal.has(role):
            raise forbidden(principal, f"do this (needs {role})")
        return principal

    return check


Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Approver = Annotated[Principal, Depends(require(Role.APPROVER))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]

#: Routes anyone may call (liveness and server info, as the SDKs probe them unauthenticated).
PUBLIC_ROUTES = frozenset({("GET", "/ok"), ("GET", "/info")})
#: POST routes of the LangGraph API that only read.
READ_ONLY_POSTS = frozenset(
    {
        "/assistants/search",
        "/assistants/count",
        "/threads/search",
        "/threads/count",
        "/threads/{thread_id}/history",
        "/threads/{thread_id}/state/checkpoint",
    }
)
#: Writes that can move a thread past its approval gate, or erase history: admins only.
ADMIN_ROUTES = frozenset(
    {
        ("POST", "/threads/{thread_id}/state"),
        ("DELETE", "/threads/{thread_id}"),
    }
)


def route_role(method: str, path: str) -> Role | None:
    """The role a LangGraph API route needs (``None``: public)."""
    if (method, path) in PUBLIC_ROUTES:
        return None
    if (method, path) in ADMIN_ROUTES:
        return Role.ADMIN
    if method in ("GET", "HEAD", "OPTIONS") or (method == "POST" and path in READ_ONLY_POSTS):
        return Role.VIEWER
    return Role.OPERATOR


async def authorize_request(
    request: Request,
    api_key: Annotated[str | None, Security(_api_key)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    """Router-level dependency of the LangGraph API: the route's role from ``route_role``."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    needed = route_role(request.method, path)
    if needed is None:
        return
    principal = await authenticate(request, api_key, bearer)
    if not principal.has(needed):
        raise forbidden(principal, f"{request.method} {path} (needs {needed})")


# --- approvals answered through runs -------------------------------------------------------
def may_decide(principal: Principal, record: ApprovalRecord) -> bool:
    """``policies.capability.can_decide`` over a stored request's approver roles."""
    if principal.role is Role.VIEWER:
        return False
    return principal.role is Role.ADMIN or principal.role.value in record.approver_roles


def _gate_record(interrupt_id: str, request: dict[str, Any]) -> ApprovalRecord:
    """The approval as its interrupt carries it (what deciding needs: roles, tool, schema)."""
    from storage import ApprovalRecord, ApprovalStatus

    roles = request.get("approver_roles")
    return ApprovalRecord.model_validate(
        {
            "id": str(request.get("approval_id")),
            "thread_id": str(request.get("thread_id") or "unknown"),
            "interrupt_id": interrupt_id,
            "risk_level": "HIGH",
            "cluster": str(request.get("cluster") or "unknown"),
            "agent": str(request.get("agent") or "unknown"),
            "tool": str(request.get("tool") or "unknown"),
            "action_kind": str(request.get("action") or "unknown"),
            "request": request,
            "approver_roles": [str(r) for r in roles] if isinstance(roles, list) else [],
            "status": ApprovalStatus.PENDING,
            "created_at": datetime.now(UTC),
        }
    )


def _waiting(interrupts: dict[str, Any]) -> tuple[set[str], dict[str, ApprovalRecord]]:
    """Every pending interrupt id, and those that are approval requests of our gate.

    The request travels in the interrupt itself, so a thread whose checkpoint was copied or
    forked is guarded too, whether or not the approvals table knows its thread.
    """
    ids: set[str] = set()
    gates: dict[str, ApprovalRecord] = {}
    for items in interrupts.values():
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            ids.add(item["id"])
            value = item.get("value")
            if isinstance(value, dict) and "approval_id" in value and "approver_roles" in value:
                gates[item["id"]] = _gate_record(item["id"], value)
    return ids, gates


def _is_resume_map(value: Any) -> bool:
    """LangGraph's test: a dict keyed by interrupt ids (32 hex digits) maps resumes by id."""
    return isinstance(value, dict) and all(
        isinstance(key, str) and len(key) == 32 and all(c in "0123456789abcdef" for c in key)
        for key in value
    )


def _unprocessable(detail: str) -> HTTPException:
    return HTTPException(status_code=422, detail=detail)


def decision_value(record: ApprovalRecord, raw: Any, principal: Principal) -> dict[str, Any]:
    """Any accepted resume dialect, checked and rewritten in ours with the caller's identity.

    The rewrite drops whatever ``decided_by`` the body claimed; an Agent Inbox list has no
    identity field at all, so the normalised value is the only place it can travel.
    """
    from nodes.approval import InvalidDecisionError
    from nodes.approval.decision import DecisionKind, parse_decision
    from server.engine import Engine

    try:
        decision = parse_decision(raw)
    except (InvalidDecisionError, ValidationError) as exc:
        raise _unprocessable(str(exc).splitlines()[0]) from None
    if decision.kind is DecisionKind.EXPIRE and principal.method != "system":
        raise _unprocessable("only the expiry sweep may expire an approval")
    if decision.kind is DecisionKind.MODIFY:
        problems = Engine.edit_errors(record, dict(decision.args or {}))
        if problems:
            raise _unprocessable(f"the edited action is invalid: {'; '.join(problems)}")
    value: dict[str, Any] = {"decision": decision.kind.value, "decided_by": principal.subject}
    if decision.args is not None:
        value["args"] = decision.args
    if decision.notes is not None:
        value["notes"] = decision.notes
    return value


async def authorize_run(runtime: ApiRuntime, thread_id: str | None, body: RunCreate) -> RunCreate:
    """Treat a run whose command answers a pending approval as that decision.

    The caller must be allowed by the approval's approver roles (else 403) and the decision is
    rewritten to carry the caller's identity. A command that moves the thread without a resume
    (``update``/``goto``) could skip the gate, so it needs the same right. Non-admin commands
    are never queued behind a running run (``multitask_strategy`` becomes ``reject``): what
    they would answer is not known until that run stops.
    """
    command = body.command
    if command is None or thread_id is None:
        return body
    principal = current_principal()
    if principal is None:
        raise unauthorized("missing credentials")
    if principal.role is not Role.ADMIN:
        body = body.model_copy(update={"multitask_strategy": "reject"})
    thread = await runtime.store.get_thread(thread_id)
    if thread is None:
        return body  # the run route answers 404
    interrupt_ids, gates = _waiting(thread.interrupts)
    if not gates:
        return body
    fields = command.model_fields_set
    if fields & {"update", "goto"}:
        for record in gates.values():
            if not may_decide(principal, record):
                raise forbidden(principal, f"move thread {thread_id} past approval {record.id}")
    if "resume" not in fields:
        return body
    resume = command.resume
    if _is_resume_map(resume):
        assert isinstance(resume, dict)
        targets = {key: gates[key] for key in resume if key in gates}
        values = dict(resume)
    elif len(interrupt_ids) == 1:
        ((key, record),) = gates.items()
        targets = {key: record}
        values = {key: resume}
    else:
        raise _unprocessable("several interrupts are pending: resume them by interrupt id")
    for record in targets.values():
        if not may_decide(principal, record):
            raise forbidden(principal, f"decide approval {record.id}")
    if not targets:
        return body
    for key, record in targets.items():
        values[key] = decision_value(record, values[key], principal)
    new_command = command.model_copy(update={"resume": values})
    return body.model_copy(update={"command": new_command})
