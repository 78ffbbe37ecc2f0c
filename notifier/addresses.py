"""E-mail addresses from the settings, read with the standard library's own parsers.

email.headerregistry and email.utils split a setting into display name and address; the domain is
then held to RFC 5321 (labels of letters, digits and inner hyphens, joined by single dots) after
IDNA encoding, so `info@städ.se` passes and `a@.`, `a@b..c` and `a@-b.se` do not.
"""

from __future__ import annotations

import ipaddress
from email.errors import NonASCIILocalPartDefect
from email.headerregistry import Address, HeaderRegistry
from email.utils import parseaddr

_HEADERS = HeaderRegistry()
_MAX_LABEL = 63  # RFC 1035: a DNS label holds at most 63 octets


def parse_address(raw: str) -> Address:
    """Return the one address in `raw` ('Name <user@example.se>' or 'user@example.se').

    Raise ValueError saying what is wrong: no user@domain, a domain that cannot take mail, spaces
    or a comment inside the address, more than one address.
    """
    _display, addr_spec = parseaddr(raw)
    local, at, domain = addr_spec.rpartition("@")
    if not at or not local:
        raise ValueError("no user@domain in it")
    problem = domain_problem(domain)
    if problem is not None:
        raise ValueError(problem)
    if addr_spec not in raw:  # the parsers drop white space and comments; a typo is likelier
        raise ValueError(f"spaces or a comment inside the address (read as {addr_spec!r})")
    return _one_address(raw)


def _one_address(raw: str) -> Address:
    """Return the address of `raw` read as an address header; raise ValueError unless it is one."""
    try:
        header = _HEADERS("To", raw)
    except IndexError:  # Python 3.11's header parser raises it for an address ending in '@'
        raise ValueError("not well-formed") from None
    if len(header.addresses) > 1:
        raise ValueError("it holds more than one address")
    defects = [defect for defect in header.defects if not isinstance(defect, NonASCIILocalPartDefect)]
    if defects:
        raise ValueError(f"not well-formed ({defects[0]})")
    return header.addresses[0]


def domain_problem(domain: str) -> str | None:
    """Say why `domain` cannot receive mail, or None: a host name, or an address literal ([192.0.2.1])."""
    if domain.startswith("[") and domain.endswith("]"):
        try:
            ipaddress.ip_address(domain[1:-1].removeprefix("IPv6:"))
        except ValueError:
            return f"the domain {domain} is not an IP address in brackets"
        return None
    if not all(_is_label(label) for label in domain.split(".")):
        return (
            f"the domain {domain!r} is not labels of letters, digits and inner hyphens "
            "joined by single dots, e.g. example.se"
        )
    return None


def _is_label(label: str) -> bool:
    """Whether a DNS label is letters, digits and hyphens not at either end (IDNA-encoded if need be)."""
    if not label or label.startswith("-") or label.endswith("-"):
        return False
    try:
        encoded = label.encode("idna").decode("ascii")
    except UnicodeError:  # longer than 63 characters once encoded, or not encodable
        return False
    return len(encoded) <= _MAX_LABEL and all(char.isalnum() or char == "-" for char in encoded)


def bare_address(raw: str) -> Address:
    """Return the address of `raw` when it is the address alone (user@example.se, no display name).

    Raise ValueError saying what is wrong, as parse_address does.
    """
    address = parse_address(raw)
    if address.display_name or address.addr_spec != raw:
        raise ValueError("write the address alone, e.g. user@example.org")
    return address


def is_recipient_address(text: str) -> bool:
    """Tell whether text is one bare address a digest can be sent to (user@example.se, no name).

    The company registry and the company form check contact e-mails with it: the domain must be a
    host name with a dot, since a digest to `user@localhost` or `a@b..c` could never arrive.
    """
    try:
        address = bare_address(text)
    except ValueError:
        return False
    return "." in address.domain.strip("[]")
