"""Consortium suggestions: search teams for open tenders, explain them in Swedish, store and review them.

Suggestions are stored per (notice, lot) and team: a second run leaves a known team alone (its
status and history too), adds new teams as `proposed`, and drops proposed teams that no longer
come out; accepted and dismissed ones are kept. Every status change is a ConsortiumEvent with its
actor, so the coordinator can see who decided what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.areas import Gazetteer, ensure_municipalities, gazetteer, join_sv
from matcher.consortium import ConsortiumProblem, Team, solve_cpsat, solve_greedy
from matcher.consortium_problem import Diagnosis, Tender, build_problem, tenders_of
from matcher.match_engine import CompanyArrays
from matcher.match_items import Item, MatchSettings, build_items, load_tags
from matcher.match_profiles import CompanyProfile, company_arrays
from matcher.match_reasons import decimal, sek
from matcher.registry_fields import RegistryError
from matcher.registry_network import LINK_KINDS, network_graph
from models.matching import ConsortiumEvent, ConsortiumSuggestion
from models.notice import Notice

STATUSES = ("proposed", "accepted", "dismissed")
SYSTEM_ACTOR = "anbudsradar"
TEAMS_PER_TENDER = 3
# The largest database id of a notice (a 32-bit INTEGER column, as on PostgreSQL).
MAX_NOTICE_PK = 2**31 - 1


class ConsortiumError(RegistryError):
    """Raised by `set_status` for an unknown suggestion or status (the message says which)."""


@dataclass(slots=True)
class Suggestion:
    """A team for a tender, with member primary keys, coverage by primary key and Swedish reasons."""

    tender: Tender
    team: Team
    member_pks: list[int]
    coverage: dict[str, list[int]]
    reasons: list[str]
    details: dict[str, Any]


@dataclass(slots=True)
class ConsortiumSummary:
    """What a consortium round did."""

    tenders: int = 0
    needing_team: int = 0
    with_team: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    suggestions: list[Suggestion] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.tenders} tenders, {self.needing_team} need a team, {self.with_team} got one: "
            f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged, {self.removed} removed"
        )


def suggest_teams(
    tender: Tender,
    profiles: Sequence[CompanyProfile],
    companies: CompanyArrays,
    graph: nx.Graph,
    g: Gazetteer,
    *,
    teams: int = TEAMS_PER_TENDER,
    time_limit_s: float = 5.0,
) -> tuple[list[Suggestion], Diagnosis]:
    """Return up to `teams` different teams for a tender (CP-SAT), best first, with reasons."""
    problem, diagnosis = build_problem(tender, profiles, companies, graph, g)
    if problem is None:
        return [], diagnosis
    found = solve_cpsat(problem, teams=teams, time_limit_s=time_limit_s)
    relaxed = False
    if not found and problem.place:  # nobody together serves every municipality: ask only for reach
        problem.place, problem.serves = [], problem.serves[:, :0]
        found, relaxed = solve_cpsat(problem, teams=teams, time_limit_s=time_limit_s), True
    names = {p.pk: p.name for p in profiles}
    context = _Context(tender, problem, diagnosis, names, graph, g, relaxed)
    return [_suggestion(context, team) for team in found], diagnosis


@dataclass(frozen=True, slots=True)
class _Context:
    """What the wording of a tender's suggestions needs."""

    tender: Tender
    problem: ConsortiumProblem
    diagnosis: Diagnosis
    names: dict[int, str]
    graph: nx.Graph
    g: Gazetteer
    relaxed: bool


