"""Exports of a filtered tender list: CSV (formula-safe; standard or for Swedish Excel) and OCDS.

Excel with Swedish regional settings reads ";" between cells and a decimal comma: a comma-separated
file opens there in one column. The standard CSV (RFC 4180, ",", decimal point) is for programs and
English-language spreadsheets.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from anbudsradar.web.labels import NOTICE_TYPES, branch_name
from anbudsradar.web.queries.tenders import TenderRow, fetch_rows
from anbudsradar.web.templating import LOCAL_TIME
from models.identifiers import is_swedish_org_number
from models.notice import Buyer, Notice
from notifier.formatting import parse_deadline

BATCH = 1000
# OCDS identifiers need a registered prefix; this one is a placeholder until a publisher registers one.
OCID_PREFIX = "ocds-anbrad"
CSV_COLUMNS = (
    "id",
    "titel",
    "annonstyp",
    "köpare",
    "ort",
    "publicerad",
    "sista_anbudsdag",
    "värde",
    "valuta",
    "cpv",
    "reserverad",
    "sysselsättningskrav",
    "sociala_hänsyn",
    "branscher",
    "länk",
)


@dataclass(frozen=True, slots=True)
class CsvStyle:
    """How a CSV export separates its cells and writes decimals."""

    delimiter: str
    decimal_comma: bool


STANDARD_CSV = CsvStyle(",", decimal_comma=False)
SWEDISH_EXCEL_CSV = CsvStyle(";", decimal_comma=True)
RELEASE_TAGS = {
    "planning": ["planning"],
    "contract-notice": ["tender"],
    "award": ["award"],
    "direct-award": ["award"],
    "modification": ["tenderAmendment"],
}


def _safe(value: object) -> str:
    """Make a cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_line(values: Sequence[object], style: CsvStyle) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=style.delimiter, lineterminator="\r\n").writerow([_safe(v) for v in values])
    return buffer.getvalue()


def _number(value: float | None, style: CsvStyle) -> str | None:
    """Write an amount as a spreadsheet reads it: whole numbers without ".0", the style's decimal mark."""
    if value is None:
        return None
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return text.replace(".", ",") if style.decimal_comma else text


def _row_values(row: TenderRow, style: CsvStyle) -> list[object]:
    return [
        row.id,
        row.title,
        NOTICE_TYPES.get(row.notice_type, row.notice_type),
        row.buyer,
        row.city,
        row.published,
        row.deadline,
        _number(row.amount, style),
        row.currency,
        row.cpv_main,
        "ja" if row.reserved else "nej",
        "ja" if row.employment else "nej",
        "ja" if row.social else "nej",
        "; ".join(branch_name(code) for code in row.branches),
        row.url,
    ]


def csv_lines(
    sessions: sessionmaker[Session],
    where: Sequence[ColumnElement[bool]],
    order: Sequence[Any],
    limit: int,
    style: CsvStyle = STANDARD_CSV,
) -> Iterator[str]:
    """Yield the CSV (with a BOM so that Excel reads UTF-8), batch by batch, up to `limit` rows."""
    yield "\ufeff" + _csv_line(CSV_COLUMNS, style)
    with sessions() as session:
        for offset in range(0, limit, BATCH):
            rows = fetch_rows(session, where, order, limit=min(BATCH, limit - offset), offset=offset)
            yield from (_csv_line(_row_values(row, style), style) for row in rows)
            if len(rows) < BATCH:
                return


