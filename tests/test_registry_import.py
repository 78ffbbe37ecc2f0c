"""The company registry: organisation numbers, CSV/YAML import with line-numbered errors, export, network."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from anbudsradar.samples.companies import companies_csv, network_csv, org_number
from matcher.registry import (
    RegistryFileError,
    export_companies,
    import_companies,
    import_company_data,
    iter_companies,
)
from matcher.registry_fields import OrgNumberError, as_amount, as_share, luhn_ok, normalise_org_number
from matcher.registry_network import import_network_data, network_graph
from models import Company, Municipality, NetworkLink
from models.db import database
from tests.conftest import REPO_ROOT

TEMPLATE = REPO_ROOT / "docs" / "companies-template.csv"
HEADER = "org_number,name,branches,area_municipalities,integration_share,max_contract_value_sek\n"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    with database(f"sqlite:///{tmp_path / 'registry.db'}") as sessions, sessions() as db_session:
        yield db_session


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("556012-5790", "5560125790"),  # Volvo AB, written the usual way
        ("5560125790", "5560125790"),
        (" 556012 5790 ", "5560125790"),
        ("16556012-5790", "5560125790"),  # with the 16 prefix of legal entities
        ("969999-0017", "9699990017"),
    ],
)
def test_valid_organisation_numbers_are_normalised(text: str, digits: str) -> None:
    assert normalise_org_number(text) == digits


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("556012-5791", "wrong check digit"),
        ("556012-579", "is not 10 digits"),
        ("55601257900", "is not 10 digits"),
        ("ABC012-5790", "is not 10 digits"),
        ("", "is not 10 digits"),
    ],
)
def test_invalid_organisation_numbers_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(OrgNumberError, match=words) as caught:
        normalise_org_number(text)
    assert repr(text) in str(caught.value)


def test_demo_organisation_numbers_are_luhn_valid_and_fictional() -> None:
    numbers = [org_number(serial) for serial in range(1, 31)]
    assert all(luhn_ok(n) and n.startswith("969999") for n in numbers)
    assert len(set(numbers)) == 30


@pytest.mark.parametrize(
    ("text", "amount"),
    [("1500000", 1_500_000), ("1 500 000", 1_500_000), ("1,5 mnkr", 1_500_000), ("800 tkr", 800_000),
     ("", None), (2_000_000, 2_000_000)],
)
def test_amounts_in_swedish_notation(text: object, amount: float | None) -> None:
    assert as_amount(text) == amount


@pytest.mark.parametrize(
    ("text", "share"), [("45 %", 0.45), ("45", 0.45), ("0.45", 0.45), ("0,3", 0.3), ("30%", 0.3), ("", None)]
)
def test_integration_share_as_percent_or_fraction(text: str, share: float | None) -> None:
    assert as_share(text) == pytest.approx(share) if share is not None else as_share(text) is None


def test_template_imports_cleanly_and_loads_the_municipalities(session: Session) -> None:
    report = import_companies(session, TEMPLATE)
    assert (report.created, report.errors) == (3, [])
    assert session.scalar(select(func.count()).select_from(Municipality)) == 290
    laundry = session.scalars(select(Company).where(Company.name.startswith("Tvätteriet"))).one()
    assert laundry.area_counties == ["25"] and laundry.branches == ["laundry", "textiles"]
    assert laundry.digest_language == "en" and laundry.fictional is True


def test_every_bad_row_is_reported_with_its_line_and_good_rows_are_imported(session: Session) -> None:
    data = (
        "# a comment line\n"
        + HEADER
        + "556012-5790,Bra Städ,cleaning,Luleå,40 %,1 mnkr\n"  # line 3: good
        + "556012-5791,Fel Kontroll,cleaning,Luleå,40 %,\n"  # line 4: Luhn
        + "969999-0017,Okänd Bransch,sweeping,Luleå,,\n"  # line 5: branch
        + "969999-0025,Okänd Kommun,cleaning,Gotham,,\n"  # line 6: municipality
        + "969999-0033,,cleaning,Luleå,150 %,\n"  # line 7: name and share
        + "969999-0041,Inget Område,cleaning,,,\n"  # line 8: no area
        + "969999-0058,Gott Café,catering,Piteå; 2582,0.5,600 tkr\n"  # line 9: good
        + "556012-5790,Dubblett,cleaning,Luleå,,\n"  # line 10: duplicate of line 3
    ).encode()
    report = import_company_data(session, data, "companies.csv")
    assert report.created == 2
    problems = {p.line: str(p) for p in report.errors}
    assert sorted(problems) == [4, 5, 6, 7, 8, 10]
    assert "companies.csv:4 (556012-5791): org_number" in problems[4] and "check digit" in problems[4]
    assert "unknown branch 'sweeping'" in problems[5] and "cleaning" in problems[5]
    assert "unknown municipality 'Gotham'" in problems[6]
    assert "name: missing" in problems[7] and "integration_share" in problems[7]
    assert "no service area" in problems[8]
    assert "same organisation number as line 3" in problems[10]
    cafe = session.scalars(select(Company).where(Company.org_number == "9699990058")).one()
    assert cafe.area_municipalities == ["2581", "2582"] and cafe.max_contract_value_sek == 600_000


def test_import_is_idempotent_and_updates_by_organisation_number(session: Session) -> None:
    data = (HEADER + "556012-5790,Bra Städ,cleaning,Luleå,40 %,1000000\n").encode()
    assert import_company_data(session, data, "a.csv").created == 1
    again = import_company_data(session, data, "a.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = (HEADER + "5560125790,Bra Städ,cleaning; property_care,Luleå,40 %,1000000\n").encode()
    report = import_company_data(session, changed, "a.csv")
    assert (report.created, report.updated) == (0, 1)
    company = session.scalars(select(Company)).one()
    assert company.branches == ["cleaning", "property_care"]


def test_columns_absent_from_the_file_keep_their_values(session: Session) -> None:
    first = HEADER + "556012-5790,Bra Städ,cleaning,Luleå,40 %,1000000\n"
    import_company_data(session, first.encode(), "a.csv")
    short = b"org_number,name,branches\n556012-5790,Bra St\xc3\xa4d AB,cleaning\n"
    assert import_company_data(session, short, "b.csv").updated == 1
    company = session.scalars(select(Company)).one()
    assert company.name == "Bra Städ AB" and company.area_municipalities == ["2580"]
    assert company.integration_share == pytest.approx(0.4)


def test_semicolon_separated_csv_from_swedish_excel(session: Session) -> None:
    data = "org_number;name;branches;area_counties\n556012-5790;Bra Städ;cleaning, laundry;Norrbotten\n"
    report = import_company_data(session, data.encode("utf-8-sig"), "excel.csv")
    assert report.errors == [] and report.created == 1
    assert session.scalars(select(Company)).one().branches == ["cleaning", "laundry"]


def test_yaml_import_reports_the_line_of_each_bad_company(session: Session) -> None:
    data = (
        "companies:\n"
        "  - org_number: 556012-5790\n"
        "    name: Bra Städ\n"
        "    branches: [cleaning]\n"
        "    area_municipalities: [Luleå, Boden]\n"
        "  - org_number: 556012-5791\n"
        "    name: Fel\n"
        "    branches: [cleaning]\n"
        "    area_counties: [25]\n"
    ).encode()
    report = import_company_data(session, data, "companies.yaml")
    assert report.created == 1
    assert [(p.line, p.org_number) for p in report.errors] == [(6, "556012-5791")]


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"name,branches\nX,cleaning\n", "x.csv", "lacks the column(s) org_number"),
        (b"", "x.csv", "empty file"),
        (b"\xff\xfe\x00", "x.csv", "not UTF-8"),
        (b"a: [", "x.yaml", "not valid YAML"),
        (b"a: 1", "x.yaml", "expected a list"),
        (b"{}", "x.json", "unknown file type .json"),
    ],
)
def test_unreadable_files_are_named_with_what_to_do(
    session: Session, data: bytes, name: str, words: str
) -> None:
    with pytest.raises(RegistryFileError, match=re.escape(words)) as caught:
        import_company_data(session, data, name)
    assert name in str(caught.value)


def test_export_round_trips_through_import(session: Session) -> None:
    assert import_company_data(session, companies_csv().encode(), "demo.csv").created == 30
    exported = io.StringIO()
    assert export_companies(list(iter_companies(session)), exported) == 30
    again = import_company_data(session, exported.getvalue().encode(), "export.csv")
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 30, [])


def test_network_import_is_idempotent_and_reports_bad_links(session: Session) -> None:
    import_company_data(session, companies_csv().encode(), "demo.csv")
    first = import_network_data(session, network_csv().encode(), "network.csv")
    assert (first.created, first.errors) == (20, [])
    again = import_network_data(session, network_csv().encode(), "network.csv")
    assert (again.created, again.unchanged) == (0, 20)
    bad = (
        "org_a,org_b,kind,weight\n"
        f"{org_number(1)},{org_number(1)},network,1\n"
        f"{org_number(1)},556012-5790,joint_bid,1\n"
        f"{org_number(1)},{org_number(2)},friendship,1\n"
        f"{org_number(1)},{org_number(2)},gemensamt anbud,-2\n"
        f"{org_number(2)},{org_number(1)},gemensamt anbud,2\n"
    ).encode()
    report = import_network_data(session, bad, "links.csv")
    problems = {p.line: p.message for p in report.errors}
    assert sorted(problems) == [2, 3, 4, 5]
    assert "same company" in problems[2]
    assert "no company 5560125790" in problems[3]
    assert "'friendship' is not one of" in problems[4]
    assert "weight" in problems[5]
    assert report.created == 1  # line 6: the pair in the other order, a new kind
    assert session.scalar(select(func.count()).select_from(NetworkLink)) == 21
    graph = network_graph(session)
    a, b = (session.scalar(select(Company.id).where(Company.org_number == org_number(n))) for n in (1, 2))
    assert graph.edges[a, b]["weight"] == 3.0
    assert sorted(kind for kind, _, _ in graph.edges[a, b]["links"]) == ["joint_bid", "network"]


# Bad files that ended in a raw exception, or lost rows without a word, before; each now rejects
# only what is bad, says where, and imports the rest.
GOOD_ROW = "556012-5790,Bra Städ,cleaning,Luleå,,\n"
OTHER_ROW = "969999-0058,Gott Café,catering,Piteå,,\n"


def test_csv_with_old_mac_line_endings_is_read(session: Session) -> None:
    data = (HEADER + GOOD_ROW + OTHER_ROW).replace("\n", "\r").encode()  # was a raw csv.Error
    report = import_company_data(session, data, "mac.csv")
    assert (report.created, report.errors) == (2, [])


def test_a_csv_line_that_cannot_be_read_is_rejected_alone(session: Session) -> None:
    data = (
        HEADER
        + GOOD_ROW  # line 2
        + f'969999-0017,"{"x" * 200_000}",cleaning,Luleå,,\n'  # line 3: beyond the csv module's limit
        + OTHER_ROW  # line 4
        + '969999-0041,"Föreningen "Hela" Människan",cleaning,Luleå,,\n'  # line 5: was mangled silently
        + '969999-0025,"Öppet citat,cleaning,Luleå,,\n'  # line 6: the quote swallows what follows
        + "969999-0033,Sist,cleaning,Luleå,,\n"
    ).encode()
    report = import_company_data(session, data, "companies.csv")  # was a raw csv.Error
    assert report.created == 2
    problems = {p.line: p.message for p in report.errors}
    assert problems == {
        3: "a cell is longer than 131072 characters",
        5: "not a CSV line (',' expected after '\"'): remove what follows a closing quote (\"), or put the "
        "whole cell in quotes and double the quotes inside it",
        6: 'a quote (") opened on line 6 is never closed, so every line after it was read as one cell; '
        "close the quote or remove it",
    }


def test_a_key_given_twice_in_a_yaml_entry_rejects_that_entry(session: Session) -> None:
    data = (
        "- {org_number: 556012-5790, name: Bra Städ, branches: cleaning, area_counties: 25, name: Annat}\n"
        "- {org_number: 969999-0017, name: Ett, Name: Två, branches: cleaning, area_counties: 25}\n"
        "- {org_number: 969999-0058, name: Gott Café, branches: catering, area_counties: 25}\n"
    ).encode()
    report = import_company_data(session, data, "companies.yaml")  # PyYAML kept the last value
    assert report.created == 1
    assert [(p.line, p.message, p.message_sv) for p in report.errors] == [
        (1, "name is given twice; keep one", "name anges två gånger; behåll en"),
        (2, "name is given twice; keep one", "name anges två gånger; behåll en"),
    ]
    assert report.errors[1].org_number == "969999-0017"


def test_a_nul_character_rejects_its_row_and_the_others_are_stored(database_url: str) -> None:
    csv_data = (HEADER + GOOD_ROW.replace("Bra Städ", "Bra\x00Städ") + OTHER_ROW).encode()
    yaml_data = (
        '- {org_number: 969999-0017, name: "Noll\\0Byte", branches: cleaning, area_counties: 25}\n'
        '- {org_number: 969999-0025, name: Städ, branches: cleaning, keywords: [a, "b\\0"],'
        " area_counties: 25}\n"
    ).encode()
    with database(database_url) as sessions, sessions() as session:  # PostgreSQL refused the whole file
        from_csv = import_company_data(session, csv_data, "companies.csv")
        from_yaml = import_company_data(session, yaml_data, "companies.yaml")
        session.commit()
        names = set(session.scalars(select(Company.name)))
    assert names == {"Gott Café"}
    assert [str(p) for p in from_csv.errors] == [
        "companies.csv:2 (556012-5790): name: a NUL character (\\0) in the value; remove it (the file may be "
        "damaged)"
    ]
    assert from_csv.errors[0].message_sv.startswith("name: ett NUL-tecken (\\0) i värdet; ta bort det")
    assert [(p.line, p.message.split(":")[0]) for p in from_yaml.errors] == [(1, "name"), (2, "keywords")]


def test_organisation_numbers_in_other_digits_are_refused() -> None:
    with pytest.raises(OrgNumberError, match="is not 10 digits"):  # was stored as '５５６０１２５７９０'
        normalise_org_number("５５６０１２-５７９０")


@given(
    text=st.text(alphabet="abc,;\"'#:-[]{}&*!|>?\n\r\t\x00 5åÄ", max_size=80),
    suffix=st.sampled_from([".csv", ".yaml"]),
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_file_gives_a_report_or_a_file_error(session: Session, text: str, suffix: str) -> None:
    header = "org_number,name,branches,area_counties\n" if suffix == ".csv" else ""
    try:
        report = import_company_data(session, (header + text).encode(), f"fuzz{suffix}")
    except RegistryFileError as exc:
        assert str(exc).startswith(f"fuzz{suffix}") and exc.text.sv
    else:
        assert all(problem.message and problem.message_sv for problem in report.errors)
    finally:
        session.rollback()
