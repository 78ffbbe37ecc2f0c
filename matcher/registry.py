"""The company registry: import companies from CSV or YAML, export them to CSV, look them up.

An import is idempotent by organisation number: a known company is updated, a new one created,
an unchanged one left alone. Every bad row is reported with its file and line; the good rows are
imported all the same. Columns absent from the file keep their stored values; an empty cell clears.
Each problem is told in English (the command line, `str()`) and in Swedish (the web pages).
The file format is documented in docs/companies.md (template: docs/companies-template.csv).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawlers.parsers import yamlsafe
from matcher.areas import Gazetteer, ensure_municipalities, gazetteer
from matcher.registry_fields import (
    AREA_COLUMNS,
    COLUMNS,
    REQUIRED,
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


class RegistryFileError(RegistryError):
    """Raised by `read_rows` for a file that cannot be read at all (format, encoding, header, YAML).

    `str()` is the English message; `text` has it in English and Swedish.
    """

    def __init__(self, en: str, sv: str) -> None:
        super().__init__(en)
        self.text = Text(en, sv)


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


def read_rows(
    data: bytes, filename: str, required: Sequence[str] = REQUIRED
) -> tuple[list[tuple[int, dict[str, Any]]], set[str]]:
    """Return (line, row) pairs and the set of columns the file has, for a .csv or .yaml/.yml file."""
    suffix = Path(filename).suffix.casefold()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryFileError(
            f"{filename}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 (CSV UTF-8 in Excel)",
            f"{filename}: inte UTF-8-text (byte {exc.start}); spara filen som UTF-8 (CSV UTF-8 i Excel)",
        ) from None
    if suffix == ".csv":
        rows, columns = _csv_rows(text, filename, required)
    elif suffix in (".yaml", ".yml"):
        rows, columns = _yaml_rows(text, filename)
    else:
        raise RegistryFileError(
            f"{filename}: unknown file type {suffix or '(none)'}; use .csv, .yaml or .yml",
            f"{filename}: okänd filtyp {suffix or '(ingen)'}; använd .csv, .yaml eller .yml",
        )
    return [(line, _without_nul(row)) for line, row in rows], columns


def _without_nul(row: dict[str, Any]) -> dict[str, Any]:
    """Return the row, or an error row when a value holds a NUL character (PostgreSQL refuses them)."""
    if "__error__" in row:
        return row
    bad = [column for column, value in row.items() if _has_nul(value)]
    if not bad:
        return row
    listed = ", ".join(bad)
    problem = Text(
        f"{listed}: a NUL character (\\0) in the value; remove it (the file may be damaged)",
        f"{listed}: ett NUL-tecken (\\0) i värdet; ta bort det (filen kan vara skadad)",
    )
    org = row.get("org_number")
    return {"__error__": problem} | ({} if "org_number" in bad else {"org_number": org})


def _has_nul(value: object) -> bool:
    """Tell whether a cell, or a string anywhere in a YAML list or mapping, holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


