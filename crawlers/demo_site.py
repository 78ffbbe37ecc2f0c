"""The demo's local web: the sample notices behind all five source kinds, on 127.0.0.1.

The eForms samples (anbudsradar.samples) are served through a TED-shaped search API (the recent
ones) and TED-shaped daily packages (the older ones); an OCDS API, an advertisement database's
RSS feed and a municipality's direct-award page carry more notices written here. Buyers are real
Norrbotten organisations; every notice is fictional and says so. Dates are relative to `today`,
everything else is fixed, so two runs on the same day serve the same bytes.
"""

from __future__ import annotations

import io
import tarfile
from collections import defaultdict
from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import Any

from crawlers.localsite import LocalSite, Reply, ocds_route, ted_result, ted_search_route
from crawlers.parsers.dispatch import parse_one

FICTIONAL = "(Exempelannons för demonstration, fiktiv.)"
RECENT_DAYS = 5  # samples published within these days come through the search API, older ones in packages
XML = {"Content-Type": "application/xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}


def build_demo_site(samples_folder: Path, today: date) -> tuple[LocalSite, str]:
    """Return the (not yet started) site and the YAML of its five sources."""
    site = LocalSite()
    site.add("/robots.txt", Reply(body=b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}))
    _ted(site, samples_folder, today)
    site.add("/ocds/releases", ocds_route(ocds_releases(today), page_size=2))
    feed_items = feed_entries(today)
    site.add(
        "/annonser/norrbotten.rss",
        Reply(body=rss(feed_items), headers={"Content-Type": "application/rss+xml"}),
    )
    for path, body in direct_award_pages(today).items():
        site.add(path, Reply(body=body, headers=HTML))
    return site, sources_yaml(site)


def sources_yaml(site: LocalSite) -> str:
    """Return the demo's sources file (the same keys as sources.yaml, pointed at the local site)."""
    base = site.base_url
    return f"""# The demo's sources: the bundled samples served on {base} (fictional notices).
sources:
  demo_ted:
    kind: ted_search_api
    url: {base}/v3/notices/search
  demo_ted_packages:
    kind: ted_daily_packages
    url: {base}/packages/daily/{{issue}}
    calendar_url: {base}/release-calendar/{{year}}
    filter: {{countries: [SE]}}
  demo_ocds:
    kind: ocds_api
    url: {base}/ocds/releases
  demo_annonser:
    kind: feed
    url: {base}/annonser/norrbotten.rss
    buyer: {{name: Piteå kommun, org_number: 212000-2742, municipality_code: "2581", city: Piteå}}
  demo_boden_direktupphandlingar:
    kind: html_listing
    url: {base}/boden/direktupphandlingar
    notice_type: direct-award
    buyer: {{name: Bodens kommun, org_number: 212000-2692, municipality_code: "2582", city: Boden}}
    selectors:
      item: table.direktupphandlingar tbody tr
      link: td.rubrik a::attr(href)
      fields:
        title: td.rubrik a::text
        reference: td.diarienr::text
        published: td.publicerad::text
        deadline: td.sista-dag::text
      detail_fields:
        description: div.beskrivning
        value: dd.varde::text
        cpv: dd.cpv::text
"""


def _ted(site: LocalSite, samples_folder: Path, today: date) -> None:
    """Serve the recent samples through the search API, the older ones as daily packages."""
    by_day: dict[date, list[Path]] = defaultdict(list)
    for path in sorted(samples_folder.glob("*.xml")):
        outcome = parse_one(path.read_bytes(), str(path))
        published = outcome.records[0].published if outcome.records else None
        by_day[date.fromisoformat(published) if published else today].append(path)
    results, calendar = [], []
    for number, day in enumerate(sorted(by_day), start=1):
        if (today - day).days < RECENT_DAYS:
            for path in by_day[day]:
                publication = f"{900000 + len(results)}-{day.year}"
                site.add(f"/en/notice/{publication}/xml", Reply(body=path.read_bytes(), headers=XML))
                results.append(
                    ted_result(publication, day.isoformat(), site.url(f"/en/notice/{publication}/xml"))
                )
        else:
            calendar.append((number, day))
            members = {f"{day:%Y%m%d}_{number:03d}/{path.name}": path.read_bytes() for path in by_day[day]}
            site.add(f"/packages/daily/{day.year}{number:05d}", Reply(body=_tar_gz(members)))
    site.add("/v3/notices/search", ted_search_route(results))
    rows = "".join(f"{number},{day:%d/%m/%Y}\n" for number, day in calendar)
    for year in {day.year for day in by_day} | {today.year, (today - timedelta(days=30)).year}:
        site.add(f"/release-calendar/{year}", Reply(body=f"OJS,Publication date\n{rows}".encode()))


def ocds_releases(today: date) -> list[dict[str, Any]]:
    """Fictional OCDS releases of Region Norrbotten and Luleå kommun: two calls and a direct award."""
    region = _party("232100-0230", "Region Norrbotten", "Luleå")
    lulea = _party("212000-2726", "Luleå kommun", "Luleå")
    return [
        _release(
            "ocds-demo-rn-1", today - timedelta(days=4), region, ["tender"], "open",
            "Insamling och återvinning av textilier",
            "Region Norrbotten upphandlar insamling, sortering och återbruk av kasserade textilier.",
            "98310000", 600_000, today + timedelta(days=30),
        ),
        _release(
            "ocds-demo-ll-2", today - timedelta(days=3), lulea, ["tender"], "open",
            "Vaktmästeri och enklare underhåll i fritidsgårdar",
            "Luleå kommun söker vaktmästeritjänster; reserverat för arbetsintegrerande sociala företag "
            "enligt 4 kap. 18 § LOU.",
            "98341140", 900_000, today + timedelta(days=25),
        ),
        _release(
            "ocds-demo-ll-3", today - timedelta(days=2), lulea, ["award"], "direct",
            "Cykelreparationer för hemtjänsten",
            "Direktupphandling av reparation och service av tjänstecyklar.",
            "50860000", 95_000, None,
        ),
    ]  # fmt: skip


