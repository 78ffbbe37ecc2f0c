"""Build one company's weekly `Digest` from its matches, what earlier digests told it, and consortia.

What is new is decided against the `DigestItem`s of the company's *sent* digests, not by
timestamps: a match is new until a delivered digest has carried it, so nothing is lost when a
digest fails or a run is interrupted. Each notice appears once, in the first section that fits:
reserved (new, and the company qualifies) → new → closing within N days (told before) → changed
(told before, content changed since).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.match_reasons import is_deadline_phrase
from models import (
    Company,
    ConsortiumSuggestion,
    DigestDelivery,
    DigestItem,
    Lot,
    MatchResult,
    Municipality,
    Notice,
)
from notifier.formatting import (
    COUNTY_NAMES,
    days_left,
    lot_label,
    parse_deadline,
    region_name,
    reserved_under_lou,
)
from notifier.links import notice_url
from notifier.settings import NotifierSettings
from notifier.weeks import IsoWeek

SECTIONS = ("reserved", "new", "closing", "changed")
# Notice types that are no longer an opportunity to bid.
SKIPPED_TYPES = frozenset({"award"})

MatchKey = tuple[int, str | None]  # (notice_pk, lot_id)


@dataclass(slots=True)
class LotLine:
    """One matched lot of a notice."""

    lot_id: str | None
    title: str | None
    score: float
    reasons: list[str]  # what the notice's reasons do not already say about this lot
    amount: float | None
    currency: str | None
    numbered: bool = False  # other lots of the notice share its title: show its number too


@dataclass(slots=True)
class Change:
    """One difference between what a company was told and the notice now (values as stored)."""

    field: str  # title | deadline | value | lots | reserved | description | other
    before: Any = None
    after: Any = None


@dataclass(slots=True)
class DigestNotice:
    """One notice in a digest, with everything its entry shows."""

    notice_pk: int
    section: str
    title: str
    buyer: str | None
    place: str | None
    deadline: datetime | None
    days_left: int | None
    amount: float | None
    currency: str | None
    notice_type: str
    reserved: bool
    reserved_eligible: bool | None
    score: float
    reasons: list[str]
    lots: list[LotLine]
    url: str
    content_hash: str
    keys: list[MatchKey]
    snapshot: dict[str, Any]
    changes: list[Change] = field(default_factory=list)
    country: str | None = None  # the buyer's: a reservation abroad rests on the directive, not LOU

    @property
    def reserved_in_sweden(self) -> bool:
        """Whether a reservation is one under LOU 4 kap. 18 § (a Swedish or unplaced buyer)."""
        return reserved_under_lou(self.country)

    @property
    def direct_award(self) -> bool:
        """Whether the notice is a direct award (direktupphandling, LOU 19 kap.)."""
        return self.notice_type == "direct-award"


@dataclass(slots=True)
class Partner:
    """Another company of a suggested consortium."""

    company_pk: int
    name: str
    org_number: str


@dataclass(slots=True)
class DigestConsortium:
    """A suggested team for a notice or lot, seen from one of its members."""

    suggestion_pk: int
    notice: DigestNotice
    lot_id: str | None
    lot_title: str | None
    partners: list[Partner]
    coverage: list[tuple[str, list[str]]]  # what (branch or lot) -> who
    reasons: list[str]
    score: float
    status: str
    members: list[int]


@dataclass(slots=True)
class Digest:
    """One company's digest for one week, ready to render."""

    company_pk: int
    org_number: str
    company_name: str
    language: str
    recipients: list[str]
    week: IsoWeek
    now: datetime
    last_sent: datetime | None
    branches: list[str]
    area: list[str]
    sections: dict[str, list[DigestNotice]]
    more: dict[str, int]
    consortia: list[DigestConsortium]

    @property
    def new_count(self) -> int:
        """Notices the company has not been told about (reserved + new, including those not shown)."""
        return sum(len(self.sections[s]) + self.more.get(s, 0) for s in ("reserved", "new"))

    @property
    def is_empty(self) -> bool:
        """True when nothing is new: no new or changed notice and no new consortium suggestion."""
        news = ("reserved", "new", "changed")
        return not any(self.sections[s] for s in news) and not self.consortia

    def consortium_groups(self) -> list[tuple[DigestNotice, list[DigestConsortium]]]:
        """Return the suggested teams by notice, best first: each notice is shown once, with its teams."""
        groups: dict[int, tuple[DigestNotice, list[DigestConsortium]]] = {}
        for team in self.consortia:
            groups.setdefault(team.notice.notice_pk, (team.notice, []))[1].append(team)
        return list(groups.values())

    def counts(self) -> dict[str, int]:
        """Items per section, as recorded on the delivery."""
        counts = {s: len(items) for s, items in self.sections.items()}
        counts["consortia"] = len(self.consortia)
        return counts


