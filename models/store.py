"""Store parse outcomes: new notices, updates that keep the history, unchanged ones, and failures.

A notice is found again by any published id it ever had (so re-ingesting an old version changes
nothing), by the notice a change notice names, or by its procedure (eForms ContractFolderID, OCDS
ocid) and notice type. Work is done in batches with one look-up query per kind per batch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from crawlers.parsers.dispatch import ParseOutcome
from crawlers.parsers.record import NoticeRecord
from models.base import utcnow
from models.flags import refresh_flags
from models.identifiers import display_identifier, identity_key
from models.ingest_log import IngestFailure, IngestRun
from models.notice import Buyer, Lot, Notice, NoticeVersion
from models.payload import RawPayload

ProgressCallback = Callable[[ParseOutcome], None]
NoticeRef = int | Notice


@dataclass(slots=True)
class IngestSummary:
    """Counts of one ingest run; `failures` lists (input, reason) for every failed input."""

    run_id: int | None = None
    inputs: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Return the four outcome counts by name."""
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged, "failed": self.failed}


def content_hash(record_dict: dict[str, Any]) -> str:
    """Hash a record's content, ignoring where it was read from."""
    content = {k: v for k, v in record_dict.items() if k != "source_path"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def buyer_key(record: NoticeRecord) -> str | None:
    """Return the identity of a record's buyer: country + identifier, else country + name.

    "212000-2726" (TED), "2120002726" (eForms), "SE-BLV-212000-2726" (OCDS) and "SE212000272601"
    (VAT) are one Swedish buyer; models.identifiers says which forms are read as one.
    """
    buyer = record.buyer
    return identity_key(buyer.identifier, buyer.country, buyer.name)


class NoticeStore:
    """Writes parse outcomes into the database through one session, committing per batch."""

    def __init__(self, session: Session, batch_size: int = 500) -> None:
        self.session = session
        self.batch_size = batch_size
        # What is already stored, as a primary key (found by a query) or a Notice (stored by this run).
        self._by_published_id: dict[tuple[str, str], tuple[NoticeRef, set[str]]] = {}
        self._by_procedure: dict[tuple[str, str, str], NoticeRef] = {}
        self._payloads: dict[str, RawPayload] = {}
        self._buyers: dict[str, Buyer] = {}
        self._applied: list[Notice] = []  # notices whose current state this batch set

    def ingest(
        self, outcomes: Iterable[ParseOutcome], source: str, progress: ProgressCallback | None = None
    ) -> IngestSummary:
        """Store every outcome; return the run's counts (the run itself is logged in ingest_run)."""
        run = IngestRun(source=source[:200])
        self.session.add(run)
        self.session.flush()
        summary = IngestSummary(run_id=run.id)
        for batch in _batched(outcomes, self.batch_size):
            self._store_batch(batch, run, summary)
            self._write_counts(run, summary)
            self.session.commit()
            for outcome in batch:
                if progress is not None:
                    progress(outcome)
        run.finished_at = utcnow()
        self._write_counts(run, summary)
        self.session.commit()
        return summary

    @staticmethod
    def _write_counts(run: IngestRun, summary: IngestSummary) -> None:
        run.inputs, run.new, run.updated = summary.inputs, summary.new, summary.updated
        run.unchanged, run.failed = summary.unchanged, summary.failed

    def _store_batch(self, batch: list[ParseOutcome], run: IngestRun, summary: IngestSummary) -> None:
        self._prefetch(batch)
        self._applied = []
        for outcome in batch:
            summary.inputs += 1
            if outcome.error is not None:
                summary.failed += 1
                summary.failures.append((outcome.source_path, outcome.error.reason))
                self._record_failure(outcome, run)
                continue
            for record in outcome.records:
                status = self._store_record(record, outcome)
                setattr(summary, status, getattr(summary, status) + 1)
        if self._applied:
            self.session.flush()
            refresh_flags(self.session, [notice.id for notice in self._applied])

    def _prefetch(self, batch: list[ParseOutcome]) -> None:
        """Load, in a few queries, what this batch's records may match in the database."""
        records = [r for o in batch for r in o.records]
        ids = {(r.source_format, _notice_id(r)) for r in records}
        ids |= {(r.source_format, r.changes_notice_id) for r in records if r.changes_notice_id}
        ids -= self._by_published_id.keys()
        if ids:
            rows = self.session.execute(
                select(
                    NoticeVersion.source_format,
                    NoticeVersion.published_id,
                    NoticeVersion.notice_pk,
                    NoticeVersion.content_hash,
                ).where(tuple_(NoticeVersion.source_format, NoticeVersion.published_id).in_(list(ids)))
            )
            for fmt, published_id, notice_pk, digest in rows:
                self._by_published_id.setdefault((fmt, published_id), (notice_pk, set()))[1].add(digest)
        procedures = {(r.source_format, r.procedure_id) for r in records if r.procedure_id}
        if procedures:
            rows = self.session.execute(
                select(Notice.source_format, Notice.procedure_id, Notice.notice_type, Notice.id).where(
                    tuple_(Notice.source_format, Notice.procedure_id).in_(list(procedures))
                )
            )
            for fmt, procedure_id, notice_type, notice_pk in rows:
                self._by_procedure[(fmt, procedure_id, notice_type)] = notice_pk
        digests = {RawPayload.digest(o.data) for o in batch if o.data} - self._payloads.keys()
        if digests:
            for payload in self.session.scalars(select(RawPayload).where(RawPayload.sha256.in_(digests))):
                self._payloads[payload.sha256] = payload
        keys = {key for r in records if (key := buyer_key(r)) and key not in self._buyers}
        if keys:
            for buyer in self.session.scalars(select(Buyer).where(Buyer.key.in_(keys))):
                self._buyers[buyer.key] = buyer

    def _find_existing(self, record: NoticeRecord, digest: str) -> tuple[NoticeRef | None, bool]:
        """Return (the stored notice or None, whether this exact content is already stored)."""
        fmt = record.source_format
        known = self._by_published_id.get((fmt, _notice_id(record)))
        if known is not None:
            return known[0], digest in known[1]
        if record.changes_notice_id and (fmt, record.changes_notice_id) in self._by_published_id:
            return self._by_published_id[(fmt, record.changes_notice_id)][0], False
        if record.procedure_id:
            return self._by_procedure.get((fmt, record.procedure_id, record.notice_type)), False
        return None, False

    def _store_record(self, record: NoticeRecord, outcome: ParseOutcome) -> str:
        """Store one record; return "new", "updated" or "unchanged"."""
        record_dict = record.to_dict()
        digest = content_hash(record_dict)
        existing, same_content = self._find_existing(record, digest)
        if same_content:
            return "unchanged"
        payload = self._payload(outcome.data, outcome.source_path) if outcome.data else None
        if existing is None:
            notice = Notice(
                source_format=record.source_format, notice_id=_notice_id(record), version_count=0, versions=[]
            )
            self.session.add(notice)
            status = "new"
        else:
            notice = existing if isinstance(existing, Notice) else self.session.get_one(Notice, existing)
            status = "updated"
        notice.version_count += 1
        version = NoticeVersion(
            version=notice.version_count,
            source_format=record.source_format,
            published_id=_notice_id(record),
            source_path=record.source_path[:2000],
            record=record_dict,
            content_hash=digest,
            raw_payload=payload,
        )
        notice.versions.append(version)
        if status == "new" or _is_current(record, notice):
            self._apply(notice, record, record_dict, digest)
        entry = self._by_published_id.setdefault(
            (record.source_format, version.published_id), (notice, set())
        )
        entry[1].add(digest)
        if record.procedure_id:
            self._by_procedure[(record.source_format, record.procedure_id, record.notice_type)] = notice
        return status

    def _apply(self, notice: Notice, record: NoticeRecord, record_dict: dict[str, Any], digest: str) -> None:
        """Make `record` the notice's current state (fields, buyer, lots)."""
        notice.notice_id = _notice_id(record)
        notice.procedure_id = record.procedure_id
        notice.notice_type = record.notice_type
        notice.form_type = record.form_type
        notice.language = record.language
        notice.title = record.title
        notice.description = record.description
        notice.url = record.url
        notice.buyer = self._buyer(record)
        notice.cpv_main = record.cpv_main
        notice.cpv = list(record.cpv)
        notice.nuts = list(record.nuts)
        notice.reserved_participation = list(record.reserved_participation)
        notice.reserved_execution = record.reserved_execution
        notice.social_objectives = list(record.social_objectives)
        notice.strategic_procurement = list(record.strategic_procurement)
        notice.sme_suitable = record.suitability.get("sme")
        notice.vcse_suitable = record.suitability.get("vcse")
        value = record.estimated_value
        notice.estimated_amount = value.amount if value else None
        notice.estimated_currency = value.currency if value else None
        notice.published = date.fromisoformat(record.published) if record.published else None
        notice.deadline = record.deadline
        notice.record = record_dict
        notice.content_hash = digest
        self._applied.append(notice)
        notice.lots = [
            Lot(
                position=position,
                lot_id=lot.lot_id,
                title=lot.title,
                description=lot.description,
                cpv=list(lot.cpv),
                nuts=list(lot.nuts),
                reserved_participation=list(lot.reserved_participation),
                reserved_execution=lot.reserved_execution,
                estimated_amount=lot.estimated_value.amount if lot.estimated_value else None,
                estimated_currency=lot.estimated_value.currency if lot.estimated_value else None,
                deadline=lot.deadline,
            )
            for position, lot in enumerate(record.lots)
        ]

    def _buyer(self, record: NoticeRecord) -> Buyer | None:
        key = buyer_key(record)
        if key is None:
            return None
        buyer = self._buyers.get(key)
        if buyer is None:
            source = record.buyer
            buyer = Buyer(
                key=key[:500],
                name=source.name,
                identifier=display_identifier(source.identifier, source.country),
                country=source.country,
                nuts=source.nuts,
                city=source.city,
            )
            self.session.add(buyer)
            self._buyers[key] = buyer
        return buyer

    def _payload(self, data: bytes, source_path: str) -> RawPayload:
        digest = RawPayload.digest(data)
        payload = self._payloads.get(digest)  # prefetched per batch
        if payload is None:
            payload = RawPayload.from_bytes(data, source_path[:2000], digest)
            self.session.add(payload)
        self._payloads[digest] = payload
        return payload

    def _record_failure(self, outcome: ParseOutcome, run: IngestRun) -> None:
        data = outcome.data or b""
        digest = RawPayload.digest(data)
        failure = self.session.scalar(
            select(IngestFailure).where(
                IngestFailure.source_path == outcome.source_path[:2000],
                IngestFailure.content_sha256 == digest,
            )
        )
        if failure is not None:
            failure.last_run_id = run.id
            return
        reason = outcome.error.reason if outcome.error else "unknown error"
        self.session.add(
            IngestFailure(
                source_path=outcome.source_path[:2000],
                content_sha256=digest,
                reason=reason,
                raw_payload=self._payload(data, outcome.source_path) if data else None,
                first_run_id=run.id,
                last_run_id=run.id,
            )
        )


def _notice_id(record: NoticeRecord) -> str:
    """Return the id a record is stored under (a record without one is keyed by its input path)."""
    return (record.notice_id or f"path:{record.source_path}")[:300]


def _is_current(record: NoticeRecord, notice: Notice) -> bool:
    """Whether `record` is at least as new as the notice's current state (by publication date)."""
    if record.published is None or notice.published is None:
        return True
    return date.fromisoformat(record.published) >= notice.published


def _batched(items: Iterable[ParseOutcome], size: int) -> Iterator[list[ParseOutcome]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
