"""End to end in headless Chromium (Debian's, via Playwright): log in, filter, open, accept a consortium.

Screenshots go to test-artifacts/ (git-ignored). The app runs in uvicorn on 127.0.0.1 in this process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from models.db import database
from models.matching import ConsortiumEvent, ConsortiumSuggestion
from tests.conftest import ARTIFACTS, REPO_ROOT
from tests.net import served
from tests.test_web_support import PASSWORD, USERNAME, copy_of, ids, make_app


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The app on a copy of the test database, served by uvicorn on 127.0.0.1; yields (base URL, db URL)."""
    url = copy_of(tmp_path_factory, tmp_path)
    with served(make_app(url)) as base:
        yield base, url


def test_officer_and_coordinator_journey(server: tuple[str, str], browser: object) -> None:
    base, url = server
    known = ids(url)
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("web-*.png"):
        old.unlink()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")  # type: ignore[attr-defined]
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort()
    )
    page = context.new_page()

    page.goto(f"{base}/login")
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.screenshot(path=ARTIFACTS / "web-01-login.png")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/coordinator/companies")
    assert "Samordnaren Sara" in page.inner_text(".who")

    page.click("header nav >> text=Upphandlingar")
    page.check("input[name=reserved]")
    page.select_option("select[name=status]", "open")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**/notices?*reserved=1*")
    assert "status=open" in page.url, "the filter state is in the URL"
    rows = page.locator("#tender-table tbody tr")
    assert rows.count() > 0
    for index in range(rows.count()):
        assert "Reserverad" in rows.nth(index).inner_text()
    page.screenshot(path=ARTIFACTS / "web-02-reserved-tenders.png", full_page=True)

    page.click(f"#tender-table tr[data-id='{known.lulea_cleaning}'] a")
    page.wait_for_url(f"{base}/notices/{known.lulea_cleaning}")
    assert page.inner_text("#notice-description mark") == "reserverad enligt 4 kap. 18 § LOU"
    page.screenshot(path=ARTIFACTS / "web-03-tender-page.png", full_page=True)

    card = page.locator(f"article[data-suggestion='{known.suggestion}']")
    card.locator("input[name=note]").fill("Glänsande leder anbudet")
    card.locator("button:has-text('Spara anteckning')").click()
    page.wait_for_load_state()
    card = page.locator(f"article[data-suggestion='{known.suggestion}']")
    card.locator("button:has-text('Acceptera')").click()
    page.wait_for_url(f"{base}/notices/{known.lulea_cleaning}#forslag-{known.suggestion}")
    card = page.locator(f"article[data-suggestion='{known.suggestion}']")
    assert card.locator(".status").inner_text() == "Accepterat"
    card.locator("details.history summary").click()
    assert "samordnare accepterade" in card.locator("details.history").inner_text()
    card.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "web-04-consortium-accepted.png", full_page=True)

    page.goto(f"{base}/buyers/{known.lulea_buyer}")
    assert page.locator("figure svg rect").count() > 0
    page.screenshot(path=ARTIFACTS / "web-05-buyer-overview.png", full_page=True)
    context.close()

    with database(url) as sessions, sessions() as session:
        suggestion = session.get(ConsortiumSuggestion, known.suggestion)
        actions = session.scalars(
            select(ConsortiumEvent.action).where(ConsortiumEvent.suggestion_pk == known.suggestion)
        ).all()
    assert suggestion is not None and suggestion.status == "accepted" and suggestion.changed_by == USERNAME
    assert actions == ["note", "accepted"]
    shots = sorted(p.name for p in ARTIFACTS.glob("web-*.png"))
    assert len(shots) == 5 and all((ARTIFACTS / name).stat().st_size > 10_000 for name in shots)


def test_artifacts_folder_is_git_ignored() -> None:
    ignored = (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "test-artifacts/" in ignored
