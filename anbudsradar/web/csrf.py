"""CSRF protection: a random cookie per browser and, in every form, its HMAC under the secret key."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from anbudsradar.web.exceptions import CsrfError

CSRF_COOKIE = "anbudsradar_csrf"
CSRF_FIELD = "csrf_token"


def _sign(secret: str, seed: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def csrf_seed(request: Request) -> str:
    """Return this browser's CSRF seed (from its cookie, or a new one kept for `set_csrf_cookie`)."""
    seed = getattr(request.state, "csrf_seed", None)
    if seed is None:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        seed = cookie if 20 <= len(cookie) <= 100 else secrets.token_urlsafe(24)
        request.state.csrf_seed = seed
    return seed


def csrf_token(request: Request) -> str:
    """Return the token that the forms of this page must send back."""
    return _sign(request.app.state.settings.secret_key, csrf_seed(request))


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Send the seed cookie if the browser does not have it yet."""
    seed = getattr(request.state, "csrf_seed", None)
    if seed is not None and request.cookies.get(CSRF_COOKIE) != seed:
        response.set_cookie(
            CSRF_COOKIE,
            seed,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.cookie_secure,
            path="/",
        )


async def verify_csrf(request: Request) -> None:
    """Check a form POST: same-origin Origin header (when sent) and a token matching the cookie."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise CsrfError(f"formuläret skickades från en annan webbplats ({origin})")
    cookie = request.cookies.get(CSRF_COOKIE)
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not cookie or not isinstance(sent, str):
        raise CsrfError("formuläret saknar säkerhetstoken; ladda om sidan och försök igen")
    if not hmac.compare_digest(_sign(request.app.state.settings.secret_key, cookie), sent):
        raise CsrfError("formulärets säkerhetstoken stämmer inte; ladda om sidan och försök igen")
