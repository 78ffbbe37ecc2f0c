"""Delivery backends: an SMTP server (STARTTLS, implicit TLS or plain; login) and an outbox folder.

A backend delivers one finished message and sorts every failure into transient (worth a retry),
permanent (this message will never get through) or configuration (no message will).
"""

from __future__ import annotations

import base64
import logging
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from notifier.exceptions import BackendConfigError, PermanentDeliveryError, TransientDeliveryError
from notifier.settings import NotifierSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Envelope:
    """One finished message and where it goes."""

    message_id: str
    sender: str
    recipients: list[str]
    data: bytes
    name: str  # file name in the outbox, e.g. "2026-W49_5560001234.eml"


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the backend reports for a delivered message."""

    detail: str  # the server's final reply, or the outbox file
    refused: dict[str, str] = field(default_factory=dict)  # recipients refused while others got it


class Backend(Protocol):
    """What the delivery run needs from a backend."""

    name: str

    def deliver(self, envelope: Envelope) -> Receipt:
        """Hand the message over; raise a DeliveryError or BackendConfigError when it cannot."""
        ...

    def already_delivered(self, envelope: Envelope) -> bool:
        """Whether a message found half-sent after a crash is known to have arrived."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class OutboxBackend:
    """Writes each message as an .eml file into a folder (the embedded default, used by the demo)."""

    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, envelope: Envelope) -> Path:
        """Return the file a message is written to."""
        return self.folder / envelope.name

    def deliver(self, envelope: Envelope) -> Receipt:
        """Write the file atomically (temporary file, fsync, rename): it is either whole or absent."""
        path = self.path(envelope)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.partial")
            with partial.open("wb") as file:
                file.write(envelope.data)
                file.flush()
                os.fsync(file.fileno())
            partial.replace(path)
        except OSError as exc:
            raise BackendConfigError(
                f"cannot write to the outbox {self.folder}: {exc.strerror} (set ANBUDSRADAR_OUTBOX)"
            ) from exc
        return Receipt(str(path))

    def already_delivered(self, envelope: Envelope) -> bool:
        """Whether the file is there with this Message-ID (a rename is atomic, so it is whole)."""
        path = self.path(envelope)
        if not path.exists():
            return False
        head = path.read_bytes()[:16_384]
        return f"Message-ID: {envelope.message_id}".encode() in head

    def close(self) -> None:
        """Nothing to release."""


