"""Errors of the notifier; each message names the input (company, address, SMTP reply) and what to do."""

from __future__ import annotations


class NotifierError(Exception):
    """Base of every error the notifier raises."""


class NotifierConfigError(NotifierError, ValueError):
    """Raised by `notifier.settings` when an ANBUDSRADAR_* variable has a value that cannot work."""


class DeliveryError(NotifierError):
    """Raised by a backend when one message could not be delivered; `reply` is the server's answer."""

    def __init__(self, message: str, reply: str | None = None) -> None:
        super().__init__(message)
        self.reply = reply


class TransientDeliveryError(DeliveryError):
    """Raised by a backend for errors worth retrying: SMTP 4xx, connection refused or dropped."""


class PermanentDeliveryError(DeliveryError):
    """Raised by a backend when the server refused a message for good (SMTP 5xx)."""


class BackendConfigError(NotifierError):
    """Raised by a backend when no message can get through as configured (login refused, no TLS).

    It stops the round: every other company would fail the same way.
    """


class UnknownCompanyError(NotifierError):
    """Raised by a digest round asked for an organisation number that is not in the registry."""


class WeekFormatError(NotifierError, ValueError):
    """Raised when a week is not written as an ISO week like 2026-W49."""


class AddressError(NotifierError):
    """Raised when building a message for a contact address that is not a valid e-mail address."""
