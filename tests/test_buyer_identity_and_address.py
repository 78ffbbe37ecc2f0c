"""One buyer per organisation whatever form its number is written in (store and migration 0010), the
eForms buyer address read from real notices, and two wordings on the pages (fictional companies,
"org.nr" only before a Swedish organisation number)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from anbudsradar.ingest import ingest_paths
from anbudsradar.samples.companies import load_demo_companies
from anbudsradar.samples.norrbotten import write_samples
from anbudsradar.web.auth import create_user
from anbudsradar.web.queries.tenders import filter_choices
from crawlers.demo_site import ocds_releases
from crawlers.parsers.dispatch import parse_one
from crawlers.parsers.record import Buyer as RecordBuyer
from crawlers.parsers.record import NoticeRecord
from models.company import Company
from models.db import alembic_config, database, make_engine, migrate
from models.notice import Buyer, Notice
from models.store import buyer_key
from tests.conftest import real_files, real_path
from tests.test_web_support import PASSWORD, TODAY, USERNAME, html, log_in, make_app, texts

LULEA = "SE:id:2120002726"
REGION = "SE:id:2321000230"
# Every form in which Luleå kommun's organisation number 212000-2726 reaches us.
LULEA_FORMS = [
    ("212000-2726", "SE"),  # TED legacy, HTML listings
    ("2120002726", "SE"),  # eForms BT-501
    ("SE-BLV-212000-2726", "SE"),  # OCDS identifier.scheme "SE-BLV" + id (crawlers/demo_site.py)
    ("SE-BLV-212000-2726", None),  # an OCDS party without an address country
    ("SE-BLV-2120002726", "SE"),
    ("SE-ORG-2120002726", "SE"),
    ("se-blv 212000-2726", "SE"),
    ("SE212000272601", "SE"),  # the VAT number
    ("SE 212000-2726 01", None),
    ("SE-2120002726", "SE"),
]
# Pairs of identifiers that name different organisations, or that nothing says are the same one.
APART = [
    (("GB-CFS-307565", "GB"), ("307565", "GB")),  # a Contracts Finder id is no register number
    (("GB-COH-01234567", "GB"), ("GB-CHC-01234567", "GB")),  # two registers, one number
    (("SE-XYZ-2120002726", "SE"), ("2120002726", "SE")),  # a scheme that is not Bolagsverket's
    (("SE-BLV-212000-2726", "NO"), ("2120002726", "SE")),  # the prefix disagrees with the country
    (("2120002726", None), ("2120002726", "SE")),  # ten digits without a country are no org number
    (("SE212000272699", "SE"), ("2120002726", "SE")),  # twelve digits that are no VAT number
    (("P1715600A", "ES"), ("P1715600A", "FR")),  # letters first, another country
    (("NO971014407MVA", "NO"), ("971014407", "SE")),
]
# Numbers of other national registers, each in the forms it is written in.
OTHER_REGISTERS = [
    [("971014407", "NO"), ("NO-BRC-971014407", "NO"), ("NO 971 014 407 MVA", None), ("971 014 407", "NO")],
    [("0216509-5", "FI"), ("FI-PRO-0216509-5", "FI"), ("FI02165095", None), ("02165095", "FI")],
    [("29190941", "DK"), ("DK-CVR-29190941", "DK"), ("DK29190941", "DK")],
]


def key_of(identifier: str | None, country: str | None, name: str = "Luleå kommun") -> str | None:
    """The store's buyer key of a record with this buyer."""
    buyer = RecordBuyer(name=name, identifier=identifier, country=country)
    return buyer_key(NoticeRecord(source_format="ocds", source_path="x", notice_id="n", buyer=buyer))


@pytest.mark.parametrize(("identifier", "country"), LULEA_FORMS)
def test_every_written_form_of_a_swedish_org_number_is_one_buyer(
    identifier: str, country: str | None
) -> None:
    assert key_of(identifier, country) == LULEA


@pytest.mark.parametrize(("first", "second"), APART)
def test_identifiers_of_other_registers_or_countries_stay_apart(
    first: tuple[str, str | None], second: tuple[str, str | None]
) -> None:
    assert key_of(*first) != key_of(*second)


@pytest.mark.parametrize("forms", OTHER_REGISTERS, ids=["NO-BRC", "FI-PRO", "DK-CVR"])
def test_nordic_register_numbers_are_one_buyer_in_each_form(forms: list[tuple[str, str | None]]) -> None:
    assert len({key_of(*form) for form in forms}) == 1


def test_a_buyer_without_identifier_is_still_known_by_country_and_name() -> None:
    assert key_of(None, "SE", " Uppsala kommun ") == "SE:name:uppsala kommun"
    assert key_of("  ", None, "") is None


