"""The JSON API's response models (they make the OpenAPI document); built from the query rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from anbudsradar.web.queries.buyers import BuyerOverview, BuyerSummary
from anbudsradar.web.queries.notice import SuggestionView, TagView, TenderDetail
from anbudsradar.web.queries.tenders import TenderRow


def _utc(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; they were stored in UTC, so say so (RFC 3339 needs an offset)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class TenderSummary(BaseModel):
    """One tender in a list, with the flags the filters use."""

    id: int
    title: str
    notice_type: str = Field(
        description="contract-notice, direct-award, award, planning, modification, other"
    )
    buyer_id: int | None
    buyer: str | None
    city: str | None
    published: date | None
    deadline: str | None = Field(description="ISO 8601 date-time as published (BT-131)")
    estimated_amount: float | None
    currency: str | None
    cpv_main: str | None
    url: str | None
    reserved: bool = Field(description="BT-71/BT-736 or a reserved-contract tag (4 kap. 18 § LOU)")
    employment_requirement: bool
    social_considerations: bool
    branches: list[str]

    @classmethod
    def of(cls, row: TenderRow) -> TenderSummary:
        """Build from a list row."""
        return cls(
            id=row.id,
            title=row.title,
            notice_type=row.notice_type,
            buyer_id=row.buyer_id,
            buyer=row.buyer,
            city=row.city,
            published=row.published,
            deadline=row.deadline,
            estimated_amount=row.amount,
            currency=row.currency,
            cpv_main=row.cpv_main,
            url=row.url,
            reserved=row.reserved,
            employment_requirement=row.employment,
            social_considerations=row.social,
            branches=row.branches,
        )


class TenderPageOut(BaseModel):
    """One page of the filtered tender list."""

    total: int
    page: int
    page_size: int
    pages: int
    items: list[TenderSummary]


class TagOut(BaseModel):
    """A branch or social-clause tag with its evidence (field, words and offsets)."""

    kind: str
    code: str
    score: float
    source: str
    lot_id: str | None
    evidence: list[dict[str, Any]]

    @classmethod
    def of(cls, tag: TagView) -> TagOut:
        """Build from a tag view."""
        return cls(
            kind=tag.kind,
            code=tag.code,
            score=tag.score,
            source=tag.source,
            lot_id=tag.lot_id,
            evidence=tag.evidence,
        )


class LotOut(BaseModel):
    """One lot."""

    lot_id: str | None
    title: str | None
    description: str | None
    cpv: list[str]
    nuts: list[str]
    reserved_participation: list[str]
    reserved_execution: bool | None
    estimated_amount: float | None
    currency: str | None
    deadline: str | None


class MatchOut(BaseModel):
    """A matching company and why."""

    company_id: int
    company: str
    lot_id: str | None
    score: float
    reserved_eligible: bool | None
    reasons: list[str]


class HistoryOut(BaseModel):
    """One line of a suggestion's history."""

    action: str
    actor: str
    note: str | None
    at: UtcDatetime


class SuggestionOut(BaseModel):
    """A consortium suggestion: members, what each covers, reasons, status and history."""

    id: int
    notice_id: int
    lot_id: str | None
    members: list[dict[str, Any]]
    coverage: dict[str, list[str]]
    score: float
    reasons: list[str]
    status: str
    note: str | None
    changed_by: str | None
    changed_at: UtcDatetime | None
    history: list[HistoryOut]

    @classmethod
    def of(cls, s: SuggestionView) -> SuggestionOut:
        """Build from a suggestion view."""
        return cls(
            id=s.id,
            notice_id=s.notice_id,
            lot_id=s.lot_id,
            members=[{"id": pk, "name": name} for pk, name in s.members],
            coverage=dict(s.coverage),
            score=s.score,
            reasons=s.reasons,
            status=s.status,
            note=s.note,
            changed_by=s.changed_by,
            changed_at=s.changed_at,
            history=[HistoryOut(action=e.action, actor=e.actor, note=e.note, at=e.at) for e in s.events],
        )


