"""Web settings: environment variables (ANBUDSRADAR_*) with embedded defaults and the reason for each."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from anbudsradar.web.exceptions import WebConfigError

KEY_ADVICE = (
    "set ANBUDSRADAR_SECRET_KEY to a long random value, e.g. the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
)
_TRUE = {"1", "true", "yes", "on", "ja"}
_FALSE = {"0", "false", "no", "off", "nej"}


@dataclass(frozen=True, slots=True)
class WebSettings:
    """Resolved web settings for one process (docs/web.md has the table)."""

    # Signs CSRF tokens (and, shared with the notifier, digest links). Required outside the demo and
    # tests: a key made up at start-up would silently break every open form on a restart.
    secret_key: str = field(repr=False)
    # Tender pages, buyer overviews, exports and the tender API open without login: notices are
    # public data, and officers should not need an account to check their own tenders.
    public_tenders: bool = True
    # Hours a login lasts: one working day, so a shared computer does not stay logged in for long.
    session_hours: int = 12
    # Mark cookies Secure (HTTPS only). Off by default because `anbudsradar serve` listens on plain
    # HTTP on 127.0.0.1; turn it on behind an HTTPS proxy.
    cookie_secure: bool = False
    # Failed logins allowed per user name and per client address within the window, before the
    # login answers 429: enough for typos, too few for guessing a password.
    login_attempts: int = 5
    login_window_minutes: int = 15
    # Rows per page of the tender list: a screenful; the API and exports may ask for up to 500/50,000.
    page_size: int = 25
    # Rows in one CSV or OCDS export: bounds the memory and time of one request.
    export_limit: int = 50_000


def load_web_settings(env: Mapping[str, str] | None = None, demo: bool = False) -> WebSettings:
    """Read and validate the web settings; `demo` allows a throw-away secret key when none is set."""
    env = os.environ if env is None else env
    secret = env.get("ANBUDSRADAR_SECRET_KEY") or ""
    if not secret:
        if not demo:
            raise WebConfigError(f"ANBUDSRADAR_SECRET_KEY is not set: {KEY_ADVICE}")
        secret = secrets.token_urlsafe(32)
    elif len(secret) < 16:
        raise WebConfigError(f"ANBUDSRADAR_SECRET_KEY is too short ({len(secret)} characters): {KEY_ADVICE}")
    return WebSettings(
        secret_key=secret,
        public_tenders=_bool(env, "ANBUDSRADAR_PUBLIC_TENDERS", default=True),
        session_hours=_int(env, "ANBUDSRADAR_SESSION_HOURS", 12, 1, 24 * 30),
        cookie_secure=_bool(env, "ANBUDSRADAR_COOKIE_SECURE", default=False),
        login_attempts=_int(env, "ANBUDSRADAR_LOGIN_ATTEMPTS", 5, 1, 1000),
        login_window_minutes=_int(env, "ANBUDSRADAR_LOGIN_WINDOW_MINUTES", 15, 1, 24 * 60),
        page_size=_int(env, "ANBUDSRADAR_PAGE_SIZE", 25, 5, 500),
        export_limit=_int(env, "ANBUDSRADAR_EXPORT_LIMIT", 50_000, 1, 1_000_000),
    )


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    """Read a yes/no variable; raise naming the variable when the value is neither."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise WebConfigError(f"{name}={raw!r} is not a yes/no value (use 1 or 0)")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """Read a whole number within [low, high]; raise naming the variable otherwise."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise WebConfigError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise WebConfigError(f"{name}={value} is outside {low}..{high}")
    return value
