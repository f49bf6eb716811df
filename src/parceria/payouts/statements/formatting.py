"""How statements write for their reader: the languages they are written in, money with the ledger's 4
places, rates, dates and month names in the reader's language, and the parties (payer and partner) with their
formatted tax ids. Used by the monthly statement and the informe de rendimentos."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.utils.dates import MONTHS
from django.utils.text import capfirst
from django.utils.translation import pgettext

from parceria.common.dbsum import PLACES
from parceria.common.errors import InvalidInput
from parceria.common.formatting import COMMA_DECIMALS, format_money
from parceria.common.taxids import TaxIdError, validate_tax_id

#: The languages a statement is written in (its labels come from the gettext catalogues).
LANGUAGES = ("pt-br", "es", "en")


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}", code="invalid_language")
    return language


def reader_language(active: str | None) -> str:
    """The statement language for a user's active language: pt-br, es, or en for any other."""
    code = (active or "").lower()
    if code.startswith("pt"):
        return "pt-br"
    return "es" if code.startswith("es") else "en"


def format_ledger(amount: Decimal, currency: str, language: str) -> str:
    """A ledger amount with the 4 places the ledger stores."""
    return format_money(amount, currency, language=language, places=PLACES)


def format_rate(rate: Decimal | None, language: str) -> str:
    if rate is None:
        return ""
    percent = format(rate * 100, "f").rstrip("0").rstrip(".") if rate else "0"
    return (percent.replace(".", ",") if language in COMMA_DECIMALS else percent) + "%"


def format_date(day: date, language: str) -> str:
    """31/03/2026 (pt-br, es) or 2026-03-31 (en)."""
    return day.isoformat() if language == "en" else f"{day:%d/%m/%Y}"


def month_name(month: date) -> str:
    """The month's name in the active language (Django's own catalogue) and the year: "Março de 2026"."""
    return pgettext("statement", "%(month)s %(year)s") % {"month": capfirst(MONTHS[month.month]), "year": month.year}


def formatted_tax_id(country: str, tax_id: str) -> str:
    try:
        return validate_tax_id(country, tax_id).formatted
    except TaxIdError:
        return tax_id


def payer() -> tuple[str, str]:
    """The paying company (settings.PARCERIA["COMPANY"]): its name and formatted CNPJ."""
    company = cast(dict[str, str], settings.PARCERIA["COMPANY"])
    return str(company["name"]), formatted_tax_id("BR", str(company["tax_id"]))


def base_places(base: Decimal) -> int:
    """The places to show a rate's base with: its own, from 2 to the ledger's 4."""
    return max(2, min(PLACES, -base.normalize().as_tuple().exponent))  # type: ignore[operator]