class DigestBuilder:
    """Builds digests for one round; caches what is shared between companies (consortia, names)."""

    def __init__(self, session: Session, settings: NotifierSettings, now: datetime) -> None:
        self.session = session
        self.settings = settings
        self.now = now
        self.zone = settings.timezone
        self._suggestions: dict[int, list[ConsortiumSuggestion]] | None = None

    def build(self, company: Company, week: IsoWeek) -> Digest:
        """Return the company's digest for `week` (possibly empty)."""
        told, last_sent = self._told(company.id)
        by_notice = self._matches(company)
        sections: dict[str, list[DigestNotice]] = {s: [] for s in SECTIONS}
        for notice, matches in by_notice.values():
            entry = self._entry(notice, matches, told)
            if entry is not None:
                sections[entry.section].append(entry)
        sections["reserved"].sort(key=lambda e: (-e.score, _deadline_key(e)))
        sections["new"].sort(key=lambda e: (-e.score, _deadline_key(e)))
        sections["closing"].sort(key=_deadline_key)
        sections["changed"].sort(key=lambda e: (_deadline_key(e), -e.score))
        more: dict[str, int] = {}
        limit = self.settings.max_per_section
        for name, items in sections.items():
            if len(items) > limit:
                more[name] = len(items) - limit
                del items[limit:]
        return Digest(
            company_pk=company.id,
            org_number=company.org_number,
            company_name=company.name,
            language=company.digest_language if company.digest_language in ("sv", "en") else "sv",
            recipients=list(company.contact_emails),
            week=week,
            now=self.now,
            last_sent=last_sent,
            branches=branch_names(company.branches, company.digest_language),
            area=self._area(company),
            sections=sections,
            more=more,
            consortia=self._consortia(company, told)[:limit],
        )

    def _told(self, company_pk: int) -> tuple[dict[tuple[Any, ...], list[DigestItem]], datetime | None]:
        """Return what the company's sent digests told it (by match or consortium key) and when last."""
        rows = self.session.execute(
            select(DigestItem, DigestDelivery.sent_at)
            .join(DigestDelivery, DigestItem.delivery_pk == DigestDelivery.id)
            .where(DigestDelivery.company_pk == company_pk, DigestDelivery.status == "sent")
            .order_by(DigestDelivery.sent_at, DigestItem.id)
        )
        told: dict[tuple[Any, ...], list[DigestItem]] = defaultdict(list)
        last_sent = None
        for item, sent_at in rows:
            key = (
                ("match", item.notice_pk, item.lot_id)
                if item.kind == "match"
                else ("consortium", item.notice_pk, item.lot_id, frozenset(item.members))
            )
            told[key].append(item)
            last_sent = sent_at
        if last_sent is not None:  # stored in UTC (SQLite keeps no offset); shown in the digest's zone
            last_sent = last_sent if last_sent.tzinfo else last_sent.replace(tzinfo=UTC)
            last_sent = last_sent.astimezone(self.zone)
        return told, last_sent

    def _matches(self, company: Company) -> dict[int, tuple[Notice, list[MatchResult]]]:
        """Return the company's matches at or above its minimum score on open notices, by notice."""
        rows = self.session.scalars(
            select(MatchResult)
            .where(MatchResult.company_pk == company.id, MatchResult.score >= company.digest_min_score)
            .options(
                selectinload(MatchResult.notice).selectinload(Notice.lots),
                selectinload(MatchResult.notice).selectinload(Notice.buyer),
            )
            .order_by(MatchResult.notice_pk, MatchResult.lot_id)
        )
        by_notice: dict[int, tuple[Notice, list[MatchResult]]] = {}
        for match in rows:
            if self._is_open(match.notice, match.lot_id):
                by_notice.setdefault(match.notice_pk, (match.notice, []))[1].append(match)
        return by_notice

    def _is_open(self, notice: Notice, lot_id: str | None = None) -> bool:
        """Whether a company can still act on the notice or one lot of it (no award, deadline ahead).

        A lot with a later deadline stays open after the notice's earliest deadline has passed.
        """
        if notice.notice_type in SKIPPED_TYPES:
            return False
        deadline = self._deadline(notice, lot_id)
        return deadline is None or deadline >= self.now

    def _deadline(self, notice: Notice, lot_id: str | None) -> datetime | None:
        """Return the deadline of one lot (its own, else the notice's), or of the notice (the earliest)."""
        lot = next((lot for lot in notice.lots if lot_id and lot.lot_id == lot_id), None)
        return parse_deadline((lot.deadline if lot else None) or notice.deadline, self.zone)

    def _entry(
        self, notice: Notice, matches: list[MatchResult], told: dict[tuple[Any, ...], list[DigestItem]]
    ) -> DigestNotice | None:
        """Return the notice's entry and section, or None when there is nothing to say this week."""
        entry = self._describe(notice, matches)
        told_items = [item for m in matches for item in told.get(("match", notice.id, m.lot_id), [])]
        is_new = any(("match", notice.id, m.lot_id) not in told for m in matches)
        if told_items:
            latest = max(told_items, key=lambda item: item.id)
            if latest.notice_content_hash != notice.content_hash:
                entry.changes = diff_snapshots(latest.snapshot, entry.snapshot)
        if is_new:
            entry.section = "reserved" if entry.reserved_eligible else "new"
        elif entry.changes:
            entry.section = "changed"
        elif (
            entry.days_left is not None
            and 0 <= entry.days_left <= self.settings.closing_days
            and not any(item.section == "closing" for item in told_items)
        ):
            entry.section = "closing"
        else:
            return None
        return entry

    def _describe(self, notice: Notice, matches: list[MatchResult]) -> DigestNotice:
        """Everything an entry shows about a notice and the company's matches on it."""
        lots_by_id = {lot.lot_id: lot for lot in notice.lots}
        reasons = _notice_reasons(matches)
        lot_lines = []
        for match in matches:
            lot = lots_by_id.get(match.lot_id) if match.lot_id else None
            if lot is not None:
                lot_lines.append(
                    LotLine(
                        match.lot_id,
                        lot.title,
                        match.score,
                        [r for r in _shown_reasons(match.reasons) if r not in reasons],
                        lot.estimated_amount,
                        lot.estimated_currency or notice.estimated_currency,
                        _shares_title(notice, lot),
                    )
                )
        lot_lines.sort(key=lambda line: -line.score)
        eligible = [m.reserved_eligible for m in matches if m.reserved_eligible is not None]
        matched_lots = [lots_by_id[m.lot_id] for m in matches if m.lot_id in lots_by_id]
        # Reserved when BT-71 says so, or when the matcher treated it as reserved (a reservation
        # found in the text): the badge then agrees with the section the notice is listed in.
        reserved = (
            bool(notice.reserved_participation)
            or any(lot.reserved_participation for lot in matched_lots)
            or bool(eligible)
        )
        # the earliest deadline of what matched (a lot's own, else the notice's): a lot still open
        # after the notice's first deadline shows its own
        deadlines = [self._deadline(notice, m.lot_id) for m in matches]
        deadline = min((d for d in deadlines if d), default=None)
        amount, currency = notice.estimated_amount, notice.estimated_currency
        if amount is None and notice.lots and all(lot.estimated_amount for lot in notice.lots):
            amount = sum(lot.estimated_amount or 0.0 for lot in notice.lots)
            currency = notice.lots[0].estimated_currency
        return DigestNotice(
            notice_pk=notice.id,
            section="new",
            title=notice.title or notice.notice_id,
            buyer=notice.buyer.name if notice.buyer else None,
            place=_place(notice),
            deadline=deadline,
            days_left=days_left(deadline, self.now, self.zone),
            amount=amount,
            currency=currency,
            notice_type=notice.notice_type,
            reserved=reserved,
            reserved_eligible=True if any(eligible) else (False if eligible else None),
            score=max(m.score for m in matches),
            reasons=reasons,
            lots=lot_lines,
            url=notice_url(self.settings, notice.id, notice.url),
            content_hash=notice.content_hash,
            keys=[(notice.id, m.lot_id) for m in matches],
            snapshot=snapshot(notice),
            country=notice.buyer.country if notice.buyer else None,
        )

    def _consortia(
        self, company: Company, told: dict[tuple[Any, ...], list[DigestItem]]
    ) -> list[DigestConsortium]:
        """Suggested teams with the company in them that it has not been told about."""
        result = []
        for suggestion in self._suggestions_of(company.id):
            key = ("consortium", suggestion.notice_pk, suggestion.lot_id, frozenset(suggestion.member_pks))
            if key in told or not self._is_open(suggestion.notice, suggestion.lot_id):
                continue
            names = self._company_names(suggestion.member_pks)
            notice = suggestion.notice
            lot = next((lot for lot in notice.lots if lot.lot_id == suggestion.lot_id), None)
            entry = self._consortium_notice(notice, suggestion.lot_id)
            result.append(
                DigestConsortium(
                    suggestion_pk=suggestion.id,
                    notice=entry,
                    lot_id=suggestion.lot_id,
                    lot_title=_lot_name(notice, lot, company.digest_language) if lot else None,
                    partners=[
                        Partner(pk, *names.get(pk, (f"#{pk}", "")))
                        for pk in suggestion.member_pks
                        if pk != company.id
                    ],
                    coverage=[
                        (
                            _coverage_label(what, notice, company.digest_language),
                            [names.get(pk, (f"#{pk}", ""))[0] for pk in who],
                        )
                        for what, who in suggestion.coverage.items()
                    ],
                    reasons=list(suggestion.reasons),
                    score=suggestion.score,
                    status=suggestion.status,
                    members=sorted(suggestion.member_pks),
                )
            )
        result.sort(key=lambda c: -c.score)
        return result

    def _consortium_notice(self, notice: Notice, lot_id: str | None) -> DigestNotice:
        """Describe the notice of a consortium suggestion (for one lot: its deadline), without a match."""
        deadline = self._deadline(notice, lot_id)
        return DigestNotice(
            notice_pk=notice.id,
            section="consortium",
            title=notice.title or notice.notice_id,
            buyer=notice.buyer.name if notice.buyer else None,
            place=_place(notice),
            deadline=deadline,
            days_left=days_left(deadline, self.now, self.zone),
            amount=notice.estimated_amount,
            currency=notice.estimated_currency,
            notice_type=notice.notice_type,
            reserved=bool(notice.reserved_participation),
            reserved_eligible=None,
            score=0.0,
            reasons=[],
            lots=[],
            url=notice_url(self.settings, notice.id, notice.url),
            content_hash=notice.content_hash,
            keys=[],
            snapshot=snapshot(notice),
            country=notice.buyer.country if notice.buyer else None,
        )

    def _suggestions_of(self, company_pk: int) -> list[ConsortiumSuggestion]:
        """Suggestions (not dismissed) that have the company as a member; loaded once per round."""
        if self._suggestions is None:
            self._suggestions = defaultdict(list)
            rows = self.session.scalars(
                select(ConsortiumSuggestion)
                .where(ConsortiumSuggestion.status != "dismissed")
                .options(
                    selectinload(ConsortiumSuggestion.notice).selectinload(Notice.lots),
                    selectinload(ConsortiumSuggestion.notice).selectinload(Notice.buyer),
                )
            )
            for suggestion in rows:
                for member in suggestion.member_pks:
                    self._suggestions[member].append(suggestion)
        return self._suggestions.get(company_pk, [])

    def _company_names(self, pks: Iterable[int]) -> dict[int, tuple[str, str]]:
        """Name and organisation number of companies by primary key."""
        rows = self.session.execute(
            select(Company.id, Company.name, Company.org_number).where(Company.id.in_(list(pks)))
        )
        return {pk: (name, org) for pk, name, org in rows}

    def _area(self, company: Company) -> list[str]:
        """Return the company's service area in words (municipality and county names)."""
        names: list[str] = []
        if company.area_municipalities:
            rows = self.session.execute(
                select(Municipality.code, Municipality.name).where(
                    Municipality.code.in_(company.area_municipalities)
                )
            )
            found = dict(rows.all())
            names += [found.get(code, code) for code in company.area_municipalities]
        names += [COUNTY_NAMES.get(code, code) for code in company.area_counties]
        if company.area_radius_km and company.area_centre:
            centre = self.session.get(Municipality, company.area_centre)
            centre_name = centre.name if centre else company.area_centre
            names.append(f"{round(company.area_radius_km)} km runt {centre_name}")
        return names


