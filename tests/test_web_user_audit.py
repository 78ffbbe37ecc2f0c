"""Defects a procurement officer or the coordinator met on the pages and exports, one test each.

The app is served by uvicorn on 127.0.0.1 on a copy of the seeded web database (tests.test_web_support)
with a few real published notices from ../shared/data/real ingested and tagged from their structured
fields; tests that read a real notice skip where that folder is absent. Layout defects are checked in
headless Chromium.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import lxml.html
import pytest
from sqlalchemy import select

from anbudsradar.benchmarks.web_bench import structured_tags
from anbudsradar.ingest import ingest_paths
from models.db import database
from models.flags import refresh_flags
from models.notice import Notice
from models.tag import NoticeTag
from tests.conftest import REAL_DATA, real_path
from tests.net import served
from tests.test_web_support import PASSWORD, USERNAME, copy_of, ids, make_app

# Real notices the tests look at, by the start of their title.
REAL_NOTICES = {
    # eForms SDK example: 9 999 999,99 EUR, BT-71 res-pub-ser, BT-736, BT-06 env-imp, deadline +01:00
    "eforms/sdk-examples-synthetic/cn_24_maximal.xml": "Procurement Title ---",
    # Spanish cleaning tender reserved to sheltered workshops (BT-71 res-ws)
    "eforms/ESP_00262891-2023.xml": "CONTRATO DE SERVICIOS DE LIMPIEZA",
    # TED legacy, reserved; the deadline is a local time without an offset
    "ted-legacy/FR_2021S-053-133513.xml": "Accord-cadre d'entretien",
    # OCDS (Contracts Finder): 30 506,06 GBP, deadline 2025-01-30T23:59:00Z (00:59 on the 31st in Sweden)
    "ocds/contracts-finder-england/ocds-b5fd17-f906eae8-45d8-4aac-bb38-45f2bc29f21e__"
    "15b57760-579a-4b13-9876-e1e3d1be2465-832954.json": "Office relocation services",
}
INTERNAL_CODES = re.compile(
    r"res-ws|res-pub-ser|shelteredWorkshop|publicServiceMissionOrganization|env-imp|soc-obj|inn-pur"
    r"|\btrue\b|\bfalse\b|\bNone\b|lots\["
)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PHONE = {"width": 375, "height": 800}


@dataclass(frozen=True, slots=True)
class Site:
    """The served app and the database behind it."""

    base: str
    url: str
    real: bool  # the real notices were ingested


def _fill(url: str) -> bool:
    """Ingest the real notices (where present), tag them from their fields and add a text-only tag."""
    paths = [REAL_DATA / relative for relative in REAL_NOTICES]
    real = all(path.exists() for path in paths)
    if real:
        ingest_paths([str(path) for path in paths], url)
    with database(url) as sessions, sessions() as session:
        structured_tags(session)
        # As the rule tagger stores "reserverat ... enligt 4 kap. 18 § LOU" found in the text alone:
        # no BT-71 on the notice, so only the tag sets the stored flag.
        printing = ids(url).lulea_print
        session.add(
            NoticeTag(
                notice_pk=printing,
                lot_id=None,
                kind="social",
                code="reserved_sheltered",
                score=0.9,
                source="rules",
                model_version="test",
                evidence=[{"source": "rules", "field": "description", "text": "4 kap. 18 § LOU"}],
            )
        )
        refresh_flags(session)
        session.commit()
    return real


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app on its own database, served by uvicorn on 127.0.0.1 for the whole module."""
    url = copy_of(tmp_path_factory, tmp_path_factory.mktemp("audit"))
    real = _fill(url)
    with served(make_app(url)) as base:
        yield Site(base, url, real)


@pytest.fixture
def client(site: Site) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.base, timeout=30) as http:
        yield http


def page(client: httpx.Client, path: str, status: int = 200) -> lxml.html.HtmlElement:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return lxml.html.fromstring(response.text)


def text_of(tree: lxml.html.HtmlElement, xpath: str) -> str:
    return " ".join(tree.xpath(f"string({xpath})").split())