class TenderOut(TenderSummary):
    """One tender with all its fields, lots, tags, matches and consortium suggestions."""

    notice_id: str
    procedure_id: str | None
    source_format: str
    language: str | None
    description: str | None
    cpv: list[str]
    nuts: list[str]
    reserved_participation: list[str]
    reserved_execution: bool
    social_objectives: list[str]
    strategic_procurement: list[str]
    lots: list[LotOut]
    tags: list[TagOut]
    matches: list[MatchOut]
    consortia: list[SuggestionOut]

    @classmethod
    def build(cls, row: TenderRow, d: TenderDetail) -> TenderOut:
        """Build from the list row and the detail of one tender."""
        n = d.notice
        all_tags = d.tags + [t for lot in d.lots for t in lot.tags]
        return cls(
            **TenderSummary.of(row).model_dump(),
            notice_id=n.notice_id,
            procedure_id=n.procedure_id,
            source_format=n.source_format,
            language=n.language,
            description=n.description,
            cpv=n.cpv,
            nuts=n.nuts,
            reserved_participation=n.reserved_participation,
            reserved_execution=n.reserved_execution,
            social_objectives=n.social_objectives,
            strategic_procurement=n.strategic_procurement,
            lots=[
                LotOut(
                    lot_id=lot.lot_id,
                    title=lot.title,
                    description=lot.description,
                    cpv=lot.cpv,
                    nuts=lot.nuts,
                    reserved_participation=lot.reserved_participation,
                    reserved_execution=lot.reserved_execution,
                    estimated_amount=lot.estimated_amount,
                    currency=lot.estimated_currency,
                    deadline=lot.deadline,
                )
                for lot in n.lots
            ],
            tags=[TagOut.of(t) for t in all_tags],
            matches=[MatchOut(**vars_of(m)) for m in d.matches],
            consortia=[SuggestionOut.of(s) for s in d.suggestions],
        )


def vars_of(obj: object) -> dict[str, Any]:
    """Return the fields of a slotted dataclass as a dict."""
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


class BuyerOut(BaseModel):
    """A buyer and its number of notices."""

    id: int
    name: str
    city: str | None
    nuts: str | None
    notices: int

    @classmethod
    def of(cls, b: BuyerSummary) -> BuyerOut:
        """Build from a buyer summary."""
        return cls(**vars_of(b))


class BranchCountOut(BaseModel):
    """Notices of one branch in the period."""

    branch: str
    total: int
    reserved: int
    social: int


class MissedOut(BaseModel):
    """An unreserved tender in an ASF branch and the eligible companies nearby."""

    tender: TenderSummary
    companies: list[dict[str, Any]]


class BuyerOverviewOut(BaseModel):
    """A buyer's overview for a period."""

    buyer: BuyerOut
    start: date
    end: date
    total: int
    reserved: int
    social: int
    branches: list[BranchCountOut]
    missed: list[MissedOut]

    @classmethod
    def of(cls, o: BuyerOverview) -> BuyerOverviewOut:
        """Build from the overview."""
        b = o.buyer
        return cls(
            buyer=BuyerOut(id=b.id, name=b.name or "", city=b.city, nuts=b.nuts, notices=o.total),
            start=o.start,
            end=o.end,
            total=o.total,
            reserved=o.reserved,
            social=o.social,
            branches=[
                BranchCountOut(branch=c.code, total=c.total, reserved=c.reserved, social=c.social)
                for c in o.branches
            ],
            missed=[
                MissedOut(
                    tender=TenderSummary.of(m.row), companies=[{"id": i, "name": n} for i, n in m.companies]
                )
                for m in o.missed
            ],
        )


class CompanyOut(BaseModel):
    """A company of the registry, with its contact e-mails (personal data: login required)."""

    id: int
    org_number: str
    name: str
    legal_form: str | None
    contact_emails: list[str]
    branches: list[str]
    area_municipalities: list[str]
    area_counties: list[str]
    employees: int | None
    integration_share: float | None
    active: bool
    digest_paused: bool