class RateLimiter:
    """Spaces out messages so that at most `per_minute` start in any minute (0: no limit)."""

    def __init__(
        self,
        per_minute: int,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.sleep = sleep
        self.clock = clock
        self.next_at: float | None = None

    def wait(self) -> None:
        """Block until the next message may start."""
        now = self.clock()
        if self.next_at is not None and now < self.next_at:
            self.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


class SmtpBackend:
    """Sends through an SMTP server, reusing one connection; the password is never logged."""

    name = "smtp"

    def __init__(
        self,
        settings: NotifierSettings,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not settings.smtp_host:
            raise BackendConfigError("SMTP delivery needs ANBUDSRADAR_SMTP_HOST")
        self.settings = settings
        self.host: str = settings.smtp_host
        self.port = settings.smtp_port
        self.limiter = RateLimiter(settings.rate_per_minute, sleep, clock)
        self._connection: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        """'host:port (starttls)' for messages."""
        return f"{self.host}:{self.port} ({self.settings.smtp_security})"

    def deliver(self, envelope: Envelope) -> Receipt:
        """Send one message; sort any failure into transient, permanent or configuration."""
        self.limiter.wait()
        try:
            connection = self._live_connection()
            refused, reply = _transaction(connection, envelope)
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset(hard=False)
            raise _refused_error(exc.recipients, envelope) from exc
        except smtplib.SMTPSenderRefused as exc:
            self._reset(hard=False)
            if 400 <= exc.smtp_code < 500:
                raise TransientDeliveryError(_reply_text(exc, "MAIL FROM"), _reply(exc)) from exc
            raise BackendConfigError(
                f"SMTP server {self.where} refused the sender {envelope.sender}: {_reply(exc)} "
                "(check ANBUDSRADAR_SMTP_FROM)"
            ) from exc
        except smtplib.SMTPResponseException as exc:
            self._reset(hard=exc.smtp_code == 421)
            if 400 <= exc.smtp_code < 500:
                raise TransientDeliveryError(_reply_text(exc, self.where), _reply(exc)) from exc
            raise PermanentDeliveryError(_reply_text(exc, self.where), _reply(exc)) from exc
        except (smtplib.SMTPServerDisconnected, ssl.SSLEOFError, OSError) as exc:
            self._reset(hard=True)
            if isinstance(exc, ssl.SSLError) and not isinstance(exc, ssl.SSLEOFError):
                raise BackendConfigError(
                    f"TLS with SMTP server {self.where} failed: {exc} "
                    "(check ANBUDSRADAR_SMTP_SECURITY and ANBUDSRADAR_SMTP_PORT)"
                ) from exc
            raise TransientDeliveryError(f"SMTP server {self.where}: {_os_error(exc)}") from exc
        detail = f"{self.where} accepted it: {reply}"
        return Receipt(detail, {addr: _reply_pair(*answer) for addr, answer in refused.items()})

    def already_delivered(self, envelope: Envelope) -> bool:
        """SMTP cannot be asked: unknown, so the message is sent again with the same Message-ID."""
        return False

    def close(self) -> None:
        """Say goodbye to the server."""
        self._reset(hard=False, quit_first=True)

    def _live_connection(self) -> smtplib.SMTP:
        """Return the open connection if the server still answers (it may have timed out), else a new one."""
        if self._connection is not None:
            try:
                if self._connection.noop()[0] == 250:
                    return self._connection
            except (smtplib.SMTPException, OSError):
                pass
            self._reset(hard=True)
        return self._connect()

    def _connect(self) -> smtplib.SMTP:
        """Open, secure and log in; login and TLS problems are configuration errors."""
        settings = self.settings
        context = ssl.create_default_context(
            cafile=str(settings.smtp_ca_file) if settings.smtp_ca_file else None
        )
        try:
            if settings.smtp_security == "tls":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=settings.smtp_timeout, context=context
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=settings.smtp_timeout)
            connection.ehlo()
            if settings.smtp_security == "starttls":
                if not connection.has_extn("starttls"):
                    connection.close()
                    raise BackendConfigError(
                        f"SMTP server {self.where} does not offer STARTTLS "
                        "(set ANBUDSRADAR_SMTP_SECURITY to tls or none if that is intended)"
                    )
                connection.starttls(context=context)
                connection.ehlo()
            if settings.smtp_user:
                self._login(connection)
        except ssl.SSLCertVerificationError as exc:
            raise BackendConfigError(
                f"the certificate of SMTP server {self.where} is not trusted: {exc.verify_message} "
                "(set ANBUDSRADAR_SMTP_CA_FILE to its CA certificate)"
            ) from exc
        except ssl.SSLError as exc:
            raise BackendConfigError(
                f"TLS with SMTP server {self.where} failed: {exc.reason} "
                "(check ANBUDSRADAR_SMTP_SECURITY and ANBUDSRADAR_SMTP_PORT)"
            ) from exc
        except smtplib.SMTPConnectError as exc:
            where = f"connecting to {self.where}"
            raise TransientDeliveryError(_reply_text(exc, where), _reply(exc)) from exc
        log.info("connected to SMTP server %s", self.where)
        self._connection = connection
        return connection

    def _login(self, connection: smtplib.SMTP) -> None:
        """Log in; a refused login stops the round with the user name (never the password)."""
        user, password = self.settings.smtp_user or "", self.settings.smtp_password or ""
        try:
            if "plain" in connection.esmtp_features.get("auth", "").lower().split():
                _auth_plain(connection, user, password)
            else:
                connection.login(user, password)
        except smtplib.SMTPNotSupportedError as exc:
            connection.close()
            raise BackendConfigError(
                f"SMTP server {self.where} does not offer AUTH (unset ANBUDSRADAR_SMTP_USER, "
                "or use STARTTLS/TLS: many servers offer login only over TLS)"
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            connection.close()
            if 400 <= exc.smtp_code < 500:
                raise TransientDeliveryError(_reply_text(exc, f"login at {self.where}"), _reply(exc)) from exc
            raise BackendConfigError(
                f"SMTP server {self.where} refused the login of user {user!r}: {_reply(exc)} "
                "(check ANBUDSRADAR_SMTP_USER and ANBUDSRADAR_SMTP_PASSWORD)"
            ) from exc

    def _reset(self, hard: bool, quit_first: bool = False) -> None:
        """Forget the connection after an error (hard) or reset its transaction state."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if quit_first:
                connection.quit()
            elif not hard:
                connection.rset()
                self._connection = connection
                return
        except (smtplib.SMTPException, OSError):
            pass
        connection.close()


def make_backend(settings: NotifierSettings) -> Backend:
    """SMTP when ANBUDSRADAR_SMTP_HOST is set, else the outbox folder."""
    if settings.smtp_host:
        return SmtpBackend(settings)
    return OutboxBackend(settings.outbox)


def _auth_plain(connection: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH PLAIN with UTF-8 credentials (RFC 4616); smtplib only sends ASCII ("lösenord" fails)."""
    token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode("ascii")
    code, answer = connection.docmd("AUTH", f"PLAIN {token}")
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, answer)


def _transaction(connection: smtplib.SMTP, envelope: Envelope) -> tuple[dict[str, tuple[int, bytes]], str]:
    """MAIL, RCPT for each recipient, DATA; return the refused recipients and the final reply.

    Like `smtplib.SMTP.sendmail`, but keeps the server's answer to DATA (its queue id) for the log.
    """
    code, answer = connection.mail(envelope.sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, answer, envelope.sender)
    refused = {}
    for address in envelope.recipients:
        code, answer = connection.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, answer)
    if len(refused) == len(envelope.recipients):
        raise smtplib.SMTPRecipientsRefused(refused)
    code, answer = connection.data(envelope.data)  # raises only when DATA itself is refused
    if code != 250:
        connection.rset()
        raise smtplib.SMTPDataError(code, answer)
    return refused, _reply_pair(code, answer)