def fields(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """The tender page's field list as {label: value}, whitespace normalised."""
    names = [" ".join(dt.text_content().split()) for dt in tree.xpath("//dl[@id='fields']/dt")]
    values = [" ".join(dd.text_content().split()) for dd in tree.xpath("//dl[@id='fields']/dd")]
    return dict(zip(names, values, strict=True))


def real_notice(site: Site, title: str) -> int:
    """The id of a real notice by the start of its title; skips where ../shared is absent."""
    relative = next(path for path, start in REAL_NOTICES.items() if start == title)
    real_path(relative)
    assert site.real
    with database(site.url) as sessions, sessions() as session:
        found = session.scalar(select(Notice.id).where(Notice.title.startswith(title)))
    assert found is not None, title
    return found


def list_row(client: httpx.Client, notice_id: int, query: str) -> list[str]:
    """The cells of a notice's row in the tender list filtered by `query`."""
    tree = page(client, f"/notices?{query}")
    rows = tree.xpath(f"//table[@id='tender-table']/tbody/tr[@data-id='{notice_id}']")
    assert rows, f"notice {notice_id} not listed for {query}"
    return [" ".join(td.text_content().split()) for td in rows[0].xpath("./td")]


def log_in(client: httpx.Client) -> None:
    """Log in through the form with its CSRF token."""
    token = page(client, "/login").xpath("//input[@name='csrf_token']/@value")[0]
    response = client.post(
        "/login",
        data={
            "username": USERNAME,
            "password": PASSWORD,
            "next": "/coordinator/companies",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303, response.text


def test_deadline_is_swedish_local_time_on_the_list_and_the_tender_page(
    site: Site, client: httpx.Client
) -> None:
    """The tender page showed "2025-01-30T23:59:00Z" and the list the UTC day, 2025-01-30; the digest
    (notifier.formatting) says 31 januari 2025 kl. 00.59, Swedish time."""
    relocation = real_notice(site, "Office relocation services")
    assert fields(page(client, f"/notices/{relocation}"))["Sista anbudsdag"] == "2025-01-31 00:59"
    assert list_row(client, relocation, "q=Office relocation")[3] == "2025-01-31"
    maximal = real_notice(site, "Procurement Title ---")
    tree = page(client, f"/notices/{maximal}")
    assert fields(tree)["Sista anbudsdag"] == "2023-05-22 21:59"  # 20:59:32+01:00
    assert "sista anbudsdag 2023-05-22 21:59" in text_of(tree, "//section[@id='lots']//p[@class='meta']")


def test_amounts_keep_their_decimals_as_in_the_digest(site: Site, client: httpx.Client) -> None:
    """9 999 999,99 EUR showed as "10 000 000 EUR" and 30 506,06 GBP as "30 506 GBP"."""
    maximal = real_notice(site, "Procurement Title ---")
    assert fields(page(client, f"/notices/{maximal}"))["Uppskattat värde"] == "9 999 999,99 EUR"
    assert list_row(client, maximal, "q=Procurement Title")[4] == "9 999 999,99 EUR"
    relocation = real_notice(site, "Office relocation services")
    assert fields(page(client, f"/notices/{relocation}"))["Uppskattat värde"] == "30 506,06 GBP"
    known = ids(site.url)
    assert fields(page(client, f"/notices/{known.lulea_cleaning}"))["Uppskattat värde"].endswith(" kr")


def test_tender_page_names_codes_instead_of_showing_them(site: Site, client: httpx.Client) -> None:
    """Evidence said "reserverat deltagande (BT-71): shelteredWorkshop" and "...(BT-736): true", BT-06 was
    "env-imp", the reservation "BT-71 res-ws", the language "en" and an OCDS form "(tender)"."""
    for title in ("Procurement Title ---", "CONTRATO DE SERVICIOS DE LIMPIEZA", "Office relocation services"):
        tree = page(client, f"/notices/{real_notice(site, title)}")
        shown = " ".join(
            [
                text_of(tree, "//dl[@id='fields']"),
                text_of(tree, "//p[@class='flags']"),
                *(" ".join(li.text_content().split()) for li in tree.xpath("//ul[@class='evidence']/li")),
                *(" ".join(p.text_content().split()) for p in tree.xpath("//p[@class='meta']")),
            ]
        )
        assert not INTERNAL_CODES.findall(shown), (title, INTERNAL_CODES.findall(shown))
        scores = [
            " ".join(s.text_content().split())
            for s in tree.xpath("//ul[@class='tags']//span[@class='score']")
        ]
        assert scores and all(re.fullmatch(r"\d,\d\d", s) for s in scores), scores
    maximal = fields(page(client, f"/notices/{real_notice(site, 'Procurement Title ---')}"))
    assert maximal["Strategisk upphandling (BT-06)"] == "Minskad miljöpåverkan"
    assert maximal["Språk"] == "engelska"
    assert maximal["Annonstyp"] == "Annons om upphandling (eForms-formulär 16)"
    spanish = page(client, f"/notices/{real_notice(site, 'CONTRATO DE SERVICIOS DE LIMPIEZA')}")
    # a Spanish buyer's reservation rests on Article 20 of the directive, not on Swedish law
    assert "art. 20 i direktiv 2014/24/EU" in fields(spanish)["Reservation (BT-71)"]
    assert "LOU" not in fields(spanish)["Reservation (BT-71)"]
    assert "Reserverat kontrakt (art. 20 i direktiv 2014/24/EU)" in text_of(spanish, "//p[@class='flags']")
    lulea = page(client, f"/notices/{ids(site.url).lulea_cleaning}")
    assert "Reserverat kontrakt (4 kap. 18 § LOU)" in text_of(lulea, "//p[@class='flags']")
    assert "(4 kap. 18 § LOU)" in fields(lulea)["Reservation (BT-71)"]
    evidence = [" ".join(li.text_content().split()) for li in spanish.xpath("//ul[@class='evidence']/li")]
    assert (
        "reserverat deltagande (BT-71): skyddade verkstäder och arbetsintegrerande leverantörer" in evidence
    )
    relocation = fields(page(client, f"/notices/{real_notice(site, 'Office relocation services')}"))
    assert relocation["Annonstyp"] == "Tilldelning"  # not "Tilldelning (award)": the OCDS tag repeats it
    assert relocation["Annons-id"].endswith("(OCDS)")


def test_tender_page_badges_say_what_the_list_says(site: Site, client: httpx.Client) -> None:
    """The list marked a notice "Reserverad" (a reserved-contract tag found in its text) or "Sociala
    hänsyn" (BT-06 soc-obj), and its page did not say so: the page read only BT-71/BT-736 and BT-775."""
    badges = {
        "reserved": "Reserverat kontrakt",
        "employment": "Sysselsättningskrav",
        "social": "Sociala hänsyn",
    }
    checked = 0
    for flag, badge in badges.items():
        listed = page(client, f"/notices?{flag}=1").xpath("//table[@id='tender-table']/tbody/tr/@data-id")
        assert listed, flag
        for notice_id in listed[:8]:
            assert badge in text_of(page(client, f"/notices/{notice_id}"), "//p[@class='flags']"), (
                flag,
                notice_id,
            )
            checked += 1
    printing = ids(site.url).lulea_print
    assert "Reserverat kontrakt" in text_of(page(client, f"/notices/{printing}"), "//p[@class='flags']")
    assert checked >= 3


def test_bad_filter_values_are_named_as_the_form_names_them(site: Site, client: httpx.Client) -> None:
    """The messages named URL keys only: "Ogiltiga värden ignorerades: deadline_from.", "…i: from."."""
    response = client.get("/notices?deadline_from=2026-13-01")
    assert response.status_code == 400
    message = text_of(lxml.html.fromstring(response.text), "//*[@id='filter-errors']")
    assert "Sista anbudsdag från" in message, message
    buyer = ids(site.url).lulea_buyer
    response = client.get(f"/buyers/{buyer}?from=2026-13-01")
    assert response.status_code == 400
    assert "Från (from)" in text_of(lxml.html.fromstring(response.text), "//main")


def test_a_page_past_the_last_says_so(client: httpx.Client) -> None:
    """Page 999 of a three-page list said "Inga upphandlingar matchar filtret." and linked to page 998."""
    tree = page(client, "/notices?page=999")
    total = int(text_of(tree, "//*[@id='total']"))
    assert total > 0
    message = text_of(tree, "//*[@id='no-such-page']")
    assert message.startswith("Sidan 999 finns inte"), message
    last = tree.xpath("//*[@id='no-such-page']/a/@href")[0]
    assert "page=999" not in last and page(client, last).xpath(
        "//table[@id='tender-table']/tbody/tr/@data-id"
    )
    previous = tree.xpath("//nav[@class='pagination']/a[@rel='prev']/@href")
    assert not previous or "page=998" not in previous[0]


def test_county_choices_name_counties_and_keep_other_nuts_codes_apart(
    site: Site, client: httpx.Client
) -> None:
    """The "Län" box mixed "Norrbottens län" with bare codes such as "LU000", "ES512" and "UKI"."""
    real_notice(site, "Procurement Title ---")
    tree = page(client, "/notices")
    swedish = tree.xpath("//select[@name='county']/optgroup[@label='Län i Sverige']/option")
    assert ("SE332", "Norrbottens län") in [(o.get("value"), o.text_content().strip()) for o in swedish]
    assert all(not re.fullmatch(r"[A-Z]{2}[0-9A-Z]*", o.text_content().strip()) for o in swedish)
    others = tree.xpath("//select[@name='county']/optgroup[@label='Andra regioner (NUTS-kod)']/option/@value")
    assert others and not {o for o in others if o.startswith("SE3")}
    assert not tree.xpath("//select[@name='county']/option[@value!='']"), "every code is in a group"
    selected = page(client, "/notices?county=SE332")
    assert selected.xpath("//select[@name='county']//option[@selected]/@value") == ["SE332"]


def test_ocds_export_dates_have_an_offset_and_no_empty_fields(site: Site, client: httpx.Client) -> None:
    """tenderPeriod.endDate was "2021-04-16T12:00:00" (no offset: not an OCDS date-time) and releases
    carried empty "reservedParticipation": [], "suitability": {}, "lots": []."""
    legacy = real_notice(site, "Accord-cadre d'entretien")
    response = client.get("/notices/export.ocds.json")
    assert response.status_code == 200
    package = json.loads(response.text)
    assert package["version"] == "1.1" and package["publisher"]["name"]
    releases = package["releases"]
    assert releases

    def empties(value: Any, path: str = "") -> list[str]:
        if isinstance(value, dict):
            return [f"{path}/{k}" for k, v in value.items() if v in ({}, [])] + [
                e for k, v in value.items() for e in empties(v, f"{path}/{k}")
            ]
        if isinstance(value, list):
            return [e for v in value for e in empties(v, path)]
        return []

    for release in releases:
        assert release["ocid"].startswith("ocds-") and release["id"] and release["tag"]
        assert release["initiationType"] == "tender" and RFC3339.match(release["date"])
        assert release["tender"]["id"]
        end = release["tender"].get("tenderPeriod", {}).get("endDate")
        assert end is None or RFC3339.match(end), (release["id"], end)
        for value in [
            release["tender"].get("value"),
            *(lot.get("value") for lot in release["tender"].get("lots", [])),
        ]:
            assert value is None or (isinstance(value["amount"], int | float) and len(value["currency"]) == 3)
        assert not empties(release), (release["id"], empties(release))
    by_page = {r["links"][0]["href"].rsplit("/", 1)[1]: r for r in releases}
    assert by_page[str(legacy)]["tender"]["tenderPeriod"]["endDate"] == "2021-04-16T12:00:00+02:00"
    assert by_page[str(legacy)]["ocid"].startswith("ocds-anbrad-")


def test_company_area_is_named_not_coded(site: Site, client: httpx.Client) -> None:
    """The coordinator saw "kommuner 2580, 2582; län –" and in the list "2580, 2582"."""
    log_in(client)
    glansande = ids(site.url).glansande
    tree = page(client, f"/coordinator/companies/{glansande}")
    assert text_of(tree, "//dd[@id='area']") == "Luleå och Boden"
    row = page(client, "/coordinator/companies").xpath(
        f"//table[@id='company-table']//tr[@data-id='{glansande}']"
    )[0]
    assert "Luleå och Boden" in row.text_content() and "2580" not in row.text_content()


def _logged_in_page(site: Site, browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="sv-SE")
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(site.base) else route.abort()
    )
    tab = context.new_page()
    tab.goto(f"{site.base}/login")
    tab.fill("input[name=username]", USERNAME)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("#login-form button[type=submit]")
    tab.wait_for_url(f"{site.base}/coordinator/companies")
    return tab


def test_company_form_keeps_each_label_above_its_box(site: Site, browser: Any) -> None:
    """In the 3-column grid the labels, boxes, hints and errors flowed as separate cells: "Namn *" stood
    above the organisation number's box and the error of a field beside another field's label."""
    tab = _logged_in_page(site, browser, {"width": 1280, "height": 900})
    tab.goto(f"{site.base}/coordinator/companies/new")
    tab.click("#company-form button[type=submit]")  # empty: errors under "Namn" and "Organisationsnummer"
    tab.wait_for_load_state()
    assert tab.locator("#form-errors").count() == 1
    boxes = tab.locator(".company-form input[type=text]")
    assert boxes.count() >= 10
    for index in range(boxes.count()):
        box = boxes.nth(index)
        label = tab.locator(f"label[for='{box.get_attribute('id')}']")
        lb, bb = label.bounding_box(), box.bounding_box()
        assert lb is not None and bb is not None
        assert abs(lb["x"] - bb["x"]) < 2 and 0 <= bb["y"] - (lb["y"] + lb["height"]) < 12, box.get_attribute(
            "id"
        )
    error = tab.locator("#error-org_number").bounding_box()
    org = tab.locator("#f-org_number").bounding_box()
    assert error is not None and org is not None
    assert abs(error["x"] - org["x"]) < 2 and error["y"] > org["y"]
    tab.context.close()


def test_pages_fit_a_phone_screen(site: Site, browser: Any) -> None:
    """At 375 px the tender list was 1,026 px wide, the tender page 719 px and the company list 1,173 px:
    the whole page scrolled sideways and the deadline and flags were off screen."""
    known = ids(site.url)
    tab = _logged_in_page(site, browser, PHONE)
    for path in (
        "/notices",
        "/notices?reserved=1",
        f"/notices/{known.lulea_cleaning}",
        "/buyers",
        f"/buyers/{known.lulea_buyer}",
        "/coordinator/companies",
        f"/coordinator/companies/{known.glansande}",
        "/coordinator/network",
        "/coordinator/digests",
        "/api",
    ):
        tab.goto(site.base + path)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
    tab.goto(f"{site.base}/notices")
    wrap = tab.locator(".table-wrap:has(#tender-table)")
    assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("aria-label")
    assert tab.evaluate("document.querySelector('.table-wrap').scrollWidth > 375"), (
        "the table scrolls in its box"
    )
    tab.context.close()


def test_the_excel_export_opens_in_columns_in_swedish_excel(site: Site, client: httpx.Client) -> None:
    """Swedish Excel reads ";" between cells and a decimal comma; the comma-separated CSV opened there in one
    column. The Excel export has the standard export's rows and cells, in that dialect."""
    standard = client.get("/notices/export.csv?sort=title")
    excel = client.get("/notices/export.excel.csv?sort=title")
    assert excel.status_code == 200 and excel.headers["content-type"].startswith("text/csv")
    assert "upphandlingar-excel.csv" in excel.headers["content-disposition"]
    assert excel.text.startswith("\ufeff"), "a BOM, so that Excel reads UTF-8"
    rows = list(csv.reader(io.StringIO(standard.text.removeprefix("\ufeff"))))
    cells = list(csv.reader(io.StringIO(excel.text.removeprefix("\ufeff")), delimiter=";"))
    assert len(cells) == len(rows) > 5
    amount = rows[0].index("värde")
    for plain, swedish in zip(rows, cells, strict=True):
        assert len(swedish) == len(plain) == 15
        assert swedish[:amount] + swedish[amount + 1 :] == plain[:amount] + plain[amount + 1 :]
        assert swedish[amount] == plain[amount].replace(".", ",")
        assert not plain[amount].endswith(".0"), "whole amounts are written without decimals"
    if site.real:
        relocation = next(row for row in cells if row[1].startswith("Office relocation services"))
        assert relocation[amount] == "30506,06"
    tree = page(client, "/notices?reserved=1&sort=title")
    [excel_link] = tree.xpath("//a[@id='export-excel']/@href")
    [csv_link] = tree.xpath("//a[@id='export-csv']/@href")
    assert excel_link.split("?")[1] == csv_link.split("?")[1] and "reserved=1" in excel_link
