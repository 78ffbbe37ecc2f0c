"""Coordinator pages through the ASGI test client: companies, network, consortium board, digests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from models.company import Company
from models.db import database
from models.matching import ConsortiumEvent, ConsortiumSuggestion
from tests.test_web_support import Ids, copy_of, csrf_of, html, ids, log_in, make_app, texts

NEW_COMPANY = {
    "name": "Fönsterputsarna i Piteå",
    "org_number": "556036-0793",
    "legal_form": "aktiebolag (svb)",
    "contact_emails": "hej@fonster.example, ekonomi@fonster.example",
    "keywords": "fönsterputs",
    "area_municipalities": "2581",
    "area_counties": "",
    "area_radius_km": "",
    "area_centre": "",
    "employees": "5",
    "integration_share": "40",
    "max_contract_value_sek": "500 000",
    "yearly_turnover_sek": "",
    "networks": "",
}


@pytest.fixture
def url(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> str:
    return copy_of(tmp_path_factory, tmp_path)


@pytest.fixture
def known(url: str) -> Ids:
    return ids(url)


@pytest.fixture
def client(url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TestClient]:
    monkeypatch.setenv("ANBUDSRADAR_DATA_DIR", str(tmp_path / "var"))  # the notifier's link key file
    monkeypatch.delenv("ANBUDSRADAR_SECRET_KEY", raising=False)
    with TestClient(make_app(url)) as test_client:
        log_in(test_client)
        yield test_client


def post_form(client: TestClient, page: str, action: str, data: dict[str, object]) -> object:
    token = csrf_of(client, page)
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=False)


def test_company_list_search_and_status(client: TestClient) -> None:
    names = texts(html(client.get("/coordinator/companies")), "//table[@id='company-table']/tbody/tr/td[1]/a")
    assert "Städkooperativet Glänsande" in names and "Vilande Café AB" not in names
    found = texts(html(client.get("/coordinator/companies?q=769623")), "//tbody/tr/td[1]/a")
    assert found == ["Grönt & Snö i Boden"]
    assert texts(html(client.get("/coordinator/companies?q=städning")), "//tbody/tr/td[1]/a") == [
        "Städkooperativet Glänsande"
    ]
    inactive = texts(html(client.get("/coordinator/companies?status=inactive")), "//tbody/tr/td[1]/a")
    assert inactive == ["Vilande Café AB"]
    printing = texts(html(client.get("/coordinator/companies?branch=printing")), "//tbody/tr/td[1]/a")
    assert printing == ["Tryckeriet Hela Människan"]


def test_create_company(client: TestClient, url: str) -> None:
    data = {**NEW_COMPANY, "branches": ["cleaning", "property_care"]}
    response = post_form(client, "/coordinator/companies/new", "/coordinator/companies/new", data)
    assert response.status_code == 303
    page = html(client.get(response.headers["location"]))
    assert page.xpath("string(//h1)").strip() == "Fönsterputsarna i Piteå"
    with database(url) as sessions, sessions() as session:
        company = session.scalars(select(Company).where(Company.org_number == "5560360793")).one()
    assert company.contact_emails == ["hej@fonster.example", "ekonomi@fonster.example"]
    assert company.branches == ["cleaning", "property_care"]
    assert company.integration_share == pytest.approx(0.4)
    assert company.max_contract_value_sek == 500_000


def test_create_company_with_a_radius_around_a_municipality(client: TestClient, url: str) -> None:
    data = {**NEW_COMPANY, "area_municipalities": "", "area_centre": "2581", "area_radius_km": "60"}
    response = post_form(client, "/coordinator/companies/new", "/coordinator/companies/new", data)
    assert response.status_code == 303
    with database(url) as sessions, sessions() as session:
        company = session.scalars(select(Company).where(Company.org_number == "5560360793")).one()
    assert (company.area_centre, company.area_radius_km) == ("2581", 60)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("org_number", "556036-0794", "fel kontrollsiffra"),
        ("org_number", "12345", "tio siffror"),
        ("name", "", "Ange företagets namn"),
        ("contact_emails", "inte-en-adress", "Ogiltig e-postadress"),
        ("contact_emails", "info@städ.se, a@koop..se", "Ogiltig e-postadress: a@koop..se"),
        ("integration_share", "130", "mellan 0 och 100"),
        ("employees", "många", "är inget tal"),
        ("area_municipalities", "Luleå", "kommunkoder"),
        ("area_centre", "9999", "finns inte bland Sveriges kommuner"),
        # each of these was stored as typed: a company that no notice could match, or a wrong number
        ("org_number", "５５６０３６-０７９３", "tio siffror"),
        ("area_municipalities", "2581, 9999", "Koden 9999 finns inte bland Sveriges kommuner"),
        ("area_counties", "25, 99, 98", "Koderna 99, 98 finns inte bland Sveriges län"),
        ("area_counties", "２５", "länskoder med två siffror"),
        ("employees", "4.5", "helt antal anställda"),
    ],
)
def test_company_form_reports_each_invalid_field(
    client: TestClient, url: str, field: str, value: str, message: str
) -> None:
    response = post_form(
        client, "/coordinator/companies/new", "/coordinator/companies/new", {**NEW_COMPANY, field: value}
    )
    assert response.status_code == 400
    tree = html(response)
    assert message in tree.xpath(f"string(//*[@id='error-{field}'])")
    assert tree.xpath(f"//input[@name='{field}']/@value") == [value], "the typed value is kept"
    with database(url) as sessions, sessions() as session:
        assert session.scalar(select(Company.id).where(Company.name == NEW_COMPANY["name"])) is None


def test_duplicate_org_number_is_refused(client: TestClient) -> None:
    response = post_form(
        client,
        "/coordinator/companies/new",
        "/coordinator/companies/new",
        {**NEW_COMPANY, "org_number": "769612-3459"},
    )
    assert response.status_code == 400
    assert "finns redan" in html(response).xpath("string(//*[@id='error-org_number'])")


def test_edit_company(client: TestClient, known: Ids, url: str) -> None:
    page = f"/coordinator/companies/{known.glansande}/edit"
    form = html(client.get(page))
    values = {
        i.get("name"): i.get("value") or ""
        for i in form.xpath("//form[@id='company-form']//input[@type='text']")
    }
    assert values["org_number"] == "769612-3459"
    values["employees"] = "14"
    branches = form.xpath("//input[@name='branches'][@checked]/@value")
    response = post_form(client, page, page, {**values, "branches": branches})
    assert response.status_code == 303
    with database(url) as sessions, sessions() as session:
        company = session.get(Company, known.glansande)
        assert (
            company is not None
            and company.employees == 14
            and company.branches == ["cleaning", "property_care"]
        )


def test_deactivate_and_reactivate(client: TestClient, known: Ids, url: str) -> None:
    page = f"/coordinator/companies/{known.tryckeriet}"
    assert post_form(client, page, f"{page}/active", {"active": "0"}).status_code == 303
    assert "Inaktiverad" in html(client.get(page)).xpath("string(//h1)")
    assert post_form(client, page, f"{page}/active", {"active": "1"}).status_code == 303
    with database(url) as sessions, sessions() as session:
        assert session.get(Company, known.tryckeriet).active is True  # type: ignore[union-attr]


def test_company_page_shows_contacts_matches_and_links(client: TestClient, known: Ids) -> None:
    tree = html(client.get(f"/coordinator/companies/{known.glansande}"))
    assert tree.xpath("string(//*[@id='contact'])") == "kontakt@glansande.example"
    assert "Lokalvård i Luleå kommuns förskolor" in tree.text_content()
    assert "Grönt & Snö i Boden" in texts(tree, "//section/ul/li/a")


def test_unknown_company_is_404(client: TestClient) -> None:
    assert client.get("/coordinator/companies/424242").status_code == 404
    assert client.get("/coordinator/companies/424242/edit").status_code == 404
    assert client.get("/coordinator/digests/preview/424242").status_code == 404


def test_network_lists_links_and_draws_them(client: TestClient) -> None:
    tree = html(client.get("/coordinator/network"))
    rows = texts(tree, "//table[@id='link-table']/tbody/tr")
    assert len(rows) == 2 and any("Gemensamt anbud" in row for row in rows)
    svg = tree.xpath("//figure/*[local-name()='svg']")[0]
    assert len(svg.xpath(".//*[local-name()='line']")) == 2
    assert len(svg.xpath(".//*[local-name()='circle']")) == 3


def test_consortium_accept_dismiss_note_and_history(client: TestClient, known: Ids, url: str) -> None:
    board = "/coordinator/consortia"
    tree = html(client.get(board))
    card = tree.xpath(f"//article[@data-suggestion='{known.suggestion}']")[0]
    assert card.xpath("string(.//span[@class='status'])") == "Förslag"
    assert "Städ och lokalvård" in card.xpath("string(.//table[@class='coverage'])")
    action = f"/coordinator/consortia/{known.suggestion}"
    assert (
        post_form(client, board, action, {"action": "note", "note": "Ringer Glänsande på måndag"}).status_code
        == 303
    )
    response = post_form(client, board, action, {"action": "accepted"})
    assert response.status_code == 303 and response.headers["location"].endswith(
        f"#forslag-{known.suggestion}"
    )
    accepted = html(client.get(f"{board}?status=accepted"))
    card = accepted.xpath(f"//article[@data-suggestion='{known.suggestion}']")[0]
    assert card.xpath("string(.//span[@class='status']/@data-status)") == "accepted"
    history = texts(card, ".//details[@class='history']//li")
    assert [h.split(" ", 2)[2] for h in history] == [
        "samordnare antecknade: „Ringer Glänsande på måndag“",
        "samordnare accepterade",
    ]
    assert not html(client.get(board)).xpath(f"//article[@data-suggestion='{known.suggestion}']")
    post_form(client, board, action, {"action": "dismissed"})
    with database(url) as sessions, sessions() as session:
        suggestion = session.get(ConsortiumSuggestion, known.suggestion)
        events = session.scalars(
            select(ConsortiumEvent.action).where(ConsortiumEvent.suggestion_pk == known.suggestion)
        ).all()
    assert (
        suggestion is not None and suggestion.status == "dismissed" and suggestion.changed_by == "samordnare"
    )
    assert suggestion.note == "Ringer Glänsande på måndag"
    assert events == ["note", "accepted", "dismissed"]


def test_the_board_says_where_an_accepted_suggestion_went(client: TestClient, known: Ids) -> None:
    """Its card left the "Förslag" tab without a word: the coordinator did not see that it was done."""
    board = "/coordinator/consortia"
    response = post_form(client, board, f"/coordinator/consortia/{known.suggestion}", {"action": "accepted"})
    assert response.status_code == 303
    tree = html(client.get(response.headers["location"]))
    message = " ".join(tree.xpath("string(//p[@id='changed'])").split())
    assert "Lokalvård i Luleå" in message and "har nu status accepterat" in message
    [link] = tree.xpath("//p[@id='changed']/a/@href")
    assert link == f"{board}?status=accepted#forslag-{known.suggestion}"
    assert html(client.get(link)).xpath(f"//article[@data-suggestion='{known.suggestion}']")
    post_form(client, board, f"/coordinator/consortia/{known.suggestion}", {"action": "proposed"})
    assert not html(client.get(board)).xpath("//p[@id='changed']"), "no message without a change"


def test_consortium_action_from_the_tender_page_returns_there(client: TestClient, known: Ids) -> None:
    page = f"/notices/{known.lulea_cleaning}"
    token = csrf_of(client, page)
    form = html(client.get(page)).xpath(f"//article[@data-suggestion='{known.suggestion}']//form")[0]
    response = client.post(
        form.get("action"), data={"action": "accepted", "csrf_token": token}, follow_redirects=False
    )
    assert response.headers["location"] == f"{page}#forslag-{known.suggestion}"


def test_unknown_suggestion_or_action_is_refused(client: TestClient, known: Ids) -> None:
    board = "/coordinator/consortia"
    assert (
        post_form(client, board, "/coordinator/consortia/999999", {"action": "accepted"}).status_code == 404
    )
    assert (
        post_form(
            client, board, f"/coordinator/consortia/{known.suggestion}", {"action": "delete"}
        ).status_code
        == 400
    )


def test_a_note_with_a_nul_character_is_refused(client: TestClient, known: Ids, url: str) -> None:
    action = f"/coordinator/consortia/{known.suggestion}"
    data = {"action": "note", "note": "Ring\x00 Anna"}
    response = post_form(client, "/coordinator/consortia", action, data)  # PostgreSQL: a 500 page
    assert response.status_code == 400  # type: ignore[attr-defined]
    with database(url) as sessions, sessions() as session:
        assert session.scalar(select(ConsortiumEvent.id).where(ConsortiumEvent.action == "note")) is None


def test_digest_overview_lists_deliveries_and_failures(client: TestClient) -> None:
    tree = html(client.get("/coordinator/digests"))
    rows = tree.xpath("//table[@id='delivery-table']/tbody/tr")
    assert {row.get("class") for row in rows} == {"status-sent", "status-failed"}
    failed = next(row for row in rows if row.get("class") == "status-failed")
    assert "550 5.1.1 mailbox unavailable" in failed.text_content()
    assert "Misslyckades: 1" in tree.xpath("string(//*[@id='delivery-counts'])")
    only_failed = html(client.get("/coordinator/digests?status=failed"))
    assert len(only_failed.xpath("//table[@id='delivery-table']/tbody/tr")) == 1


def test_digest_preview_of_next_monday(client: TestClient, known: Ids) -> None:
    tree = html(client.get(f"/coordinator/digests/preview/{known.glansande}"))
    assert "2026-W49" in tree.xpath("string(//main/p)")  # TODAY is Sunday 29 November 2026
    assert not tree.xpath("//*[@id='preview-missing']")
    assert "Städkooperativet Glänsande" in tree.xpath("string(//*[@id='preview-subject'])")
    assert "Lokalvård i Luleå kommuns förskolor" in tree.xpath("string(//pre)")
    frame = tree.xpath("//iframe/@src")[0]
    message = client.get(frame)
    assert "sandbox" in message.headers["content-security-policy"]
    assert "Lokalvård i Luleå kommuns förskolor" in html(message).text_content()


IMPORT_PAGE = "/coordinator/companies/import"


def post_import(client: TestClient, filename: str, data: bytes) -> Response:
    """Upload a file on the coordinator's company import page, with the page's CSRF token."""
    token = csrf_of(client, IMPORT_PAGE)
    return client.post(IMPORT_PAGE, data={"csrf_token": token}, files={"file": (filename, data, "text/csv")})


def test_csv_import_stores_good_rows_and_reports_bad_ones_by_line(client: TestClient, url: str) -> None:
    pytest.importorskip("matcher.registry")
    csv_text = (
        "org_number,name,branches,area_municipalities\n"
        "556036-0793,Fönsterputsarna i Piteå,cleaning,2581\n"
        "556036-0794,Fel Kontrollsiffra AB,cleaning,2581\n"
    )
    response = post_import(client, "foretag.csv", csv_text.encode())
    assert response.status_code == 400
    tree = html(response)
    assert "1 nya" in tree.xpath("string(//*[@id='import-ok'])")
    errors = texts(tree, "//*[@id='import-errors']//li")
    assert len(errors) == 1 and errors[0].startswith("foretag.csv:3")
    with database(url) as sessions, sessions() as session:
        names = set(session.scalars(select(Company.name)))
    assert "Fönsterputsarna i Piteå" in names and "Fel Kontrollsiffra AB" not in names


def test_csv_import_tells_what_is_wrong_in_swedish(client: TestClient) -> None:
    pytest.importorskip("matcher.registry")
    csv_text = (
        "org_number,name,branches,area_municipalities\n"
        "556036-0794,Fel Kontrollsiffra AB,cleaning,2581\n"
        "556036-0793,Okänd Bransch AB,städ,Lulea\n"
    )
    response = post_import(client, "foretag.csv", csv_text.encode())
    assert response.status_code == 400
    errors = texts(html(response), "//*[@id='import-errors']//li")
    assert len(errors) == 2
    check_digit, branch = errors
    assert check_digit.startswith("foretag.csv:2 (556036-0794): org_number: organisationsnumret")
    assert "har fel kontrollsiffra (Luhn): kontrollera numret på allabolag.se" in check_digit
    assert branch.startswith("foretag.csv:3 (556036-0793): branches: okänd bransch 'städ': använd koderna")
    assert "cleaning, catering" in branch
    assert "area_municipalities: okänd kommun 'Lulea': ange en kod med fyra siffror (2580)" in branch
    english = ("organisation number", "wrong check digit", "check the number", "unknown branch", "use the")
    assert not [words for words in english if words in check_digit + branch]


def test_csv_import_of_an_unreadable_file_names_it(client: TestClient) -> None:
    pytest.importorskip("matcher.registry")
    response = post_import(client, "foretag.csv", b"namn\nx\n")
    assert response.status_code == 400
    message = html(response).xpath("string(//*[@id='import-errors'])")
    assert "foretag.csv" in message
    assert "rubrikraden saknar kolumnerna org_number, name, branches" in message
    assert "lacks" not in message and "header" not in message


def test_csv_import_refuses_files_over_the_limit(client: TestClient) -> None:
    big = b"x" * (5 * 1024 * 1024 + 1)
    response = post_import(client, "stor.csv", big)
    assert response.status_code == 400
    assert "större än 5 MB" in html(response).xpath("string(//*[@id='import-errors'])")


@pytest.mark.parametrize(
    ("filename", "data", "words"),
    [
        (  # was a RecursionError: a 500 page
            "djup.yaml",
            b"- " + b"[" * 5000 + b"]" * 5000,
            "djup.yaml: vägras: rad 1, kolumn 52: mer än 50 nivåer djupt",
        ),
        (  # was a raw csv.Error: a 500 page
            "lang.csv",
            b"org_number,name,branches,area_municipalities\n556036-0793,"
            + b"x" * 200_000
            + b",cleaning,2581\n",
            "lang.csv:2: en cell är längre än 131072 tecken",
        ),
        (
            "dubbel.csv",
            b"org_number,name,branches,name\n",
            "dubbel.csv: rubrikraden har kolumnen name två gånger; behåll en av varje",
        ),
    ],
)
def test_an_import_file_that_broke_the_page_is_explained_in_swedish(
    client: TestClient, filename: str, data: bytes, words: str
) -> None:
    response = post_import(client, filename, data)
    assert response.status_code == 400
    assert words in html(response).xpath("string(//*[@id='import-errors'])")


def test_an_import_with_old_mac_line_endings_is_stored(client: TestClient, url: str) -> None:
    data = b"org_number,name,branches,area_municipalities\r556036-0793,Mac AB,cleaning,2581\r"
    response = post_import(client, "mac.csv", data)  # was a raw csv.Error: a 500 page
    assert response.status_code == 200
    with database(url) as sessions, sessions() as session:
        assert session.scalar(select(Company.name).where(Company.org_number == "5560360793")) == "Mac AB"


def test_digest_links_unsubscribe_and_preferences(
    url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    links = pytest.importorskip("notifier.links")
    notifier_settings = pytest.importorskip("notifier.settings")
    monkeypatch.setenv("ANBUDSRADAR_SECRET_KEY", "digest-link-key-0123456789")
    key = links.secret_key(notifier_settings.load_notifier_settings())
    org = "7696123459"
    with TestClient(make_app(url)) as anonymous:
        assert anonymous.get(f"/unsubscribe/{org}", params={"token": "fel"}).status_code == 404
        token = links.token(key, "unsubscribe", org)
        confirm = anonymous.get(f"/unsubscribe/{org}", params={"token": token})
        assert confirm.status_code == 200 and html(confirm).xpath("//form[@method='post']")
        one_click = anonymous.post(
            f"/unsubscribe/{org}", params={"token": token}, data={"List-Unsubscribe": "One-Click"}
        )
        assert one_click.status_code == 200 and html(one_click).xpath("//*[@id='unsubscribed']")
        preferences = f"/preferences/{org}?token={links.token(key, 'preferences', org)}"
        csrf = csrf_of(anonymous, preferences)
        saved = anonymous.post(
            preferences, data={"csrf_token": csrf, "paused": "", "min_score": "0.7", "language": "en"}
        )
        assert saved.status_code == 200 and html(saved).xpath("//*[@id='saved']")
    with database(url) as sessions, sessions() as session:
        company = session.scalars(select(Company).where(Company.org_number == org)).one()
    assert company.digest_paused is False and company.digest_min_score == pytest.approx(0.7)
    assert company.digest_language == "en"
