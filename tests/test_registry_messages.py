"""The company registry's messages: English on the command line, Swedish for the coordinator's web pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from anbudsradar.cli import main
from anbudsradar.samples.companies import companies_csv, org_number
from matcher.areas import Gazetteer, gazetteer
from matcher.registry import RegistryError, RegistryFileError, import_company_data
from matcher.registry_fields import (
    COLUMNS,
    FieldValueError,
    OrgNumberError,
    RowError,
    Text,
    normalise_org_number,
    validate_company,
)
from matcher.registry_network import import_network_data
from models.db import database

GOOD_ROW = {
    "org_number": "556012-5790",
    "name": "Bra Städ",
    "branches": "cleaning",
    "area_municipalities": "Luleå",
}
BRANCH_CODES = (
    "cleaning, catering, retail, care, laundry, grounds, snow_streets, textiles, printing, removals_courier, "
    "recycling, carpentry, property_care, packaging_mailing, it_refurbishing, vehicle_care"
)
ALL_COLUMNS = (
    "org_number, name, legal_form, contact_emails, branches, keywords, area_municipalities, area_counties, "
    "area_radius_km, area_centre, employees, max_contract_value_sek, yearly_turnover_sek, integration_share, "
    "networks, digest_language, digest_frequency, digest_min_score, digest_paused, active, fictional"
)

# (cells replacing those of GOOD_ROW, the English message exactly as the command line has always printed
# it, words the Swedish message must have); at least one row for each parser and each cross-column check
BAD_CELLS: list[tuple[dict[str, str], str, str]] = [
    (
        {"org_number": "556012-5791"},
        "org_number: organisation number '556012-5791' has a wrong check digit (Luhn): check the number on "
        "allabolag.se or with Bolagsverket",
        "org_number: organisationsnumret '556012-5791' har fel kontrollsiffra (Luhn): kontrollera numret på "
        "allabolag.se eller hos Bolagsverket",
    ),
    (
        {"org_number": "556012-579"},
        "org_number: organisation number '556012-579' is not 10 digits: write it as NNNNNN-NNNN, "
        "e.g. 556012-5790",
        "organisationsnumret '556012-579' har inte 10 siffror: skriv det som NNNNNN-NNNN",
    ),
    ({"name": " "}, "name: missing: give the company's name", "name: saknas: ange företagets namn"),
    ({"name": "x" * 301}, "name: longer than 300 characters", "name: längre än 300 tecken"),
    ({"legal_form": "y" * 101}, "legal_form: longer than 100 characters", "legal_form: längre än 100 tecken"),
    (
        {"contact_emails": "a@b.se; info(at)b.se"},
        "contact_emails: not an email address: info(at)b.se",
        "contact_emails: ogiltig e-postadress: info(at)b.se",
    ),
    (
        {"contact_emails": "nej, x@y"},
        "contact_emails: not an email address: nej, x@y",
        "contact_emails: ogiltiga e-postadresser: nej, x@y",
    ),
    (  # the domain cannot take mail: a digest sent there would never arrive
        {"contact_emails": "info@städ.se; a@b..se; c@-d.se"},
        "contact_emails: not an email address: a@b..se, c@-d.se",
        "contact_emails: ogiltiga e-postadresser: a@b..se, c@-d.se",
    ),
    (
        {"branches": "städ"},
        f"branches: unknown branch 'städ': use the codes {BRANCH_CODES}",
        f"branches: okänd bransch 'städ': använd koderna {BRANCH_CODES}",
    ),
    (
        {"branches": ""},
        "branches: missing: give at least one branch code, e.g. cleaning (see docs/companies.md)",
        "branches: saknas: ange minst en branschkod, t.ex. cleaning (se docs/companies.md)",
    ),
    (
        {"area_municipalities": "Lulea"},
        "area_municipalities: unknown municipality 'Lulea': use a four-digit code (2580) or a name (Luleå)",
        "area_municipalities: okänd kommun 'Lulea': ange en kod med fyra siffror (2580) eller ett namn "
        "(Luleå)",
    ),
    (
        {"area_counties": "99"},
        "area_counties: unknown county '99': use a two-digit code (25) or a name (Norrbotten)",
        "area_counties: okänt län '99': ange en kod med två siffror (25) eller ett namn (Norrbotten)",
    ),
    (
        {"area_radius_km": "3000", "area_centre": "Luleå"},
        "area_radius_km: '3000' km is not between 0 and 2000",
        "area_radius_km: '3000' km ligger inte mellan 0 och 2000",
    ),
    (
        {"area_radius_km": "tio", "area_centre": "Luleå"},
        "area_radius_km: could not convert string to float: 'tio'",
        "area_radius_km: 'tio' är inget tal",
    ),
    (
        {"area_centre": "Gotham"},
        "area_centre: unknown municipality 'Gotham': use a four-digit code (2580) or a name (Luleå)",
        "area_centre: okänd kommun 'Gotham': ange en kod med fyra siffror (2580) eller ett namn (Luleå)",
    ),
    (
        {"area_radius_km": "30"},
        "area_radius_km: a radius needs area_centre (the municipality it is measured from)",
        "area_radius_km: en radie kräver area_centre (kommunen som radien mäts från)",
    ),
    (
        {"area_municipalities": ""},
        "no service area: give area_municipalities (e.g. Luleå; Boden), area_counties (e.g. 25) "
        "or area_centre with area_radius_km",
        "inget verksamhetsområde: ange area_municipalities (t.ex. Luleå; Boden)",
    ),
    (
        {"employees": "2.5"},
        "employees: '2.5' is not a whole number of employees",
        "employees: '2.5' är inte ett helt antal anställda",
    ),
    (
        {"employees": "inf"},  # was an OverflowError that escaped the row check
        "employees: 'inf' is not a whole number of employees",
        "employees: 'inf' är inte ett helt antal anställda",
    ),
    (
        {"employees": "många"},
        "employees: could not convert string to float: 'många'",
        "employees: 'många' är inget tal",
    ),
    (
        {"max_contract_value_sek": "mycket"},
        "max_contract_value_sek: 'mycket' is not an amount (write e.g. 1500000, 1,5 mnkr or 800 tkr)",
        "max_contract_value_sek: 'mycket' är inget belopp (skriv t.ex. 1500000, 1,5 mnkr eller 800 tkr)",
    ),
    (
        {"max_contract_value_sek": "1.2.3"},
        "max_contract_value_sek: could not convert string to float: '1.2.3'",
        "max_contract_value_sek: '1.2.3' är inget tal",
    ),
    (
        {"yearly_turnover_sek": "-5 tkr"},
        "yearly_turnover_sek: '-5 tkr' is negative",
        "yearly_turnover_sek: '-5 tkr' är ett negativt belopp",
    ),
    (
        {"integration_share": "hälften"},
        "integration_share: 'hälften' is not a share (write e.g. 45 % or 0.45)",
        "integration_share: 'hälften' är ingen andel (skriv t.ex. 45 % eller 0,45)",
    ),
    (
        {"integration_share": "150 %"},
        "integration_share: '150 %' is not between 0 and 100 %",
        "integration_share: '150 %' ligger inte mellan 0 och 100 %",
    ),
    (
        {"digest_language": "de"},
        "digest_language: 'de' is not one of sv, en",
        "digest_language: 'de' är inget av värdena sv, en",
    ),
    (
        {"digest_frequency": "daily"},
        "digest_frequency: 'daily' is not one of weekly, monthly, never",
        "digest_frequency: 'daily' är inget av värdena weekly, monthly, never",
    ),
    (
        {"digest_min_score": "2"},
        "digest_min_score: '2' is not between 0 and 1",
        "digest_min_score: '2' ligger inte mellan 0 och 1",
    ),
    (
        {"digest_min_score": "hög"},
        "digest_min_score: could not convert string to float: 'hög'",
        "digest_min_score: 'hög' är inget tal",
    ),
    (
        {"digest_paused": "kanske"},
        "digest_paused: 'kanske' is not yes or no (write ja/nej, yes/no, 1/0)",
        "digest_paused: 'kanske' är varken ja eller nej (skriv ja/nej, yes/no, 1/0)",
    ),
    (
        {"active": "?"},
        "active: '?' is not yes or no (write ja/nej, yes/no, 1/0)",
        "active: '?' är varken ja eller nej",
    ),
    (
        {"fictional": "2"},
        "fictional: '2' is not yes or no (write ja/nej, yes/no, 1/0)",
        "fictional: '2' är varken ja eller nej",
    ),
    (
        {"colour": "red"},
        f"unknown column(s) colour: the columns are {ALL_COLUMNS}",
        f"okänd kolumn colour: kolumnerna är {ALL_COLUMNS}",
    ),
    (
        {"colour": "red", "size": "L"},
        f"unknown column(s) colour, size: the columns are {ALL_COLUMNS}",
        f"okända kolumner colour, size: kolumnerna är {ALL_COLUMNS}",
    ),
]

# "Billion laughs": each anchor repeats the one before nine times, 9**7 strings from 300 bytes.
ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
for _old, _new in zip("abcdef", "bcdefg", strict=True):
    ALIAS_BOMB += f"{_new}: &{_new} [{', '.join([f'*{_old}'] * 9)}]\n"
ALIAS_BOMB += "companies: [*g]\n"


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    return gazetteer()


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    with database(f"sqlite:///{tmp_path / 'registry.db'}") as sessions, sessions() as db_session:
        yield db_session


def row_error(cells: dict[str, str], g: Gazetteer) -> RowError:
    """Validate GOOD_ROW with `cells` and return the error it must raise."""
    with pytest.raises(RowError) as caught:
        validate_company({**GOOD_ROW, **cells}, g)
    return caught.value


def test_the_good_row_is_valid(g: Gazetteer) -> None:
    assert validate_company(GOOD_ROW, g).area_municipalities == ["2580"]


@pytest.mark.parametrize(
    ("cells", "english", "swedish"), BAD_CELLS, ids=[",".join(sorted(c[0])) for c in BAD_CELLS]
)
def test_every_problem_has_its_english_text_unchanged_and_a_swedish_one(
    cells: dict[str, str], english: str, swedish: str, g: Gazetteer
) -> None:
    error = row_error(cells, g)
    assert str(error) == english  # what `anbudsradar companies import` prints
    assert error.problems == [error.text]
    problem = error.problems[0]
    assert problem.en == english and problem.in_language("en") == english and str(problem) == english
    assert problem.sv.strip() and problem.sv != problem.en and problem.in_language("sv") == problem.sv
    assert swedish in problem.sv
    column = english.split(": ", 1)[0]
    if column in COLUMNS:  # column names are the CSV header's and stay English
        assert problem.sv.startswith(f"{column}: ")


def test_several_problems_of_a_row_are_joined_in_each_language(g: Gazetteer) -> None:
    error = row_error({"name": "", "branches": "städ", "employees": "2.5"}, g)
    assert [p.en.split(":")[0] for p in error.problems] == ["name", "branches", "employees"]
    assert str(error) == "; ".join(p.en for p in error.problems)
    assert error.text.sv == "; ".join(p.sv for p in error.problems)
    assert error.text.sv.startswith("name: saknas: ange företagets namn; branches: okänd bransch 'städ'")
    assert all(p.sv and p.sv != p.en for p in error.problems)


def test_organisation_number_errors_stay_value_and_registry_errors_in_both_languages() -> None:
    with pytest.raises(OrgNumberError) as caught:
        normalise_org_number("556036-0794")
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, RegistryError)
    assert isinstance(error, FieldValueError)
    assert str(error) == error.text.en and "wrong check digit" in str(error)
    assert error.text.sv == (
        "organisationsnumret '556036-0794' har fel kontrollsiffra (Luhn): kontrollera numret på "
        "allabolag.se eller hos Bolagsverket"
    )


def test_text_keeps_prefixes_and_joins_per_language() -> None:
    joined = Text.join([Text("a", "b").prefixed("x: "), Text("c", "d")])
    assert joined == Text("x: a; c", "x: b; d") and str(joined) == "x: a; c"
    assert joined.in_language("sv") == "x: b; d" and joined.in_language("en") == "x: a; c"


@pytest.mark.parametrize(
    ("data", "name", "english", "swedish"),
    [
        (
            b"name,branches\nX,cleaning\n",
            "x.csv",
            "x.csv: the header lacks the column(s) org_number; copy the header of the template in docs/ "
            "(see docs/companies.md)",
            "x.csv: rubrikraden saknar kolumnen org_number; kopiera rubrikraden från mallen i docs/",
        ),
        (
            b"namn\nx\n",
            "x.csv",
            "x.csv: the header lacks the column(s) org_number, name, branches",
            "x.csv: rubrikraden saknar kolumnerna org_number, name, branches",
        ),
        (b"", "x.csv", "x.csv: empty file; start from docs/companies-template.csv", "x.csv: filen är tom"),
        (
            b"\xff\xfe\x00",
            "x.csv",
            "x.csv: not UTF-8 text (byte 0); save the file as UTF-8 (CSV UTF-8 in Excel)",
            "x.csv: inte UTF-8-text (byte 0); spara filen som UTF-8 (CSV UTF-8 i Excel)",
        ),
        (
            b"a: [",
            "x.yaml",
            "x.yaml: not valid YAML: line 1, column 5: expected the node content",
            "x.yaml: ogiltig YAML: rad 1, kolumn 5; kontrollera indrag",
        ),
        (
            b"- name: A\n  org_number: 1\n name: B\n",
            "x.yaml",
            "x.yaml: not valid YAML: line 3, column 2: ",
            "x.yaml: ogiltig YAML: rad 3, kolumn 2; ",
        ),
        (
            b"a: 1",
            "x.yaml",
            "x.yaml: expected a list of companies (or `companies:` with a list)",
            "x.yaml: filen ska innehålla en lista med företag",
        ),
        (
            b"{}",
            "x.json",
            "x.json: unknown file type .json; use .csv, .yaml or .yml",
            "x.json: okänd filtyp .json; använd .csv, .yaml eller .yml",
        ),
        (b"{}", "x", "x: unknown file type (none); use .csv, .yaml or .yml", "x: okänd filtyp (ingen)"),
        (
            b"org_number,name,branches,Name\n",
            "x.csv",
            "x.csv: the header has the column(s) name twice; keep one of each",
            "x.csv: rubrikraden har kolumnen name två gånger; behåll en av varje",
        ),
        (
            b'"org_number,name,branches\n',
            "x.csv",
            'x.csv:1: the header cannot be read: a quote (") opened on line 1 is never closed',
            'x.csv:1: rubrikraden kan inte läsas: ett citattecken (") som öppnas på rad 1 stängs aldrig',
        ),
        (  # was a RecursionError (a 500 page on the web)
            b"companies:\n- " + b"[" * 5000 + b"]" * 5000,
            "x.yaml",
            "x.yaml: refused: line 2, column 51: nested more than 50 levels deep",
            "x.yaml: vägras: rad 2, kolumn 51: mer än 50 nivåer djupt",
        ),
        (  # at nine levels, was minutes of work and gigabytes of memory
            ALIAS_BOMB.encode(),
            "x.yaml",
            "x.yaml: refused: line 6, column 8: aliases (*e) expand to more than 100000 values",
            "x.yaml: vägras: rad 6, kolumn 8: alias (*namn) som växer till mer än 100 000 värden; skriv ut "
            "värdena i stället",
        ),
    ],
)
def test_unreadable_files_are_explained_in_both_languages(
    session: Session, data: bytes, name: str, english: str, swedish: str
) -> None:
    with pytest.raises(RegistryFileError) as caught:
        import_company_data(session, data, name)
    error = caught.value
    assert str(error).startswith(english) and error.text.en == str(error)
    assert error.text.sv.startswith(swedish) and error.text.sv != error.text.en


def test_rejected_rows_name_file_line_and_number_in_both_languages(session: Session) -> None:
    data = (
        "org_number,name,branches,area_municipalities\n"
        "556012-5790,Bra Städ,cleaning,Luleå\n"
        "556012-5790,Bra Städ,cleaning,Luleå,extra\n"
        "556012-5790,Dubblett,cleaning,Luleå\n"
        "556036-0794,Fel Kontrollsiffra AB,cleaning,Luleå\n"
    ).encode()
    report = import_company_data(session, data, "foretag.csv")
    assert [str(p) for p in report.errors] == [
        "foretag.csv:3: 5 cells but the header has 4 columns",
        "foretag.csv:4 (556012-5790): the same organisation number as line 2",
        "foretag.csv:5 (556036-0794): org_number: organisation number '556036-0794' has a wrong check digit "
        "(Luhn): check the number on allabolag.se or with Bolagsverket",
    ]
    assert [p.text("en") for p in report.errors] == [str(p) for p in report.errors]
    assert [p.text("sv") for p in report.errors] == [
        "foretag.csv:3: 5 celler men rubrikraden har 4 kolumner",
        "foretag.csv:4 (556012-5790): samma organisationsnummer som rad 2",
        "foretag.csv:5 (556036-0794): org_number: organisationsnumret '556036-0794' har fel kontrollsiffra "
        "(Luhn): kontrollera numret på allabolag.se eller hos Bolagsverket",
    ]


def test_a_yaml_entry_that_is_not_a_mapping_is_explained_in_both_languages(session: Session) -> None:
    report = import_company_data(session, b"- 5\n", "foretag.yaml")
    assert [(p.message, p.message_sv) for p in report.errors] == [
        ("expected a mapping of column: value", "förväntade en mappning med kolumn: värde")
    ]


def test_unnamed_empty_columns_are_ignored_and_a_value_under_one_is_explained(session: Session) -> None:
    """Excel in Swedish often ends every line with ";;": columns without a name and without values."""
    good = f"{org_number(1)};Bra Städ;cleaning;Luleå;;"
    stray = f"{org_number(2)};Fint Kök;catering;Luleå;glömd;"
    data = f"org_number;name;branches;area_municipalities;;\n{good}\n{stray}\n".encode()
    report = import_company_data(session, data, "foretag.csv")
    assert report.created == 1
    assert [(p.line, p.message, p.message_sv) for p in report.errors] == [
        (
            3,
            "a value in column 5, which has no name in the header",
            "ett värde i kolumn 5, som saknar namn i rubrikraden",
        )
    ]


def test_a_yaml_value_that_cannot_be_read_rejects_its_entry_only(session: Session) -> None:
    data = (
        "- !!python/object:os.system {}\n"
        f"- {{org_number: '{org_number(1)}', name: Bra Städ, branches: cleaning, since: 2020-13-45}}\n"
        f"- {{org_number: '{org_number(2)}', name: Fint Kök, branches: catering,"
        " area_municipalities: Luleå}\n"
    )
    report = import_company_data(session, data.encode(), "foretag.yaml")
    assert report.created == 1
    assert [(p.line, p.message_sv.split(" (")[0]) for p in report.errors] == [
        (1, "ett värde kan inte läsas"),
        (2, "ett värde kan inte läsas"),
    ]
    assert "month must be in 1..12" in report.errors[1].message


def test_bad_network_links_are_explained_in_both_languages(session: Session) -> None:
    import_company_data(session, companies_csv().encode(), "demo.csv")
    bad = (
        "org_a,org_b,kind,weight\n"
        f"{org_number(1)},{org_number(1)},network,1\n"
        f"{org_number(1)},556012-5790,joint_bid,1\n"
        f"{org_number(1)},{org_number(2)},friendship,abc\n"
        f"{org_number(1)},556036-0794,network,1\n"
    ).encode()
    report = import_network_data(session, bad, "links.csv")
    english = {p.line: p.message for p in report.errors}
    swedish = {p.line: p.message_sv for p in report.errors}
    assert english == {
        2: "org_a and org_b are the same company",
        3: "org_b: no company 5560125790; import the companies first",
        4: "kind: 'friendship' is not one of network, joint_bid, subcontracting, shared_premises; "
        "weight: 'abc' is not a number above 0 and at most 10",
        5: "org_b: organisation number '556036-0794' has a wrong check digit (Luhn): check the number on "
        "allabolag.se or with Bolagsverket",
    }
    assert swedish == {
        2: "org_a och org_b är samma företag",
        3: "org_b: inget företag 5560125790; importera företagen först",
        4: "kind: 'friendship' är inget av värdena network, joint_bid, subcontracting, shared_premises; "
        "weight: 'abc' är inget tal över 0 och högst 10",
        5: "org_b: organisationsnumret '556036-0794' har fel kontrollsiffra (Luhn): kontrollera numret på "
        "allabolag.se eller hos Bolagsverket",
    }


def test_a_network_yaml_file_without_link_columns_is_explained_in_both_languages(session: Session) -> None:
    with pytest.raises(RegistryFileError) as caught:
        import_network_data(session, b"- org_a: 556012-5790\n", "links.yaml")
    assert str(caught.value) == (
        "links.yaml: the links need the column(s) org_b, kind; "
        "the columns are org_a, org_b, kind, weight, note"
    )
    assert caught.value.text.sv == (
        "links.yaml: länkarna behöver kolumnerna org_b, kind; kolumnerna är org_a, org_b, kind, weight, note"
    )


def test_the_command_line_prints_the_english_messages(tmp_path: Path) -> None:
    bad = tmp_path / "foretag.csv"
    bad.write_text(
        "org_number,name,branches,area_municipalities\n"
        "556036-0793,Fönsterputsarna i Piteå,cleaning,2581\n"
        "556036-0794,Fel Kontrollsiffra AB,städ,2581\n",
        encoding="utf-8",
    )
    env = {"ANBUDSRADAR_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    result = CliRunner().invoke(main, ["companies", "import", str(bad)], env=env, catch_exceptions=False)
    assert result.exit_code == 1
    assert (
        f"error: {bad}:3 (556036-0794): org_number: organisation number '556036-0794' has a wrong check "
        "digit (Luhn): check the number on allabolag.se or with Bolagsverket; branches: unknown branch "
        f"'städ': use the codes {BRANCH_CODES}\n"
    ) in result.output
    assert "kontrollsiffra" not in result.output and "okänd" not in result.output
    unreadable = tmp_path / "namn.csv"
    unreadable.write_text("namn\nx\n", encoding="utf-8")
    failed = CliRunner().invoke(
        main, ["companies", "import", str(unreadable)], env=env, catch_exceptions=False
    )
    assert failed.exit_code == 1
    assert f"{unreadable}: the header lacks the column(s) org_number, name, branches" in failed.output
    assert "rubrikraden" not in failed.output
