"""The demo's digest step: one digest round into an outbox folder, never by SMTP."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from notifier.backends import OutboxBackend
from notifier.delivery import RoundSummary, run_digest_round
from notifier.settings import load_notifier_settings
from notifier.weeks import IsoWeek


@dataclass(slots=True)
class DemoDigests:
    """What the demo's digest round wrote."""

    outbox: Path
    files: list[Path]
    summary: RoundSummary


def send_demo_digests(
    sessions: sessionmaker[Session],
    outbox: Path,
    week: IsoWeek | None = None,
    now: datetime | None = None,
) -> DemoDigests:
    """Run one digest round for every company into `outbox` (.eml files) and list the files written.

    SMTP settings in the environment are ignored: demo companies are fictional. The link-signing
    key is kept beside the outbox.
    """
    env = {k: v for k, v in os.environ.items() if k != "ANBUDSRADAR_SMTP_HOST"}  # never SMTP
    env |= {"ANBUDSRADAR_DATA_DIR": str(outbox.parent), "ANBUDSRADAR_OUTBOX": str(outbox)}
    settings = load_notifier_settings(env)
    backend = OutboxBackend(outbox)
    summary = run_digest_round(sessions, settings, week=week, now=now, backend=backend)
    week_prefix = f"{summary.week}_"
    files = sorted(path for path in outbox.glob("*.eml") if path.name.startswith(week_prefix))
    return DemoDigests(outbox, files, summary)
