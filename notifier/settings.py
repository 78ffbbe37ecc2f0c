"""Notifier settings: environment variables (ANBUDSRADAR_*) with embedded defaults and the reason for each.

Secrets (the SMTP password, the link-signing key) are kept out of `repr` and never logged.
"""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from email.headerregistry import Address
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notifier.addresses import bare_address, parse_address
from notifier.exceptions import NotifierConfigError

SECURITY_MODES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class NotifierSettings:
    """Resolved notifier settings for one process (see docs/digest.md for the table)."""

    # SMTP server. Unset: digests go to the outbox folder, so the demo and a laptop need no server.
    smtp_host: str | None
    # 587 with STARTTLS, 465 with implicit TLS, 25 without: the ports those modes are served on.
    smtp_port: int
    # STARTTLS by default: the mail submission standard (RFC 8314 prefers "tls" where offered).
    smtp_security: str
    # Login only when a user is set: a relay on localhost often needs none.
    smtp_user: str | None
    smtp_password: str | None = field(repr=False)
    # Extra CA certificates (PEM) to trust, for a server with a private or self-signed certificate.
    smtp_ca_file: Path | None
    # Seconds to wait for the server; a stuck connection then counts as a transient error.
    smtp_timeout: float
    # The From address with display name; required with SMTP (a made-up sender would bounce).
    from_address: Address
    # Who readers contact about the digest (footer, Reply-To); defaults to the From address.
    contact_email: str
    # The organisation that runs the service, named in the footer.
    organisation: str
    # Where .eml files go without SMTP.
    outbox: Path
    # Base of the links in a digest (notice pages, preferences, unsubscribe).
    base_url: str
    # Signs unsubscribe/preference links; unset: a random key kept in <data dir>/secret_key.
    secret_key: str | None = field(repr=False)
    data_dir: Path
    # Monday 07:00 Stockholm time: read at the start of the working week.
    digest_day: str
    digest_time: time
    timezone: ZoneInfo
    # Daily crawl (tagging and matching follow it): early enough to finish before the digest.
    crawl_time: time
    # Minutes between retries of unfinished deliveries of the current week (transient errors).
    retry_minutes: int
    # Messages per minute through SMTP: stays under typical provider limits; 0 means no limit.
    rate_per_minute: int
    # Attempts per message within one run, and the first back-off (doubled each time) in seconds.
    smtp_attempts: int
    smtp_backoff: float
    # Send a "nothing new this week" message to a company with nothing new (default: no email).
    send_empty: bool
    # "Closing within N days" reminders.
    closing_days: int
    # Notices shown per section; the rest are counted, so a busy week stays readable.
    max_per_section: int
    # A run that stopped answering for this long is presumed dead and its deliveries taken over.
    lease_minutes: int