def write_ocds(folder: Path, suffix: str = "") -> Path:
    """The demo's OCDS releases (buyers as "SE-BLV-…") as a package; `suffix` makes them new procedures."""
    releases = ocds_releases(TODAY)
    for release in releases:
        release["ocid"] += suffix
        release["id"] += suffix
    package = folder / f"ocds{suffix}" / "demo-releases.json"
    package.parent.mkdir(parents=True)
    package.write_text(json.dumps({"uri": "https://example.org/demo", "releases": releases}))
    return package


def write_demo_inputs(folder: Path) -> list[str]:
    """The demo's eForms samples and its OCDS releases, as files to ingest."""
    return [str(path) for path in write_samples(folder / "samples", TODAY)] + [str(write_ocds(folder))]


def real_inputs() -> list[str]:
    """The real published notices (the test is skipped where ../shared is absent)."""
    return [str(real_path(folder)) for folder in ("eforms", "ted-legacy", "ocds")]


@pytest.fixture(scope="module")
def demo_and_real(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database with the demo's notices (eForms and OCDS), the real notices and companies."""
    folder = tmp_path_factory.mktemp("buyers")
    url = f"sqlite:///{folder / 'buyers.db'}"
    ingest_paths(write_demo_inputs(folder), url)
    ingest_paths(real_inputs(), url)
    with database(url) as sessions, sessions() as session:
        load_demo_companies(session)
        session.add(
            Company(
                org_number="7696123459",
                name="Testkooperativet Norr",
                contact_emails=["info@testkooperativet.example"],
                branches=["cleaning"],
                keywords=[],
                area_municipalities=[],
                area_counties=["25"],
                networks=[],
                fictional=True,
            )
        )
        create_user(session, USERNAME, PASSWORD, "Samordnaren Sara")
        session.commit()
    return url


def buyers_named(session: Session, name: str) -> list[Buyer]:
    return list(session.scalars(select(Buyer).where(Buyer.name == name)))


def test_demo_sources_and_real_notices_list_each_buyer_once(demo_and_real: str) -> None:
    with database(demo_and_real) as sessions, sessions() as session:
        names = Counter(name for _, name in filter_choices(session)["buyers"])
        assert [name for name, count in names.items() if count > 1] == []
        for name, key, shown in (
            ("Luleå kommun", LULEA, "212000-2726"),
            ("Region Norrbotten", REGION, "232100-0230"),
        ):
            (buyer,) = buyers_named(session, name)
            assert (buyer.key, buyer.identifier, buyer.country) == (key, shown, "SE")
            formats = set(session.scalars(select(Notice.source_format).where(Notice.buyer_id == buyer.id)))
            assert formats == {"eforms", "ocds"}, "the OCDS notices are under the eForms notices' buyer"
        (finnish,) = buyers_named(session, "Servica Oy")
        assert finnish.identifier == "2947618-4", "a foreign identifier is written as its register does"


def test_new_notices_in_either_form_find_the_stored_buyer(demo_and_real: str, tmp_path: Path) -> None:
    with database(demo_and_real) as sessions, sessions() as session:
        before = session.scalar(select(func.count()).select_from(Buyer))
    summary = ingest_paths([str(write_ocds(tmp_path, "-b"))], demo_and_real)
    assert summary.new == 3
    with database(demo_and_real) as sessions, sessions() as session:
        assert session.scalar(select(func.count()).select_from(Buyer)) == before
        assert len(buyers_named(session, "Luleå kommun")) == 1


def buyer_state(engine: Engine) -> tuple[dict[int, str], dict[str, str | None]]:
    """(notice id -> its buyer's key, buyer key -> identifier) as stored (read without migrating)."""
    with engine.connect() as connection:
        rows = connection.execute(select(Notice.id, Buyer.key).join(Buyer, Buyer.id == Notice.buyer_id))
        notices: dict[int, str] = dict(rows.all())
        buyers = connection.execute(select(Buyer.key, Buyer.identifier)).all()
        identifiers: dict[str, str | None] = dict(buyers)
    return notices, identifiers


def test_migration_0010_merges_stored_duplicates_and_goes_down_and_up_again(
    database_url: str, tmp_path: Path
) -> None:
    ingest_paths(write_demo_inputs(tmp_path), database_url)
    engine = make_engine(database_url)
    try:
        merged = buyer_state(engine)
        command.downgrade(alembic_config(engine), "0009")
        old = buyer_state(engine)  # as the code before 0010 stored them
        assert {LULEA, "SE:id:seblv2120002726", REGION, "SE:id:seblv2321000230"} <= set(old[1])
        assert old[1]["SE:id:seblv2120002726"] == "SE-BLV-212000-2726"
        assert old[1][LULEA] == "2120002726", "the eForms identifier as parsed"
        migrate(engine)
        assert buyer_state(engine) == merged
        with database(database_url) as sessions, sessions() as session:
            assert len(buyers_named(session, "Luleå kommun")) == 1
            assert len(buyers_named(session, "Region Norrbotten")) == 1
            for notice in session.scalars(select(Notice)):  # the keys that the store looks buyers up by
                buyer = notice.record["buyer"]
                assert notice.buyer is not None
                assert notice.buyer.key == key_of(buyer["identifier"], buyer["country"], buyer["name"])
        command.downgrade(alembic_config(engine), "0009")
        assert buyer_state(engine) == old
        migrate(engine)
        assert ingest_paths([str(write_ocds(tmp_path, "-b"))], database_url).new == 3
        notices, identifiers = buyer_state(engine)
        assert identifiers == merged[1], "no new buyer"
        assert {notices[n] for n in notices.keys() - merged[0].keys()} == {LULEA, REGION}
    finally:
        engine.dispose()


NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
}
ISO3 = {"BEL": "BE", "DEU": "DE", "DNK": "DK", "ESP": "ES", "FIN": "FI", "GRC": "GR", "ITA": "IT",
        "NOR": "NO", "POL": "PL", "LUX": "LU", "GBR": "GB"}


