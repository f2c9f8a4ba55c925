"""OAuth ``state`` nonces: issued when an install starts, accepted once on its callback.

A state names what it was issued for (the shop domain, the GitHub account); a callback whose
state is unknown, expired, already used or issued for something else is refused, which stops
replayed and cross-site callbacks.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import insert, update

from storage.clock import Clock, utcnow
from storage.engine import Database
from storage.sync_schema import oauth_states

STATE_LIFETIME = timedelta(minutes=10)


class OAuthStates:
    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._db = database
        self._clock = clock

    async def issue(self, provider: str, subject: str) -> str:
        state = secrets.token_urlsafe(32)
        now = self._clock()
        async with self._db.transaction() as connection:
            await connection.execute(
                insert(oauth_states).values(
                    state=state,
                    provider=provider,
                    subject=subject,
                    created_at=now,
                    expires_at=now + STATE_LIFETIME,
                )
            )
        return state

    async def consume(self, provider: str, state: str, subject: str | None = None) -> str | None:
        """The subject the state was issued for, marking it used; None when it is unknown,
        expired, used before, or (with ``subject``) issued for something else."""
        now = self._clock()
        where = [
            oauth_states.c.state == state,
            oauth_states.c.provider == provider,
            oauth_states.c.used_at.is_(None),
            oauth_states.c.expires_at > now,
        ]
        if subject is not None:
            where.append(oauth_states.c.subject == subject)
        statement = (
            update(oauth_states).where(*where).values(used_at=now).returning(oauth_states.c.subject)
        )
        async with self._db.transaction() as connection:
            row = (await connection.execute(statement)).first()
        return None if row is None else str(row.subject)