def ocds_release(notice: Notice, base_url: str) -> dict[str, Any]:
    """Return one OCDS 1.1 release for a notice (BT-71 as tender.otherRequirements.reservedParticipation)."""
    ident = notice.procedure_id or notice.notice_id
    ocid = ident if ident.startswith("ocds-") else f"{OCID_PREFIX}-{ident}"
    buyer = notice.buyer
    parties = []
    if buyer is not None:
        party: dict[str, Any] = {"id": f"buyer-{buyer.id}", "name": buyer.name, "roles": ["buyer"]}
        if buyer.identifier:
            party["identifier"] = {
                "scheme": "SE-ORG" if is_swedish_org_number(buyer.identifier, buyer.country) else None,
                "id": buyer.identifier,
            }
        party["address"] = {"locality": buyer.city, "region": buyer.nuts, "countryName": buyer.country}
        parties.append(party)
    tender: dict[str, Any] = {
        "id": ident,
        "title": notice.title,
        "description": notice.description,
        "items": [
            {"id": str(i + 1), "classification": {"scheme": "CPV", "id": code}}
            for i, code in enumerate(notice.cpv)
        ],
        "otherRequirements": {"reservedParticipation": notice.reserved_participation},
        "suitability": {"sme": notice.sme_suitable, "vcse": notice.vcse_suitable},
        "lots": [
            {
                "id": lot.lot_id or str(lot.position),
                "title": lot.title,
                "description": lot.description,
                **(
                    {"value": {"amount": lot.estimated_amount, "currency": lot.estimated_currency}}
                    if lot.estimated_amount is not None
                    else {}
                ),
                "otherRequirements": {"reservedParticipation": lot.reserved_participation},
            }
            for lot in notice.lots
        ],
    }
    if notice.notice_type == "direct-award":
        tender["procurementMethod"] = "direct"
    if notice.estimated_amount is not None:
        tender["value"] = {"amount": notice.estimated_amount, "currency": notice.estimated_currency}
    if notice.deadline:
        tender["tenderPeriod"] = {"endDate": _date_time(notice.deadline)}
    if notice.social_objectives or notice.strategic_procurement:
        tender["sustainability"] = [
            {"goal": f"social.{code}" if code in notice.social_objectives else code}
            for code in [*notice.social_objectives, *notice.strategic_procurement]
        ]
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": notice.notice_id,
        "date": f"{notice.published.isoformat()}T00:00:00Z" if notice.published else None,
        "tag": RELEASE_TAGS.get(notice.notice_type, ["tender"]),
        "initiationType": "tender",
        "language": notice.language,
        "parties": parties,
        "tender": tender,
        "links": [{"rel": "canonical", "href": f"{base_url}/notices/{notice.id}"}],
    }
    if buyer is not None:
        release["buyer"] = {"id": f"buyer-{buyer.id}", "name": buyer.name}
    return _without_none(release)


def _date_time(value: str) -> str:
    """Return a stored deadline as an OCDS date-time with its offset (RFC 3339).

    A time without an offset is Swedish local time and a date alone is the end of that day, as the
    pages and the digest read them (notifier.formatting.parse_deadline).
    """
    moment = parse_deadline(value, LOCAL_TIME)
    return moment.isoformat() if moment is not None else value


def _without_none(value: Any) -> Any:
    """Drop null fields and empty lists and objects (OCDS omits what is unknown)."""
    if isinstance(value, dict):
        cleaned = {k: _without_none(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in cleaned.items() if v not in ({}, [])}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def ocds_package(
    sessions: sessionmaker[Session],
    where: Sequence[ColumnElement[bool]],
    order: Sequence[Any],
    *,
    limit: int,
    uri: str,
    base_url: str,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Iterator[str]:
    """Yield an OCDS release package as JSON text, batch by batch, up to `limit` releases."""
    head = {
        "uri": uri,
        "version": "1.1",
        "publishedDate": now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "publisher": {"name": "Anbudsradar"},
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "releases": ['
    first = True
    with sessions() as session:
        for offset in range(0, limit, BATCH):
            ids = session.scalars(
                select(Notice.id)
                .outerjoin(Buyer, Buyer.id == Notice.buyer_id)
                .where(*where)
                .order_by(*order)
                .limit(min(BATCH, limit - offset))
                .offset(offset)
            ).all()
            notices = {
                n.id: n
                for n in session.scalars(
                    select(Notice)
                    .where(Notice.id.in_(ids))
                    .options(selectinload(Notice.lots), selectinload(Notice.buyer))
                )
            }
            for notice_id in ids:
                yield ("" if first else ",") + json.dumps(
                    ocds_release(notices[notice_id], base_url), ensure_ascii=False
                )
                first = False
            session.expunge_all()
            if len(ids) < BATCH:
                break
    yield "]}"
