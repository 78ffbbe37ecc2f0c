"""The digest overview: what was sent to whom and when, failures, and next Monday's preview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.company import Company
from models.delivery import DigestDelivery


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """One delivery as the overview lists it."""

    id: int
    company_id: int
    company: str
    week: str
    status: str
    recipients: list[str]
    subject: str | None
    attempts: int
    error: str | None
    sent_at: datetime | None
    updated_at: datetime
    counts: dict[str, Any]


def list_deliveries(
    session: Session, week: str | None = None, status: str | None = None, limit: int = 500
) -> list[DeliveryRow]:
    """Return deliveries, newest week first, optionally of one week or status."""
    query = (
        select(DigestDelivery, Company.name)
        .join(Company, Company.id == DigestDelivery.company_pk)
        .order_by(DigestDelivery.week.desc(), Company.name)
        .limit(limit)
    )
    if week:
        query = query.where(DigestDelivery.week == week)
    if status:
        query = query.where(DigestDelivery.status == status)
    return [
        DeliveryRow(
            d.id,
            d.company_pk,
            name,
            d.week,
            d.status,
            list(d.recipients or []),
            d.subject,
            d.attempts,
            d.error,
            d.sent_at,
            d.updated_at,
            dict(d.counts or {}),
        )
        for d, name in session.execute(query)
    ]


def status_counts(session: Session) -> dict[str, int]:
    """Deliveries per status, over all weeks."""
    return dict(
        session.execute(select(DigestDelivery.status, func.count()).group_by(DigestDelivery.status)).all()
    )


def weeks(session: Session) -> list[str]:
    """List the weeks that have deliveries, newest first."""
    return list(session.scalars(select(DigestDelivery.week).distinct().order_by(DigestDelivery.week.desc())))


def next_monday(today: date) -> date:
    """Return the first Monday after `today` (the day the next digest goes out)."""
    return today + timedelta(days=7 - today.weekday())


@dataclass(frozen=True, slots=True)
class Preview:
    """Next Monday's digest for one company, or why there is none."""

    available: bool
    week: str
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    empty: bool = False
    reason: str | None = None


def preview_digest(session: Session, company: Company, today: date) -> Preview:
    """Build and render next Monday's digest with the notifier, if the notifier is installed."""
    monday = next_monday(today)
    label = f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
    try:
        from notifier.digest import DigestBuilder  # noqa: PLC0415 - optional: the notifier may be absent
        from notifier.links import preferences_url, secret_key, unsubscribe_url  # noqa: PLC0415
        from notifier.render import render  # noqa: PLC0415
        from notifier.settings import load_notifier_settings  # noqa: PLC0415
        from notifier.weeks import IsoWeek  # noqa: PLC0415
    except ImportError as exc:
        return Preview(False, label, reason=f"förhandsvisning saknas ({exc.name} finns inte)")
    settings = load_notifier_settings()
    now = datetime.combine(monday, settings.digest_time, settings.timezone)
    digest = DigestBuilder(session, settings, now).build(company, IsoWeek.of(monday))
    key = secret_key(settings)
    rendered = render(
        digest,
        settings,
        unsubscribe_url(settings, key, company.org_number),
        preferences_url(settings, key, company.org_number),
    )
    return Preview(True, str(digest.week), rendered.subject, rendered.text, rendered.html, digest.is_empty)
