"""Build the digest e-mail: multipart/alternative (text + HTML), UTF-8, RFC 5322 and RFC 8058 headers."""

from __future__ import annotations

import re
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import quote

from notifier.exceptions import AddressError
from notifier.render import RenderedDigest
from notifier.settings import NotifierSettings
from notifier.weeks import IsoWeek

# CRLF line ends and RFC 2047 encoded words for non-ASCII headers ("Glänsande"): what SMTP wants.
# Lines may run to RFC 5322's hard limit of 998 so that a long URL in List-Unsubscribe stays a URL
# (at 78 the email package would turn it into encoded words, which clients cannot use).
WIRE_POLICY = policy.SMTP.clone(max_line_length=998)
_LOCAL_PART_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")


def message_id(settings: NotifierSettings, week: IsoWeek, org_number: str) -> str:
    """Return the Message-ID of a company's digest for a week: the same on every attempt and resend."""
    return f"<digest.{week}.{org_number}@{settings.from_address.domain}>"


def recipient(name: str, email: str) -> Address:
    """Return a To address; raise AddressError naming the address when it cannot be sent to."""
    local, _, domain = email.strip().rpartition("@")
    if not local or not domain or not _LOCAL_PART_RE.match(local) or ".." in local:
        raise AddressError(f"{email!r} is not an e-mail address")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")  # "företag.se" -> "xn--fretag-...se"
    except UnicodeError:
        raise AddressError(f"{email!r} has a domain that cannot be encoded for DNS") from None
    return Address(display_name=name, username=local, domain=ascii_domain)


def build_message(
    rendered: RenderedDigest,
    settings: NotifierSettings,
    *,
    company_name: str,
    recipients: list[str],
    message_id: str,
    week: IsoWeek,
    org_number: str,
    now: datetime,
) -> EmailMessage:
    """Assemble the message; raise AddressError if a recipient address is unusable."""
    if not recipients:
        raise AddressError("no contact address")
    message = EmailMessage(policy=WIRE_POLICY)
    message["From"] = settings.from_address
    message["To"] = [recipient(company_name, email) for email in recipients]
    if settings.contact_email != settings.from_address.addr_spec:
        message["Reply-To"] = settings.contact_email
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(now.astimezone(settings.timezone))
    message["Message-ID"] = message_id
    message["List-Id"] = f"Anbudsradar <digest.{settings.from_address.domain}>"
    mailto = f"mailto:{settings.contact_email}?subject={quote('unsubscribe ' + org_number)}"
    message["List-Unsubscribe"] = f"<{rendered.unsubscribe_url}>, <{mailto}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Anbudsradar-Digest"] = f"{week}; org={org_number}"
    message.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = rendered.language  # after the content: set_content clears Content-*
    return message


def to_bytes(message: EmailMessage) -> bytes:
    """Serialise for the wire and the outbox (CRLF line ends)."""
    return message.as_bytes(policy=WIRE_POLICY)
