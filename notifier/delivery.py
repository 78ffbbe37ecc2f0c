"""One digest round: build, record, send and record again, exactly once per company and ISO week.

For each company a `DigestDelivery` row (unique per company and week) is committed with status
"sending", the exact message bytes and a Message-ID fixed per company and week *before* the
message is handed over, and marked "sent", "failed" (5xx) or "retry" (transient errors used up)
after. Running the week again skips finished rows. A "sending" row left by a killed run is
resumed: the outbox checks whether the file is there; SMTP cannot be asked, so the stored bytes
are sent again with the same Message-ID (a kill between the server's "250" and our commit is the
one case that can deliver twice; receivers de-duplicate on Message-ID). Rows are claimed with a
compare-and-set on `claimed_by`, so a second run at the same time never sends the same row.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import Company, DigestDelivery, DigestItem
from notifier.backends import Backend, Envelope, make_backend
from notifier.digest import Digest, DigestBuilder
from notifier.exceptions import (
    AddressError,
    BackendConfigError,
    PermanentDeliveryError,
    TransientDeliveryError,
    UnknownCompanyError,
)
from notifier.links import preferences_url, secret_key, unsubscribe_url
from notifier.mime import build_message, message_id, to_bytes
from notifier.render import render, subject
from notifier.settings import NotifierSettings
from notifier.weeks import IsoWeek

log = logging.getLogger(__name__)

FINISHED = frozenset({"sent", "empty"})
_ACTIVE_ROUNDS: set[str] = set()  # owners of the rounds running in this process


@dataclass(slots=True)
class DeliveryOutcome:
    """What happened to one company's digest in this round.

    `status`: sent | failed | retry | empty | done (finished by an earlier run; `note` says how) |
    busy (another run is sending it) | skipped (`note` says why) | would-send (dry run) | error.
    """

    org_number: str
    company: str
    status: str
    message_id: str | None = None
    subject: str | None = None
    recipients: list[str] = field(default_factory=list)
    attempts: int = 0
    error: str | None = None
    note: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class RoundSummary:
    """All outcomes of one round."""

    week: IsoWeek
    backend: str
    dry_run: bool
    outcomes: list[DeliveryOutcome] = field(default_factory=list)
    stopped: bool = False

    def counts(self) -> dict[str, int]:
        """Outcomes by status."""
        return dict(Counter(outcome.status for outcome in self.outcomes))


@dataclass(slots=True)
class _Round:
    """What every company's delivery in a round shares."""

    settings: NotifierSettings
    week: IsoWeek
    now: datetime
    backend: Backend
    key: bytes
    dry_run: bool
    retry_failed: bool
    sleep: Callable[[float], None]
    # "host:pid:round" of this round, written on the rows it sends.
    owner: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    )