def _suggestion(context: _Context, team: Team) -> Suggestion:
    """Turn a solver team into a suggestion with its Swedish reasons."""
    tender, candidates, diagnosis = context.tender, context.problem.candidates, context.diagnosis
    names, graph, g, relaxed = context.names, context.graph, context.g, context.relaxed
    members = [candidates[i] for i in team.members]
    able = {key: [candidates[i] for i in who] for key, who in team.coverage.items()}
    work = divide_work(tender, context.problem, team)
    coverage = {key: [candidates[i] for i in who] for key, who in work.items()}
    reasons = ["Ingen enskild leverantör klarar upphandlingen: " + "; ".join(diagnosis.why)]
    parts = [f"{tender.labels[key]} – {join_sv([names[pk] for pk in who])}" for key, who in coverage.items()]
    reasons.append("Så kan ni dela upp arbetet: " + "; ".join(parts))
    links = []
    for a, b in team.links:
        pa, pb = candidates[a], candidates[b]
        for kind, _weight, note in graph.edges[pa, pb].get("links", []):
            text = f"{names[pa]} och {names[pb]} {LINK_KINDS.get(kind, kind)}"
            links.append(text + (f" ({note})" if note else ""))
    reasons += links or ["Ni har inga tidigare band i nätverket – en ny kontakt att ta"]
    if tender.value is not None:
        reasons.append(f"Sammanlagd kapacitet {sek(team.capacity)} räcker för värdet {sek(tender.value)}")
    if relaxed:
        reasons.append(
            f"Ingen kombination finns i hela {tender.place.label}; alla når dit inom rimligt avstånd"
        )
    elif tender.place.known:
        reasons.append(f"Tillsammans finns ni där arbetet utförs: {tender.place.label}")
    if diagnosis.unserved:
        missing = join_sv([g.name(code) for code in diagnosis.unserved[:5]])
        more = " m.fl." if len(diagnosis.unserved) > 5 else ""
        reasons.append(f"Ingen i registret finns i {missing}{more}")
    details = {
        "fit": round(team.fit, 4),
        "link_weight": round(team.link_weight, 3),
        "size": len(members),
        "capacity_sek": team.capacity,
        "value_sek": tender.value,
        "requirements": {key: tender.labels[key] for key in tender.keys},
        "able": able,
        "why_needed": diagnosis.why,
        "place": tender.place.label,
        "place_relaxed": relaxed,
        "unserved": diagnosis.unserved,
        "score_formula": "0,85 × passning + 0,15 × länkar (högst medlemmar − 1) − 0,16 × (medlemmar − 2)",
        "breakdown": (
            f"passning {decimal(team.fit)}, länkar {decimal(team.link_weight)}, {len(members)} medlemmar"
        ),
    }
    return Suggestion(tender, team, members, coverage, reasons, details)


def divide_work(tender: Tender, problem: ConsortiumProblem, team: Team) -> dict[str, list[int]]:
    """Propose who does what, in candidate indices.

    The largest parts go first, each to the best member with room for it; a member left without
    work shares the part it fits best.
    """
    values = {key: item.value for key, item in zip(tender.keys, tender.items, strict=True)}
    if tender.lot_id is not None or len(tender.keys) == 1 or tender.items[0].lot_id is None:
        values = dict.fromkeys(tender.keys)  # branch parts have no value of their own
    room = {m: float(problem.capacity[m]) for m in team.members}
    order = sorted(tender.keys, key=lambda key: -(values[key] or 0.0))
    work: dict[str, list[int]] = {}
    for key in order:
        able = team.coverage[key]
        value = values[key]
        fitting = [m for m in able if value is None or room[m] >= value]
        choice = (fitting or sorted(able, key=lambda m: -room[m]))[0]
        work[key] = [choice]
        room[choice] -= value or 0.0
    short = {key: -room[who[0]] if values[key] is not None else 0.0 for key, who in work.items()}
    for m in team.members:
        if any(m in who for who in work.values()):
            continue
        able = [key for key in order if m in team.coverage[key]]
        if able:  # join the part that is most short of capacity (the first one it can do on a tie)
            share = max(able, key=lambda key: (short[key], -order.index(key)))
            work[share].append(m)
            short[share] -= float(problem.capacity[m])
    return {key: work[key] for key in tender.keys}


def suggest_for_open_notices(
    session: Session,
    run: Any,
    *,
    notice_pks: Sequence[int] | None = None,
    teams: int = TEAMS_PER_TENDER,
    store: bool = True,
) -> ConsortiumSummary:
    """Search teams for every tender of a matching run (or of the given notices) and store them."""
    started = datetime.now(UTC)
    g = gazetteer()
    profiles: list[CompanyProfile] = list(run.profiles)
    summary = ConsortiumSummary()
    if not profiles:
        return summary
    companies = company_arrays(profiles, g)
    graph = network_graph(session, [p.pk for p in profiles])
    items = [i for i in run.items if notice_pks is None or i.notice_pk in set(notice_pks)]
    for tender in tenders_of(items):
        summary.tenders += 1
        suggestions, diagnosis = suggest_teams(tender, profiles, companies, graph, g, teams=teams)
        summary.needing_team += diagnosis.needed
        summary.with_team += bool(suggestions)
        summary.suggestions += suggestions
        if store:
            _store(session, tender, suggestions, summary)
    session.flush()
    summary.seconds = (datetime.now(UTC) - started).total_seconds()
    return summary


