"""The company registry: import companies from CSV or YAML, export them to CSV, look them up.

An import is idempotent by organisation number: a known company is updated, a new one created,
an unchanged one left alone. Every bad row is reported with its file and line; the good rows are
imported all the same. Columns absent from the file keep their stored values; an empty cell clears.
Each problem is told in English (the command line, `str()`) and in Swedish (the web pages).
The file format is documented in docs/companies.md (template: docs/companies-template.csv).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.areas import Gazetteer, ensure_municipalities, gazetteer
from matcher.registry_fields import (
    AREA_COLUMNS,
    COLUMNS,
    CompanyRecord,
    Language,
    OrgNumberError,
    RegistryError,
    RowError,
    Text,
    format_org_number,
    normalise_org_number,
    validate_company,
)
from matcher.registry_files import RegistryFileError, read_rows
from models.company import Company

__all__ = [
    "COLUMNS",
    "CompanyRecord",
    "ImportReport",
    "OrgNumberError",
    "RegistryError",
    "RegistryFileError",
    "RowProblem",
    "Text",
    "export_companies",
    "find_company",
    "import_companies",
    "import_company_data",
    "import_rows",
    "normalise_org_number",
    "read_rows",
]


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One rejected row: where it is, whose it is, and what to fix (in English and in Swedish)."""

    source: str
    line: int
    org_number: str | None
    message: str
    message_sv: str

    @classmethod
    def of(cls, source: str, line: int, org_number: str | None, problem: Text) -> RowProblem:
        """Build a row problem from a message in both languages."""
        return cls(source, line, org_number, problem.en, problem.sv)

    def text(self, language: Language = "en") -> str:
        """Return 'file:line (org number): message' in `language` (en: command line, sv: web pages)."""
        who = f" ({self.org_number})" if self.org_number else ""
        message = Text(self.message, self.message_sv).in_language(language)
        return f"{self.source}:{self.line}{who}: {message}"

    def __str__(self) -> str:
        return self.text("en")


@dataclass(slots=True)
class ImportReport:
    """What an import did; `errors` has one entry per rejected row."""

    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowProblem] = field(default_factory=list)

    @property
    def imported(self) -> int:
        """Rows that were accepted (created, updated or unchanged)."""
        return self.created + self.updated + self.unchanged


def import_company_data(
    session: Session, data: bytes, filename: str, g: Gazetteer | None = None
) -> ImportReport:
    """Validate and upsert the companies of a file's bytes; the caller commits (or rolls back)."""
    rows, columns = read_rows(data, filename)
    return import_rows(session, rows, columns, filename, g)


def import_rows(
    session: Session,
    rows: Sequence[tuple[int, dict[str, Any]]],
    columns: set[str],
    source: str,
    g: Gazetteer | None = None,
) -> ImportReport:
    """Validate and upsert (line, row) pairs; `columns` are the ones the source has."""
    g = g or gazetteer()
    filename = source
    report = ImportReport(source)
    records: list[tuple[int, CompanyRecord]] = []
    seen: dict[str, int] = {}
    known = set(session.scalars(select(Company.org_number)))
    area_given = bool(columns & AREA_COLUMNS)
    for line, raw in rows:
        org = _org_hint(raw)
        if "__error__" in raw:
            report.errors.append(RowProblem.of(filename, line, org, raw["__error__"]))
            continue
        try:
            record = validate_company(raw, g, require_area=area_given or _digits(org) not in known)
        except RowError as exc:
            report.errors.append(RowProblem.of(filename, line, org, exc.text))
            continue
        if record.org_number in seen:
            first = seen[record.org_number]
            problem = Text(
                f"the same organisation number as line {first}", f"samma organisationsnummer som rad {first}"
            )
            report.errors.append(RowProblem.of(filename, line, org, problem))
            continue
        seen[record.org_number] = line
        records.append((line, record))
    ensure_municipalities(session, g)
    _upsert(session, [r for _, r in records], columns & set(COLUMNS), report)
    return report


def import_companies(session: Session, path: Path, g: Gazetteer | None = None) -> ImportReport:
    """Import a .csv or .yaml file of companies (see `import_company_data`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryFileError(
            f"{path}: cannot read the file ({exc.strerror})", f"{path}: kan inte läsa filen ({exc.strerror})"
        ) from None
    return import_company_data(session, data, str(path), g)


def _digits(org: str | None) -> str | None:
    """Return the ten digits of an organisation number, or None when it is not one."""
    try:
        return normalise_org_number(org)
    except OrgNumberError:
        return None


def _org_hint(raw: dict[str, Any]) -> str | None:
    """Return the row's organisation number as written, for error messages."""
    value = raw.get("org_number")
    return str(value).strip() or None if value is not None else None


def _upsert(
    session: Session, records: Sequence[CompanyRecord], columns: set[str], report: ImportReport
) -> None:
    """Create or update companies by organisation number, counting what changed."""
    numbers = [r.org_number for r in records]
    query = select(Company).where(Company.org_number.in_(numbers))
    stored = {c.org_number: c for c in session.scalars(query)}
    for record in records:
        company = stored.get(record.org_number)
        if company is None:
            session.add(Company(**record.values()))
            report.created += 1
            continue
        changes = {k: v for k, v in record.values(columns).items() if getattr(company, k) != v}
        if changes:
            for key, value in changes.items():
                setattr(company, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()


def find_company(session: Session, org_number: str) -> Company:
    """Return the company with this organisation number; raise RegistryError naming it when absent."""
    digits = normalise_org_number(org_number)
    company = session.scalar(select(Company).where(Company.org_number == digits))
    if company is None:
        raise RegistryError(
            f"no company with organisation number {format_org_number(digits)}: "
            "import it first (anbudsradar companies import FILE)"
        )
    return company


def export_companies(companies: Sequence[Company], out: TextIO) -> int:
    """Write companies as CSV in the import format (lists joined with '; '); return the row count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for company in companies:
        writer.writerow([_cell(column, getattr(company, column)) for column in COLUMNS])
    return len(companies)


def _cell(column: str, value: Any) -> str:
    """One CSV cell of the export."""
    if value is None:
        return ""
    if column == "org_number":
        return format_org_number(value)
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def iter_companies(session: Session, active_only: bool = False) -> Iterator[Company]:
    """All companies by name (only active ones with `active_only`)."""
    query = select(Company).order_by(Company.name, Company.org_number)
    if active_only:
        query = query.where(Company.active.is_(True))
    yield from session.scalars(query)
