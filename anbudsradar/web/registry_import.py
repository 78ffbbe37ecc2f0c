"""The CSV (or YAML) import of companies, done by `matcher.registry` exactly as on the command line.

Every bad row is reported with its file and line; the good rows are imported all the same. The
messages are the registry's Swedish ones (the command line prints the English ones).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from matcher.registry import RegistryFileError, import_company_data


@dataclass(slots=True)
class ImportReport:
    """What an import did: counts, and one Swedish message per rejected row or for an unreadable file."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether the import rejected nothing."""
        return not self.errors

    @property
    def stored(self) -> bool:
        """Tell whether some rows were read (and so should be committed)."""
        return (self.created + self.updated + self.unchanged) > 0


def import_csv(session: Session, data: bytes, filename: str) -> ImportReport:
    """Validate and upsert the companies of an uploaded file; the caller commits when `stored`."""
    try:
        report = import_company_data(session, data, filename)
    except RegistryFileError as exc:  # the whole file: encoding, type, header
        return ImportReport(errors=[exc.text.sv])
    return ImportReport(
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        errors=[problem.text("sv") for problem in report.errors],
    )
