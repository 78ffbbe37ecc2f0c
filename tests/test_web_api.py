"""The JSON API through the ASGI test client, and its OpenAPI document fuzzed with schemathesis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from sqlalchemy import select

from anbudsradar.web.auth import SESSION_COOKIE, start_session
from models.db import database
from models.user import User
from tests.test_web_support import TODAY, Ids, copy_of, html, ids, log_in, make_app, texts


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return copy_of(tmp_path_factory, tmp_path_factory.mktemp("api"))  # the fuzz test logs in: a copy


@pytest.fixture(scope="module")
def known(url: str) -> Ids:
    return ids(url)


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[TestClient]:
    with TestClient(make_app(url)) as test_client:
        yield test_client


def test_tender_list_api_filters_and_pages(client: TestClient, known: Ids) -> None:
    everything = client.get("/api/tenders", params={"page_size": 10}).json()
    assert everything["total"] == 53 and everything["pages"] == 6 and len(everything["items"]) == 10
    reserved = client.get("/api/tenders", params={"reserved": "1", "page_size": 100}).json()
    assert reserved["total"] < everything["total"]
    assert all(item["reserved"] for item in reserved["items"])
    assert known.lulea_cleaning in {item["id"] for item in reserved["items"]}
    page = client.get("/notices?reserved=1")
    assert int(html(page).xpath("string(//*[@id='total'])")) == reserved["total"], "same filter, same answer"
    direct = client.get("/api/tenders", params={"type": "direct-award"}).json()
    assert {item["notice_type"] for item in direct["items"]} == {"direct-award"}


def test_tender_list_api_rejects_bad_parameters(client: TestClient) -> None:
    response = client.get("/api/tenders", params={"page": 0, "sort": "evil", "deadline_from": "igår"})
    assert response.status_code == 422
    assert {error["loc"][-1] for error in response.json()["detail"]} == {"page", "sort", "deadline_from"}


def test_tender_api_has_lots_tags_matches_consortia(client: TestClient, known: Ids) -> None:
    tender = client.get(f"/api/tenders/{known.lulea_cleaning}").json()
    assert tender["reserved"] is True and tender["reserved_participation"] == ["shelteredWorkshop"]
    assert [lot["lot_id"] for lot in tender["lots"]] == ["LOT-0001", "LOT-0002"]
    evidence = [e for t in tender["tags"] if t["code"] == "reserved_sheltered" for e in t["evidence"]]
    assert any(e.get("text") == "reserverad enligt 4 kap. 18 § LOU" for e in evidence)
    assert tender["matches"][0]["company"] == "Städkooperativet Glänsande"
    assert tender["consortia"][0]["coverage"] == {
        "cleaning": ["Städkooperativet Glänsande"],
        "grounds": ["Grönt & Snö i Boden"],
    }
    assert client.get("/api/tenders/999999").status_code == 404
    assert client.get("/api/tenders/999999").json() == {"detail": "Upphandlingen 999999 finns inte"}


def test_buyer_api(client: TestClient, known: Ids) -> None:
    buyers = client.get("/api/buyers").json()
    assert "Luleå kommun" in {b["name"] for b in buyers}
    overview = client.get(
        f"/api/buyers/{known.lulea_buyer}/overview", params={"to": TODAY.isoformat()}
    ).json()
    assert overview["buyer"]["name"] == "Luleå kommun"
    assert overview["reserved"] >= 2 and overview["total"] >= overview["reserved"]
    assert known.lulea_print in {m["tender"]["id"] for m in overview["missed"]}
    assert client.get("/api/buyers/999999/overview").status_code == 404


def test_coordinator_api_needs_login_and_then_shows_contacts(url: str) -> None:
    with TestClient(make_app(url)) as client:
        assert client.get("/api/companies").status_code == 401
        log_in(client)
        companies = client.get("/api/companies").json()
        assert "kontakt@glansande.example" in {e for c in companies for e in c["contact_emails"]}
        consortia = client.get("/api/consortia", params={"status": "dismissed"}).json()
        assert [c["status"] for c in consortia] == ["dismissed"]
        assert consortia[0]["history"][0]["actor"] == "ansvarig"


def test_api_page_lists_every_route_of_the_openapi_document(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    listed = set(texts(html(client.get("/api")), "//table[@id='api-table']//td[2]"))
    assert listed == set(document["paths"]) and "/api/tenders" in listed
    assert all(not path.startswith(("/notices", "/coordinator")) for path in document["paths"])
    assert client.get("/docs").status_code == 404, "no Swagger UI: it would load scripts from a CDN"


@pytest.fixture(scope="module")
def session_cookie(url: str) -> str:
    with database(url) as sessions, sessions() as session:
        user = session.scalars(select(User)).one()
        token = start_session(session, user, hours=1)
        session.commit()
    return token


FUZZ_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def test_openapi_document_fuzzed_without_server_errors(url: str, session_cookie: str) -> None:
    """Every operation, valid and invalid parameters, logged in: no 5xx, answers as documented."""
    api = schemathesis.openapi.from_asgi("/api/openapi.json", make_app(url))
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers={"Cookie": f"{SESSION_COOKIE}={session_cookie}"}, checks=FUZZ_CHECKS
            )

        fuzz()
