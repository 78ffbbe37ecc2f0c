"""Errors of the web app; each is turned into a page (or JSON for /api) by `anbudsradar.web.errors`."""

from __future__ import annotations


class WebError(Exception):
    """Base of the errors the web app raises on purpose."""


class WebConfigError(WebError, ValueError):
    """Raised by `anbudsradar.web.settings` when an ANBUDSRADAR_* variable cannot work; names it."""


class NotFoundError(WebError):
    """Raised by a query when the id in the URL names nothing; answered with a 404 page."""

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} finns inte")
        self.what = what
        self.ident = ident


class LoginRequiredError(WebError):
    """Raised by the auth dependencies when a page needs a logged-in user; answered with a redirect."""


class CsrfError(WebError):
    """Raised by `anbudsradar.web.csrf` when a form's token is missing or wrong; answered with 403."""


class RateLimitedError(WebError):
    """Raised by the login when too many attempts failed recently; answered with 429 and Retry-After."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"för många inloggningsförsök; försök igen om {retry_after} sekunder")
        self.retry_after = retry_after


class UserError(WebError, ValueError):
    """Raised by `anbudsradar.web.auth` for a bad user name or password (the CLI shows the message)."""