def _csv_rows(
    text: str, filename: str, required: Sequence[str]
) -> tuple[list[tuple[int, dict[str, Any]]], set[str]]:
    """Rows of a CSV file: comma- or semicolon-separated (Excel in Swedish writes ';'), # comments.

    Lines may end in CR LF, LF or CR alone (older Excel for Mac); a line that the csv module cannot
    read is rejected on its own, with its line number.
    """
    lines = text.splitlines()
    header_at = next((i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")), None)
    if header_at is None:
        raise RegistryFileError(
            f"{filename}: empty file; start from docs/companies-template.csv",
            f"{filename}: filen är tom; utgå från docs/companies-template.csv",
        )
    header = lines[header_at]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter, strict=True)
    rows: list[tuple[int, dict[str, Any]]] = []
    columns: list[str] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problem = _csv_problem(str(exc), start)
            if not columns:
                raise RegistryFileError(
                    f"{filename}:{start}: the header cannot be read: {problem.en}",
                    f"{filename}:{start}: rubrikraden kan inte läsas: {problem.sv}",
                ) from None
            rows.append((start, {"__error__": problem}))
            continue
        line = reader.line_num
        if not columns:
            if not cells or cells[0].startswith("#"):
                continue
            columns = [c.strip().casefold() for c in cells]
            _check_header(columns, filename, required)
            continue
        if not any(c.strip() for c in cells) or cells[0].startswith("#"):
            continue
        if len(cells) > len(columns):
            problem = Text(
                f"{len(cells)} cells but the header has {len(columns)} columns",
                f"{len(cells)} celler men rubrikraden har {len(columns)} kolumner",
            )
            rows.append((line, {"__error__": problem}))
            continue
        pairs = list(zip(columns, cells, strict=False))
        unnamed = [i + 1 for i, (name, cell) in enumerate(pairs) if not name and cell.strip()]
        if unnamed:
            problem = Text(
                f"a value in column {unnamed[0]}, which has no name in the header",
                f"ett värde i kolumn {unnamed[0]}, som saknar namn i rubrikraden",
            )
            rows.append((line, {"__error__": problem}))
            continue
        rows.append((line, {name: cell for name, cell in pairs if name}))
    return rows, {name for name in columns if name}  # Excel's trailing ";;" adds unnamed empty columns


def _csv_problem(reason: str, line: int) -> Text:
    """Explain why the csv module could not read the line starting at `line` (its words stay English)."""
    if reason.startswith("unexpected end of data"):
        return Text(
            f'a quote (") opened on line {line} is never closed, so every line after it was read as '
            "one cell; close the quote or remove it",
            f'ett citattecken (") som öppnas på rad {line} stängs aldrig, så alla rader efter det lästes '
            "som en cell; stäng citattecknet eller ta bort det",
        )
    if reason.startswith("field larger than field limit"):
        limit = csv.field_size_limit()
        return Text(f"a cell is longer than {limit} characters", f"en cell är längre än {limit} tecken")
    return Text(  # e.g. "',' expected after '\"'": text after the closing quote of a cell
        f"not a CSV line ({reason}): remove what follows a closing quote (\"), or put the whole cell in "
        "quotes and double the quotes inside it",
        f"ingen CSV-rad ({reason}): ta bort det som står efter ett avslutande citattecken (\"), eller sätt "
        "hela cellen inom citattecken och skriv citattecknen i den dubbelt",
    )


def _check_header(columns: list[str], filename: str, required: Sequence[str]) -> None:
    """Raise when the header lacks a required column or names one twice."""
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        listed = ", ".join(twice)
        raise RegistryFileError(
            f"{filename}: the header has the column(s) {listed} twice; keep one of each",
            f"{filename}: rubrikraden har {'kolumnen' if len(twice) == 1 else 'kolumnerna'} {listed} två "
            "gånger; behåll en av varje",
        )
    missing = [c for c in required if c not in columns]
    if missing:
        listed = ", ".join(missing)
        raise RegistryFileError(
            f"{filename}: the header lacks the column(s) {listed}; "
            "copy the header of the template in docs/ (see docs/companies.md)",
            f"{filename}: rubrikraden saknar {'kolumnen' if len(missing) == 1 else 'kolumnerna'} {listed}; "
            "kopiera rubrikraden från mallen i docs/ (se docs/companies.md)",
        )


def _yaml_error(filename: str, exc: yaml.YAMLError) -> RegistryFileError:
    """Explain a YAML syntax error by its line and column; PyYAML's own words stay in English."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return RegistryFileError(
            f"{filename}: not valid YAML: {problem}", f"{filename}: ogiltig YAML (PyYAML: {problem})"
        )
    line, column = mark.line + 1, mark.column + 1
    if isinstance(exc, yamlsafe.YamlLimitError):
        limit = f"{exc.limit:,}".replace(",", " ")
        sv = (
            f"mer än {limit} nivåer djupt; en företagsfil är en lista med företag"
            if exc.kind == "depth"
            else f"alias (*namn) som växer till mer än {limit} värden; skriv ut värdena i stället"
        )
        return RegistryFileError(
            f"{filename}: refused: line {line}, column {column}: {problem}",
            f"{filename}: vägras: rad {line}, kolumn {column}: {sv}",
        )
    return RegistryFileError(
        f"{filename}: not valid YAML: line {line}, column {column}: {problem}",
        f"{filename}: ogiltig YAML: rad {line}, kolumn {column}; kontrollera indrag, kolon och "
        f"citattecken där (PyYAML: {problem})",
    )


def _yaml_rows(text: str, filename: str) -> tuple[list[tuple[int, dict[str, Any]]], set[str]]:
    """Rows of a YAML file: a list of mappings, or a mapping with the list under `companies`.

    The document's depth and what its aliases expand to are bounded (crawlers.parsers.yamlsafe); an
    entry with a key written twice, or with a value that cannot be read, is rejected on its own.
    """
    try:
        root = yamlsafe.compose(text, filename)
    except yaml.YAMLError as exc:
        raise _yaml_error(filename, exc) from None
    if isinstance(root, yaml.MappingNode):
        root = next((v for k, v in root.value if k.value == "companies"), None)
    if not isinstance(root, yaml.SequenceNode):
        raise RegistryFileError(
            f"{filename}: expected a list of companies (or `companies:` with a list)",
            f"{filename}: filen ska innehålla en lista med företag (eller `companies:` med en lista)",
        )
    rows: list[tuple[int, dict[str, Any]]] = []
    columns: set[str] = set()
    constructor = yamlsafe.StrictSafeLoader(io.StringIO(""))
    for node in root.value:
        line = node.start_mark.line + 1
        try:
            value = constructor.construct_document(node)
        except yamlsafe.DuplicateKeyError as exc:
            rows.append((line, {"__error__": _twice(str(exc.key))}))
            constructor = yamlsafe.StrictSafeLoader(io.StringIO(""))
            continue
        except (yaml.YAMLError, ValueError) as exc:  # an unknown !tag, a date such as 2020-13-45
            detail = getattr(exc, "problem", None) or str(exc)
            problem = Text(
                f"a value cannot be read: {detail}", f"ett värde kan inte läsas (PyYAML: {detail})"
            )
            rows.append((line, {"__error__": problem}))
            constructor = yamlsafe.StrictSafeLoader(io.StringIO(""))  # a failed construction leaves state
            continue
        if not isinstance(value, dict):
            problem = Text("expected a mapping of column: value", "förväntade en mappning med kolumn: värde")
            rows.append((line, {"__error__": problem}))
            continue
        row = {str(k).strip().casefold(): v for k, v in value.items()}
        if len(row) < len(value):  # `name:` and `Name:`
            names = [str(k).strip().casefold() for k in value]
            twice = next(name for name in names if names.count(name) > 1)
            rows.append((line, {"__error__": _twice(twice), "org_number": value.get("org_number")}))
            continue
        columns |= set(row)
        rows.append((line, row))
    return rows, columns


def _twice(column: str) -> Text:
    """Return the problem of a YAML entry that gives a column twice (PyYAML would keep the last)."""
    return Text(f"{column} is given twice; keep one", f"{column} anges två gånger; behåll en")


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