def _reply_pair(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return _reply_pair(exc.smtp_code, exc.smtp_error)


def _reply_text(exc: smtplib.SMTPResponseException, where: str) -> str:
    return f"SMTP server {where} answered {_reply(exc)}"


def _refused_error(
    recipients: dict[str, tuple[int, bytes]], envelope: Envelope
) -> TransientDeliveryError | PermanentDeliveryError:
    """All recipients refused: transient if any refusal was 4xx, else permanent."""
    replies = "; ".join(f"{addr}: {_reply_pair(*answer)}" for addr, answer in recipients.items())
    text = f"every recipient of {envelope.message_id} was refused ({replies})"
    if any(400 <= code < 500 for code, _ in recipients.values()):
        return TransientDeliveryError(text, replies)
    return PermanentDeliveryError(text + "; fix the contact addresses in the company registry", replies)


def _os_error(exc: OSError) -> str:
    """Describe a network error in words, with what to check."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running? check ANBUDSRADAR_SMTP_HOST and _PORT)"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "no answer (timed out; see ANBUDSRADAR_SMTP_TIMEOUT)"
    if isinstance(exc, socket.gaierror):
        return f"host name not found ({exc.strerror}; check ANBUDSRADAR_SMTP_HOST)"
    return str(exc) or type(exc).__name__
