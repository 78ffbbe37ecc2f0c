"""Links in a digest: notice pages, preferences and one-click unsubscribe, signed per company.

The web pages verify a link with `verify_token`; the key is ANBUDSRADAR_SECRET_KEY, or a random key
written once to <data dir>/secret_key (mode 0600) so that links stay valid across runs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import quote

from notifier.settings import NotifierSettings


def secret_key(settings: NotifierSettings) -> bytes:
    """Return the link-signing key, creating <data dir>/secret_key on first use when none is set."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.data_dir / "secret_key"
    if not path.exists():
        _write_private(path, secrets.token_urlsafe(32))
    return path.read_text(encoding="utf-8").strip().encode()


def _write_private(path: Path, value: str) -> None:
    """Create a file readable only by its owner; if another process just did, keep that one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(value)


def token(key: bytes, purpose: str, org_number: str) -> str:
    """Return the signature that lets the holder of a link do `purpose` for one company."""
    mac = hmac.new(key, f"{purpose}:{org_number}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()


def verify_token(key: bytes, purpose: str, org_number: str, candidate: str) -> bool:
    """Check a token from a link in constant time."""
    return hmac.compare_digest(token(key, purpose, org_number), candidate)


def unsubscribe_url(settings: NotifierSettings, key: bytes, org_number: str) -> str:
    """Return the one-click unsubscribe URL (GET shows a confirmation, POST unsubscribes: RFC 8058)."""
    signature = quote(token(key, "unsubscribe", org_number))
    return f"{settings.base_url}/unsubscribe/{org_number}?token={signature}"


def preferences_url(settings: NotifierSettings, key: bytes, org_number: str) -> str:
    """Return the URL of the company's digest preferences page."""
    signature = quote(token(key, "preferences", org_number))
    return f"{settings.base_url}/preferences/{org_number}?token={signature}"


def notice_url(settings: NotifierSettings, notice_pk: int, published_url: str | None) -> str:
    """Return the notice as published (its source URL), else its page in Anbudsradar."""
    if published_url and published_url.startswith(("https://", "http://")):
        return published_url
    return f"{settings.base_url}/notices/{notice_pk}"