def load_notifier_settings(env: Mapping[str, str] | None = None) -> NotifierSettings:
    """Read and validate the notifier settings from the environment."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("ANBUDSRADAR_DATA_DIR", "var"))
    host = _text(env, "ANBUDSRADAR_SMTP_HOST")
    security = _choice(env, "ANBUDSRADAR_SMTP_SECURITY", "starttls", SECURITY_MODES)
    user = _text(env, "ANBUDSRADAR_SMTP_USER")
    password = env.get("ANBUDSRADAR_SMTP_PASSWORD") or None
    if user and password is None:
        raise NotifierConfigError("ANBUDSRADAR_SMTP_USER is set but ANBUDSRADAR_SMTP_PASSWORD is not")
    from_raw = _text(env, "ANBUDSRADAR_SMTP_FROM")
    if host and from_raw is None:
        raise NotifierConfigError(
            "ANBUDSRADAR_SMTP_FROM is required with ANBUDSRADAR_SMTP_HOST "
            "(e.g. 'Anbudsradar <anbudsradar@example.org>')"
        )
    from_address = _address("ANBUDSRADAR_SMTP_FROM", from_raw or "Anbudsradar <anbudsradar@localhost>")
    contact = _text(env, "ANBUDSRADAR_CONTACT_EMAIL") or from_address.addr_spec
    _bare_address("ANBUDSRADAR_CONTACT_EMAIL", contact)
    ca_file = _text(env, "ANBUDSRADAR_SMTP_CA_FILE")
    if ca_file:
        _check_ca_file("ANBUDSRADAR_SMTP_CA_FILE", ca_file)
    base_url = _base_url("ANBUDSRADAR_BASE_URL", _text(env, "ANBUDSRADAR_BASE_URL") or "http://127.0.0.1:8000")
    return NotifierSettings(
        smtp_host=host,
        smtp_port=_int(env, "ANBUDSRADAR_SMTP_PORT", DEFAULT_PORTS[security], 1, 65535),
        smtp_security=security,
        smtp_user=user,
        smtp_password=password,
        smtp_ca_file=Path(ca_file) if ca_file else None,
        smtp_timeout=_float(env, "ANBUDSRADAR_SMTP_TIMEOUT", 30.0, 0.1, 3600.0),
        from_address=from_address,
        contact_email=contact,
        organisation=_text(env, "ANBUDSRADAR_ORGANISATION") or "Anbudsradar",
        outbox=Path(_text(env, "ANBUDSRADAR_OUTBOX") or data_dir / "outbox"),
        base_url=base_url,
        secret_key=env.get("ANBUDSRADAR_SECRET_KEY") or None,
        data_dir=data_dir,
        digest_day=_choice(env, "ANBUDSRADAR_DIGEST_DAY", "mon", WEEKDAYS),
        digest_time=_time(env, "ANBUDSRADAR_DIGEST_TIME", "07:00"),
        timezone=_zone(env, "ANBUDSRADAR_DIGEST_TIMEZONE", "Europe/Stockholm"),
        crawl_time=_time(env, "ANBUDSRADAR_CRAWL_TIME", "05:00"),
        retry_minutes=_int(env, "ANBUDSRADAR_DIGEST_RETRY_MINUTES", 60, 1, 24 * 60),
        rate_per_minute=_int(env, "ANBUDSRADAR_SMTP_RATE_PER_MINUTE", 30, 0, 100_000),
        smtp_attempts=_int(env, "ANBUDSRADAR_SMTP_ATTEMPTS", 4, 1, 20),
        smtp_backoff=_float(env, "ANBUDSRADAR_SMTP_BACKOFF", 2.0, 0.0, 3600.0),
        send_empty=_bool(env, "ANBUDSRADAR_DIGEST_SEND_EMPTY", default=False),
        closing_days=_int(env, "ANBUDSRADAR_DIGEST_CLOSING_DAYS", 7, 1, 60),
        max_per_section=_int(env, "ANBUDSRADAR_DIGEST_MAX_PER_SECTION", 15, 1, 500),
        lease_minutes=_int(env, "ANBUDSRADAR_DIGEST_LEASE_MINUTES", 30, 1, 24 * 60),
    )


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = (_text(env, name) or default).lower()
    if value not in allowed:
        raise NotifierConfigError(f"{name}={value!r} must be one of: {', '.join(allowed)}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _text(env, name)
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        raise NotifierConfigError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise NotifierConfigError(f"{name}={value} must be between {low} and {high}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    """Read seconds within [low, high]; nan, inf and 0 for a timeout would fail only when sending."""
    raw = _text(env, name)
    try:
        value = default if raw is None else float(raw)
    except ValueError:
        raise NotifierConfigError(f"{name}={raw!r} is not a number") from None
    if not low <= value <= high:  # also false for nan
        raise NotifierConfigError(f"{name}={raw!r} must be between {low:g} and {high:g} (seconds)")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (_text(env, name) or "").lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise NotifierConfigError(f"{name}={raw!r} must be true or false")


def _time(env: Mapping[str, str], name: str, default: str) -> time:
    raw = _text(env, name) or default
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise NotifierConfigError(f"{name}={raw!r} must be a time of day like 07:00")
    return time(int(match[1]), int(match[2]))


def _zone(env: Mapping[str, str], name: str, default: str) -> ZoneInfo:
    raw = _text(env, name) or default
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
        raise NotifierConfigError(f"{name}={raw!r} is not a time zone name like Europe/Stockholm") from None


def _base_url(name: str, raw: str) -> str:
    """Return the links' base URL without a trailing slash; raise unless it is http(s)://host[:port][/path]."""
    base_url = raw.rstrip("/")
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise NotifierConfigError(f"{name}={base_url!r} is not an http(s) URL")
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in 0..65535
    except ValueError as exc:  # e.g. "Invalid IPv6 URL": every link in every digest would be broken
        raise NotifierConfigError(f"{name}={base_url!r} is not an http(s) URL ({exc})") from None
    if parts.query or parts.fragment or any(char.isspace() for char in base_url):
        raise NotifierConfigError(
            f"{name}={base_url!r}: the links are built by adding paths to it, so it can have no "
            "'?', '#' or spaces (e.g. https://anbudsradar.example.org)"
        )
    return base_url


def _check_ca_file(name: str, path: str) -> None:
    """Raise unless `path` is a readable PEM file of CA certificates (else TLS would fail at send time)."""
    if not Path(path).is_file():
        raise NotifierConfigError(f"{name}={path!r}: no such file")
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError) as exc:
        raise NotifierConfigError(f"{name}={path!r} is not a PEM file of CA certificates ({exc})") from None


def _address(name: str, raw: str) -> Address:
    """Return the address of a setting (display name optional); raise naming the setting and the fault."""
    try:
        address = parse_address(raw)
    except ValueError as exc:
        raise NotifierConfigError(
            f"{name}={raw!r} is not an e-mail address like 'Name <user@example.org>': {exc}"
        ) from None
    return Address(
        display_name=address.display_name or "Anbudsradar", username=address.username, domain=address.domain
    )


def _bare_address(name: str, raw: str) -> None:
    """Raise unless a setting is one address without a display name (user@example.org)."""
    try:
        bare_address(raw)
    except ValueError as exc:
        raise NotifierConfigError(f"{name}={raw!r} is not an e-mail address: {exc}") from None