def snapshot(notice: Notice) -> dict[str, Any]:
    """Return what a digest says about a notice, kept so that the next one can tell what changed."""
    return {
        "title": notice.title,
        "deadline": notice.deadline,
        "amount": notice.estimated_amount,
        "currency": notice.estimated_currency,
        "lots": [lot.title or lot.lot_id for lot in notice.lots],
        "reserved": bool(notice.reserved_participation)
        or any(lot.reserved_participation for lot in notice.lots),
        "description": notice.description,
    }


def diff_snapshots(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Return the changes a company cares about between two snapshots ('other' if none of those)."""
    changes = []
    for name in ("title", "deadline", "reserved"):
        if before.get(name) != after.get(name):
            changes.append(Change(name, before.get(name), after.get(name)))
    old_value = (before.get("amount"), before.get("currency"))
    new_value = (after.get("amount"), after.get("currency"))
    if old_value != new_value:
        changes.append(Change("value", old_value, new_value))
    old_lots, new_lots = before.get("lots") or [], after.get("lots") or []
    if old_lots != new_lots:
        removed = [t for t in old_lots if t not in new_lots]
        changes.append(Change("lots", removed, [t for t in new_lots if t not in old_lots]))
    if before.get("description") != after.get("description"):
        changes.append(Change("description"))
    return changes or [Change("other")]


def _place(notice: Notice) -> str | None:
    """'Luleå, Norrbottens län' from the buyer's town and the place of performance (NUTS).

    NUTS codes without a Swedish name (another country's, 'UKL13') are left out: a reader cannot use them.
    """
    city = notice.buyer.city if notice.buyer else None
    codes = list(notice.nuts) or ([notice.buyer.nuts] if notice.buyer and notice.buyer.nuts else [])
    regions = [region_name(code) for code in codes if code]
    return ", ".join(_unique([city or "", *(name or "" for name in regions)])) or None


def _shown_reasons(reasons: Iterable[str]) -> list[str]:
    """Drop the matcher's words about the deadline from its reasons: the entry shows it, up to date."""
    return [r for r in reasons if not is_deadline_phrase(r)]


def _notice_reasons(matches: list[MatchResult]) -> list[str]:
    """Say why the notice fits: its own match's reasons when there is one, else every lot's, best first.

    Lot matches say what differs per lot (its value, its size); those are shown with their lot.
    """
    whole = [m for m in matches if m.lot_id is None]
    chosen = whole or sorted(matches, key=lambda m: -m.score)
    return _unique(r for m in chosen for r in _shown_reasons(m.reasons))


def branch_names(codes: Iterable[str], language: str) -> list[str]:
    """ASF branch codes (matcher.taxonomy) in words; unknown codes as they are."""
    from matcher.taxonomy import BRANCHES  # noqa: PLC0415 - pure data; keeps matcher out of imports

    names = {b.code: (b.name_en if language == "en" else b.name_sv) for b in BRANCHES}
    return [names.get(code, code) for code in codes]


def _coverage_label(what: str, notice: Notice, language: str) -> str:
    """Return a branch code or lot id in words."""
    for lot in notice.lots:
        if lot.lot_id == what:
            return _lot_name(notice, lot, language)
    return branch_names([what], language)[0]


def _shares_title(notice: Notice, lot: Lot) -> bool:
    """Tell whether another lot of the notice has the same title (a real notice had three alike)."""
    title = (lot.title or "").strip()
    return bool(title) and sum((other.title or "").strip() == title for other in notice.lots) > 1


def _lot_name(notice: Notice, lot: Lot, language: str) -> str:
    """Name a lot in words, with its number where other lots of the notice share its title."""
    return lot_label(lot.lot_id, lot.title, language, _shares_title(notice, lot))


def _deadline_key(entry: DigestNotice) -> float:
    """Sort key: soonest deadline first, notices without one last."""
    return entry.deadline.timestamp() if entry.deadline else float("inf")


def _unique(values: Iterable[str]) -> list[str]:
    """Distinct values in first-seen order."""
    return list(dict.fromkeys(v for v in values if v))