def run_digest_round(
    sessions: sessionmaker[Session],
    settings: NotifierSettings,
    *,
    week: IsoWeek | None = None,
    org_number: str | None = None,
    dry_run: bool = False,
    retry_failed: bool = False,
    backend: Backend | None = None,
    now: datetime | None = None,
    stop: threading.Event | None = None,
    progress: Callable[[DeliveryOutcome], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RoundSummary:
    """Send (or, dry, just build) the digests of `week` (default: this week) and return what happened.

    `retry_failed` tries "failed" rows again with a freshly built message. A backend
    configuration error (login refused, no TLS) stops the round and is raised.
    """
    now = now or datetime.now(UTC)
    week = week or IsoWeek.current(settings.timezone, now)
    backend = backend or make_backend(settings)
    shared = _Round(settings, week, now, backend, secret_key(settings), dry_run, retry_failed, sleep)
    summary = RoundSummary(week, backend.name, dry_run)
    _ACTIVE_ROUNDS.add(shared.owner)
    try:
        for company_pk in _company_pks(sessions, org_number):
            if stop is not None and stop.is_set():
                summary.stopped = True
                break
            with sessions() as session:
                company = session.get_one(Company, company_pk)
                outcome = _deliver_company(session, shared, company)
            summary.outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
    finally:
        _ACTIVE_ROUNDS.discard(shared.owner)
        backend.close()
    return summary


def _company_pks(sessions: sessionmaker[Session], org_number: str | None) -> list[int]:
    """Companies that get a weekly digest, in organisation number order (or the one asked for)."""
    with sessions() as session:
        query = select(Company.id).order_by(Company.org_number)
        if org_number is not None:
            pks = list(session.scalars(query.where(Company.org_number == org_number.replace("-", ""))))
            if not pks:
                raise UnknownCompanyError(
                    f"no company with organisation number {org_number!r} in the registry"
                )
            return pks
        query = query.where(
            Company.active.is_(True), Company.digest_paused.is_(False), Company.digest_frequency == "weekly"
        )
        return list(session.scalars(query))


def _deliver_company(session: Session, shared: _Round, company: Company) -> DeliveryOutcome:
    """Bring one company's digest for the week to a final state, or say why not."""
    outcome = DeliveryOutcome(
        company.org_number, company.name, "skipped", recipients=list(company.contact_emails)
    )
    reason = _not_receiving(company, shared)
    if reason:
        outcome.note = reason
        return outcome
    row = session.scalar(
        select(DigestDelivery).where(
            DigestDelivery.company_pk == company.id, DigestDelivery.week == str(shared.week)
        )
    )
    if row is not None:
        outcome.message_id, outcome.subject = row.message_id, row.subject
        outcome.attempts, outcome.error, outcome.counts = row.attempts, row.error, dict(row.counts)
        if row.status in FINISHED or (row.status == "failed" and not shared.retry_failed):
            outcome.status, outcome.note = "done", f"{row.status} earlier"
            return outcome
        if row.status == "sending" and not _abandoned(row, shared):
            outcome.status, outcome.note = "busy", f"being sent by {row.claimed_by}"
            return outcome
    try:
        return _build_and_send(session, shared, company, row, outcome)
    except BackendConfigError:
        raise
    except Exception as exc:  # one company's bad data must not stop the others
        log.exception("digest %s for %s (%s) failed", shared.week, company.name, company.org_number)
        session.rollback()
        outcome.status, outcome.error = "error", f"{type(exc).__name__}: {exc}"
        return outcome


def _not_receiving(company: Company, shared: _Round) -> str | None:
    """Why a company gets no digest this round, or None."""
    if not company.active:
        return "inactive in the registry"
    if company.digest_paused:
        return "digest paused"
    if company.digest_frequency != "weekly":
        return f"digest frequency {company.digest_frequency!r}"
    if not company.contact_emails:
        return "no contact e-mail address in the registry"
    if company.fictional and shared.backend.name == "smtp":
        return "fictional (demo) company: never sent by SMTP"
    return None


def _build_and_send(
    session: Session, shared: _Round, company: Company, row: DigestDelivery | None, outcome: DeliveryOutcome
) -> DeliveryOutcome:
    """Create or take over the week's row, then hand the message to the backend."""
    if row is None or row.status == "failed":
        digest = DigestBuilder(session, shared.settings, shared.now).build(company, shared.week)
        outcome.counts, outcome.subject = digest.counts(), subject(digest)
        if shared.dry_run:
            outcome.status = "would-send" if not digest.is_empty or shared.settings.send_empty else "empty"
            outcome.message_id = message_id(shared.settings, shared.week, company.org_number)
            return outcome
        row = _prepare(session, shared, company, digest, row)
        if row is None:
            outcome.status, outcome.note = "busy", "recorded by another run at the same moment"
            return outcome
    elif shared.dry_run:
        outcome.status, outcome.note = "would-send", f"resume ({row.status})"
        return outcome
    elif not _claim(session, shared, row):
        outcome.status, outcome.note = "busy", "taken over by another run"
        return outcome
    outcome.message_id, outcome.subject, outcome.counts = row.message_id, row.subject, dict(row.counts)
    outcome.recipients = list(row.recipients)
    if row.status in ("empty", "failed"):  # nothing new, or an unusable address
        outcome.status, outcome.error = row.status, row.error
        return outcome
    _send(session, shared, row)
    outcome.status, outcome.attempts, outcome.error = row.status, row.attempts, row.error
    return outcome


def _prepare(
    session: Session, shared: _Round, company: Company, digest: Digest, row: DigestDelivery | None
) -> DigestDelivery | None:
    """Record the digest before sending: status "sending" with its bytes and items (or "empty").

    Returns None when another run recorded this company's week first.
    """
    settings = shared.settings
    if row is None:
        row = DigestDelivery(company_pk=company.id, week=str(shared.week), backend=shared.backend.name)
        session.add(row)
    row.message_id = message_id(settings, shared.week, company.org_number)
    row.recipients, row.counts, row.error = list(company.contact_emails), digest.counts(), None
    row.claimed_by, row.claimed_at = shared.owner, shared.now
    row.subject = subject(digest)
    row.items = []
    if digest.is_empty and not settings.send_empty:
        row.status, row.message = "empty", None
    else:
        rendered = render(
            digest,
            settings,
            unsubscribe_url(settings, shared.key, company.org_number),
            preferences_url(settings, shared.key, company.org_number),
        )
        try:
            message = build_message(
                rendered,
                settings,
                company_name=company.name,
                recipients=list(company.contact_emails),
                message_id=row.message_id,
                week=shared.week,
                org_number=company.org_number,
                now=shared.now,
            )
        except AddressError as exc:
            row.status, row.message = "failed", None
            row.error = (
                f"{company.name} ({company.org_number}): contact address {exc}; "
                "fix it in the company registry, then run `anbudsradar digest --retry-failed`"
            )
        else:
            row.status, row.message = "sending", to_bytes(message)
            row.items = _items(digest)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return row


def _items(digest: Digest) -> list[DigestItem]:
    """Return the notices, lots and consortia a digest tells its company about."""
    items = [
        DigestItem(
            kind="match",
            section=entry.section,
            notice_pk=notice_pk,
            lot_id=lot_id,
            members=[],
            notice_content_hash=entry.content_hash,
            snapshot=entry.snapshot,
        )
        for entries in digest.sections.values()
        for entry in entries
        for notice_pk, lot_id in entry.keys
    ]
    items += [
        DigestItem(
            kind="consortium",
            section="consortium",
            notice_pk=team.notice.notice_pk,
            lot_id=team.lot_id,
            suggestion_pk=team.suggestion_pk,
            members=team.members,
            notice_content_hash=team.notice.content_hash,
            snapshot=team.notice.snapshot,
        )
        for team in digest.consortia
    ]
    return items


def _abandoned(row: DigestDelivery, shared: _Round) -> bool:
    """Whether a "sending" row's run is gone: dead on this host, or silent past the lease elsewhere."""
    if not row.claimed_by or row.claimed_by == shared.owner:
        return True
    host, pid, _ = [*row.claimed_by.split(":"), "", ""][:3]
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return row.claimed_by not in _ACTIVE_ROUNDS
        return not _pid_alive(int(pid))
    claimed_at = row.claimed_at
    if claimed_at is None:
        return True
    if claimed_at.tzinfo is None:  # SQLite keeps no offset; we always store UTC
        claimed_at = claimed_at.replace(tzinfo=UTC)
    return datetime.now(UTC) - claimed_at > timedelta(minutes=shared.settings.lease_minutes)


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _claim(session: Session, shared: _Round, row: DigestDelivery) -> bool:
    """Take a started row over (compare-and-set on status and claimant); False if another run won."""
    claimant = DigestDelivery.claimed_by
    result = session.execute(
        update(DigestDelivery)
        .where(
            DigestDelivery.id == row.id,
            DigestDelivery.status == row.status,
            claimant.is_(None) if row.claimed_by is None else claimant == row.claimed_by,
        )
        .values(status="sending", claimed_by=shared.owner, claimed_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(row)
    return True


def _send(session: Session, shared: _Round, row: DigestDelivery) -> None:
    """Hand the recorded message over, retrying transient errors with doubling back-off."""
    settings = shared.settings
    envelope = Envelope(
        message_id=row.message_id or "",
        sender=settings.from_address.addr_spec,
        recipients=list(row.recipients),
        data=row.message or b"",
        name=f"{row.week}_{_org(session, row)}.eml",
    )
    if row.attempts and shared.backend.already_delivered(envelope):
        _finish(session, row, "sent", "found delivered after an interrupted run")
        return
    for attempt in range(1, settings.smtp_attempts + 1):
        row.attempts += 1
        session.commit()
        try:
            receipt = shared.backend.deliver(envelope)
        except TransientDeliveryError as exc:
            row.error = str(exc)
            if attempt == settings.smtp_attempts:
                _finish(session, row, "retry", str(exc))
                return
            session.commit()
            delay = settings.smtp_backoff * 2 ** (attempt - 1)
            log.warning("digest %s: %s; trying again in %.1f s", row.message_id, exc, delay)
            shared.sleep(delay)
        except PermanentDeliveryError as exc:
            _finish(session, row, "failed", str(exc))
            return
        except BackendConfigError as exc:
            _finish(session, row, "retry", str(exc))
            raise
        else:
            refused = "; ".join(f"{addr}: {reply}" for addr, reply in receipt.refused.items())
            _finish(session, row, "sent", f"refused: {refused}" if refused else None)
            log.info("digest %s sent: %s", row.message_id, receipt.detail)
            return


def _finish(session: Session, row: DigestDelivery, status: str, error: str | None) -> None:
    """Record a final state for this round and commit."""
    row.status, row.error = status, error
    if status == "sent":
        row.sent_at = datetime.now(UTC)
    session.commit()
    if status in ("failed", "retry"):
        log.warning("digest %s %s: %s", row.message_id, status, error)


def _org(session: Session, row: DigestDelivery) -> str:
    """Return the organisation number of a row's company (for the outbox file name)."""
    return session.get_one(Company, row.company_pk).org_number
