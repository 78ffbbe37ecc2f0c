"""Crawl state in the database: read each source's high-water mark, record each crawl run.

Used by the storage pipeline (writing) and the crawl service and `anbudsradar sources` (reading);
spiders never import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.crawl_state import CrawlRun, SourceState
from models.store import IngestSummary


@dataclass(slots=True)
class RunLog:
    """What one crawl of one source did, gathered by the storage pipeline for the crawl_run row."""

    source: str
    kind: str
    started_at: datetime
    since: date | None
    refetch_watermark_day: bool = True
    finished_at: datetime | None = None
    finish_reason: str | None = None
    requests: int = 0
    responses: int = 0
    retries: int = 0
    items: int = 0
    filtered: int = 0
    notes: list[str] = field(default_factory=list)
    done_marks: list[str] = field(default_factory=list)  # dates of notices fetched (parsed or not)
    failed_marks: list[str | None] = field(default_factory=list)  # dates of fetches given up
    failed_urls: list[str] = field(default_factory=list)  # "URL (why)" of each fetch given up
    validators: dict[str, dict[str, str]] = field(default_factory=dict)

    def status(self, summary: IngestSummary | None) -> str:
        """Return "failed" (stopped early, a listing or search page lost), "warning" or "ok"."""
        if summary is None or self.finish_reason != "finished" or None in self.failed_marks:
            return "failed"
        if self.notes or summary.failed:
            return "warning"
        return "ok"

    def high_water_mark(self, previous: str | None) -> str | None:
        """Return the new high-water mark: the latest date fully stored, never before `previous`.

        A fetch given up holds the mark back to its own date (so the next crawl asks again);
        one without a date (a search or listing page) keeps the previous mark.
        """
        if self.finish_reason != "finished" or None in self.failed_marks or not self.done_marks:
            return previous
        candidate = max(self.done_marks)
        failed = [mark for mark in self.failed_marks if mark is not None]
        if failed:
            earliest = min(failed)
            if not self.refetch_watermark_day:
                earliest = (date.fromisoformat(earliest) - timedelta(days=1)).isoformat()
            candidate = min(candidate, earliest)
        candidate = min(candidate, date.today().isoformat())
        return max(candidate, previous) if previous else candidate


def load_states(session: Session) -> dict[str, SourceState]:
    """Return every source's state by source name."""
    return {state.source: state for state in session.scalars(select(SourceState))}


def last_runs(session: Session) -> dict[str, CrawlRun]:
    """Return each source's latest crawl run by source name."""
    runs: dict[str, CrawlRun] = {}
    for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id)):
        runs[run.source] = run
    return runs


def record_run(
    session: Session, log: RunLog, summary: IngestSummary | None, error: str | None = None
) -> CrawlRun:
    """Write the crawl_run row and move the source's state on; return the row (committed)."""
    state = session.scalar(select(SourceState).where(SourceState.source == log.source))
    if state is None:
        state = SourceState(source=log.source, kind=log.kind, validators={})
        session.add(state)
    status = "failed" if error else log.status(summary)
    notes = [*log.notes, *([error] if error else [])]
    if log.failed_urls:
        shown = "; ".join(log.failed_urls[:3]) + ("; …" if len(log.failed_urls) > 3 else "")
        notes.append(f"{len(log.failed_urls)} fetch(es) given up, asked for again next time: {shown}")
    run = CrawlRun(
        source=log.source[:200],
        kind=log.kind,
        started_at=log.started_at,
        finished_at=log.finished_at or utcnow(),
        since=log.since.isoformat() if log.since else None,
        status=status,
        finish_reason=log.finish_reason,
        requests=log.requests,
        responses=log.responses,
        retries=log.retries,
        items=log.items,
        filtered=log.filtered,
        message="\n".join(notes) or None,
        ingest_run_id=summary.run_id if summary else None,
    )
    run.duration_s = (run.finished_at - log.started_at).total_seconds()
    if summary is not None:
        run.new, run.updated = summary.new, summary.updated
        run.unchanged, run.failed = summary.unchanged, summary.failed
    if status != "failed":
        state.high_water_mark = log.high_water_mark(state.high_water_mark)
    run.high_water_mark = state.high_water_mark
    state.kind = log.kind
    state.last_run_at = run.finished_at
    if status != "failed" and not log.notes and not log.failed_marks:
        state.last_success_at = run.finished_at
        state.validators = {**(state.validators or {}), **log.validators}
    session.add(run)
    session.flush()
    state.last_run_id = run.id
    session.commit()
    return run
