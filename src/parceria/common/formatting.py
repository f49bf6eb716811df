"""Money, numbers, rates, tax ids, phone numbers and countries as people in each language write them:
R$ 1.234,56 (pt-br, es), R$ 1,234.56 (en); 25 % (pt-br, es), 25% (en); 12.345.678/0001-95; +55 (11) 91234-5678;
Brasil / Brazil. Used by the statements (PDF) and the web pages alike (the template tags in web/templatetags)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

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


def format_percent(rate: Decimal, *, language: str = "pt-br", places: int | None = None) -> str:
    """A rate as a percentage: 0.25 → "25 %" (pt-br, es: a space before the sign, as ABNT and the RAE write it)
    or "25%" (en); 0.025 → "2,5 %". `places` fixes the decimals; by default as many as the rate needs (the
    ledger stores rates to 6 places, so at most 4)."""
    percent = Decimal(rate) * 100
    if places is None:
        exponent = percent.normalize().as_tuple().exponent
        places = min(max(-exponent, 0), 4) if isinstance(exponent, int) else 0
    number = format_number(percent, places, language=language)
    return f"{number}%" if language.lower().startswith("en") else f"{number} %"


def _tax_id_formatters() -> dict[str, Any]:
    from stdnum.ar import cuit
    from stdnum.br import cnpj, cpf
    from stdnum.cl import rut
    from stdnum.co import nit
    from stdnum.mx import rfc

    return {"cpf": cpf, "cnpj": cnpj, "cuit": cuit, "rut": rut, "nit": nit, "rfc": rfc}


#: The tax id kind of each country the product validates (common/taxids.py), for ids given without their kind.
_KIND_BY_COUNTRY = {"AR": "cuit", "CL": "rut", "CO": "nit", "MX": "rfc"}


def format_tax_id(value: str, country: str = "BR", kind: str = "") -> str:
    """A tax id as people write it, by python-stdnum: 12.345.678/0001-95 (CNPJ), 123.456.789-09 (CPF),
    20-26756539-3 (CUIT), 12.531.909-2 (RUT), 860.000.795-6 (NIT), GODE 561231 GR8 (RFC). A value that is not a
    valid id of its kind (or of an unknown kind) is shown as stored."""
    text = str(value or "").strip()
    country = (country or "").upper()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not kind:
        kind = {11: "cpf", 14: "cnpj"}.get(len(digits), "") if country == "BR" else _KIND_BY_COUNTRY.get(country, "")
    module = _tax_id_formatters().get(kind.lower())
    if module is None or not module.is_valid(text):
        return text
    return str(module.format(text))


def format_phone(value: str) -> str:
    """A phone number in E.164 as people read it: +55 (11) 91234-5678 for Brazil (area code in brackets, the
    last four digits after a hyphen), +<country> <number> otherwise; anything else is shown as given."""
    text = str(value or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") or not digits:
        return text
    if digits.startswith("55") and len(digits) in (12, 13):
        area, number = digits[2:4], digits[4:]
        return f"+55 ({area}) {number[:-4]}-{number[-4:]}"
    return text


def country_name(code: str) -> str:
    """The name of an ISO 3166-1 country in the active language (django-countries' translated names): "BR" →
    "Brazil" (en), "Brasil" (pt-br, es). An unknown code is shown as given."""
    from django_countries import countries

    text = str(code or "").strip().upper()
    name = str(countries.name(text)) if text else ""
    return name or str(code or "")


def in_sentence(text: str, language: str) -> str:
    """A month name as written inside a sentence: lower case in Portuguese and Spanish ("novembro de 2026", where
    Django's Portuguese formats capitalise it), as given in English ("November 2026")."""
    return text if language.lower().startswith("en") else text[:1].lower() + text[1:]
