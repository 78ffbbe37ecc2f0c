"""The public pages through the ASGI test client: tender list, filters, tender page, buyers, exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anbudsradar.web.queries.filters import FILTER_FIELDS
from models.db import database
from models.notice import Notice
from tests.test_web_support import Ids, copy_of, html, ids, make_app, template_url, texts


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return template_url(tmp_path_factory)


@pytest.fixture(scope="module")
def known(url: str) -> Ids:
    return ids(url)


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[TestClient]:
    with TestClient(make_app(url)) as test_client:
        yield test_client


def listed_ids(client: TestClient, query: str) -> list[int]:
    response = client.get(f"/notices?{query}")
    assert response.status_code == 200
    return [int(i) for i in html(response).xpath("//table[@id='tender-table']/tbody/tr/@data-id")]


def all_listed(client: TestClient, query: str) -> list[int]:
    """Every id of a filtered list, following the pagination links."""
    found: list[int] = []
    path = f"/notices?{query}"
    while path:
        tree = html(client.get(path))
        found += [int(i) for i in tree.xpath("//table[@id='tender-table']/tbody/tr/@data-id")]
        links = tree.xpath("//nav[@class='pagination']/a[@rel='next']/@href")
        path = str(links[0]) if links else ""
    return found


def total(client: TestClient, query: str) -> int:
    return int(html(client.get(f"/notices?{query}")).xpath("string(//*[@id='total'])"))


def test_start_page_links_to_the_main_filters(client: TestClient) -> None:
    tree = html(client.get("/"))
    assert tree.xpath("string(//h1)") == "Anbudsradar"
    assert "/notices?reserved=1" in tree.xpath("//ul[@class='cards']//a/@href")


def test_list_pages_through_every_notice_once(client: TestClient) -> None:
    every = all_listed(client, "")
    assert len(every) == len(set(every)) == total(client, "") == 53
    first_page = html(client.get("/notices"))
    assert len(first_page.xpath("//table[@id='tender-table']/tbody/tr")) == 25
    assert texts(first_page, "//nav[@class='pagination']/span") == ["Sida 1 av 3"]


def test_reserved_filter_keeps_reserved_notices_only(client: TestClient, known: Ids) -> None:
    reserved = all_listed(client, "reserved=1")
    assert known.lulea_cleaning in reserved
    assert known.pitea_cafe not in reserved and known.lulea_print not in reserved
    tree = html(client.get("/notices?reserved=1"))
    for row in tree.xpath("//table[@id='tender-table']/tbody/tr"):
        assert "Reserverad" in row.text_content()
    assert tree.xpath("//input[@name='reserved']/@checked"), "the filter state is shown in the form"


def test_employment_and_social_filters(client: TestClient, known: Ids) -> None:
    assert known.pitea_cafe in all_listed(client, "employment=1")
    assert known.lulea_cleaning not in all_listed(client, "employment=1")
    assert known.pitea_cafe in all_listed(client, "social=1")  # BT-06 soc-obj


@pytest.mark.parametrize(
    ("query", "expected_title_word"),
    [
        ("branch=cleaning", None),
        ("type=direct-award", "Direktupphandling"),
        ("municipality=Piteå", None),
        ("county=SE332", None),
        ("q=lokalvård", None),
    ],
)
def test_each_filter_narrows_the_list(
    client: TestClient, query: str, expected_title_word: str | None
) -> None:
    narrowed = total(client, query)
    assert 0 < narrowed < total(client, "")
    if expected_title_word:
        tree = html(client.get(f"/notices?{query}"))
        assert all(
            "Direktupphandling" in row.text_content()
            for row in tree.xpath("//table[@id='tender-table']/tbody/tr")
        )


def test_buyer_municipality_and_branch_filters_match_their_rows(client: TestClient, known: Ids) -> None:
    tree = html(client.get(f"/notices?buyer={known.lulea_buyer}"))
    buyers = {
        " ".join(td.text_content().split()) for td in tree.xpath("//table[@id='tender-table']/tbody/tr/td[2]")
    }
    assert buyers == {"Luleå kommun"}
    tree = html(client.get("/notices?municipality=Piteå"))
    assert {" ".join(td.text_content().split()) for td in tree.xpath("//tbody/tr/td[2]")} == {"Piteå kommun"}
    tree = html(client.get("/notices?branch=printing"))
    assert all("Tryck" in small for small in texts(tree, "//tbody/tr/td[1]//small"))


def test_open_closed_and_deadline_filters(client: TestClient, known: Ids) -> None:
    open_ids = set(all_listed(client, "status=open"))
    closed_ids = set(all_listed(client, "status=closed"))
    assert known.lulea_cleaning in open_ids and not open_ids & closed_ids
    window = html(client.get("/notices?deadline_from=2026-12-29&deadline_to=2026-12-29"))
    deadlines = texts(window, "//table[@id='tender-table']/tbody/tr/td[4]")
    assert deadlines and set(deadlines) == {"2026-12-29"}


def test_filters_combine(client: TestClient, known: Ids) -> None:
    assert listed_ids(client, f"reserved=1&branch=cleaning&buyer={known.lulea_buyer}") == [
        known.lulea_cleaning
    ]


def test_sorting_by_deadline_both_ways(client: TestClient) -> None:
    ascending = texts(html(client.get("/notices?sort=deadline&order=asc&status=open")), "//tbody/tr/td[4]")
    descending = texts(html(client.get("/notices?sort=deadline&order=desc&status=open")), "//tbody/tr/td[4]")
    assert ascending == sorted(ascending) and descending == sorted(descending, reverse=True)
    amounts = texts(html(client.get("/notices?sort=amount&order=desc")), "//tbody/tr/td[5]")
    values = [int(a.replace("kr", "").replace(" ", "")) for a in amounts if a != "–"]
    assert values == sorted(values, reverse=True)


def test_filter_state_is_in_the_links(client: TestClient) -> None:
    tree = html(client.get("/notices?reserved=1&branch=cleaning&sort=title&order=asc"))
    sort_link = tree.xpath("//th//a[contains(., 'Sista anbudsdag')]/@href")[0]
    params = parse_qs(urlsplit(sort_link).query)
    assert params["reserved"] == ["1"] and params["branch"] == ["cleaning"] and params["sort"] == ["deadline"]
    export = parse_qs(urlsplit(tree.xpath("//a[@id='export-csv']/@href")[0]).query)
    assert export["reserved"] == ["1"] and export["sort"] == ["title"]


def test_bad_filter_values_are_reported_not_a_server_error(client: TestClient) -> None:
    response = client.get("/notices?buyer=abc&deadline_from=yesterday&page=0&sort=evil&reserved=maybe")
    assert response.status_code == 400
    message = html(response).xpath("string(//*[@id='filter-errors'])")
    for name in ("buyer", "deadline_from", "page", "sort", "reserved"):
        assert name in message


def test_tender_page_shows_fields_lots_tags_matches_and_consortia(client: TestClient, known: Ids) -> None:
    tree = html(client.get(f"/notices/{known.lulea_cleaning}"))
    fields = dict(
        zip(texts(tree, "//dl[@id='fields']/dt"), texts(tree, "//dl[@id='fields']/dd"), strict=True)
    )
    assert fields["Köpare"].startswith("Luleå kommun")
    assert fields["Sista anbudsdag"].startswith("2026-12-29")
    assert "4 kap. 18 § LOU" in fields["Reservation (BT-71)"]
    assert len(tree.xpath("//section[@id='lots']/article[@class='lot']")) == 2
    marks = texts(tree, "//p[@id='notice-description']/mark")
    assert marks == ["reserverad enligt 4 kap. 18 § LOU"]
    assert texts(tree, "//h1[@id='notice-title']/mark") == ["Lokalvård"]
    assert "reserved_sheltered" in tree.xpath("//section[@id='tags']//li/@data-code")
    # where a tag comes from and the fields of its evidence are told in Swedish
    sources = texts(tree, "//section[@id='tags']//span[@class='source']")
    assert sources and {s.strip("()") for s in sources} <= {"strukturerat fält", "ordregel", "klassificerare"}
    evidence = [li.text_content() for li in tree.xpath("//section[@id='tags']//ul[@class='evidence']/li")]
    assert any(item.startswith("CPV-huvudkod: 90919200") for item in evidence), evidence
    raw_names = ("lots[", "cpv", "title", "description", "reserved_")
    assert not any(item.startswith(raw_names) for item in evidence)
    assert "Städkooperativet Glänsande" in texts(tree, "//section[@id='matches']//tbody/tr/td[1]")[0]
    suggestion = tree.xpath(f"//article[@data-suggestion='{known.suggestion}']")[0]
    assert "Grönt & Snö i Boden" in suggestion.text_content()
    assert not suggestion.xpath(".//form"), "actions only for logged-in users"


def test_unknown_or_malformed_ids_are_404_pages(client: TestClient) -> None:
    for path in (
        "/notices/999999",
        "/notices/abc",
        "/buyers/999999",
        "/notices/-1",
        "/notices/" + "9" * 30,
        "/no/such",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert html(response).xpath("string(//section[@class='error-page']/@data-status)") == "404"


def test_buyer_list_and_overview(client: TestClient, known: Ids) -> None:
    tree = html(client.get("/buyers"))
    assert "Luleå kommun" in texts(tree, "//table[@id='buyer-table']//td[1]")
    tree = html(client.get(f"/buyers/{known.lulea_buyer}?from=2025-12-01&to=2026-11-29"))
    assert int(tree.xpath("string(//*[@id='kpi-reserved'])")) >= 2
    total_count = int(tree.xpath("string(//*[@id='kpi-total'])"))
    rows = tree.xpath("//table[@id='branch-table']/tbody/tr")
    by_branch = {
        row.get("data-branch"): [int(td.text) for td in row.xpath("td[@class='num']")] for row in rows
    }
    assert by_branch["cleaning"][1] >= 1  # a reserved cleaning tender
    assert sum(counts[0] for counts in by_branch.values()) >= total_count
    svg = tree.xpath("//figure/*[local-name()='svg']")
    assert svg and svg[0].get("role") == "img"
    assert len(svg[0].xpath(".//*[local-name()='rect']")) >= 3 * len(rows)
    missed = tree.xpath("//table[@id='missed-table']/tbody/tr/@data-id")
    assert str(known.lulea_print) in missed  # printing, not reserved, Tryckeriet works in Luleå
    assert str(known.lulea_cleaning) not in missed  # reserved


def test_buyer_overview_period_filters_notices(client: TestClient, known: Ids) -> None:
    tree = html(client.get(f"/buyers/{known.lulea_buyer}?from=2020-01-01&to=2020-12-31"))
    assert tree.xpath("string(//*[@id='kpi-total'])") == "0"
    assert texts(tree, "//table[@id='missed-table']/tbody/tr/td") == [
        "Inga sådana upphandlingar under perioden."
    ]


def test_csv_export_has_the_filtered_rows(client: TestClient, known: Ids) -> None:
    response = client.get("/notices/export.csv?reserved=1")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert len(rows) == total(client, "reserved=1")
    assert {row["reserverad"] for row in rows} == {"ja"}
    assert str(known.lulea_cleaning) in {row["id"] for row in rows}


def test_ocds_export_is_a_release_package(client: TestClient, known: Ids) -> None:
    response = client.get(f"/notices/export.ocds.json?buyer={known.lulea_buyer}&reserved=1")
    package = json.loads(response.text)
    assert package["version"] == "1.1" and package["publisher"]["name"] == "Anbudsradar"
    releases = package["releases"]
    assert len(releases) == total(client, f"buyer={known.lulea_buyer}&reserved=1")
    cleaning = next(r for r in releases if r["links"][0]["href"].endswith(f"/notices/{known.lulea_cleaning}"))
    assert cleaning["tag"] == ["tender"]
    assert cleaning["tender"]["otherRequirements"]["reservedParticipation"] == ["shelteredWorkshop"]
    assert cleaning["buyer"]["name"] == "Luleå kommun"
    assert cleaning["tender"]["tenderPeriod"]["endDate"].startswith("2026-12-29")
    assert len(cleaning["tender"]["lots"]) == 2
    assert all(r["ocid"].startswith("ocds-") for r in releases)


def test_static_css_is_served_by_the_app(client: TestClient) -> None:
    tree = html(client.get("/"))
    href = tree.xpath("//link[@rel='stylesheet']/@href")[0]
    assert not href.startswith(("http:", "https:", "//")), "no CDN"
    response = client.get(href)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")


# Every filter the list accepts, plus sorting and paging: a new filter is fuzzed as soon as it exists.
FILTER_NAMES = (*FILTER_FIELDS, "sort", "order", "page")


@given(params=st.dictionaries(st.sampled_from(FILTER_NAMES), st.text(max_size=30), max_size=6))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_query_string_gives_a_page_not_a_server_error(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/notices", params=params)
    assert response.status_code in (200, 400)
    assert html(response).xpath("//table[@id='tender-table']")
    assert client.get("/notices/export.csv", params=params).status_code == 200


def test_a_tender_with_a_lot_still_open_is_open(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """The notice's deadline is its lots' earliest: once the first lot closed, "Öppen" left the tender out."""
    url = copy_of(tmp_path_factory, tmp_path)
    cleaning = ids(url).lulea_cleaning
    with database(url) as sessions, sessions() as session:
        notice = session.get(Notice, cleaning)
        assert notice is not None and len(notice.lots) == 2
        notice.deadline = notice.lots[0].deadline = "2026-11-20T12:00:00+01:00"  # before TODAY
        notice.lots[1].deadline = "2026-12-20T12:00:00+01:00"
        session.commit()
    with TestClient(make_app(url)) as app_client:
        assert cleaning in all_listed(app_client, "status=open")
        assert cleaning not in all_listed(app_client, "status=closed")
        flags = html(app_client.get(f"/notices/{cleaning}")).xpath("string(//p[@class='flags'])")
        assert "Öppen" in flags and "Stängd" not in flags