def _store(
    session: Session, tender: Tender, suggestions: list[Suggestion], summary: ConsortiumSummary
) -> None:
    """Upsert a tender's suggestions by team; drop proposed teams that no longer come out."""
    query = select(ConsortiumSuggestion).where(ConsortiumSuggestion.notice_pk == tender.notice_pk)
    lot = ConsortiumSuggestion.lot_id
    query = query.where(lot.is_(None) if tender.lot_id is None else lot == tender.lot_id)
    stored = {tuple(sorted(s.member_pks)): s for s in session.scalars(query)}
    for suggestion in suggestions:
        key = tuple(sorted(suggestion.member_pks))
        values = {
            "coverage": suggestion.coverage,
            "score": suggestion.team.score,
            "reasons": suggestion.reasons,
            "details": suggestion.details,
            "solver": suggestion.team.solver,
        }
        row = stored.pop(key, None)
        if row is None:
            row = ConsortiumSuggestion(notice_pk=tender.notice_pk, lot_id=tender.lot_id,
                                       member_pks=list(suggestion.member_pks), status="proposed", **values)
            session.add(row)
            session.flush()
            session.add(ConsortiumEvent(suggestion_pk=row.id, action="proposed", actor=SYSTEM_ACTOR))
            summary.created += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            summary.updated += 1
        else:
            summary.unchanged += 1
    for row in stored.values():
        if row.status == "proposed":
            session.delete(row)
            summary.removed += 1


def set_status(
    session: Session, suggestion_id: int, status: str, actor: str, note: str | None = None
) -> ConsortiumSuggestion:
    """Accept, dismiss or re-propose a suggestion, recording who did it; the caller commits."""
    if status not in STATUSES:
        raise ConsortiumError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    if not actor.strip():
        raise ConsortiumError("say who changes the status (e.g. --by 'Anna, Coompanion Norrbotten')")
    row = session.get(ConsortiumSuggestion, suggestion_id)
    if row is None:
        raise ConsortiumError(
            f"no consortium suggestion {suggestion_id}: list them with `anbudsradar consortia NOTICE_ID`"
        )
    now = datetime.now(UTC)
    row.status, row.changed_by, row.changed_at = status, actor.strip(), now
    if note:
        row.note = note
    session.add(ConsortiumEvent(suggestion_pk=row.id, action=status, actor=actor.strip(), note=note, at=now))
    session.flush()
    return row


def find_notice(session: Session, ident: str) -> Notice:
    """Return a notice by its database id, its published notice id or its procedure id."""
    ident = ident.strip()
    # Only ASCII digits within the id column's 32-bit range are database ids: a longer number is no
    # id (SQLite overflowed on it) and "²" passes isdigit() but not int().
    is_id = ident.isascii() and ident.isdigit() and int(ident) <= MAX_NOTICE_PK
    notice = session.get(Notice, int(ident)) if is_id else None
    for column in (Notice.notice_id, Notice.procedure_id):
        if notice is None:
            notice = session.scalars(select(Notice).where(column == ident).order_by(Notice.id)).first()
    if notice is None:
        raise ConsortiumError(
            f"no notice {ident!r}: give the database id or the notice id shown by `anbudsradar match`"
        )
    return notice


def suggest_for_notice(
    session: Session, notice: Notice, now: datetime | None = None, teams: int = TEAMS_PER_TENDER
) -> ConsortiumSummary:
    """Search and store teams for one notice and its lots (only while it is open)."""
    from matcher.matching import load_profiles  # noqa: PLC0415 - matching imports this module

    now = now or datetime.now(UTC)
    settings, g = MatchSettings(), gazetteer()
    ensure_municipalities(session, g)
    tags = load_tags(session, [notice.id])
    items = build_items([notice], tags, now, settings, g)
    run = _Run(load_profiles(session), items)
    return suggest_for_open_notices(session, run, teams=teams)


@dataclass(slots=True)
class _Run:
    """The part of a matching run that the consortium search reads."""

    profiles: list[CompanyProfile]
    items: list[Item]


def stored_suggestions(session: Session, notice_pk: int) -> list[ConsortiumSuggestion]:
    """Return the stored suggestions of a notice, best first within each lot."""
    query = select(ConsortiumSuggestion).where(ConsortiumSuggestion.notice_pk == notice_pk)
    rows = list(session.scalars(query))
    rows.sort(key=lambda s: (s.lot_id or "", -s.score, s.id))
    return rows


def greedy_team(tender: Tender, profiles: Sequence[CompanyProfile], graph: nx.Graph,
                g: Gazetteer | None = None) -> Team | None:
    """Return the greedy heuristic's team for a tender (for comparison with CP-SAT)."""
    g = g or gazetteer()
    problem, _ = build_problem(tender, profiles, company_arrays(profiles, g), graph, g)
    return None if problem is None else solve_greedy(problem)

