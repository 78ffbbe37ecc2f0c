"""The supplier network: links between companies (import from CSV/YAML, list) and its networkx graph.

A link joins two companies with a kind (same cooperative network, an earlier joint bid,
subcontracting, shared premises) and a weight (1 = an ordinary link, more = a stronger one). Links
are undirected and stored once per pair and kind, so an import is idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.registry import RowProblem
from matcher.registry_fields import FieldValueError, OrgNumberError, Text, normalise_org_number
from matcher.registry_files import RegistryFileError, read_rows
from models.company import Company, NetworkLink

LINK_KINDS: dict[str, str] = {  # kind -> Swedish wording for reasons
    "network": "är med i samma nätverk",
    "joint_bid": "har lämnat anbud tillsammans tidigare",
    "subcontracting": "har varit underleverantör åt varandra",
    "shared_premises": "delar lokaler",
}
_KIND_ALIASES = {
    "nätverk": "network", "samma nätverk": "network", "gemensamt anbud": "joint_bid",
    "underleverantör": "subcontracting", "underentreprenad": "subcontracting",
    "delade lokaler": "shared_premises", "lokaler": "shared_premises",
}
NETWORK_COLUMNS = ("org_a", "org_b", "kind", "weight", "note")
MAX_WEIGHT = 10.0


@dataclass(slots=True)
class NetworkReport:
    """What a network import did."""

    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowProblem] = field(default_factory=list)


def import_network_data(session: Session, data: bytes, filename: str) -> NetworkReport:
    """Validate and upsert the links of a file (columns org_a, org_b, kind, weight, note); caller commits."""
    rows, columns = read_rows(data, filename, required=("org_a", "org_b", "kind"))
    missing = [c for c in ("org_a", "org_b", "kind") if c not in columns]
    if rows and missing:
        listed, all_columns = ", ".join(missing), ", ".join(NETWORK_COLUMNS)
        raise RegistryFileError(
            f"{filename}: the links need the column(s) {listed}; the columns are {all_columns}",
            f"{filename}: länkarna behöver {'kolumnen' if len(missing) == 1 else 'kolumnerna'} {listed}; "
            f"kolumnerna är {all_columns}",
        )
    report = NetworkReport(filename)
    ids = dict(session.execute(select(Company.org_number, Company.id)).all())
    stored = {(k.company_a, k.company_b, k.kind): k for k in session.scalars(select(NetworkLink))}
    for line, raw in rows:
        try:
            a, b, kind, weight, note = _validate(raw, ids)
        except FieldValueError as exc:
            org = str(raw.get("org_a") or "") or None
            report.errors.append(RowProblem.of(filename, line, org, exc.text))
            continue
        link = stored.get((a, b, kind))
        if link is None:
            link = NetworkLink(company_a=a, company_b=b, kind=kind, weight=weight, note=note)
            session.add(link)
            stored[(a, b, kind)] = link
            report.created += 1
        elif (link.weight, link.note) != (weight, note):
            link.weight, link.note = weight, note
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    return report


def import_network(session: Session, path: Path) -> NetworkReport:
    """Import a .csv or .yaml file of links (see `import_network_data`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryFileError(
            f"{path}: cannot read the file ({exc.strerror})", f"{path}: kan inte läsa filen ({exc.strerror})"
        ) from None
    return import_network_data(session, data, str(path))


def _validate(raw: dict[str, Any], ids: dict[str, int]) -> tuple[int, int, str, float, str | None]:
    """Check one link row; return (smaller company id, larger id, kind, weight, note).

    Raise FieldValueError with every problem of the row, in English and Swedish.
    """
    if "__error__" in raw:
        raise FieldValueError.from_text(raw["__error__"])
    problems: list[Text] = []
    pks = []
    for column in ("org_a", "org_b"):
        try:
            digits = normalise_org_number(raw.get(column))
        except OrgNumberError as exc:
            problems.append(exc.text.prefixed(f"{column}: "))
            continue
        if digits not in ids:
            problems.append(
                Text(
                    f"{column}: no company {digits}; import the companies first",
                    f"{column}: inget företag {digits}; importera företagen först",
                )
            )
            continue
        pks.append(ids[digits])
    text = str(raw.get("kind") or "").strip().casefold()
    kind = text if text in LINK_KINDS else _KIND_ALIASES.get(text)
    if kind is None:
        given, kinds = raw.get("kind"), ", ".join(LINK_KINDS)
        problems.append(
            Text(f"kind: {given!r} is not one of {kinds}", f"kind: {given!r} är inget av värdena {kinds}")
        )
    weight = 1.0
    try:
        value = raw.get("weight")
        weight = 1.0 if value in (None, "") else float(str(value).replace(",", "."))
        if not 0 < weight <= MAX_WEIGHT:
            raise ValueError
    except ValueError:
        problems.append(
            Text(
                f"weight: {raw.get('weight')!r} is not a number above 0 and at most {MAX_WEIGHT:g}",
                f"weight: {raw.get('weight')!r} är inget tal över 0 och högst {MAX_WEIGHT:g}",
            )
        )
    if len(pks) == 2 and pks[0] == pks[1]:
        problems.append(Text("org_a and org_b are the same company", "org_a och org_b är samma företag"))
    if problems:
        raise FieldValueError.from_text(Text.join(problems))
    note = str(raw.get("note") or "").strip() or None
    return min(pks), max(pks), kind, weight, note  # type: ignore[return-value]


def network_graph(session: Session, company_ids: Sequence[int] | None = None) -> nx.Graph:
    """Return the supplier network as a graph: nodes are company ids, one edge per linked pair.

    An edge has `weight` (the sum of its links' weights) and `links` (a list of (kind, weight, note)).
    """
    graph = nx.Graph()
    query = select(NetworkLink)
    if company_ids is not None:
        graph.add_nodes_from(company_ids)
        query = query.where(NetworkLink.company_a.in_(company_ids), NetworkLink.company_b.in_(company_ids))
    for link in session.scalars(query.order_by(NetworkLink.id)):
        add_link(graph, link.company_a, link.company_b, link.kind, link.weight, note=link.note)
    return graph


def add_link(graph: nx.Graph, a: int, b: int, kind: str, weight: float, *, note: str | None = None) -> None:
    """Add one link to a graph, adding its weight to the pair's edge."""
    if graph.has_edge(a, b):
        edge = graph.edges[a, b]
        edge["weight"] += weight
        edge["links"].append((kind, weight, note))
    else:
        graph.add_edge(a, b, weight=weight, links=[(kind, weight, note)])


def list_links(session: Session) -> list[tuple[NetworkLink, Company, Company]]:
    """Every link with both companies, ordered by the first company's name."""
    rows = session.scalars(select(NetworkLink).order_by(NetworkLink.id)).all()
    companies = {c.id: c for c in session.scalars(select(Company))}
    out = [(link, companies[link.company_a], companies[link.company_b]) for link in rows]
    out.sort(key=lambda item: (item[1].name, item[2].name, item[0].kind))
    return out
