"""Notifier settings, ISO weeks and Swedish/English formatting."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from notifier.exceptions import NotifierConfigError, WeekFormatError
from notifier.formatting import (
    NBSP,
    format_amount,
    format_days_left,
    format_deadline,
    parse_deadline,
    wrap,
)
from notifier.links import secret_key, token, verify_token
from notifier.settings import load_notifier_settings
from notifier.weeks import IsoWeek

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_defaults_work_offline_with_an_outbox() -> None:
    settings = load_notifier_settings({})
    assert settings.smtp_host is None and settings.outbox == Path("var/outbox")
    assert (settings.digest_day, settings.digest_time, settings.timezone) == ("mon", time(7, 0), STOCKHOLM)
    assert (settings.smtp_security, settings.smtp_port) == ("starttls", 587)
    assert settings.base_url == "http://127.0.0.1:8000" and not settings.send_empty


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ANBUDSRADAR_SMTP_PORT": "smtp"}, "ANBUDSRADAR_SMTP_PORT='smtp' is not a whole number"),
        ({"ANBUDSRADAR_SMTP_PORT": "70000"}, "ANBUDSRADAR_SMTP_PORT=70000 must be between 1 and 65535"),
        (
            {"ANBUDSRADAR_SMTP_SECURITY": "ssl"},
            "ANBUDSRADAR_SMTP_SECURITY='ssl' must be one of: starttls, tls, none",
        ),
        (
            {"ANBUDSRADAR_SMTP_HOST": "smtp.example.org"},
            "ANBUDSRADAR_SMTP_FROM is required with ANBUDSRADAR_SMTP_HOST",
        ),
        (
            {"ANBUDSRADAR_SMTP_USER": "digest"},
            "ANBUDSRADAR_SMTP_USER is set but ANBUDSRADAR_SMTP_PASSWORD is not",
        ),
        (
            {"ANBUDSRADAR_SMTP_FROM": "Anbudsradar"},
            "ANBUDSRADAR_SMTP_FROM='Anbudsradar' is not an e-mail address",
        ),
        (
            {"ANBUDSRADAR_DIGEST_TIMEZONE": "Europe/Luleå"},
            "ANBUDSRADAR_DIGEST_TIMEZONE='Europe/Luleå' is not a time",
        ),
        (
            {"ANBUDSRADAR_DIGEST_TIME": "7.00"},
            "ANBUDSRADAR_DIGEST_TIME='7.00' must be a time of day like 07:00",
        ),
        ({"ANBUDSRADAR_DIGEST_DAY": "måndag"}, "ANBUDSRADAR_DIGEST_DAY='måndag' must be one of: mon, tue"),
        (
            {"ANBUDSRADAR_DIGEST_SEND_EMPTY": "kanske"},
            "ANBUDSRADAR_DIGEST_SEND_EMPTY='kanske' must be true or false",
        ),
        ({"ANBUDSRADAR_SMTP_RATE_PER_MINUTE": "-1"}, "ANBUDSRADAR_SMTP_RATE_PER_MINUTE=-1 must be between 0"),
        (
            {"ANBUDSRADAR_BASE_URL": "anbudsradar.se"},
            "ANBUDSRADAR_BASE_URL='anbudsradar.se' is not an http(s) URL",
        ),
        (
            {"ANBUDSRADAR_SMTP_CA_FILE": "/nowhere/ca.pem"},
            "ANBUDSRADAR_SMTP_CA_FILE='/nowhere/ca.pem': no such file",
        ),
        (  # was put, broken, into every link of every digest
            {"ANBUDSRADAR_BASE_URL": "http://[::1"},
            "ANBUDSRADAR_BASE_URL='http://[::1' is not an http(s) URL (Invalid IPv6 URL)",
        ),
        (
            {"ANBUDSRADAR_BASE_URL": "https://anbud.example.org?lang=sv"},
            "ANBUDSRADAR_BASE_URL='https://anbud.example.org?lang=sv': the links are built by adding paths",
        ),
        (  # was "TLS failed … check ANBUDSRADAR_SMTP_SECURITY and ANBUDSRADAR_SMTP_PORT" when sending
            {"ANBUDSRADAR_SMTP_CA_FILE": __file__},
            f"ANBUDSRADAR_SMTP_CA_FILE={__file__!r} is not a PEM file of CA certificates",
        ),
        # nan, inf and 0 were accepted and failed as a ValueError or OverflowError on every message
        ({"ANBUDSRADAR_SMTP_TIMEOUT": "nan"}, "ANBUDSRADAR_SMTP_TIMEOUT='nan' must be between 0.1 and 3600"),
        ({"ANBUDSRADAR_SMTP_TIMEOUT": "inf"}, "ANBUDSRADAR_SMTP_TIMEOUT='inf' must be between 0.1 and 3600"),
        ({"ANBUDSRADAR_SMTP_TIMEOUT": "0"}, "ANBUDSRADAR_SMTP_TIMEOUT='0' must be between 0.1 and 3600"),
        ({"ANBUDSRADAR_SMTP_TIMEOUT": "soon"}, "ANBUDSRADAR_SMTP_TIMEOUT='soon' is not a number"),
        ({"ANBUDSRADAR_SMTP_BACKOFF": "1e400"}, "ANBUDSRADAR_SMTP_BACKOFF='1e400' must be between 0 and"),
        ({"ANBUDSRADAR_SMTP_BACKOFF": "-1"}, "ANBUDSRADAR_SMTP_BACKOFF='-1' must be between 0 and 3600"),
        (  # a folder of the time zone database: was a raw IsADirectoryError
            {"ANBUDSRADAR_DIGEST_TIMEZONE": "Europe"},
            "ANBUDSRADAR_DIGEST_TIMEZONE='Europe' is not a time zone name like Europe/Stockholm",
        ),
        (  # was a raw OSError (file name too long)
            {"ANBUDSRADAR_DIGEST_TIMEZONE": "x" * 300},
            f"ANBUDSRADAR_DIGEST_TIMEZONE='{'x' * 300}' is not a time zone name",
        ),
    ],
)
def test_a_wrong_setting_is_named_in_the_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(NotifierConfigError) as error:
        load_notifier_settings(env)
    assert str(error.value).startswith(message)


def test_secrets_stay_out_of_repr() -> None:
    settings = load_notifier_settings(
        {
            "ANBUDSRADAR_SMTP_USER": "digest",
            "ANBUDSRADAR_SMTP_PASSWORD": "hemligt",
            "ANBUDSRADAR_SECRET_KEY": "nyckel",
        }
    )
    assert "hemligt" not in repr(settings) and "nyckel" not in repr(settings)
    assert "smtp_user='digest'" in repr(settings)


def test_implicit_tls_defaults_to_port_465() -> None:
    assert load_notifier_settings({"ANBUDSRADAR_SMTP_SECURITY": "tls"}).smtp_port == 465


def test_the_link_key_is_created_once_and_kept_private(tmp_path: Path) -> None:
    settings = load_notifier_settings({"ANBUDSRADAR_DATA_DIR": str(tmp_path)})
    key = secret_key(settings)
    assert secret_key(settings) == key and len(key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    signature = token(key, "unsubscribe", "7696000012")
    assert verify_token(key, "unsubscribe", "7696000012", signature)
    assert not verify_token(key, "unsubscribe", "7696000020", signature)
    assert not verify_token(key, "preferences", "7696000012", signature)


@pytest.mark.parametrize(("text", "week"), [("2026-W49", IsoWeek(2026, 49)), ("2026w1", IsoWeek(2026, 1))])
def test_iso_weeks_parse(text: str, week: IsoWeek) -> None:
    assert IsoWeek.parse(text) == week
    assert str(week) == f"{week.year}-W{week.week:02d}"


@pytest.mark.parametrize("text", ["2026-49", "vecka 49", "2026-W54", "2025-W53"])
def test_a_wrong_week_is_named_in_the_error(text: str) -> None:
    with pytest.raises(WeekFormatError, match=text):
        IsoWeek.parse(text)


def test_the_current_week_follows_the_digest_time_zone() -> None:
    sunday_night_utc = datetime(2026, 11, 29, 23, 30, tzinfo=ZoneInfo("UTC"))  # Monday 00:30 in Stockholm
    assert IsoWeek.current(STOCKHOLM, sunday_night_utc) == IsoWeek(2026, 49)
    assert IsoWeek(2026, 49).monday() == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        (1_200_000, "SEK", "sv", f"1{NBSP}200{NBSP}000{NBSP}kr"),
        (950.5, "SEK", "sv", f"950,50{NBSP}kr"),
        (1_200_000, "EUR", "sv", f"1{NBSP}200{NBSP}000{NBSP}EUR"),
        (1_200_000, "SEK", "en", f"1,200,000{NBSP}SEK"),
        (None, None, "sv", "inte angivet"),
    ],
)
def test_amounts(amount: float | None, currency: str | None, language: str, expected: str) -> None:
    assert format_amount(amount, currency, language) == expected


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("2026-12-08T12:00:00+01:00", f"8{NBSP}december 2026 kl.{NBSP}12.00"),
        ("2026-12-08T12:00:00Z", f"8{NBSP}december 2026 kl.{NBSP}13.00"),  # shown in Stockholm time
        ("2026-12-08T12:00:00", f"8{NBSP}december 2026 kl.{NBSP}12.00"),  # no offset: local time
        ("2026-12-08", f"8{NBSP}december 2026 kl.{NBSP}23.59"),  # a date alone: the end of that day
    ],
)
def test_deadlines_in_swedish(stored: str, expected: str) -> None:
    assert format_deadline(parse_deadline(stored, STOCKHOLM), STOCKHOLM, "sv") == expected


def test_deadline_in_english_and_days_left() -> None:
    deadline = parse_deadline("2026-07-01T09:30:00+02:00", STOCKHOLM)
    assert format_deadline(deadline, STOCKHOLM, "en") == f"1{NBSP}July 2026, 09:30"
    assert [format_days_left(n, "sv") for n in (-1, 0, 1, 12)] == [
        "stängd",
        "sista dagen i dag",
        "1 dag kvar",
        "12 dagar kvar",
    ]
    assert format_days_left(3, "en") == "3 days left"


def test_wrapping_keeps_non_breaking_spaces() -> None:
    text = f"Uppskattat värde: 1{NBSP}200{NBSP}000{NBSP}kr " * 4
    assert all(f"1{NBSP}200{NBSP}000{NBSP}kr" in line for line in wrap(text, 40).splitlines())
