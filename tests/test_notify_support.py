"""Shared by the test_notify_* modules: data factories, notifier settings, a real SMTP server.

The SMTP server is aiosmtpd on 127.0.0.1 (a free port), started by the test; it records every
message it accepts and can be told to answer DATA or RCPT with an error code first.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import ssl
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select
from sqlalchemy.orm import Session

from anbudsradar import jobs
from crawlers.parsers.record import Buyer, Lot, Money, NoticeRecord
from models import Company, ConsortiumSuggestion, MatchResult, Notice
from models.store import NoticeStore
from notifier.settings import NotifierSettings, load_notifier_settings
from tests.net import free_port

UTC = dt.UTC
# Monday 30 November 2026, 07:00 in Stockholm: the start of ISO week 2026-W49.
NOW = dt.datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
WEEK = "2026-W49"


def org_number(serial: int) -> str:
    """A valid (Luhn-checked) organisation number of an economic association, 7696xxxxxC."""
    body = f"769600{serial:03d}"
    total = 0
    for position, digit in enumerate(int(d) for d in body):
        value = digit * 2 if position % 2 == 0 else digit
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def add_company(session: Session, serial: int, name: str, **fields: Any) -> Company:
    """A company that wants the weekly digest (fields override the defaults)."""
    values: dict[str, Any] = {
        "org_number": org_number(serial),
        "name": name,
        "contact_emails": [f"info{serial}@asf{serial}.example.org"],
        "branches": ["cleaning"],
        "keywords": [],
        "area_municipalities": [],
        "area_counties": ["25"],
        "networks": [],
        "digest_min_score": 0.5,
    }
    values.update(fields)
    company = Company(**values)
    session.add(company)
    session.flush()
    return company


def add_notice(
    session: Session,
    key: str,
    title: str,
    deadline: str | None = "2026-12-20T12:00:00+01:00",
    *,
    lots: tuple[tuple[str, str, float | None, bool], ...] = (),
    reserved: bool = False,
    notice_type: str = "contract-notice",
    amount: float | None = 1_200_000.0,
    buyer: str = "Luleå kommun",
    city: str = "Luleå",
    description: str = "Städning av kommunens lokaler.",
) -> Notice:
    """Store a notice through the real NoticeStore; lots are (lot id, title, amount, reserved)."""
    record = NoticeRecord(
        source_format="eforms",
        source_path=f"tests/{key}.xml",
        notice_id=f"{key}-notice",
        notice_type=notice_type,  # type: ignore[arg-type]
        language="sv",
        title=title,
        description=description,
        url=f"https://example.org/notices/{key}",
        buyer=Buyer(name=buyer, identifier=f"id-{buyer}", country="SE", nuts="SE332", city=city),
        cpv_main="90919200",
        cpv=["90919200"],
        nuts=["SE332"],
        lots=[
            Lot(
                lot_id=lot_id,
                title=lot_title,
                cpv=["90919200"],
                reserved_participation=["shelteredWorkshop"] if lot_reserved else [],
                estimated_value=Money(lot_amount, "SEK") if lot_amount else None,
            )
            for lot_id, lot_title, lot_amount, lot_reserved in lots
        ],
        reserved_participation=["shelteredWorkshop"] if reserved else [],
        estimated_value=Money(amount, "SEK") if amount else None,
        published="2026-11-20",
        deadline=deadline,
        procedure_id=f"{key}-procedure",
    )
    from crawlers.parsers.dispatch import ParseOutcome  # noqa: PLC0415

    NoticeStore(session).ingest(
        [ParseOutcome(record.source_path, b"<x/>", "eforms", [record])], source="test"
    )
    return session.scalars(select(Notice).where(Notice.procedure_id == f"{key}-procedure")).one()


def change_notice(session: Session, key: str, **changes: Any) -> Notice:
    """Publish a new version of a stored notice (a corrigendum) with some fields changed."""
    notice = session.scalars(select(Notice).where(Notice.procedure_id == f"{key}-procedure")).one()
    record = NoticeRecord.from_dict(notice.record)
    record.notice_id = f"{key}-change-{notice.version_count}"
    record.published = "2026-12-01"
    for name, value in changes.items():
        setattr(record, name, value)
    from crawlers.parsers.dispatch import ParseOutcome  # noqa: PLC0415

    NoticeStore(session).ingest(
        [ParseOutcome(record.source_path, b"<y/>", "eforms", [record])], source="test"
    )
    session.refresh(notice)
    return notice


def add_match(
    session: Session,
    company: Company,
    notice: Notice,
    score: float,
    reasons: list[str],
    *,
    lot_id: str | None = None,
    eligible: bool | None = None,
) -> MatchResult:
    """A match as the matcher would store it."""
    match = MatchResult(
        company_pk=company.id,
        notice_pk=notice.id,
        lot_id=lot_id,
        score=score,
        branch_fit=score,
        area_fit=1.0,
        size_fit=1.0,
        time_fit=1.0,
        reserved_eligible=eligible,
        reasons=reasons,
        notice_content_hash=notice.content_hash,
    )
    session.add(match)
    session.flush()
    return match


def add_consortium(
    session: Session,
    notice: Notice,
    members: list[Company],
    coverage: dict[str, list[int]],
    reasons: list[str],
) -> ConsortiumSuggestion:
    """A consortium suggestion as the matcher would store it."""
    suggestion = ConsortiumSuggestion(
        notice_pk=notice.id,
        lot_id=None,
        member_pks=[m.id for m in members],
        coverage=coverage,
        score=0.8,
        reasons=reasons,
        solver="greedy",
    )
    session.add(suggestion)
    session.flush()
    return suggestion


def notifier_settings(data_dir: Path, **env: str) -> NotifierSettings:
    """Settings for a test: data and outbox in `data_dir`, fast retries, no rate limit, https links."""
    values = {
        "ANBUDSRADAR_DATA_DIR": str(data_dir),
        "ANBUDSRADAR_BASE_URL": "https://anbudsradar.example.org",
        "ANBUDSRADAR_SECRET_KEY": "test-secret",
        "ANBUDSRADAR_SMTP_BACKOFF": "0.01",
        "ANBUDSRADAR_SMTP_RATE_PER_MINUTE": "0",
        "ANBUDSRADAR_SMTP_TIMEOUT": "5",
    }
    values.update(env)
    return load_notifier_settings(values)


def smtp_env(server: SmtpServer, **extra: str) -> dict[str, str]:
    """Environment variables that point the notifier at a test SMTP server."""
    return {
        "ANBUDSRADAR_SMTP_HOST": "127.0.0.1",
        "ANBUDSRADAR_SMTP_PORT": str(server.port),
        "ANBUDSRADAR_SMTP_SECURITY": "none",
        "ANBUDSRADAR_SMTP_FROM": "Anbudsradar Norrbotten <anbudsradar@coompanion.example.org>",
        **extra,
    }


def parse(data: bytes) -> EmailMessage:
    """Parse a message as a mail client would."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@dataclass