def buyer_address(data: bytes) -> dict[str, str]:
    """The fields of the buyer organisation's cac:PostalAddress (OPT-300 -> OPT-200), by local name."""
    root = etree.fromstring(data)
    ref = root.xpath("string(cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID)", namespaces=NS)
    for company in root.xpath("//efac:Organizations/efac:Organization/efac:Company", namespaces=NS):
        if company.xpath("string(cac:PartyIdentification/cbc:ID)", namespaces=NS).strip() == ref.strip():
            address = company.find("cac:PostalAddress", NS)
            return {
                etree.QName(element).localname: " ".join((element.text or "").split())
                for element in ([] if address is None else address.iter("{*}*"))
                if (element.text or "").strip()
            }
    raise AssertionError("no buyer organisation")


@pytest.mark.parametrize("path", real_files("eforms", "*.xml"), ids=lambda p: p.name)
def test_real_eforms_buyer_city_country_and_nuts_are_the_buyers_postal_address(path: Path) -> None:
    (record,) = parse_one(path.read_bytes(), str(path)).records
    address = buyer_address(path.read_bytes())
    assert record.buyer.city == address.get("CityName")  # BT-513, never the street (BT-510)
    assert record.buyer.country == ISO3[address["IdentificationCode"]]  # BT-514
    assert record.buyer.nuts == address.get("CountrySubentityCode")  # BT-507


def test_the_spanish_notice_publishes_its_street_in_the_city_field() -> None:
    """The publisher of 00262891-2023 wrote the street in cbc:CityName and sent no street or postcode."""
    data = real_path("eforms/ESP_00262891-2023.xml").read_bytes()
    assert buyer_address(data) == {"CityName": "PLAÇA DE L'AJUNTAMENT,3", "IdentificationCode": "ESP"}


@pytest.fixture(scope="module")
def client(demo_and_real: str) -> Iterator[TestClient]:
    with TestClient(make_app(demo_and_real)) as test_client:
        log_in(test_client)
        yield test_client


def test_the_company_list_says_fictional_once(client: TestClient) -> None:
    cells = texts(html(client.get("/coordinator/companies")), "//table[@id='company-table']/tbody/tr/td[1]")
    demo = [cell for cell in cells if cell.startswith("Städkooperativet Glänsande")]
    assert demo == ["Städkooperativet Glänsande (fiktiv)"]
    assert all(cell.count("fiktiv") == 1 for cell in cells), cells
    assert "Testkooperativet Norr (fiktivt)" in cells, "a name that does not say it gets the mark"


def buyer_line(client: TestClient, session: Session, buyer_name: str) -> str:
    notice_id = session.scalar(
        select(Notice.id).join(Buyer, Buyer.id == Notice.buyer_id).where(Buyer.name == buyer_name).limit(1)
    )
    tree = html(client.get(f"/notices/{notice_id}"))
    (line,) = texts(tree, "//dl[@id='fields']/dt[.='Köpare']/following-sibling::dd[1]")
    return line


def test_org_nr_stands_only_before_a_swedish_organisation_number(
    client: TestClient, demo_and_real: str
) -> None:
    with database(demo_and_real) as sessions, sessions() as session:
        assert buyer_line(client, session, "Luleå kommun") == "Luleå kommun, Luleå (org.nr 212000-2726)"
        assert buyer_line(client, session, "Servica Oy") == "Servica Oy, Kuopio (id 2947618-4)"
        assert buyer_line(client, session, "AYUNTAMIENTO DE RIPOLL").endswith("(id P1715600A)")
        assert buyer_line(client, session, "Manchester City Council").endswith("(id GB-CFS-211960)")
