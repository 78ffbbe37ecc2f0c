"""Reading a company file: CSV (comma or semicolon, Excel's quirks) or YAML, into (line, row) pairs.

A file that cannot be read at all raises RegistryFileError (in English and Swedish); a row that
cannot be read becomes an error row ({"__error__": Text}) with its line, so that matcher.registry
reports it and imports the rest.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from crawlers.parsers import yamlsafe
from matcher.registry_fields import REQUIRED, RegistryError, Text


class RegistryFileError(RegistryError):
    """Raised by `read_rows` for a file that cannot be read at all (format, encoding, header, YAML).

    `str()` is the English message; `text` has it in English and Swedish.
    """

    def __init__(self, en: str, sv: str) -> None:
        super().__init__(en)
        self.text = Text(en, sv)



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
