"""Security through the ASGI test client: login, sessions, CSRF, rate limit, access, escaping, settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from anbudsradar.web.auth import SESSION_COOKIE, create_user
from anbudsradar.web.exceptions import WebConfigError
from anbudsradar.web.settings import load_web_settings
from models.company import Company
from models.db import database
from models.user import User, UserSession
from tests.test_web_support import PASSWORD, USERNAME, copy_of, csrf_of, html, ids, log_in, make_app, texts

COORDINATOR_PAGES = (
    "/coordinator/companies",
    "/coordinator/companies/new",
    "/coordinator/companies/import",
    "/coordinator/network",
    "/coordinator/consortia",
    "/coordinator/digests",
)


@pytest.fixture
def url(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> str:
    return copy_of(tmp_path_factory, tmp_path)


@pytest.fixture
def client(url: str) -> Iterator[TestClient]:
    with TestClient(make_app(url, login_attempts=3)) as test_client:
        yield test_client


@pytest.mark.parametrize("path", COORDINATOR_PAGES)
def test_coordinator_pages_redirect_to_login(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_company_page_and_contact_emails_need_login(client: TestClient, url: str) -> None:
    known = ids(url)
    assert client.get(f"/coordinator/companies/{known.glansande}", follow_redirects=False).status_code == 303
    assert client.get("/api/companies").status_code == 401
    assert client.get("/api/consortia").status_code == 401
    tender = client.get(f"/notices/{known.lulea_cleaning}").text
    assert "glansande.example" not in tender  # no contact e-mail on public pages


def test_login_sets_a_hardened_session_cookie_and_opens_the_pages(client: TestClient, url: str) -> None:
    response = log_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/coordinator/companies"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    for path in COORDINATOR_PAGES:
        assert client.get(path).status_code == 200, path
    tree = html(client.get("/coordinator/companies"))
    assert "kontakt@glansande.example" in texts(tree, "//table[@id='company-table']//td[7]")
    assert "Samordnaren Sara" in tree.xpath("string(//span[@class='who'])")
    with database(url) as sessions, sessions() as session:
        stored = session.scalars(select(UserSession.token_hash)).all()
        user = session.scalars(select(User)).one()
    token = client.cookies[SESSION_COOKIE]
    assert token not in stored and len(stored) == 1  # only a hash of the token is kept
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_wrong_password_and_unknown_user_get_the_same_answer(client: TestClient) -> None:
    wrong = log_in(client, USERNAME, "fel-lösenord-999")
    unknown = log_in(client, "ingen-sadan", "fel-lösenord-999")
    assert wrong.status_code == unknown.status_code == 401
    assert html(wrong).xpath("string(//*[@id='login-error'])") == html(unknown).xpath(
        "string(//*[@id='login-error'])"
    )
    assert SESSION_COOKIE not in client.cookies


def test_login_is_rate_limited_per_user_name(client: TestClient) -> None:
    for _ in range(3):
        assert log_in(client, USERNAME, "fel-lösenord-999").status_code == 401
    blocked = log_in(client)  # even the right password waits now
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert SESSION_COOKIE not in client.cookies


def test_logout_ends_the_session(client: TestClient) -> None:
    log_in(client)
    token = csrf_of(client, "/coordinator/companies")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/coordinator/companies", follow_redirects=False).status_code == 303


def test_a_stolen_old_cookie_does_not_work_after_logout(client: TestClient, url: str) -> None:
    log_in(client)
    old = client.cookies[SESSION_COOKIE]
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")}, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, old)
    assert client.get("/coordinator/companies", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_forms_without_a_valid_csrf_token_are_refused(
    client: TestClient, url: str, token: str | None
) -> None:
    known = ids(url)
    log_in(client)
    data = {"action": "accepted"} | ({"csrf_token": token} if token is not None else {})
    response = client.post(f"/coordinator/consortia/{known.suggestion}", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert html(response).xpath("string(//section[@class='error-page']/@data-status)") == "403"
    login = client.post("/login", data={"username": USERNAME, "password": PASSWORD}, follow_redirects=False)
    assert login.status_code == 403  # the login form is protected too


def test_csrf_token_of_another_browser_is_refused(client: TestClient, url: str) -> None:
    known = ids(url)
    log_in(client)
    with TestClient(client.app) as other:
        foreign = csrf_of(other, "/login")
    response = client.post(
        f"/coordinator/consortia/{known.suggestion}", data={"action": "accepted", "csrf_token": foreign}
    )
    assert response.status_code == 403


def test_cross_site_origin_is_refused(client: TestClient, url: str) -> None:
    log_in(client)
    token = csrf_of(client, "/coordinator/consortia")
    response = client.post(
        f"/coordinator/consortia/{ids(url).suggestion}",
        data={"action": "accepted", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_login_redirect_never_leaves_the_site(client: TestClient) -> None:
    token = csrf_of(client, "/login")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(
            "/login",
            data={"username": USERNAME, "password": PASSWORD, "next": target, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/coordinator/companies", target


def test_tender_pages_can_require_login(url: str) -> None:
    with TestClient(make_app(url, public_tenders=False)) as client:
        assert client.get("/notices", follow_redirects=False).status_code == 303
        assert client.get("/notices/export.csv", follow_redirects=False).status_code == 303
        assert client.get("/api/tenders").status_code == 401
        assert client.get("/").status_code == 200
        log_in(client)
        assert client.get("/notices").status_code == 200
        assert client.get("/api/tenders").status_code == 200


def test_user_supplied_text_is_escaped(client: TestClient, url: str) -> None:
    log_in(client)
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    token = csrf_of(client, "/coordinator/companies/new")
    response = client.post(
        "/coordinator/companies/new",
        data={"name": evil, "org_number": "556036-0793", "csrf_token": token, "keywords": evil},
    )
    assert response.status_code == 200
    tree = html(response)
    assert not tree.xpath("//script") and not tree.xpath("//img")
    assert tree.xpath("string(//h1)") == evil
    search = html(client.get("/notices", params={"q": evil}))
    assert not search.xpath("//script") and search.xpath("//input[@name='q']/@value") == [evil]
    known = ids(url)
    board = html(client.get("/coordinator/consortia?status=dismissed"))
    assert not board.xpath("//li/b"), "reasons are text, not markup"
    assert "<b>Ingen</b> täcker café" in texts(
        board, f"//article[@data-suggestion!='{known.suggestion}']//ul[@class='reasons']/li"
    )


def test_responses_carry_security_headers(client: TestClient) -> None:
    headers = client.get("/notices").headers
    assert "script-src 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "SAMEORIGIN"


def test_secret_key_is_required_outside_the_demo() -> None:
    with pytest.raises(WebConfigError, match="ANBUDSRADAR_SECRET_KEY is not set"):
        load_web_settings({})
    with pytest.raises(WebConfigError, match="too short"):
        load_web_settings({"ANBUDSRADAR_SECRET_KEY": "short"})
    assert load_web_settings({}, demo=True).secret_key
    with pytest.raises(WebConfigError, match="ANBUDSRADAR_PUBLIC_TENDERS='kanske'"):
        load_web_settings({"ANBUDSRADAR_SECRET_KEY": "x" * 32, "ANBUDSRADAR_PUBLIC_TENDERS": "kanske"})
    with pytest.raises(WebConfigError, match="ANBUDSRADAR_PAGE_SIZE=0 is outside"):
        load_web_settings({"ANBUDSRADAR_SECRET_KEY": "x" * 32, "ANBUDSRADAR_PAGE_SIZE": "0"})
    settings = load_web_settings({"ANBUDSRADAR_SECRET_KEY": "x" * 32, "ANBUDSRADAR_PUBLIC_TENDERS": "0"})
    assert settings.public_tenders is False and "x" * 32 not in repr(settings)


def test_server_errors_are_a_page_without_traceback(url: str) -> None:
    app = make_app(url)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert html(response).xpath("string(//section[@class='error-page']/@data-status)") == "500"


def test_a_nul_character_in_any_text_is_a_clear_400_not_a_server_error(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """On PostgreSQL each of these was a 500 page: it refuses NUL characters in text, even in a query."""
    monkeypatch.setenv("ANBUDSRADAR_DATA_DIR", str(tmp_path / "var"))  # the digest links' key file
    with database(database_url) as sessions, sessions() as session:
        create_user(session, USERNAME, PASSWORD, "Samordnaren Sara")
        session.commit()
    with TestClient(make_app(database_url)) as client:
        token = csrf_of(client, "/login")
        login = client.post("/login", data={"username": "sara\x00", "password": "x", "csrf_token": token})
        assert login.status_code == 400 and "username" in html(login).xpath("string(//main)")
        log_in(client)
        for path in ("/buyers?q=%00", "/coordinator/companies?q=a%00", "/coordinator/companies?branch=%00"):
            page = client.get(path)
            assert page.status_code == 400, path
            assert "Ogiltiga värden i:" in html(page).xpath("string(//main)")
        for path in ("/api/buyers?q=%00", "/api/companies?q=%00"):
            assert client.get(path).status_code == 422, path
        assert client.get("/unsubscribe/%00?token=x").status_code == 404
        assert client.get("/buyers?q=Lule%C3%A5").status_code == 200
        form = "/coordinator/companies/new"
        data = {"name": "Noll\x00Byte AB", "org_number": "556036-0793", "area_municipalities": "2581",
                "branches": "cleaning", "csrf_token": csrf_of(client, form)}
        created = client.post(form, data=data)
        assert created.status_code == 400
        assert "NUL-tecken" in html(created).xpath("string(//*[@id='error-name'])")
        upload = "/coordinator/companies/import"
        rows = "org_number,name,branches,area_municipalities\n556036-0793,Noll\x00Byte,cleaning,2581\n"
        rows += "556012-5790,Bra Städ,cleaning,2580\n"
        imported = client.post(
            upload, data={"csrf_token": csrf_of(client, upload)}, files={"file": ("f.csv", rows.encode())}
        )
        assert imported.status_code == 400
        assert "f.csv:2 (556036-0793): name: ett NUL-tecken" in html(imported).xpath("string(//main)")
    with database(database_url) as sessions, sessions() as session:
        assert list(session.scalars(select(Company.name))) == ["Bra Städ"]
