"""Users and logins: argon2id password hashes, server-side sessions keyed by a random cookie token."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from anbudsradar.web.exceptions import UserError
from models.base import utcnow
from models.user import User, UserSession

SESSION_COOKIE = "anbudsradar_session"
MIN_PASSWORD_LENGTH = 10
_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
# argon2-cffi's defaults follow RFC 9106's second recommended option (64 MiB, 3 passes).
_HASHER = PasswordHasher()
# Verified against when the user does not exist, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("anbudsradar-no-such-user")


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The logged-in user as the pages see it."""

    id: int
    username: str
    display_name: str

    @property
    def actor(self) -> str:
        """How history rows name this user."""
        return self.username


def normalise_username(username: str) -> str:
    """Return the stored form of a user name; raise UserError naming it if it cannot be one."""
    name = username.strip().lower()
    if not _USERNAME_RE.match(name):
        raise UserError(
            f"user name {username!r}: use 2-100 characters a-z, 0-9, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    return name


def check_password(password: str) -> None:
    """Raise UserError if a new password is too weak to keep."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")


def create_user(session: Session, username: str, password: str, display_name: str | None = None) -> User:
    """Add a user with an argon2id hash of `password`; raise UserError if the name is taken."""
    name = normalise_username(username)
    check_password(password)
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise UserError(f"user {name!r} already exists (use `anbudsradar users passwd {name}`)")
    user = User(username=name, display_name=display_name, password_hash=_HASHER.hash(password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, username: str, password: str) -> User:
    """Replace a user's password and end all of the user's sessions; raise UserError if unknown."""
    name = normalise_username(username)
    check_password(password)
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise UserError(f"no user {name!r} (add one with `anbudsradar users add {name}`)")
    user.password_hash = _HASHER.hash(password)
    user.password_changed_at = utcnow()
    session.execute(delete(UserSession).where(UserSession.user_pk == user.id))
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active user whose password this is, else None (in about the same time either way)."""
    try:
        name = normalise_username(username)
    except UserError:
        name = None
    user = session.scalar(select(User).where(User.username == name)) if name else None
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    user.last_login_at = utcnow()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, hours: int) -> str:
    """Record a new login for `user` and return the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(UserSession).where(UserSession.expires_at < now))
    session.add(
        UserSession(token_hash=_token_hash(token), user_pk=user.id, expires_at=now + timedelta(hours=hours))
    )
    session.flush()
    return token


def end_session(session: Session, token: str) -> None:
    """Forget the login with this cookie token (logging out)."""
    session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def user_for_token(session: Session, token: str | None, now: datetime | None = None) -> CurrentUser | None:
    """Return the user logged in with this cookie token, or None if it is unknown or expired."""
    if not token or len(token) > 200:
        return None
    row = session.execute(
        select(User.id, User.username, User.display_name)
        .join(UserSession, UserSession.user_pk == User.id)
        .where(
            UserSession.token_hash == _token_hash(token),
            UserSession.expires_at > (now or utcnow()),
            User.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    return CurrentUser(row.id, row.username, row.display_name or row.username)
