"""The HTML part in headless Chromium: screenshots in test-artifacts/ and checks for broken layout.

A digest with every section, a long Swedish compound word and long reasons is rendered at desktop
and phone widths; nothing may stick out sideways, sections and cards may not overlap, and the
screenshots are kept for a person to look at.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from notifier.digest import Change, Digest, DigestConsortium, DigestNotice, LotLine, Partner
from notifier.render import render
from notifier.weeks import IsoWeek
from tests.conftest import ARTIFACTS
from tests.test_notify_support import NOW, notifier_settings

LONG_WORD = "Lokalvårdsupphandlingsförfrågningsunderlagsbilagor"


def entry(number: int, section: str, **fields: Any) -> DigestNotice:
    values: dict[str, Any] = {
        "notice_pk": number,
        "section": section,
        "title": f"Lokalvård i förskolor, område {number}",
        "buyer": "Luleå kommun",
        "place": "Luleå, Norrbottens län",
        "deadline": NOW + timedelta(days=number * 3),
        "days_left": number * 3,
        "amount": 1_200_000.0 * number,
        "currency": "SEK",
        "notice_type": "contract-notice",
        "reserved": False,
        "reserved_eligible": None,
        "score": 0.9 - number / 100,
        "reasons": ["Lokalvård i Luleå, inom ert område", "Storleken passar ett företag med 8 anställda"],
        "lots": [],
        "url": f"https://example.org/notices/{number}",
        "content_hash": "0" * 64,
        "keys": [(number, None)],
        "snapshot": {},
    }
    values.update(fields)
    return DigestNotice(**values)


def full_digest(language: str) -> Digest:
    long_reason = (
        "Annonsen nämner arbetsträning för personer som står långt från arbetsmarknaden, "
        "och ert företag har 40 procent anställda med lönebidrag, vilket passar kravet väl"
    )
    reserved = entry(
        1,
        "reserved",
        reserved=True,
        reserved_eligible=True,
        lots=[
            LotLine("LOT-1", "Förskolor centrum", 0.92, [], 900_000, "SEK"),
            LotLine("LOT-2", "Förskolor Gammelstad och Sunderbyn", 0.81, [], 650_000, "SEK"),
        ],
    )
    long_title = entry(
        2, "new", title=f"{LONG_WORD} och {LONG_WORD.lower()} för Region Norrbotten", reasons=[long_reason]
    )
    direct = entry(3, "new", notice_type="direct-award", deadline=None, days_left=None)
    closing = entry(4, "closing", days_left=2, deadline=NOW + timedelta(days=2))
    changed = entry(
        5,
        "changed",
        changes=[
            Change("deadline", "2026-12-10T12:00:00+01:00", "2026-12-17T12:00:00+01:00"),
            Change("value", (1_000_000, "SEK"), (1_400_000, "SEK")),
            Change("lots", ["Område norr"], ["Område norr och Sävast"]),
            Change("description"),
        ],
    )
    team = DigestConsortium(
        suggestion_pk=1,
        notice=entry(6, "consortium", reasons=[]),
        lot_id=None,
        lot_title=None,
        partners=[
            Partner(2, "Café Åkern ekonomisk förening", "7696000020"),
            Partner(3, "Grönt & Skönt", "7696000038"),
        ],
        coverage=[("Tvätteri", ["Städkooperativet Glänsande"]), ("Sömnad och textil", ["Café Åkern"])],
        reasons=["Ni har lämnat anbud tillsammans förut", long_reason],
        score=0.8,
        status="accepted",
        members=[1, 2, 3],
    )
    return Digest(
        company_pk=1,
        org_number="7696000012",
        company_name="Städkooperativet Glänsande ekonomisk förening",
        language=language,
        recipients=["info@example.org"],
        week=IsoWeek.parse("2026-W49"),
        now=NOW,
        last_sent=NOW - timedelta(days=7),
        branches=["Städ och lokalvård", "Tvätteri"],
        area=["Luleå", "Boden", "Norrbottens län"],
        sections={
            "reserved": [reserved],
            "new": [long_title, direct],
            "closing": [closing],
            "changed": [changed],
        },
        more={"new": 4},
        consortia=[team],
    )


LAYOUT_PROBLEMS = """
() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push(`page is ${document.documentElement.scrollWidth}px wide in a ${width}px window`);
  }
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    const hidden = getComputedStyle(element).display === 'none' || box.width === 0;
    if (!hidden && (box.right > width + 0.5 || box.left < -0.5)) {
      problems.push(`<${element.tagName.toLowerCase()}> "${element.textContent.trim().slice(0, 40)}" `
        + `spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
    }
  }
  const cards = [...document.querySelectorAll('table.card')].map(t => t.getBoundingClientRect());
  for (let i = 1; i < cards.length; i++) {
    if (cards[i].top < cards[i - 1].bottom - 0.5) problems.push(`card ${i} overlaps card ${i - 1}`);
  }
  return problems;
}
"""


@pytest.mark.parametrize(("language", "width"), [("sv", 800), ("sv", 375), ("en", 800)])
def test_the_html_digest_renders_without_broken_layout(
    browser: Any, tmp_path: Path, language: str, width: int
) -> None:
    rendered = render(
        full_digest(language),
        notifier_settings(tmp_path),
        "https://anbudsradar.example.org/unsubscribe/7696000012?token=abc",
        "https://anbudsradar.example.org/preferences/7696000012?token=def",
    )
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.set_content(rendered.html, wait_until="load")
        ARTIFACTS.mkdir(exist_ok=True)
        screenshot = ARTIFACTS / f"digest-{language}-{width}px.png"
        page.screenshot(path=str(screenshot), full_page=True)
        problems = page.evaluate(LAYOUT_PROBLEMS)
        headings = page.eval_on_selector_all("h2", "hs => hs.map(h => h.getBoundingClientRect().height)")
        height = page.evaluate("document.documentElement.scrollHeight")
    finally:
        page.close()
    assert problems == []
    assert len(headings) == 5 and all(18 < h < 120 for h in headings)  # five sections, each heading visible
    assert height > 2000  # everything is laid out, nothing collapsed
    assert requests == []  # no external images, fonts or scripts to fetch
    assert screenshot.stat().st_size > 50_000
