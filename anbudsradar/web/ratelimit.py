"""The login rate limit: failed attempts per user name and per client address in a sliding window."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from anbudsradar.web.exceptions import RateLimitedError
from models.base import utcnow
from models.user import LoginAttempt

# A client address may fail this many times more than one user name may: an office behind one
# NAT address has several people who mistype.
CLIENT_FACTOR = 4


def check_login_allowed(
    session: Session,
    username: str,
    client: str,
    *,
    limit: int,
    window_minutes: int,
    now: datetime | None = None,
) -> None:
    """Raise RateLimitedError if this user name or client failed too often within the window."""
    now = now or utcnow()
    since = now - timedelta(minutes=window_minutes)
    failures = LoginAttempt.success.is_(False), LoginAttempt.at >= since
    by_name = select(func.count(), func.min(LoginAttempt.at)).where(
        LoginAttempt.username == username[:100], *failures
    )
    by_client = select(func.count(), func.min(LoginAttempt.at)).where(
        LoginAttempt.client == client[:100], *failures
    )
    for query, allowed in ((by_name, limit), (by_client, limit * CLIENT_FACTOR)):
        count, oldest = session.execute(query).one()
        if count >= allowed:
            if oldest.tzinfo is None:  # SQLite returns naive datetimes from aggregates
                oldest = oldest.replace(tzinfo=now.tzinfo)
            retry = int((oldest + timedelta(minutes=window_minutes) - now).total_seconds()) + 1
            raise RateLimitedError(max(retry, 1))


def record_attempt(session: Session, username: str, client: str, success: bool, window_minutes: int) -> None:
    """Log one attempt; a success clears the user name's failures; entries past the window are pruned."""
    now = utcnow()
    if success:
        session.execute(delete(LoginAttempt).where(LoginAttempt.username == username[:100]))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(minutes=window_minutes * 4)))
    session.add(LoginAttempt(username=username[:100], client=client[:100], success=success, at=now))