def feed_entries(today: date) -> list[dict[str, str]]:
    """Fictional entries of an advertisement database's RSS feed for Piteå kommun."""
    return [
        {
            "title": "Trädgårdsskötsel vid äldreboenden i Piteå",
            "link": "https://example.org/anbudsradar-demo/annons/pitea-tradgard",
            "guid": "demo-annons-pitea-tradgard",
            "pubDate": _rfc822(today - timedelta(days=2)),
            "description": "Gräsklippning, plantering och snöskottning vid fyra äldreboenden. CPV 77314000. "
            f"Sista anbudsdag {today + timedelta(days=21)}. {FICTIONAL}",
        },
        {
            "title": "Efterannonsering: hyra av lokal för secondhandbutik",
            "link": "https://example.org/anbudsradar-demo/annons/pitea-lokal",
            "guid": "demo-annons-pitea-lokal",
            "pubDate": _rfc822(today - timedelta(days=1)),
            "description": f"Piteå kommun har tecknat avtal utan föregående annonsering. {FICTIONAL}",
        },
    ]


def direct_award_pages(today: date) -> dict[str, bytes]:
    """Bodens kommun's fictional page of direct-award requests (direktupphandling) and its details."""
    requests = [
        ("boden-catering", "Catering till kommunens utbildningsdagar", "KS 2026/411", 3, 10,
         "Frukost och lunch för 40 personer vid fyra tillfällen.", "ca 80 000 kr", "55520000"),
        ("boden-flytt", "Flytthjälp vid byte av skollokaler", "KS 2026/415", 1, 14,
         "Packning och flytt av möbler mellan två skolor.", "120 000 kr", "98392000"),
    ]  # fmt: skip
    rows, pages = [], {}
    for key, title, reference, published, deadline, description, value, cpv in requests:
        path = f"/boden/direktupphandlingar/{key}"
        rows.append(
            f'<tr><td class="rubrik"><a href="{path}">{escape(title)}</a></td>'
            f'<td class="diarienr">{reference}</td>'
            f'<td class="publicerad">{today - timedelta(days=published)}</td>'
            f'<td class="sista-dag">{today + timedelta(days=deadline)} kl. 12.00</td></tr>'
        )
        pages[path] = _page(
            title,
            f"<div class='beskrivning'><p>{escape(description)} {FICTIONAL}</p></div>"
            f"<dl><dt>Uppskattat värde</dt><dd class='varde'>{value}</dd>"
            f"<dt>CPV</dt><dd class='cpv'>{cpv}</dd></dl>",
        )
    pages["/boden/direktupphandlingar"] = _page(
        "Direktupphandlingar",
        "<p>Bodens kommun begär in offerter för följande direktupphandlingar (fiktiva exempel).</p>"
        "<table class='direktupphandlingar'><thead><tr><th>Upphandling</th><th>Diarienummer</th>"
        f"<th>Publicerad</th><th>Sista svarsdag</th></tr></thead><tbody>{''.join(rows)}</tbody></table>",
    )
    return pages


def rss(items: list[dict[str, str]]) -> bytes:
    """Return an RSS 2.0 document for the feed entries."""
    entries = "".join(
        "<item>" + "".join(f"<{key}>{escape(value)}</{key}>" for key, value in item.items()) + "</item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Exempel-annonsdatabas: Piteå kommun (fiktiv)</title><link>https://example.org/anbudsradar-demo</link>"
        f"<description>Pågående upphandlingar {FICTIONAL}</description>{entries}</channel></rss>"
    ).encode()


def _release(  # noqa: PLR0917 - the table of releases above reads best positionally
    ocid: str,
    published: date,
    buyer: dict[str, Any],
    tags: list[str],
    method: str,
    title: str,
    description: str,
    cpv: str,
    amount: float,
    deadline: date | None,
) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "id": ocid.removeprefix("ocds-demo-"),
        "title": title,
        "description": f"{description} {FICTIONAL}",
        "status": "active" if "tender" in tags else "complete",
        "procurementMethod": method,
        "items": [
            {
                "id": "1",
                "classification": {"scheme": "CPV", "id": cpv},
                "deliveryAddresses": [{"region": "SE332"}],
            }
        ],
        "value": {"amount": amount, "currency": "SEK"},
    }
    if deadline is not None:
        tender["tenderPeriod"] = {"endDate": f"{deadline}T23:59:00+01:00"}
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{published}",
        "date": f"{published}T08:00:00Z",
        "tag": tags,
        "language": "sv",
        "initiationType": "tender",
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "parties": [buyer],
        "tender": tender,
    }
    if "award" in tags:
        release["awards"] = [
            {"id": "1", "status": "active", "date": f"{published}", "value": tender["value"]}
        ]
    return release


def _party(org_number: str, name: str, city: str) -> dict[str, Any]:
    return {
        "id": f"SE-ORG-{org_number}",
        "name": name,
        "identifier": {"scheme": "SE-BLV", "id": org_number},
        "address": {"locality": city, "region": "SE332", "countryName": "Sverige"},
        "roles": ["buyer"],
    }


def _page(title: str, body: str) -> bytes:
    return (
        f"<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'><title>{escape(title)} – Bodens kommun"
        f"</title></head><body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    ).encode()


def _rfc822(day: date) -> str:
    return f"{day:%a, %d %b %Y} 09:00:00 +0100"


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
