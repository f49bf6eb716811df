"""Money and numbers as people in each language write them: R$ 1.234,56 (pt-br, es), R$ 1,234.56 (en).
Used by the statements (PDF) and the web pages alike."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from parceria.common.money import get_currency

CURRENCY_SYMBOLS = {"BRL": "R$", "USD": "US$", "MXN": "MX$", "COP": "COL$", "ARS": "AR$", "CLP": "CLP$"}
COMMA_DECIMALS = frozenset({"pt-br", "pt", "es"})


def format_number(value: Decimal, places: int, *, language: str = "pt-br") -> str:
    """`value` with `places` decimals and thousands separators: 1.234,56 (pt-br, es) or 1,234.56 (en)."""
    exact = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = f"{abs(exact):,.{places}f}"
    if language.lower() in COMMA_DECIMALS:
        text = text.translate(str.maketrans(",.", ".,"))
    return f"-{text}" if exact < 0 else text


def format_money(amount: Decimal, currency: str, *, language: str = "pt-br", places: int | None = None) -> str:
    """R$ 1.234,56 (pt-br) or R$ 1,234.56 (en); `places` defaults to the currency's minor unit."""
    places = get_currency(currency).minor_units if places is None else places
    number = format_number(amount, places, language=language)
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    return f"-{symbol} {number[1:]}" if number.startswith("-") else f"{symbol} {number}"