class Received:
    """One message the test server accepted."""

    sender: str
    recipients: list[str]
    data: bytes
    login: str | None

    @property
    def message(self) -> EmailMessage:
        """The parsed message."""
        return parse(self.data)


@dataclass
class Handler:
    """aiosmtpd handler: records messages; `data_replies`/`rcpt_replies` script error answers first."""

    received: list[Received] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)  # answered to DATA, one per message, first
    reject_recipients: dict[str, str] = field(default_factory=dict)  # address -> reply
    data_calls: int = 0

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.reject_recipients:
            return self.reject_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.data_calls += 1
        if self.data_replies:
            return self.data_replies.pop(0)
        login = session.auth_data.login.decode() if session.auth_data else None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content, login))
        return f"250 2.0.0 Ok: queued as Q{len(self.received)}"

    def by_message_id(self) -> dict[str, int]:
        """How many copies of each Message-ID arrived."""
        counts: dict[str, int] = {}
        for item in self.received:
            key = str(item.message["Message-ID"])
            counts[key] = counts.get(key, 0) + 1
        return counts


@dataclass
class SmtpServer:
    """A running test server."""

    port: int
    handler: Handler


def _authenticator(users: dict[str, str]) -> Any:
    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and users.get(data.login.decode()) == data.password.decode()
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    return authenticate


@contextmanager
def smtp_server(
    users: dict[str, str] | None = None,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
) -> Iterator[SmtpServer]:
    """Run aiosmtpd on 127.0.0.1 for a block; with `users`, it offers AUTH (also without TLS)."""
    handler = Handler()
    port = free_port()
    kwargs: dict[str, Any] = {}
    if users is not None:
        # AUTH offered over plain loopback; not "required", which aiosmtpd warns about without TLS
        kwargs |= {"authenticator": _authenticator(users), "auth_require_tls": False}
    if starttls is not None:
        kwargs |= {"tls_context": starttls, "require_starttls": True, "auth_require_tls": True}
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        ssl_context=implicit_tls,
        server_hostname="localhost",
        **kwargs,
    )
    controller.start()
    try:
        yield SmtpServer(port, handler)
    finally:
        controller.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1/localhost and its key; return (cert, key)."""
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "anbudsradar test SMTP")])
    now = dt.datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The server side of TLS for the test SMTP server."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def fake_services(
    monkeypatch: pytest.MonkeyPatch, services: dict[str, tuple[str, Callable[[str], Any] | None]]
) -> None:
    """Make the jobs' tagging and matching steps these modules: {module: (function name, function)}.

    A function None leaves its module missing (the job says so and goes on).
    """
    for module_name, (function_name, function) in services.items():
        if function is not None:
            module = types.ModuleType(module_name)
            setattr(module, function_name, function)
            monkeypatch.setitem(sys.modules, module_name, module)
    steps = tuple((module_name, function_name) for module_name, (function_name, _) in services.items())
    monkeypatch.setattr(jobs, "TAG_AND_MATCH_SERVICES", steps)
