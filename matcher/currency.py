"""Amounts in other currencies as approximate Swedish kronor, for judging a contract's size only.

A tender's size is compared with a company's capacity and with the direct-award limit (both in
kronor), where a few per cent do not matter, so one approximate rate per currency is enough: the
2024 annual averages, rounded (EUR/SEK 11.43; the others derived from their euro rates). An amount
in a currency not listed has no value in kronor: its size is unknown, not guessed. No rate is
fetched at run time.
"""

from __future__ import annotations

SEK_PER_UNIT: dict[str, float] = {
    "SEK": 1.0,
    "EUR": 11.43,
    "USD": 10.56,
    "GBP": 13.51,
    "NOK": 0.98,
    "DKK": 1.53,
    "ISK": 0.077,
    "CHF": 11.99,
    "PLN": 2.65,
    "CZK": 0.455,
    "HUF": 0.029,
    "RON": 2.30,
    "BGN": 5.84,
}


def in_sek(amount: float | None, currency: str | None) -> float | None:
    """Return an amount in kronor (no currency given: kronor); None when unknown or not convertible."""
    if amount is None:
        return None
    rate = SEK_PER_UNIT.get((currency or "SEK").strip().upper())
    return None if rate is None else amount * rate


def is_sek(currency: str | None) -> bool:
    """Tell whether an amount is in kronor (a missing currency is read as kronor)."""
    return (currency or "SEK").strip().upper() == "SEK"
