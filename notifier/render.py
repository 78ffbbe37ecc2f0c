"""Render a `Digest` to a subject, a plain-text part and an HTML part with the Jinja2 templates.

Templates live in templates/email/ (digest.txt.j2, digest.html.j2 and their macros), found by
`anbudsradar.resources.templates_dir`. The HTML is written for mail clients: inline styles, tables
for layout, no scripts, no images, no web fonts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from anbudsradar.resources import templates_dir
from notifier import formatting
from notifier.digest import Change, Digest
from notifier.settings import NotifierSettings
from notifier.texts import texts


@dataclass(frozen=True, slots=True)
class RenderedDigest:
    """A digest as words: what goes into the message."""

    subject: str
    text: str
    html: str
    language: str
    unsubscribe_url: str
    preferences_url: str


@cache
def environment() -> Environment:
    """Return the Jinja2 environment (HTML templates autoescaped, undefined names an error)."""
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        amount=formatting.format_amount,
        date=formatting.format_date,
        days_left=formatting.format_days_left,
        score=formatting.format_score,
        org=formatting.format_org_number,
        wrap=formatting.wrap,
        plural=formatting.plural,
        lot_label=lambda lot, language: formatting.lot_label(lot.lot_id, lot.title, language, lot.numbered),
    )
    return env


def subject(digest: Digest) -> str:
    """'Anbudsradar vecka 49: 5 nya upphandlingar för Städkooperativet Glänsande'."""
    t = texts(digest.language)
    values = {"week": digest.week.week, "company": digest.company_name}
    if digest.new_count:
        noun = t["subject_new_noun"][0 if digest.new_count == 1 else 1]
        return str(t["subject_new"]).format(count=digest.new_count, noun=noun, **values)
    if digest.is_empty:
        return str(t["subject_empty"]).format(**values)
    return str(t["subject_updates"]).format(**values)


def render(
    digest: Digest, settings: NotifierSettings, unsubscribe_url: str, preferences_url: str
) -> RenderedDigest:
    """Render the digest in its company's language."""
    language = digest.language
    t = texts(language)
    zone = settings.timezone
    context: dict[str, Any] = {
        "d": digest,
        "t": t,
        "lang": language,
        "subject": subject(digest),
        "summary": summary(digest),
        "deadline": lambda value: formatting.format_deadline(value, zone, language),
        "change": lambda change: describe_change(change, settings, language),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
        "web_url": settings.base_url,
        "organisation": settings.organisation,
        "contact": settings.contact_email,
        "closing_days": settings.closing_days,
    }
    env = environment()
    return RenderedDigest(
        subject=context["subject"],
        text=env.get_template("email/digest.txt.j2").render(context),
        html=env.get_template("email/digest.html.j2").render(context),
        language=language,
        unsubscribe_url=unsubscribe_url,
        preferences_url=preferences_url,
    )


def summary(digest: Digest) -> str:
    """'1 reserverad upphandling, 4 nya upphandlingar, 1 ändrad' (empty when nothing)."""
    words = texts(digest.language)["summary"]
    counts = digest.counts()
    for name, extra in digest.more.items():
        counts[name] += extra
    parts = [formatting.plural(counts[name], words[name]) for name in words if counts.get(name)]
    return ", ".join(parts)


def describe_change(change: Change, settings: NotifierSettings, language: str) -> str:
    """One change in words: 'Sista anbudsdag: 1 december 2026 kl. 23.59 → 8 december 2026 kl. 23.59'."""
    t = texts(language)
    label = t["change_fields"][change.field]
    zone = settings.timezone
    if change.field == "deadline":
        before, after = (
            formatting.format_deadline(formatting.parse_deadline(v, zone), zone, language)
            for v in (change.before, change.after)
        )
    elif change.field == "value":
        values = (change.before, change.after)
        before, after = (formatting.format_amount(amount, currency, language) for amount, currency in values)
    elif change.field == "reserved":
        before, after = (t["reserved_yes"] if v else t["reserved_no"] for v in (change.before, change.after))
    elif change.field == "lots":
        removed = ", ".join(change.before) or t["none"]
        added = ", ".join(change.after) or t["none"]
        return f"{label}: − {removed}; + {added}"
    elif change.field == "title":
        before, after = change.before or "", change.after or ""
    else:
        return str(label)
    return f"{label}: {before} → {after}"
